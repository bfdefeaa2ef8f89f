"""Labour market: job separation and job finding as daily hazards, by district.

Every working-age person is in exactly one state a day (employed, unemployed,
inactive, militant, migrant; plus detained and killed, outside the working-age
count). Participation is fixed (inactive people stay inactive). Rules:

- Separation: an employed person loses the job with daily hazard ``s`` (youth:
  ``s * youth_separation_multiplier``). A trade worker is also laid off with the
  employer's layoff hazard λ (see :mod:`sim.trade`): p = 1 - (1 - s)(1 - λ).
- Finding: an unemployed person finds a job with hazard
  ``f_d(t) = f0_d * DI_d(t) ** demand_elasticity``, where the demand index
  ``DI_d`` is district labour demand relative to day 0. Demand is trade
  (Σ active traders' base employees × activity), agriculture and public sector
  (fixed) and local services (scaled by household income ** services_income_elasticity).
- A new job's sector is drawn in proportion to current demand; a trade job's
  employer in proportion to active traders' baseline revenue × activity.
- Calibration: ``f0_d`` solves the analytic steady state
  ``w_y·s_y/(s_y+f) + (1-w_y)·s/(s+f) = u_d`` for the district's target
  unemployment rate ``u_d`` (census-based definition; FAFEN puts Panjgur at 36%).
  With the border open and no recruitment or migration, each group's
  unemployment rate sits at ``s/(s+f0)``, and from any start it relaxes to it as
  ``u(t) = u* + (u0 - u*)(1 - s - f)^t``.

One uniform per person per day (stream ``labour``) decides separation or finding;
given a hire, the same uniform rescaled to [0, 1) picks the sector and employer,
so a person's labour draws never depend on anyone else's.
"""

from __future__ import annotations

import numpy as np

from .population import (EMPLOYED, N_MARKET_SECTORS, PUBLIC_WORKS, TRADE, UNEMPLOYED, People)


def steady_state_unemployment(s: float, f: float) -> float:
    """u* = s / (s + f): the fixed point of daily separation s and finding f hazards."""
    return s / (s + f)


def calibrate_finding_rate(target_u: np.ndarray, youth_share: np.ndarray, s: float, s_youth: float) -> np.ndarray:
    """Solve ``w·s_y/(s_y+f) + (1-w)·s/(s+f) = u`` for f, per district (bisection in log f)."""
    lo = np.full(len(target_u), -20.0)
    hi = np.full(len(target_u), 5.0)
    for _ in range(80):
        mid = 0.5 * (lo + hi)
        f = np.exp(mid)
        u = youth_share * s_youth / (s_youth + f) + (1 - youth_share) * s / (s + f)
        too_high = u > target_u  # unemployment too high -> need larger f
        lo = np.where(too_high, mid, lo)
        hi = np.where(too_high, hi, mid)
    return np.exp(0.5 * (lo + hi))


def separation_rates(p: People, lcfg) -> np.ndarray:
    """Per-person daily separation hazard s (youth: s × youth_separation_multiplier)."""
    s = lcfg.separation_rate
    return np.where(p.youth, s * lcfg.youth_separation_multiplier, s).astype(np.float32)


def separations(p: People, u: np.ndarray, s: np.ndarray, layoff: np.ndarray, employed: np.ndarray) -> np.ndarray:
    """Who loses a job today: ``u < 1 - (1 - s)(1 - λ_employer)`` among the ``employed`` (bool mask)."""
    sep = employed & (u < s)
    if layoff.any():  # layoffs only happen when some trader's volume is down
        trade_workers = np.flatnonzero(employed & (p.employer >= 0))
        lam = layoff[p.employer[trade_workers]]
        prob = 1.0 - (1.0 - s[trade_workers]) * (1.0 - lam)
        sep[np.compress(u[trade_workers] < prob, trade_workers)] = True
    return np.flatnonzero(sep)


class TraderChooser:
    """Picks a trade employer in a district with probability ∝ weight (inverse CDF)."""

    def __init__(self, trader_district: np.ndarray, n_districts: int):
        self.order = np.argsort(trader_district, kind="stable")
        d_sorted = trader_district[self.order]
        self.first = np.searchsorted(d_sorted, np.arange(n_districts), side="left")
        self.last = np.searchsorted(d_sorted, np.arange(n_districts), side="right")

    def choose(self, weights: np.ndarray, district: np.ndarray, v: np.ndarray) -> np.ndarray:
        c = np.concatenate([[0.0], np.cumsum(weights[self.order])])
        lo, hi = c[self.first[district]], c[self.last[district]]
        target = lo + v * (hi - lo)
        pos = np.searchsorted(c, target, side="right") - 1
        pos = np.clip(pos, self.first[district], np.maximum(self.last[district] - 1, self.first[district]))
        return self.order[pos]


class Jobs:
    """The one writer of people's jobs (``sector``, ``employer``).

    Every hire and every job loss goes through :meth:`assign` or :meth:`clear`,
    which keep two running totals in step with the person arrays: each trader's
    head count (``employees``, the traders' own array) and each household's wage
    income (``household_wages``, PKR/day). Both equal a full recount at all times
    (checked every day by the invariant tests); keeping them saves two passes over
    every person each day.
    """

    def __init__(self, p: People, wage_by_sector: np.ndarray, employees: np.ndarray, n_households: int):
        self.p = p
        self.wage_lut = np.concatenate([[0.0], wage_by_sector])  # by sector + 1; index 0 = no job
        self.employees = employees
        self.employees[:] = np.bincount(p.employer[p.employer >= 0], minlength=len(employees))
        self.household_wages = np.bincount(p.hh, weights=self.wage_lut[p.sector + 1], minlength=n_households)

    def _add(self, idx: np.ndarray, sign: float) -> None:
        p = self.p
        np.add.at(self.household_wages, p.hh[idx], sign * self.wage_lut[p.sector[idx] + 1])
        emp = p.employer[idx]
        np.add.at(self.employees, emp[emp >= 0], int(sign))

    def clear(self, idx: np.ndarray) -> None:
        """People ``idx`` lose their jobs, if they have one."""
        self._add(idx, -1.0)
        self.p.sector[idx] = -1
        self.p.employer[idx] = -1

    def assign(self, idx: np.ndarray, sector, employer=-1) -> None:
        """People ``idx`` (without a job) start work in ``sector`` for ``employer`` (-1 outside trade)."""
        self.p.sector[idx] = sector
        self.p.employer[idx] = employer
        self._add(idx, 1.0)


def labour_day(p: People, day: int, u: np.ndarray, s: np.ndarray, f: np.ndarray, sector_cum: np.ndarray,
               layoff: np.ndarray, trader_weights: np.ndarray, chooser: TraderChooser, jobs: Jobs,
               public_works: bool = False) -> tuple[int, int]:
    """Apply one day of separations and hires; return (separations, hires).

    ``s`` and ``f`` are each person's separation and finding hazards; ``sector_cum``
    is the (districts, 4) cumulative sector share of new jobs; ``layoff`` the
    per-trader layoff hazard; ``trader_weights`` the hiring weight of each trader
    (0 when it has exited). Public-works jobs (``public_works`` when any exist)
    do not separate: they end with the programme.
    """
    state = p.state
    employed = state == EMPLOYED
    if public_works:
        employed &= p.sector != PUBLIC_WORKS
    sep = separations(p, u, s, layoff, employed)
    hired = np.flatnonzero((state == UNEMPLOYED) & (u < f))

    # separations
    jobs.clear(sep)
    state[sep] = UNEMPLOYED
    p.unemployed_since[sep] = day

    # hires: the conditional uniform picks sector, then employer
    if len(hired):
        v = (u[hired] / f[hired]).astype(np.float64)
        d = p.district[hired]
        cum = sector_cum[d]  # (n, 4)
        sector = np.minimum((v[:, None] >= cum).sum(axis=1), N_MARKET_SECTORS - 1)
        employer = np.full(len(hired), -1, dtype=np.int32)
        in_trade = sector == TRADE
        if in_trade.any():
            lo = np.where(sector > 0, cum[np.arange(len(v)), np.maximum(sector - 1, 0)], 0.0)
            width = cum[np.arange(len(v)), sector] - lo
            w = np.clip((v - lo) / np.maximum(width, 1e-12), 0.0, 1.0 - 1e-12)
            employer[in_trade] = chooser.choose(trader_weights, d[in_trade], w[in_trade])
        state[hired] = EMPLOYED
        jobs.assign(hired, sector, employer)
    return len(sep), len(hired)


def public_works_day(p: People, day: int, active: bool, slots: np.ndarray, draw, jobs: Jobs) -> int:
    """Fill public-works jobs from the unemployed (youth first), or end them when the programme stops.

    Within a district, vacancies go to unemployed youth first, then adults, in the
    order of the ``public_works`` stream's uniforms (``draw(idx)``). Returns people
    employed in public works.
    """
    pw = p.sector == PUBLIC_WORKS
    if not active:
        if pw.any():
            idx = np.flatnonzero(pw)
            jobs.clear(idx)
            p.state[idx] = UNEMPLOYED
            p.unemployed_since[idx] = day
        return 0
    n_d = len(slots)
    current = np.bincount(p.district[pw], minlength=n_d)
    vacancies = np.maximum(slots - current, 0)
    if vacancies.sum() == 0:
        return int(current.sum())
    pool = np.flatnonzero(p.state == UNEMPLOYED)
    d = p.district[pool]
    order = np.lexsort((draw(pool), ~p.youth[pool], d))  # by district, youth first, then random
    pool, d = pool[order], d[order]
    start = np.searchsorted(d, np.arange(n_d))
    rank = np.arange(len(pool)) - start[d]
    take = pool[rank < vacancies[d]]
    p.state[take] = EMPLOYED
    jobs.assign(take, PUBLIC_WORKS)
    return int(current.sum() + len(take))
