"""Household budgets: income, consumption, savings, food security and hardship.

Income (PKR/day) = members' wages by sector + casual earnings of members without a regular job
(:mod:`sim.labour_market`) + own production (livestock, crops) + the profit withdrawn from a trader
the household owns (its local share, :mod:`sim.trade`) + remittances from members abroad
(:mod:`sim.migration`) + cash transfers (:mod:`sim.state_actions`).

Need (PKR/day) = members at home × (food_need × food price index + nonfood_need);
members away (migrants, militants, detainees) and the dead do not eat at home.

Consumption and coping, in order (all assumptions, after standard coping-strategy
sequences): a household with income ≥ need consumes need plus
``surplus_consumption`` of the surplus and saves the rest; one short of need
draws down savings first, then cuts consumption, protecting food before non-food.
It is *food insecure* when food spending falls below
``food_insecure_threshold`` of its food need.

Hardship index in [0, 1]: ``H = clip(1 - (income + savings / buffer_days) / need, 0, 1)``
— the share of need the household cannot cover from income and a sustainable
draw on savings. It feeds Epstein's grievance G = H(1 - L) and migration.

Warm-up: before day 0, household budgets run ``warmup_days`` days together with the
labour market and migration (``BorderModel._warm_up``), so savings, food security, hardship
and who is abroad start from their own dynamics rather than from the set-up draws.

A day runs as one compiled pass over households (:func:`sim.kernels.household_day`); the functions
below (:func:`household_income`, :func:`consume`, :func:`real_spending`) are its NumPy reference, which
``HouseholdBudgets.reference`` runs and ``tests/test_kernels.py`` compares with it bit for bit.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np

from . import kernels
from .kernels import REMITTING_SHIFT
from .params import EMPIRICAL, RUN, param
from .population import UNEMPLOYED, Households, People


@dataclass
class HouseholdParams:
    food_need_pkr: float = param(90.0, "PKR/person/day", "[0, 100000]", EMPIRICAL,
                                 "assumption: a basic food basket", "food basket at food price index 1",
                                 plausible=(60.0, 130.0))
    nonfood_need_pkr: float = param(40.0, "PKR/person/day", "[0, 100000]", EMPIRICAL,
                                    "assumption: essentials besides food", "non-food essentials",
                                    plausible=(25.0, 80.0))
    own_production_pkr: float = param(150.0, "PKR/household/day", "[0, 100000]", EMPIRICAL,
                                      "assumption: livestock and crops of a rural household",
                                      "own production added to every household's income", plausible=(50.0, 300.0))
    surplus_consumption: float = param(0.7, "share", "[0, 1]", EMPIRICAL,
                                       "assumption: most of a surplus is spent", "share of income above need that "
                                       "is consumed (the rest is saved)", plausible=(0.5, 0.9))
    initial_savings_days: float = param(20.0, "days of need", "[0, 10000]", EMPIRICAL,
                                        "assumption: a few weeks of need in reserve",
                                        "mean initial savings (lognormal, mean-preserving)",
                                        plausible=(5.0, 60.0, "loguniform"))
    hardship_buffer_days: float = param(90.0, "days", "(0, 10000]", EMPIRICAL,
                                        "assumption: savings are stretched over a season",
                                        "savings are spread over this many days in the hardship index",
                                        plausible=(30.0, 180.0))
    warmup_days: int = param(365, "days", "[0, 3650]", RUN, "run control",
                             "days the labour market, migration and household budgets run before day 0, at day-0 "
                             "conditions (ODD §5)")
    food_insecure_threshold: float = param(0.9, "share of food need", "[0, 1]", EMPIRICAL,
                                           "assumption: spending below 90% of the food basket",
                                           "a household is food insecure when food spending / food need < "
                                           "threshold", plausible=(0.8, 0.95))


NO_TRANSFER = np.zeros(0)  # no cash transfer today
MUTABLE = ("savings", "income", "spending", "food_spending", "hardship", "food_ratio")  # what consume writes


def at_home(hh: Households, p: People, away: np.ndarray) -> np.ndarray:
    """People who eat at home, per household: all members less those ``away``."""
    return hh.size - np.bincount(p.hh[away], minlength=len(hh))


def household_income(wages: np.ndarray, casual: np.ndarray, own_production: float, owner_income: np.ndarray,
                     remittances: np.ndarray, transfer: np.ndarray | None) -> np.ndarray:
    """Income per household today (PKR/day): wages (kept by :class:`sim.labour_market.Jobs`), casual
    earnings, own production, owners' profit, remittances and, when paid, the cash transfer."""
    income = wages + casual
    income += own_production
    income += owner_income
    income += remittances
    if transfer is not None:
        income += transfer
    return income


def without_regular_job(hh: Households, p: People) -> np.ndarray:
    """Members of each household without a regular job today (status unemployed)."""
    return np.bincount(p.hh[np.flatnonzero(p.status == UNEMPLOYED)], minlength=len(hh))


def consume(hh: Households, income: np.ndarray, price_index: np.ndarray, size: np.ndarray,
            pars: HouseholdParams) -> None:
    """Consumption, savings, food security and hardship for one day (see module docstring).

    ``size`` is the number of people eating at home in each household.
    """
    food_need = size * (pars.food_need_pkr * price_index)
    need = size * pars.nonfood_need_pkr
    need += food_need
    surplus = income - need
    # the change in savings: the rich save a share of their surplus; the poor draw savings down
    # to cover the gap, as far as they go (max(surplus, -savings)); spending = income - change.
    # Savings are never negative, so max(surplus, -savings) is the surplus itself for the rich:
    # one max, then a factor (1 - surplus_consumption) for the rich and exactly 1 for the poor
    # (the same numbers as a select between the two cases, without its per-household branch)
    delta = np.negative(hh.savings)
    np.maximum(surplus, delta, out=delta)
    delta *= 1.0 - pars.surplus_consumption * (surplus >= 0)
    hh.savings += delta
    np.maximum(hh.savings, 0.0, out=hh.savings)
    spend = income - delta
    hh.spending[:] = spend
    np.minimum(spend, food_need, out=spend)
    hh.food_spending[:] = spend
    hh.income[:] = income
    resources = hh.savings / pars.hardship_buffer_days
    resources += income
    # a household whose members are all away needs nothing at home: no food gap, no hardship
    unfed = np.flatnonzero(~(food_need > 0))
    with np.errstate(divide="ignore", invalid="ignore"):  # their 0/0 is overwritten just below
        np.divide(spend, food_need, out=hh.food_ratio, casting="unsafe")
        resources /= need
    hh.food_ratio[unfed] = 1.0
    resources[unfed[~(need[unfed] > 0)]] = 1.0  # need >= food need: only an unfed household can have none
    # hardship = clip(1 - resources, 0, 1), clipped after rounding to float32 (0 and 1 are exact: the same numbers)
    np.subtract(1.0, resources, out=hh.hardship, casting="unsafe")
    np.clip(hh.hardship, 0.0, 1.0, out=hh.hardship)


def real_spending(hh: Households, price_index) -> np.ndarray:
    """Consumption spending at day-0 prices: food spending deflated by the food price index, plus non-food."""
    return hh.food_spending / price_index + (hh.spending - hh.food_spending)


class HouseholdBudgets:
    """Every household's income, consumption, savings, food security and hardship, day by day."""

    def __init__(self, model):
        """Initial savings: lognormal (mean ``initial_savings_days`` of need)."""
        self.model = model
        self.pars = pars = model.par.households
        hh = model.households
        need = hh.size * (pars.food_need_pkr + pars.nonfood_need_pkr)
        hh.savings[:] = pars.initial_savings_days * need * \
            model.streams.generator("init_savings").lognormal(-0.5, 1.0, len(hh))
        self.remittances = np.zeros(len(hh))  # PKR/day each household received today
        self.real_spending = np.zeros(len(hh))  # PKR/day at day-0 prices (real_spending)

    def income(self, day: int, transfer: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
        """Each household's income today and the remittances in it (PKR/day)."""
        model = self.model
        hh, labour = model.households, model.labour_market
        remittances = model.migration.remittances(day)
        casual = without_regular_job(hh, model.people) * model.household_slices.spread(labour.casual_earnings())
        income = household_income(labour.jobs.household_wages, casual, self.pars.own_production_pkr,
                                  model.trade.owner_income(len(hh)), remittances, transfer)
        return income, remittances

    def settle_day0(self) -> None:
        """After the warm-up: day-0 real spending per district, the base of the local demand index
        (:mod:`sim.labour_market`): what households would spend on day 0 at day-0 prices, on a copy of their
        budgets (nothing of the households changes)."""
        model, hh = self.model, self.model.households
        income, remittances = self.income(0)
        trial = dataclasses.replace(hh, **{name: getattr(hh, name).copy() for name in MUTABLE})
        price_index = model.household_slices.spread(model.districts.food_price_index)
        consume(trial, income, price_index, at_home(hh, model.people, model.roster.away), self.pars)
        model.districts.household_spending_day0 = model.household_slices.sum(real_spending(trial, price_index))
        model.districts.real_spending = model.districts.household_spending_day0.copy()
        model.districts.remittances = model.household_slices.sum(remittances)

    def budgets(self, day: int, transfer: np.ndarray | None = None, everything: bool = True) -> None:
        """Income (with ``transfer`` when paid) and consumption at today's food prices, one compiled pass
        (:func:`sim.kernels.household_day`); each household's remittances and real spending kept for the sums.
        Without ``everything``, only savings and hardship are written (a warm-up day before the last)."""
        model, hh, p = self.model, self.model.households, self.model.people
        labour, pars = model.labour_market, self.pars
        members = model.roster.household.copy()  # without a regular job, away (sim.roster), and remitting:
        np.add.at(members, p.hh[model.migration.remitting(day)], np.int32(1 << REMITTING_SHIFT))
        kernels.household_day(
            members, hh.size, hh.district, model.migration.pars.remittance_pkr, labour.jobs.household_wages,
            labour.casual_earnings(), pars.own_production_pkr,
            model.trade.owner_income(len(hh)), NO_TRANSFER if transfer is None else transfer,
            model.districts.food_price_index, pars.food_need_pkr, pars.nonfood_need_pkr, pars.surplus_consumption,
            pars.hardship_buffer_days, hh.savings, hh.income, hh.spending, hh.food_spending, hh.hardship,
            hh.food_ratio, self.remittances, self.real_spending, everything)

    def reference(self, day: int, transfer: np.ndarray | None = None) -> None:
        """What :meth:`budgets` does, in NumPy (the kernel's reference, for tests)."""
        model, hh = self.model, self.model.households
        income, self.remittances[:] = self.income(day, transfer)
        price_index = model.household_slices.spread(model.districts.food_price_index)
        consume(hh, income, price_index, at_home(hh, model.people, model.roster.away), self.pars)
        self.real_spending[:] = real_spending(hh, price_index)

    def warm_up_step(self, day: int) -> None:
        """A warm-up day: income and consumption at day-0 prices. Until its last day (-1), only savings and
        hardship are written: they carry over, and migration reads hardship; what only describes a day
        (income, spending, food ratio, ...) is read first on day 0, from the last warm-up day."""
        self.budgets(day, everything=day == -1)

    def step(self, day: int) -> None:
        """Income (with today's cash transfer), then consumption at today's food prices."""
        model = self.model
        self.budgets(day, model.policies.transfer)
        model.districts.remittances = model.household_slices.sum(self.remittances)
        model.districts.real_spending = model.household_slices.sum(self.real_spending)
