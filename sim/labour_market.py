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

from dataclasses import dataclass

import numpy as np

from .params import EMPIRICAL, param
from .population import EMPLOYED, N_MARKET_SECTORS, PUBLIC_WORKS, SERVICES, TRADE, UNEMPLOYED, People


@dataclass
class LabourParams:
    separation_rate: float = param(0.00137, "1/day", "[0, 1]", EMPIRICAL,
                                   "assumption: mean job tenure of two years", "job-separation hazard s of adults",
                                   plausible=(0.0007, 0.003, "loguniform"))
    youth_separation_multiplier: float = param(1.5, "ratio", "[0, 10]", EMPIRICAL,
                                               "assumption: young workers change jobs more often",
                                               "youth (15-29) separation hazard s_y = s × multiplier",
                                               plausible=(1.0, 2.5))
    demand_elasticity: float = param(1.0, "elasticity", "[0, 10]", EMPIRICAL,
                                     "assumption: job finding proportional to labour demand",
                                     "f_d(t) = f0_d · DI_d(t)^elasticity", plausible=(0.5, 2.0))
    services_income_elasticity: float = param(0.5, "elasticity", "[0, 10]", EMPIRICAL,
                                              "assumption: local services follow local spending, less than 1:1",
                                              "local-services labour demand ∝ (district household income / "
                                              "day 0)^elasticity", plausible=(0.2, 1.0))
    wage_trade: float = param(600.0, "PKR/day", "[0, 100000]", EMPIRICAL,
                              "Friday Times, 23 Apr 2021 (driver Rs 18,000/month ÷ 30)",
                              "wage of a trade worker (also the trader's wage cost)", plausible=(500.0, 1500.0))
    wage_agriculture: float = param(350.0, "PKR/day", "[0, 100000]", EMPIRICAL,
                                    "assumption: below the Rs 15,000/month minimum wage of 2017 (Rs 577/day)",
                                    "wage in agriculture and livestock", plausible=(250.0, 600.0))
    wage_services: float = param(500.0, "PKR/day", "[0, 100000]", EMPIRICAL,
                                 "assumption: near the 2017 minimum wage (Rs 577/day)", "wage in local services",
                                 plausible=(350.0, 900.0))
    wage_public: float = param(1200.0, "PKR/day", "[0, 100000]", EMPIRICAL,
                               "assumption: a public salary about twice the private wage",
                               "wage in the public sector", plausible=(800.0, 1800.0))
    agriculture_share: float = param(0.30, "share of non-trade jobs", "[0, 1]", EMPIRICAL,
                                     "assumption: below Panjgur's 53.8% in agriculture, livestock and fishing "
                                     "(Pakistan Almanac, weak), part of which is trade here",
                                     "share of non-trade jobs in agriculture", plausible=(0.2, 0.55))
    public_share: float = param(0.10, "share of non-trade jobs", "[0, 1]", EMPIRICAL,
                                "assumption: within Panjgur's 12.7% community and social services "
                                "(Pakistan Almanac, weak)", "share of non-trade jobs in the public sector "
                                "(agriculture + public ≤ 1; services take the rest)", plausible=(0.05, 0.15))
    expectation_horizon_days: float = param(180.0, "days", "(0, 10000]", EMPIRICAL,
                                            "assumption: job seekers look about six months ahead",
                                            "horizon T over which a job seeker values finding a job: "
                                            "E = w̄·(1 - exp(-f·T))", plausible=(60.0, 365.0))


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


def separation_rates(p: People, pars: LabourParams) -> np.ndarray:
    """Per-person daily separation hazard s (youth: s × youth_separation_multiplier)."""
    s = pars.separation_rate
    return np.where(p.youth, s * pars.youth_separation_multiplier, s).astype(np.float32)


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
    state = p.status
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
            p.status[idx] = UNEMPLOYED
            p.unemployed_since[idx] = day
        return 0
    n_d = len(slots)
    current = np.bincount(p.district[pw], minlength=n_d)
    vacancies = np.maximum(slots - current, 0)
    if vacancies.sum() == 0:
        return int(current.sum())
    pool = np.flatnonzero(p.status == UNEMPLOYED)
    d = p.district[pool]
    order = np.lexsort((draw(pool), ~p.youth[pool], d))  # by district, youth first, then random
    pool, d = pool[order], d[order]
    start = np.searchsorted(d, np.arange(n_d))
    rank = np.arange(len(pool)) - start[d]
    take = pool[rank < vacancies[d]]
    p.status[take] = EMPLOYED
    jobs.assign(take, PUBLIC_WORKS)
    return int(current.sum() + len(take))


def hiring_shares(demand: np.ndarray) -> np.ndarray:
    """Share of each district's new jobs by sector: its share of labour demand."""
    return demand / np.maximum(demand.sum(axis=1, keepdims=True), 1e-12)


class LabourMarket:
    """Separations, layoffs and hires every day; the day-0 calibration and initial employment."""

    def __init__(self, model):
        """Calibrate each district's finding rate to its unemployment rate and draw who works where.

        Each set-up decision has its own stream with one draw per person, so changing a parameter
        changes only the decisions it enters (common random numbers for sensitivity sweeps too).
        """
        self.model = model
        self.pars = pars = model.par.labour
        p, districts, region = model.people, model.districts, model.region
        tr = model.trade.traders
        n_districts = len(districts)
        self.wages = np.array([pars.wage_trade, pars.wage_agriculture, pars.wage_services, pars.wage_public,
                               model.par.policy.public_works.wage_pkr])  # PKR/day by sector
        s, s_youth = pars.separation_rate, pars.separation_rate * pars.youth_separation_multiplier
        active = p.active
        youth_share = np.bincount(p.district[active], weights=p.youth[active], minlength=n_districts) / \
            np.maximum(np.bincount(p.district[active], minlength=n_districts), 1)
        self.finding_rate_day0 = calibrate_finding_rate(region.districts["unemployment_rate"].to_numpy(),
                                                        youth_share, s, s_youth)
        districts.finding_rate = self.finding_rate_day0.copy()

        def draw(name: str) -> np.ndarray:
            return model.streams.generator(name).random(len(p))

        steady = np.where(p.youth, s_youth / (s_youth + self.finding_rate_day0[p.district]),
                          s / (s + self.finding_rate_day0[p.district]))
        unemployed = active & (draw("init_unemployment") < steady)
        employed = active & ~unemployed
        trade_share = region.districts["trade_job_share"].to_numpy()
        other = 1.0 - trade_share
        shares = np.stack([trade_share, other * pars.agriculture_share,
                           other * (1 - pars.agriculture_share - pars.public_share), other * pars.public_share],
                          axis=1)  # trade, agriculture, services, public
        self.hiring_cum = np.cumsum(shares, axis=1)  # (D, 4) cumulative sector shares of new jobs
        sector = np.minimum((draw("init_sector")[:, None] >= self.hiring_cum[p.district]).sum(axis=1),
                            N_MARKET_SECTORS - 1)
        p.status[employed] = EMPLOYED
        p.sector[employed] = sector[employed]
        spell = -np.log1p(-draw("init_unemployment_spell")) / self.finding_rate_day0[p.district]  # mean 1/f0
        p.unemployed_since[unemployed] = -model.par.households.warmup_days - \
            np.floor(spell[unemployed]).astype(np.int32)
        self.chooser = TraderChooser(tr.district, n_districts)
        self.separation = separation_rates(p, pars)
        in_trade = np.flatnonzero(employed & (p.sector == TRADE))
        has_trader = np.bincount(tr.district, minlength=n_districts) > 0
        no_trader = in_trade[~has_trader[p.district[in_trade]]]
        p.sector[no_trader] = SERVICES  # a district without traders has no trade jobs
        in_trade = in_trade[has_trader[p.district[in_trade]]]
        p.employer[in_trade] = self.chooser.choose(tr.revenue0, p.district[in_trade], draw("init_employer")[in_trade])
        self.jobs: Jobs | None = None
        self.demand_day0: np.ndarray | None = None

    def open_ledger(self) -> None:
        """Start the jobs ledger and record day-0 labour demand, once migrants and members are placed."""
        p, model = self.model.people, self.model
        self.jobs = Jobs(p, self.wages, model.trade.traders.employees, len(model.households))
        self.demand_day0 = self.employment_by_sector()

    def employment_by_sector(self) -> np.ndarray:
        """(D, 4) employment by district and market sector."""
        p, n = self.model.people, len(self.model.districts)
        emp = (p.status == EMPLOYED) & (p.sector >= 0) & (p.sector < N_MARKET_SECTORS)
        key = p.district[emp].astype(np.int64) * N_MARKET_SECTORS + p.sector[emp]
        return np.bincount(key, minlength=n * N_MARKET_SECTORS).reshape(n, N_MARKET_SECTORS).astype(float)

    def demand(self, activity: np.ndarray, income_index: np.ndarray | float) -> np.ndarray:
        """(D, 4) labour demand by market sector: day-0 employment, trade scaled by traders' activity
        and services by household income (elasticity ``services_income_elasticity``)."""
        tr = self.model.trade.traders
        demand = self.demand_day0.copy()
        demand[:, TRADE] = np.bincount(tr.district, weights=tr.base_employees * activity,
                                       minlength=len(self.model.districts))
        demand[:, SERVICES] *= income_index ** self.pars.services_income_elasticity
        return demand

    def expected_income(self, idx: np.ndarray) -> np.ndarray:
        """Expected legitimate income of persons ``idx``, PKR/day: the wage if employed, else the district's
        mean new-job wage times the chance of finding a job within ``expectation_horizon_days``."""
        p = self.model.people
        shares = np.diff(np.concatenate([np.zeros((len(self.hiring_cum), 1)), self.hiring_cum], axis=1), axis=1)
        mean_wage = shares @ self.wages[:N_MARKET_SECTORS]
        chance = 1.0 - np.exp(-self.model.districts.finding_rate * self.pars.expectation_horizon_days)
        d = p.district[idx]
        return np.where(p.status[idx] == EMPLOYED, self.wages[np.maximum(p.sector[idx], 0)], mean_wage[d] * chance[d])

    def warm_up(self) -> None:
        """Day-0 conditions for the warm-up: the border open, hiring in proportion to day-0 demand."""
        model = self.model
        self._warm_finding = model.person_slices.spread(self.finding_rate_day0.astype(np.float32))
        self._warm_hiring_cum = np.cumsum(hiring_shares(self.demand(np.ones(len(model.trade.traders)), 1.0)), axis=1)

    def warm_up_step(self, k: int, day: int) -> None:
        """Warm-up day ``k`` (calendar ``day`` < 0), drawing from its own stream ``warmup_labour``."""
        model, tr = self.model, self.model.trade.traders
        labour_day(model.people, day, model.streams.uniform("warmup_labour", k, len(model.people)), self.separation,
                   self._warm_finding, self._warm_hiring_cum, model.trade.layoff_hazard, tr.revenue0 * tr.activity,
                   self.chooser, self.jobs)

    def step(self, day: int) -> None:
        model, districts, tr = self.model, self.model.districts, self.model.trade.traders
        income_index = model.household_slices.sum(model.households.income) / \
            np.maximum(districts.household_income_day0, 1e-9)
        demand = self.demand(tr.activity, income_index)
        demand_index = demand.sum(axis=1) / np.maximum(self.demand_day0.sum(axis=1), 1e-9)
        districts.finding_rate = np.minimum(1.0, self.finding_rate_day0 * demand_index ** self.pars.demand_elasticity)
        self.hiring_cum = np.cumsum(hiring_shares(demand), axis=1)
        finding = model.person_slices.spread(districts.finding_rate.astype(np.float32))
        labour_day(model.people, day, model.streams.uniform("labour", day, len(model.people)), self.separation,
                   finding, self.hiring_cum, model.trade.layoff_hazard, tr.revenue0 * tr.activity, self.chooser,
                   self.jobs, model.policies.public_works_ever)
