"""Labour market: separations, layoffs and hires matched to vacancies, by district.

Every working-age person is in exactly one state a day (employed, unemployed,
inactive, militant, migrant; plus detained and killed, outside the working-age
count). Participation is fixed (inactive people stay inactive). Rules:

- Labour demand L_dk by district and market sector: trade = Σ the jobs each trader's volume
  supports (day-0 workforce × activity, rounded); agriculture and the public sector fixed at
  day-0 employment; local services = day-0 employment × the local demand index
  (households' real consumption spending / day 0) ** ``services_income_elasticity``, real
  spending being food spending at day-0 prices plus non-food spending. Trade jobs are
  the direct jobs only (drivers, crews, crossing and outlet workers); the jobs that trade income
  supports indirectly are local services, carried by this demand: one multiplier, not two
  (the local multiplier, total jobs lost / direct trade jobs lost, is an output).
- Separation: an employed person loses the job with daily hazard ``s`` (youth:
  ``s * youth_separation_multiplier``).
- Layoffs: a trader employing more workers than its volume supports lays off each of them
  with hazard ``layoff_rate`` × excess / employees, never more than the excess: the
  workforce falls to what the volume supports, and no further. An exited trader lays off
  everyone at once.
- Vacancies V_dk = max(0, L_dk - E_dk) after the day's separations: a sector never grows
  beyond its demand.
- Hires: matches m_d = min(U_d, V_d, A_d · U_d^α · V_d^(1-α)) (a matching function, α =
  ``matching_elasticity``); each unemployed person is hired with probability m_d / U_d, into
  a sector drawn in proportion to its vacancies (and no more than them), and in trade to an
  employer in proportion to its own vacancies.
- Unemployment has one definition: *without a regular job* (the census basis of the district
  rates; FAFEN puts Panjgur at 36%). A person without a regular job still earns casual
  income: ``casual_earnings_pkr`` a day on average, scaled by the local demand index (as local
  services). ``casual_work_share`` of them work some hours in a week, which the Labour Force
  Survey counts as employment; the LFS-basis rate is therefore (1 - casual_work_share) × the
  model's rate (ODD §7.7.1).
- Calibration: ``f0_d`` solves the analytic steady state
  ``w_y·s_y/(s_y+f) + (1-w_y)·s/(s+f) = u_d`` for the district's target unemployment rate
  ``u_d`` (the census definition above), and A_d makes the day-0
  matches equal f0_d · U_d when the day's vacancies are the day's expected separations. With
  the border open and no recruitment or migration, each group's unemployment rate then sits
  at ``s/(s+f0)``.

One uniform per person per day (stream ``labour``) decides separation, layoff or hire;
given a hire, the same uniform rescaled to [0, 1) picks the sector and employer, so a
person's labour draws never depend on anyone else's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import EMPIRICAL, param
from .population import EMPLOYED, N_MARKET_SECTORS, PUBLIC_WORKS, SERVICES, TRADE, UNEMPLOYED, DistrictSlices, People
from .rng import below
from .roster import Roster, in_sorted, merged
from .smoothing import exponential_average


@dataclass
class LabourParams:
    separation_rate: float = param(0.00137, "1/day", "[0, 1]", EMPIRICAL,
                                   "assumption: mean job tenure of two years", "job-separation hazard s of adults",
                                   plausible=(0.0007, 0.003, "loguniform"))
    youth_separation_multiplier: float = param(1.5, "ratio", "[0, 10]", EMPIRICAL,
                                               "assumption: young workers change jobs more often",
                                               "youth (15-29) separation hazard s_y = s × multiplier",
                                               plausible=(1.0, 2.5))
    matching_elasticity: float = param(0.5, "elasticity", "[0.05, 0.95]", EMPIRICAL,
                                       "assumption: the usual range of matching-function estimates (about 0.5-0.7 "
                                       "on unemployment)", "α in matches = A·U^α·V^(1-α): how much hiring depends "
                                       "on job seekers rather than vacancies", plausible=(0.3, 0.7))
    services_income_elasticity: float = param(0.5, "elasticity", "[0, 10]", EMPIRICAL,
                                              "assumption: local services follow local spending, less than 1:1",
                                              "local-services labour demand ∝ (district household real "
                                              "consumption spending / day 0)^elasticity", plausible=(0.2, 1.0))
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
    casual_earnings_pkr: float = param(
        120.0, "PKR/person/day", "[0, 100000]", EMPIRICAL,
        "assumption: one or two days' unskilled work a week (PBS observed unskilled wage about Rs 1,134/day "
        "nationally, about 2023; the model's wages are about 2021 levels)",
        "mean casual earnings of a person without a regular job (all days averaged), times the local demand index",
        plausible=(50.0, 250.0))
    casual_work_share: float = param(
        0.78, "share", "[0, 1]", EMPIRICAL,
        "derived: Balochistan LFS unemployment 4.6% (2018-19) and 5.5% (2024-25) against the model's day-0 "
        "census-basis rate of about 23%: 1 - 5/23",
        "share of people without a regular job who do some casual work in a week (employed on the LFS "
        "definition); used for the LFS-basis unemployment rate", plausible=(0.6, 0.9))
    hiring_rate_half_life_days: float = param(30.0, "days", "(0, 3650]", EMPIRICAL,
                                              "assumption: job seekers judge their chances from the last month or "
                                              "two of hiring, not from one day's",
                                              "half-life of the exponential average of the district's hiring rate "
                                              "(and of the mean wage of its vacancies) that sets expected income",
                                              plausible=(7.0, 90.0, "loguniform"))
    expectation_horizon_days: float = param(180.0, "days", "(0, 10000]", EMPIRICAL,
                                            "assumption: job seekers look about six months ahead",
                                            "horizon T over which a job seeker values finding a job: "
                                            "E = c + (1 - exp(-f·T))·(w̄ - c)", plausible=(60.0, 365.0))


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


def separation_hazards(pars: LabourParams) -> np.ndarray:
    """The daily separation hazards of adults and of youth (s × youth_separation_multiplier), float32:
    a person's is ``hazards[youth]``."""
    s = pars.separation_rate
    return np.array([s, s * pars.youth_separation_multiplier]).astype(np.float32)


def quits_among(drawn: np.ndarray, p: People, u: np.ndarray, hazards: np.ndarray, public_works: bool) -> np.ndarray:
    """Among ``drawn`` (sorted): the employed whose uniform falls below their separation hazard (public-works
    jobs excepted when ``public_works``)."""
    employed = p.status[drawn] == EMPLOYED
    if public_works:
        employed &= p.sector[drawn] != PUBLIC_WORKS
    return drawn[employed & (u[drawn] < hazards[p.youth[drawn].astype(np.intp)])]


def who_separates(p: People, u: np.ndarray, hazards: np.ndarray, layoff: np.ndarray, excess: np.ndarray,
                  public_works: bool, trade_workers: np.ndarray) -> np.ndarray:
    """Who loses a job today (sorted): :func:`separations` of the day's quits and of the workers of the traders
    with ``excess`` workers, found without reading everyone's state: a quit needs a uniform below the higher
    separation hazard (a few thousand people draw one), and the traders' workers are the jobs ledger's
    ``trade_workers`` (``tests/test_kernels.py`` compares the result with the scan over everyone)."""
    quits = quits_among(below(u, float(hazards.max())), p, u, hazards, public_works)
    at_risk = trade_workers[excess[p.employer[trade_workers]] > 0] if excess.any() else trade_workers[:0]
    return separations(p, u, hazards, quits, at_risk, layoff, excess)


def who_is_hired(p: People, u: np.ndarray, hire_probability: np.ndarray, separating: np.ndarray) -> np.ndarray:
    """Today's job seekers (the unemployed, less those ``separating`` today) whose uniform falls below their
    district's ``hire_probability`` (sorted), found among those drawing below the highest."""
    drawn = below(u, hire_probability.max())
    drawn = drawn[(p.status[drawn] == UNEMPLOYED) & ~in_sorted(drawn, separating)]
    return drawn[u[drawn] < hire_probability[p.district[drawn]]]


def separations(p: People, u: np.ndarray, hazards: np.ndarray, quits: np.ndarray, trade_workers: np.ndarray,
                layoff: np.ndarray, excess: np.ndarray) -> np.ndarray:
    """Who loses a job today (sorted): those who ``quits`` (``u < s`` among the employed), and trade workers
    laid off, ``u < 1 - (1 - s)(1 - λ_employer)``, at most ``excess`` per trader less its other separations
    (lowest uniforms first). ``trade_workers`` (sorted) include every worker of the traders with ``excess``
    (read only when ``excess.any()``)."""
    if not excess.any():  # layoffs only happen where a trader employs more than its volume supports
        return quits
    employer = p.employer[trade_workers]
    s = hazards[p.youth[trade_workers].astype(np.intp)]
    quitting = u[trade_workers] < s
    room = np.maximum(excess - np.bincount(employer[quitting], minlength=len(excess)), 0)
    prob = 1.0 - (1.0 - s) * (1.0 - layoff[employer])
    laid_off = ~quitting & (u[trade_workers] < prob) & (room[employer] > 0)
    candidates, employer = trade_workers[laid_off], employer[laid_off]
    order = np.lexsort((u[candidates], employer))
    candidates, employer = candidates[order], employer[order]
    rank = np.arange(len(candidates)) - np.searchsorted(employer, employer)
    return np.sort(np.concatenate([quits, candidates[rank < room[employer]]]))


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
    which keep five running totals in step with the person arrays: each trader's
    head count (``employees``, the traders' own array), each household's wage
    income (``household_wages``, PKR/day) and members with a trade job (``trade_members``),
    employment by district and sector (``by_sector``) and the traders' workers (``trade_workers``, sorted).
    They equal a full recount at all times (checked every day by the invariant tests); keeping them saves
    passes over every person each day.
    """

    def __init__(self, p: People, wage_by_sector: np.ndarray, employees: np.ndarray, n_households: int,
                 n_districts: int):
        self.p = p
        self.wage_lut = np.concatenate([[0.0], wage_by_sector])  # by sector + 1; index 0 = no job
        self.employees = employees
        self.employees[:] = np.bincount(p.employer[p.employer >= 0], minlength=len(employees))
        self.household_wages = np.bincount(p.hh, weights=self.wage_lut[p.sector + 1], minlength=n_households)
        self.trade_members = np.bincount(p.hh[p.sector == TRADE], minlength=n_households).astype(np.int32)
        self.trade_workers = np.flatnonzero(p.employer >= 0)
        n_sectors = len(wage_by_sector) + 1  # column 0: no job
        jobs = p.sector >= 0
        self.by_sector = np.bincount(p.district[jobs].astype(np.int64) * n_sectors + p.sector[jobs] + 1,
                                     minlength=n_districts * n_sectors).reshape(n_districts, n_sectors)[:, 1:].copy()

    def _add(self, idx: np.ndarray, sign: float) -> None:
        p = self.p
        np.add.at(self.household_wages, p.hh[idx], sign * self.wage_lut[p.sector[idx] + 1])
        np.add.at(self.trade_members, p.hh[idx[p.sector[idx] == TRADE]], np.int32(sign))
        emp = p.employer[idx]
        np.add.at(self.employees, emp[emp >= 0], int(sign))
        in_trade = np.sort(idx[emp >= 0])
        if len(in_trade):
            none = in_trade[:0]
            self.trade_workers = (merged(self.trade_workers, in_trade, none) if sign < 0 else
                                  merged(self.trade_workers, none, in_trade))
        has_job = p.sector[idx] >= 0
        np.add.at(self.by_sector, (p.district[idx][has_job], p.sector[idx][has_job]), int(sign))

    def set_wage(self, sector: int, wage: float) -> None:
        """Pay ``sector`` ``wage`` (PKR/day) from today, the households of its current workers included."""
        old = self.wage_lut[sector + 1]
        if wage == old:
            return
        holders = np.flatnonzero(self.p.sector == sector)
        np.add.at(self.household_wages, self.p.hh[holders], wage - old)
        self.wage_lut[sector + 1] = wage

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


@dataclass
class Openings:
    """What the day's hiring works with, per district: demand and the matching function."""

    demand: np.ndarray  # (D, 4) jobs demanded by market sector
    matching: np.ndarray  # (D,) A_d of the matching function
    alpha: float  # elasticity of matches to unemployment
    trader_target: np.ndarray  # per trader: the jobs its volume supports (0 once exited)
    layoff: np.ndarray  # per trader: layoff hazard of each of its workers


@dataclass
class DayOutcome:
    separations: int
    hires: int
    hire_probability: np.ndarray  # (D,) m_d / U_d
    vacancies: np.ndarray  # (D, 4) vacancies after the day's separations
    hired_by_sector: np.ndarray  # (D, 4) hires
    vacancy_cum: np.ndarray  # (D, 4) cumulative shares of the day's vacancies by sector


def labour_day(p: People, day: int, u: np.ndarray, hazards: np.ndarray, openings: Openings, chooser: TraderChooser,
               jobs: Jobs, roster: Roster, public_works: bool = False) -> DayOutcome:
    """Apply one day of separations, layoffs and hires matched to vacancies (module docstring).

    ``u`` holds each person's ``labour`` uniform; ``hazards`` the separation hazards of adults and youth
    (:func:`separation_hazards`). Public-works
    jobs (``public_works`` when any exist) do not separate: they end with the programme. States change through
    ``roster``, jobs through ``jobs``.
    """
    n = len(openings.matching)
    excess = np.maximum(jobs.employees - openings.trader_target, 0)
    # today's job seekers (not those separating today), by district from the roster's counts
    seekers = roster.by_state[:, :, UNEMPLOYED].sum(axis=1)
    separating = who_separates(p, u, hazards, openings.layoff, excess, public_works, jobs.trade_workers)
    jobs.clear(separating)
    roster.set(separating, UNEMPLOYED)
    p.unemployed_since[separating] = day

    # matches of job seekers and vacancies, by district
    vacancies = np.floor(np.maximum(openings.demand - jobs.by_sector[:, :N_MARKET_SECTORS], 0))  # whole jobs
    open_d = vacancies.sum(axis=1)
    seekers = seekers.astype(np.float64)
    matches = np.minimum(np.minimum(seekers, open_d),
                         openings.matching * seekers ** openings.alpha * open_d ** (1.0 - openings.alpha))
    hire_probability = np.divide(matches, seekers, out=np.zeros(n), where=seekers > 0)
    vacancy_cum = np.cumsum(vacancies / np.maximum(open_d[:, None], 1e-12), axis=1)
    hired = who_is_hired(p, u, hire_probability, separating)
    hired_by_sector = np.zeros((n, N_MARKET_SECTORS), dtype=np.int64)
    if len(hired):
        # the conditional uniform picks the sector (by vacancies), then the employer (by its own vacancies)
        v = (u[hired] / hire_probability[p.district[hired]]).astype(np.float64)
        d = p.district[hired]
        cum = vacancy_cum[d]  # (n, 4)
        sector = np.minimum((v[:, None] >= cum).sum(axis=1), N_MARKET_SECTORS - 1)
        # no sector takes more hires than it has vacancies (lowest uniforms first)
        key = d.astype(np.int64) * N_MARKET_SECTORS + sector
        order = np.lexsort((u[hired], key))
        rank = np.empty(len(order), dtype=np.int64)
        rank[order] = np.arange(len(order)) - np.searchsorted(key[order], key[order])
        keep = rank < vacancies.reshape(-1)[key]
        hired, v, d, cum, sector = hired[keep], v[keep], d[keep], cum[keep], sector[keep]
        employer = np.full(len(hired), -1, dtype=np.int32)
        in_trade = sector == TRADE
        if in_trade.any():
            lo = np.where(sector > 0, cum[np.arange(len(v)), np.maximum(sector - 1, 0)], 0.0)
            width = cum[np.arange(len(v)), sector] - lo
            w = np.clip((v - lo) / np.maximum(width, 1e-12), 0.0, 1.0 - 1e-12)
            trader_vacancies = np.maximum(openings.trader_target - jobs.employees, 0).astype(np.float64)
            employer[in_trade] = chooser.choose(trader_vacancies, d[in_trade], w[in_trade])
        roster.set(hired, EMPLOYED)
        jobs.assign(hired, sector, employer)
        np.add.at(hired_by_sector, (d, sector), 1)
    return DayOutcome(len(separating), len(hired), hire_probability, vacancies, hired_by_sector, vacancy_cum)


def public_works_day(p: People, day: int, active: bool, slots: np.ndarray, draw, jobs: Jobs, roster: Roster) -> int:
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
            roster.set(idx, UNEMPLOYED)
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
    roster.set(take, EMPLOYED)
    jobs.assign(take, PUBLIC_WORKS)
    return int(current.sum() + len(take))


def sector_drawn(u: np.ndarray, cumulative: np.ndarray, slices: DistrictSlices) -> np.ndarray:
    """Each person's day-0 sector: how many of the district's cumulative sector shares (``cumulative``,
    (D, sectors), non-decreasing) the uniform ``u`` reaches, capped at the last sector; people are contiguous
    by district (``slices``), so each district is one sorted search."""
    sector = np.empty(len(u), dtype=np.int64)
    for d, (lo, n) in enumerate(zip(slices.starts, slices.counts)):
        sector[lo:lo + n] = np.searchsorted(cumulative[d], u[lo:lo + n], side="right")
    return np.minimum(sector, cumulative.shape[1] - 1, out=sector)


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

        f0, spread = self.finding_rate_day0, model.person_slices.spread  # per district, then per person
        steady = np.where(p.youth, spread(s_youth / (s_youth + f0)), spread(s / (s + f0)))
        unemployed = active & (draw("init_unemployment") < steady)
        employed = active & ~unemployed
        trade_share = region.districts["trade_job_share"].to_numpy()
        other = 1.0 - trade_share
        shares = np.stack([trade_share, other * pars.agriculture_share,
                           other * (1 - pars.agriculture_share - pars.public_share), other * pars.public_share],
                          axis=1)  # trade, agriculture, services, public
        hiring_cum = np.cumsum(shares, axis=1)  # (D, 4) cumulative sector shares of the day-0 jobs
        # what job seekers expect (update_expectations): the smoothed hiring rate and mean wage of vacancies,
        # from the calibrated rate and the day-0 sector shares until the warm-up's own hiring replaces them
        self.expected_hiring_rate = self.finding_rate_day0.copy()
        self.expected_vacancy_wage = shares @ self.wages[:N_MARKET_SECTORS]
        sector = sector_drawn(draw("init_sector"), hiring_cum, model.person_slices)
        p.status[employed] = EMPLOYED
        p.sector[employed] = sector[employed]
        spell = -np.log1p(-draw("init_unemployment_spell")) / spread(f0)  # mean 1/f0
        p.unemployed_since[unemployed] = -model.par.households.warmup_days - \
            np.floor(spell[unemployed]).astype(np.int32)
        self.chooser = TraderChooser(tr.district, n_districts)
        self.matching = np.ones(n_districts)  # A_d (open_ledger)
        self.openings_today: Openings | None = None
        self.outcome: DayOutcome | None = None  # the last day's separations, hires and vacancies
        self.separation = separation_hazards(pars)  # adults, youth
        in_trade = np.flatnonzero(employed & (p.sector == TRADE))
        has_trader = np.bincount(tr.district, minlength=n_districts) > 0
        no_trader = in_trade[~has_trader[p.district[in_trade]]]
        p.sector[no_trader] = SERVICES  # a district without traders has no trade jobs
        in_trade = in_trade[has_trader[p.district[in_trade]]]
        p.employer[in_trade] = self.chooser.choose(tr.revenue0, p.district[in_trade], draw("init_employer")[in_trade])
        self.jobs: Jobs | None = None
        self.demand_day0: np.ndarray | None = None
        self.local_demand = np.ones(n_districts)  # (real spending / day 0) ** services_income_elasticity

    def open_ledger(self) -> None:
        """Start the jobs ledger, record day-0 labour demand and calibrate the matching function, once
        migrants and members are placed: A_d makes the day-0 matches f0_d · U_d when the day's
        vacancies are the day's expected separations."""
        p, model = self.model.people, self.model
        n = len(model.districts)
        self.jobs = Jobs(p, self.wages, model.trade.traders.employees, len(model.households), n)
        self.demand_day0 = self.jobs.by_sector[:, :N_MARKET_SECTORS].astype(float)
        employed = p.status == EMPLOYED
        hazard = self.separation[p.youth[employed].astype(np.intp)]
        expected_separations = np.bincount(p.district[employed], weights=hazard, minlength=n)
        seekers = np.bincount(p.district[p.status == UNEMPLOYED], minlength=n).astype(float)
        ratio = np.divide(seekers, expected_separations, out=np.ones(n), where=expected_separations > 0)
        self.matching = self.finding_rate_day0 * ratio ** (1.0 - self.pars.matching_elasticity)

    def demand(self) -> np.ndarray:
        """(D, 4) labour demand by market sector: day-0 employment, trade the jobs traders' volumes support
        and services scaled by the local demand index."""
        trade = self.model.trade
        demand = self.demand_day0.copy()
        demand[:, TRADE] = np.bincount(trade.traders.district, weights=trade.workforce_target,
                                       minlength=len(self.model.districts))
        demand[:, SERVICES] *= self.local_demand
        return demand

    def openings(self) -> Openings:
        trade = self.model.trade
        return Openings(self.demand(), self.matching, self.pars.matching_elasticity,
                        trade.workforce_target, trade.layoff_hazard)

    def casual_earnings(self) -> np.ndarray:
        """Per district: today's mean casual earnings of a person without a regular job (PKR/day)."""
        return self.pars.casual_earnings_pkr * self.local_demand

    def expected_income(self, idx: np.ndarray) -> np.ndarray:
        """Expected legitimate income of persons ``idx``, PKR/day (ODD §7.7.1): the wage if employed; if
        unemployed, casual earnings c plus, with the chance of being hired within ``expectation_horizon_days``
        at the district's smoothed hiring rate f̄, the step up to the smoothed mean wage w̄ of its vacancies:
        ``E = c + (1 - exp(-f̄·T))·max(w̄ - c, 0)``; if inactive (never hired), c alone: no job-finding value,
        and c as the value of his time (assumption: the household budget pays casual earnings to the
        unemployed only)."""
        p = self.model.people
        chance = 1.0 - np.exp(-self.expected_hiring_rate * self.pars.expectation_horizon_days)
        casual = self.casual_earnings()
        seeking = casual + chance * np.maximum(self.expected_vacancy_wage - casual, 0.0)
        status, d = p.status[idx], p.district[idx]
        return np.where(status == EMPLOYED, self.wages[np.maximum(p.sector[idx], 0)],
                        np.where(status == UNEMPLOYED, seeking[d], casual[d]))

    def update_expectations(self, outcome: DayOutcome) -> None:
        """Move the smoothed hiring rate and vacancy wage one day towards today's (half-life
        ``hiring_rate_half_life_days``); a district with no vacancies today keeps its vacancy wage."""
        half_life = self.pars.hiring_rate_half_life_days
        self.expected_hiring_rate = exponential_average(self.expected_hiring_rate, outcome.hire_probability, half_life)
        shares = np.diff(np.concatenate([np.zeros((len(outcome.vacancy_cum), 1)), outcome.vacancy_cum], axis=1), axis=1)
        any_open = outcome.vacancy_cum[:, -1] > 0.5
        today = np.where(any_open, shares @ self.wages[:N_MARKET_SECTORS], self.expected_vacancy_wage)
        self.expected_vacancy_wage = exponential_average(self.expected_vacancy_wage, today, half_life)

    def wage_bill(self, sectors) -> np.ndarray:
        """Per district: wages paid today in ``sectors`` (PKR/day)."""
        sectors = list(sectors)
        return self.jobs.by_sector[:, sectors] @ self.wages[sectors]

    def warm_up_step(self, k: int, day: int) -> None:
        """Warm-up day ``k`` (calendar ``day`` < 0) at day-0 demand, drawing from its own stream
        ``warmup_labour``."""
        model = self.model
        self.update_expectations(labour_day(model.people, day, model.streams.uniform("warmup_labour", k, len(model.people)),
                                            self.separation, self.openings(), self.chooser, self.jobs, model.roster))

    def step(self, day: int) -> None:
        model, districts = self.model, self.model.districts
        # a policy lever is read on the day, not at build, so a run branched from a shared start with another
        # public-works wage pays that wage (sim/branching.py)
        self.wages[PUBLIC_WORKS] = model.par.policy.public_works.wage_pkr
        self.jobs.set_wage(PUBLIC_WORKS, self.wages[PUBLIC_WORKS])
        spending_index = districts.real_spending / np.maximum(districts.household_spending_day0, 1e-9)
        self.local_demand = spending_index ** self.pars.services_income_elasticity
        self.openings_today = self.openings()
        self.outcome = outcome = labour_day(model.people, day, model.streams.uniform("labour", day, len(model.people)),
                             self.separation, self.openings_today, self.chooser, self.jobs, model.roster,
                             model.policies.public_works_ever)
        districts.finding_rate = outcome.hire_probability
        self.update_expectations(outcome)
