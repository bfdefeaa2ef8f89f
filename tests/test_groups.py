"""Militant groups: the budget rules, stochastic capacity and membership's restoring force."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from conftest import region
from sim import BorderModel, group_finance
from sim.group_finance import BUDGET_RULES, FinanceParams
from sim.population import INACTIVE, MILITANT, UNEMPLOYED


def one_group(taxes0: float, members: float = 100.0, pay: float = 800.0) -> group_finance.Groups:
    pars = [SimpleNamespace(name="g", districts=["d0"], pay_pkr=pay, capacity=10, smuggling_tax=0.01, trade_tax=0.0,
                            funding_horizon_days=90.0)]
    groups = group_finance.build_groups(pars, ["d0"], 1.0)
    groups.members[:] = members
    group_finance.close_budget(groups, np.array([taxes0]))
    groups.funds[:] = 180 * pay * members
    return groups


@pytest.mark.parametrize("rule", BUDGET_RULES)
@pytest.mark.parametrize("taxes0", [40_000.0, 200_000.0])  # below and above the payroll of 80,000 a day
def test_every_rule_balances_the_day0_budget(rule, taxes0):
    groups = one_group(taxes0)
    funds = groups.funds.copy()
    for _ in range(30):
        group_finance.finance_day(groups, np.array([taxes0]), np.ones(1), FinanceParams(budget_rule=rule), True)
    np.testing.assert_allclose(groups.funds, funds, rtol=1e-12)
    assert groups.pay_offer[0] == groups.pay[0] and not groups.unpaid[0]


def test_rules_differ_in_how_much_a_cut_in_taxes_costs():
    """Taxes at 0.28 of day 0 (a one-year closure) with a surplus budget (taxes 200,000 against a payroll of
    80,000 a day): each rule drains funds at its own rate; under mixed revenue the loss falls on operations."""
    loss, operations = {}, {}
    for rule in BUDGET_RULES:
        groups = one_group(200_000.0)
        start = groups.funds[0]
        for _ in range(100):
            group_finance.finance_day(groups, np.array([56_000.0]), np.ones(1), FinanceParams(budget_rule=rule), True)
        loss[rule], operations[rule] = start - groups.funds[0], groups.operations[0]
    assert loss["payroll_first"] == pytest.approx(100 * (80_000 - 56_000))  # external is 0: payroll > taxes
    assert loss["tax_share"] == pytest.approx(100 * (80_000 - 56_000 * 0.4))  # payroll/taxes0 = 0.4 of taxes kept
    assert loss["fixed_operations"] == pytest.approx(100 * (80_000 + 120_000 - 56_000))
    income = 200_000 * (0.4 * 0.28 + 0.4 + 0.2)  # the default weights: trade taxes, extortion, external
    assert loss["mixed_revenue"] == 0 and operations["mixed_revenue"] == pytest.approx(income - 80_000)
    assert operations["payroll_first"] == 0 and operations["fixed_operations"] == 120_000


def test_expected_attacks_follow_members_and_operations():
    groups = one_group(200_000.0)
    pars = FinanceParams(budget_rule="payroll_first")
    group_finance.finance_day(groups, np.array([200_000.0]), np.ones(1), pars, True)
    assert groups.attacks[0] == pytest.approx(pars.attacks_per_member * 100)
    group_finance.finance_day(groups, np.array([80_000.0]), np.ones(1), pars, True)  # no surplus left: no operations
    assert groups.attacks[0] == 0.0


def test_capacity_limits_the_long_run_intake_at_any_scale_without_a_floor():
    groups = one_group(0.0)
    groups.capacity[:] = 0.3  # e.g. 20 a day at scale 0.015
    taken = 0.0
    for _ in range(1000):  # everyone the group can take joins
        allowed = group_finance.capacity_today(groups)[0]
        groups.intake_allowance -= allowed
        taken += allowed
    assert taken == pytest.approx(300, abs=1)
    groups.capacity[:], groups.intake_allowance[:] = 20.0, 0.0  # at 1:1 scale: about the capacity a day
    assert group_finance.capacity_today(groups)[0] == 20
    assert group_finance.capacity_today(groups)[0] == 21  # unused allowance does not pile up beyond c + 1


def perturb_members(model: BorderModel, factor: float) -> None:
    """After set-up, grow (factor > 1) or shrink each group's membership by ``factor``."""
    p, finance = model.people, model.group_finance
    rng = np.random.default_rng(0)
    for g in range(len(model.groups)):
        members = finance.members[p.group[finance.members] == g]
        n = int(round(abs(factor - 1) * len(members)))
        if factor < 1:
            out = rng.choice(members, n, replace=False)
            p.status[out] = np.where(p.active[out], UNEMPLOYED, INACTIVE)
            p.group[out] = -1
        else:
            eligible = model.recruitment.eligible
            pool = eligible[(p.status[eligible] <= INACTIVE) & model.groups.districts[g, p.district[eligible]]]
            new = rng.choice(pool, n, replace=False)
            model.labour_market.jobs.clear(new)
            p.status[new], p.group[new], p.since[new] = MILITANT, g, 0
    model.migration.away = np.flatnonzero(p.status >= MILITANT)
    finance.count_members()


@pytest.mark.slow
def test_membership_returns_to_its_baseline_after_a_perturbation():
    """±50% members after set-up (finance off, so the restoring force is the size-dependent attrition
    alone): the gap to the unperturbed same-seed run closes. Measured half-lives (scale 0.05, 2 seeds):
    about 230 days from above and about 900 days from below, where recovery runs through recruitment,
    which is itself proportional to members."""
    days, gaps = 540, {}
    for factor in (1.0, 1.5, 0.5):
        series = []
        for seed in (1, 2):
            m = BorderModel("baseline", population_scale=0.05, days=days, rng=seed, channels__group_finance=False)
            if factor != 1.0:
                perturb_members(m, factor)
            series.append(region(m.run(), start=1)["militants"].to_numpy())
        gaps[factor] = np.mean(series, axis=0)
    base = gaps.pop(1.0)
    assert abs(base[-60:].mean() / base[0] - 1) < 0.1  # the baseline itself stays put
    above, below = gaps[1.5] - base, base - gaps[0.5]
    assert above[-60:].mean() < 0.5 * above[0]
    assert 0 < below[-60:].mean() < 0.9 * below[0]
