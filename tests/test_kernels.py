"""Each compiled kernel (sim/kernels.py) against its NumPy reference, on the same state: the same numbers, bit for bit;
and each search among the few whose uniform falls below the day's highest chance (separations, hires, reach)
against the same rule applied to everyone.

The state is a small closure run with a cash transfer, taken on a day when layoffs, hires, departures
and transfers all happen; each check copies the model, runs the kernel on one copy and the reference on
the other, and compares every array the day writes.
"""

from __future__ import annotations

import copy

import numpy as np
import pytest

from sim import BorderModel
from sim.indicators import Recorder
from sim.model import DAY
from sim.population import MIGRANT


def same(a, b) -> bool:
    """Equal arrays, element by element and bit for bit (NaN equals NaN), of the same dtype."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype != b.dtype or a.shape != b.shape:
        return False
    if a.dtype.kind == "f":
        return np.array_equal(a.view(f"u{a.itemsize}"), b.view(f"u{b.itemsize}"))
    return np.array_equal(a, b)


def assert_same_state(a, b, what: str) -> None:
    for name, value in vars(a).items():
        if isinstance(value, np.ndarray):
            assert same(value, getattr(b, name)), f"{what}.{name} differs"


@pytest.fixture(scope="module")
def model():
    """A closure with a cash transfer at scale 0.02, stopped on day 45 (closed border: layoffs, transfers)."""
    m = BorderModel("closure_with_cash_transfer", population_scale=0.02, days=60, rng=5)
    for _ in range(45):
        m.step()
    return m


def today(m) -> int:
    return int(round(m.time))


def phases_before(m, phase: str) -> None:
    """Run the phases of the next day up to (not including) ``phase``."""
    day = today(m) + 1
    for name, fn in zip(DAY, m.phases):
        if name == phase:
            return day
        fn(day)


def test_household_day_equals_its_numpy_reference(model):
    m = copy.deepcopy(model)
    day = phases_before(m, "household_budgets")
    assert m.policies.transfer is not None and m.policies.transfer.any()  # the transfer is paid today
    ref = copy.deepcopy(m)
    m.household_budgets.budgets(day, m.policies.transfer)
    ref.household_budgets.reference(day, ref.policies.transfer)
    assert_same_state(m.households, ref.households, "households")
    for name in ("remittances", "real_spending"):
        assert same(getattr(m.household_budgets, name), getattr(ref.household_budgets, name)), name
    assert m.household_budgets.remittances.any() and (m.households.food_ratio < 1).any()


def test_household_day_without_transfer_and_with_households_all_away(model):
    m = copy.deepcopy(model)
    day = phases_before(m, "household_budgets")
    p, hh = m.people, m.households
    # every working-age member of a few one-member households away: nothing needed at home
    alone = np.flatnonzero((hh.size == 1))[:5]
    m.roster.set(hh.first[alone], MIGRANT)
    ref = copy.deepcopy(m)
    m.household_budgets.budgets(day)
    ref.household_budgets.reference(day)
    assert_same_state(m.households, ref.households, "households")
    assert (m.households.food_ratio[alone] == 1).all() and (m.households.hardship[alone] == 0).all()


def test_a_warm_up_day_before_the_last_writes_savings_and_hardship_alone(model):
    """Without ``everything`` (a warm-up day before the last) the kernel writes what carries over, savings and
    hardship, as the full day does, bit for bit, and leaves what only describes a day as it was."""
    from sim.household_budgets import MUTABLE

    m = copy.deepcopy(model)
    day = phases_before(m, "household_budgets")
    full = copy.deepcopy(m)
    before = {name: getattr(m.households, name).copy() for name in MUTABLE}
    kept = {name: getattr(m.household_budgets, name).copy() for name in ("remittances", "real_spending")}
    m.household_budgets.budgets(day, everything=False)
    full.household_budgets.budgets(day)
    for name in MUTABLE:
        wrote = same(getattr(m.households, name), getattr(full.households, name))
        assert wrote if name in ("savings", "hardship") else same(getattr(m.households, name), before[name]), name
        assert not same(before[name], getattr(full.households, name)), name  # the full day changes each one
    for name, value in kept.items():
        assert same(getattr(m.household_budgets, name), value), name


def test_recorder_equals_its_numpy_reference(model):
    m = copy.deepcopy(model)
    t = today(m)
    compiled, reference = Recorder(m), Recorder(m, compiled=False)
    compiled.record(t, m)
    reference.record(t, m)
    assert same(compiled.data[t], reference.data[t])
    assert same(compiled.data[t], m.recorder.data[t])  # and what the run recorded
    income = m.households.income.copy()
    income[:3] = [0.0, 1e9, 49_999.5]  # the cap and the lowest bin
    assert all(same(a, b) for a, b in zip(compiled.median_income(income), reference.median_income(income)))


@pytest.mark.parametrize("incomes", ["zero", "one value", "bin edges", "spread", "above the cap"])
def test_median_income_equals_its_numpy_reference_for_any_incomes(model, incomes):
    n = len(model.households.income)
    rng = np.random.default_rng(11)
    income = {"zero": np.zeros(n), "one value": np.full(n, 255.9),
              "bin edges": rng.choice([255.0, 255.99, 256.0, 511.5, 512.0], n),
              "spread": rng.lognormal(6.0, 1.5, n), "above the cap": rng.uniform(40_000, 2e5, n)}[incomes]
    compiled, reference = Recorder(model), Recorder(model, compiled=False)
    assert all(same(a, b) for a, b in zip(compiled.median_income(income), reference.median_income(income)))


@pytest.mark.parametrize("n", [0, 1, 2, 7, 100_001])
def test_uniforms_equal_numpys_float32_draws(n):
    from sim.rng import Streams

    streams = Streams(12345)
    for day in (0, 41):
        assert same(streams.uniform("labour", day, n), streams.generator("labour", day).random(n, dtype=np.float32))


@pytest.mark.parametrize("threshold", [0.0, 0.0075, 0.00750000001, float(np.float32(0.0075)), 0.5, 1.0, 2.0])
def test_below_is_the_float64_comparison_for_any_threshold(threshold):
    from sim.rng import below

    t32 = np.float32(threshold)
    near = [np.nextafter(t32, np.float32(-1)), t32, np.nextafter(t32, np.float32(2))]  # the threshold's neighbours
    u = np.concatenate([np.array(near, np.float32), np.random.default_rng(3).random(10_000, dtype=np.float32)])
    assert same(below(u, threshold), np.flatnonzero(u.astype(np.float64) < threshold))


def everyone_separating(p, u, hazards, layoff, excess, public_works):
    """The reference: the quits and the trade workers from a scan of everyone's state, then the separations."""
    from sim.labour_market import separations
    from sim.population import EMPLOYED, PUBLIC_WORKS

    employed = p.status == EMPLOYED
    if public_works:
        employed &= p.sector != PUBLIC_WORKS
    quits = np.flatnonzero(employed & (u < hazards[p.youth.astype(np.intp)]))
    return separations(p, u, hazards, quits, np.flatnonzero(employed & (p.employer >= 0)), layoff, excess)


@pytest.mark.parametrize("public_works", [False, True])
def test_separations_found_among_the_few_equal_the_scan_over_everyone(model, public_works):
    from sim.labour_market import who_separates

    m = copy.deepcopy(model)
    p, trade = m.people, m.trade
    u = m.streams.uniform("labour", today(m) + 1, len(p))
    hazards = m.labour_market.separation * np.float32(20)
    excess = np.maximum(trade.traders.employees - trade.workforce_target, 0)
    excess[::3] = np.maximum(trade.traders.employees[::3] // 2, 1)  # many traders over their volume
    layoff = np.linspace(0.0, 0.08, len(excess))
    layoff[::7] = 1.0  # some exited: they lay off everyone
    ours = who_separates(p, u, hazards, layoff, excess, public_works, m.labour_market.jobs.trade_workers)
    reference = everyone_separating(p, u, hazards, layoff, excess, public_works)
    assert same(ours, reference)
    laid_off = np.isin(ours, np.flatnonzero(u >= hazards.max()))
    by_exit = np.isin(p.employer[ours], np.flatnonzero((layoff == 1.0) & (excess > 0)))
    assert laid_off.sum() > by_exit.sum() > 0 and (~laid_off).sum() > 0  # every way of separating happens


def test_hires_found_among_the_few_equal_the_scan_over_everyone(model):
    from sim.labour_market import who_is_hired
    from sim.population import UNEMPLOYED

    m = copy.deepcopy(model)
    p = m.people
    u = m.streams.uniform("labour", today(m) + 1, len(p))
    seekers = np.flatnonzero(p.status == UNEMPLOYED)  # before today's separations
    separating = everyone_separating(p, u, m.labour_market.separation * np.float32(20), m.trade.layoff_hazard,
                                     np.zeros(len(m.trade.layoff_hazard), np.int64), False)
    m.roster.set(separating, UNEMPLOYED)  # they do not seek a job today
    probability = np.linspace(0.0, 0.2, len(m.districts))
    ours = who_is_hired(p, u, probability, separating)
    assert same(ours, seekers[u[seekers] < probability[p.district[seekers]]]) and 0 < len(ours) < len(seekers)
    assert (p.status[separating] == UNEMPLOYED).all() and len(separating)


def test_reach_found_among_the_few_equals_the_reach_spread_over_everyone(model):
    from sim.recruitment import reach_probability, who_is_reached

    rec = model.recruitment
    u = model.streams.uniform("recruitment", 9, len(rec.eligible))
    p_local = np.linspace(0.01, 0.3, len(model.districts))  # far above the model's: many are reached
    ties = rec.member_ties()
    tied = rec.eligible_position[ties.people]
    ok = tied >= 0
    tied, counts = tied[ok], ties.counts[ok]
    reach = rec.eligible_slices.spread(p_local)  # the reference: every eligible man's reach, then one comparison
    reach[tied] = reach_probability(reach[tied], counts, 0.5)
    district = rec.eligible_slices.district
    ours = who_is_reached(u, district, p_local, tied, reach_probability(p_local[district[tied]], counts, 0.5))
    assert same(ours, np.flatnonzero(u < reach)) and len(tied) and 0 < len(ours) < len(u)
    assert np.isin(tied, ours).mean() > np.isin(np.arange(len(u)), ours).mean()  # ties raise the reach


def test_migration_candidates_equal_numpy_indexing(model):
    from sim.migration import migration_candidates

    p, hh, eligible = model.people, model.households, model.migration.eligible
    cand, hardship = migration_candidates(hh, p, eligible)
    reference = eligible[p.status[eligible] == 1]
    assert same(cand, reference) and same(hardship, hh.hardship[p.hh[reference]]) and len(cand)

