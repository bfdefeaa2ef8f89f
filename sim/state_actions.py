"""State actions: counter-terrorism, cross-border strikes and mitigation policies, as daily schedules.

- **Counter-terrorism intensity** ``CT_d(t)`` (scaled security presence per
  militant, assumption) is ``ct_intensity``, multiplied by
  ``ct_cooperation_multiplier`` from ``ct_cooperation_day`` (the January 2024
  de-escalation agreed to strengthen counter-terrorism coordination).
- **Strikes** add a grievance shock ``casualty_grievance × (killed +
  injured_weight × injured)`` to the district hit, and ``spillover`` shares of it
  to named districts (kin across the border; Bennett 2008: civilians angered by
  collateral damage join insurgents). The shock decays with half-life
  ``grievance_half_life_days``. Seed events: 16 Jan 2024, Panjgur, 2 children
  killed, 3 women injured; 18 Jan 2024, Saravan (Iran), 9 dead (Iran's figure).
- **Cash transfer**: ``amount`` PKR per household per month, paid daily as
  amount/30 from ``start_day`` for ``duration_days`` to households in the listed
  districts whose hardship on the first payment day is at least
  ``hardship_threshold``.
- **Public works**: ``jobs`` per 100,000 people in each covered district at
  ``wage_pkr`` a day, filled from the unemployed, youth first.
- **Border markets**: see :mod:`sim.border`; running cost
  ``cost_pkr_per_day`` per policy market while a closure lasts.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .labour_market import public_works_day
from .params import EMPIRICAL, POLICY, SCENARIO, param
from .population import PUBLIC_WORKS


@dataclass
class StrikeParams:
    day: int = param(1, "day", "[1, 100000]", SCENARIO,
                     "scenario input (16 Jan 2024: CBC News, 2024; 18 Jan 2024: The National, 2024-01-18)",
                     "day of the strike")
    district: str = param("", "district or county name", None, SCENARIO,
                          "scenario input (Panjgur: CBC News, 2024; Saravan: The National, 2024-01-18)",
                          "district hit (an Iranian county is allowed without include_iran; only its spillover "
                          "then counts)")
    killed: int = param(0, "people", "[0, 1000000]", SCENARIO,
                        "scenario input (Panjgur 2 children: CBC News, 2024; Saravan 9: The National, 2024-01-18)",
                        "civilians killed")
    injured: int = param(0, "people", "[0, 1000000]", SCENARIO, "scenario input (Panjgur 3 women: CBC News, 2024)",
                         "civilians injured")
    spillover: dict[str, float] = param({}, "map district → share [0, 1]", None, SCENARIO,
                                        "scenario input; the shares are assumptions",
                                        "share of the shock felt in other named districts (kin across the border)")


@dataclass
class StateParams:
    ct_intensity: float = param(0.3, "index", "[0, 100]", EMPIRICAL,
                                "assumption: an index standing in for Epstein's cops-per-active ratio",
                                "baseline counter-terrorism intensity CT (same in every district)",
                                plausible=(0.15, 0.6))
    ct_cooperation_day: int = param(0, "day (0 = never)", "[0, 100000]", SCENARIO,
                                    "scenario input (joint coordination agreed at the January 2024 de-escalation)",
                                    "day joint Pakistan-Iran counter-terrorism coordination starts")
    ct_cooperation_multiplier: float = param(1.5, "ratio", "[0, 100]", EMPIRICAL,
                                             "assumption: joint operations add half again",
                                             "CT multiplier under joint coordination", plausible=(1.1, 2.0))
    casualty_grievance: float = param(0.02, "grievance per death", "[0, 1]", EMPIRICAL,
                                      "assumption (mechanism: Bennett 2008, collateral damage)",
                                      "grievance shock per civilian killed", plausible=(0.005, 0.05, "loguniform"))
    injured_weight: float = param(0.5, "deaths per injury", "[0, 1]", EMPIRICAL,
                                  "assumption: an injury weighs half a death", "an injury counts as this share "
                                  "of a death", plausible=(0.2, 0.8))
    grievance_half_life_days: float = param(180.0, "days", "(0, 36500]", EMPIRICAL,
                                            "assumption: anger fades over months",
                                            "half-life of the casualty grievance shock", plausible=(60.0, 365.0))
    strikes: list[StrikeParams] = field(default_factory=list)


@dataclass
class CashTransferParams:
    amount: float = param(0.0, "PKR/household/month", "[0, 10000000]", POLICY, "policy lever (0 = off)",
                          "transfer, paid daily as amount/30")
    start_day: int = param(1, "day", "[1, 100000]", POLICY, "policy lever", "first payment day")
    duration_days: int = param(0, "days (0 = to the end)", "[0, 100000]", POLICY, "policy lever",
                               "length of the programme")
    hardship_threshold: float = param(0.0, "hardship index", "[0, 1]", POLICY, "policy lever",
                                      "households with hardship ≥ threshold on enrolment are paid")
    districts: list[str] = param([], "list of district names", None, POLICY, "policy lever",
                                 "covered districts (empty = all)")


@dataclass
class PublicWorksParams:
    jobs: int = param(0, "jobs per 100,000 people", "[0, 100000]", POLICY, "policy lever (0 = off)",
                      "public-works jobs in each covered district")
    wage_pkr: float = param(600.0, "PKR/day", "[0, 100000]", POLICY, "policy lever",
                            "public-works wage")
    start_day: int = param(1, "day", "[1, 100000]", POLICY, "policy lever", "first day of the programme")
    duration_days: int = param(0, "days (0 = to the end)", "[0, 100000]", POLICY, "policy lever",
                               "length of the programme")
    districts: list[str] = param([], "list of district names", None, POLICY, "policy lever",
                                 "covered districts (empty = all)")


@dataclass
class BorderMarketsParams:
    crossings: list[str] = param([], "list of crossing names", None, POLICY,
                                 "policy lever (the MoU of April 2021 plans six markets: The News 1071469)",
                                 "extra sustenance markets opened by the policy")
    throughput: float = param(0.25, "share of official trade", "[0, 1]", POLICY, "policy lever",
                              "share of official trade a policy market keeps open during a closure")
    cost_pkr_per_day: float = param(500000.0, "PKR/day per market at 1:1 scale", "[0, 1e12]", EMPIRICAL,
                                    "assumption: staff, security and facilities of a market",
                                    "running cost of each policy market while a closure lasts (scaled with "
                                    "population.scale)", plausible=(200000.0, 2000000.0, "loguniform"))


@dataclass
class PolicyParams:
    cash_transfer: CashTransferParams = field(default_factory=CashTransferParams)
    public_works: PublicWorksParams = field(default_factory=PublicWorksParams)
    border_markets: BorderMarketsParams = field(default_factory=BorderMarketsParams)


def window(start: int, duration: int, days: int) -> np.ndarray:
    """Bool per day 0..days: active from ``start`` for ``duration`` days (0 = to the end)."""
    t = np.arange(days + 1)
    end = days + 1 if duration <= 0 else start + duration
    return (t >= start) & (t < end)


def ct_schedule(pars: StateParams, n_districts: int, days: int) -> np.ndarray:
    """(days+1, D) counter-terrorism intensity."""
    ct = np.full((days + 1, n_districts), float(pars.ct_intensity))
    if pars.ct_cooperation_day > 0:
        ct[pars.ct_cooperation_day:] *= pars.ct_cooperation_multiplier
    return ct


def grievance_schedule(pars: StateParams, district_names: list[str], days: int) -> np.ndarray:
    """(days+1, D) grievance shock from civilian casualties, decaying exponentially."""
    D = len(district_names)
    shock = np.zeros((days + 1, D))
    t = np.arange(days + 1)
    decay = np.log(2.0) / pars.grievance_half_life_days
    for st in pars.strikes:
        size = pars.casualty_grievance * (st.killed + pars.injured_weight * st.injured)
        hit = {st.district: 1.0, **dict(st.spillover)}
        profile = np.where(t >= st.day, np.exp(-decay * (t - st.day)), 0.0)
        for name, share in hit.items():
            if name in district_names:
                shock[:, district_names.index(name)] += size * share * profile
    return shock


def public_works_slots(pars: PublicWorksParams, population: np.ndarray, district_names: list[str]) -> np.ndarray:
    """Public-works jobs per district: ``jobs`` per 100,000 people where covered."""
    covered = np.array([not pars.districts or d in pars.districts for d in district_names])
    return np.where(covered, np.round(pars.jobs * population / 1e5), 0).astype(np.int64)


class StateActions:
    """Counter-terrorism intensity and the casualty grievance of each district, day by day."""

    def __init__(self, model):
        pars, n = model.par.state, len(model.districts)
        self.model = model
        self.ct = ct_schedule(pars, n, model.days)  # (days+1, D)
        self.grievance = grievance_schedule(pars, model.districts.names, model.days)  # (days+1, D)
        self.step(0)

    def step(self, day: int) -> None:
        self.model.districts.ct_intensity = self.ct[day]
        self.model.districts.grievance_shock = self.grievance[day]


class Policies:
    """Mitigations: public-works jobs, cash transfers and the running cost of policy border markets."""

    def __init__(self, model):
        self.model = model
        self.pars = pars = model.par.policy
        names, days = model.districts.names, model.days
        transfer = pars.cash_transfer
        self.transfer_on = window(transfer.start_day, transfer.duration_days, days) & (transfer.amount > 0)
        self.transfer_districts = np.array([not transfer.districts or d in transfer.districts for d in names])
        self.transfer: np.ndarray | None = None  # PKR/day per household today (None when not paying)
        works = pars.public_works
        self.public_works_slots = public_works_slots(works, model.districts.population, names)
        self.public_works_on = window(works.start_day, works.duration_days, days) & (self.public_works_slots.sum() > 0)
        self.public_works_ever = bool(self.public_works_on.any())
        self.public_works_employed = 0

    def hire(self, day: int) -> None:
        """Public works: fill the day's vacancies from the unemployed, or end the jobs with the programme."""
        if self.public_works_ever:
            model = self.model
            self.public_works_employed = public_works_day(
                model.people, day, bool(self.public_works_on[day]), self.public_works_slots,
                lambda idx: model.streams.uniform_at("public_works", day, idx), model.labour_market.jobs,
                model.roster)

    def pay(self, day: int) -> None:
        """Cash transfers (households enrol on the first payment day) and the day's policy spending."""
        model, hh = self.model, self.model.households
        spending = np.zeros(len(model.districts))
        self.transfer = None
        if self.transfer_on[day]:
            pars = self.pars.cash_transfer
            if not self.transfer_on[day - 1]:  # enrol on the first payment day
                hh.transfer_eligible[:] = self.transfer_districts[hh.district] & (hh.hardship >= pars.hardship_threshold)
            self.transfer = hh.transfer_eligible * (pars.amount / 30.0)
            spending += model.household_slices.sum(self.transfer)
        if self.public_works_employed:
            p = model.people
            workers = p.sector == PUBLIC_WORKS
            spending += np.bincount(p.district[workers], minlength=len(spending)) * self.pars.public_works.wage_pkr
        if model.border.schedule["policy_market_days"][day]:
            for name in self.pars.border_markets.crossings:
                home = model.region.home[model.region.crossing_names.index(name)]
                # a 1:1-scale cost, scaled like transfers and wages so spending per person is scale-free
                spending[home] += self.pars.border_markets.cost_pkr_per_day * model.par.population.scale
        model.districts.policy_spending = spending
