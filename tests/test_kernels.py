"""Each compiled kernel (sim/kernels.py) against its NumPy reference, on the same state: the same numbers, bit for bit.

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


@pytest.mark.parametrize("public_works, trade_workers", [(False, False), (True, True)])
def test_job_scan_equals_its_numpy_reference(model, public_works, trade_workers):
    from sim import kernels
    from sim.labour_market import job_scan

    m = copy.deepcopy(model)
    p = m.people
    u = m.streams.uniform("labour", today(m) + 1, len(p))
    hazards = m.labour_market.separation * np.float32(50)  # more quits than a day has: every branch is exercised
    ours = kernels.job_scan(p.status, p.sector, p.employer, p.youth, u, hazards, public_works, trade_workers)
    reference = job_scan(p, u, hazards, public_works, trade_workers)
    for a, b in zip(ours, reference):
        assert same(a, b)
    assert len(ours[0]) and len(ours[1]) and (len(ours[2]) > 0) == trade_workers


@pytest.mark.parametrize("n", [0, 1, 2, 7, 100_001])
def test_uniforms_equal_numpys_float32_draws(n):
    from sim.rng import Streams

    streams = Streams(12345)
    for day in (0, 41):
        assert same(streams.uniform("labour", day, n), streams.generator("labour", day).random(n, dtype=np.float32))


def test_drawn_below_equals_numpy_indexing(model):
    from sim import kernels

    p = model.people
    idx = np.flatnonzero(p.status == 1)
    u = model.streams.uniform("labour", 7, len(p))
    probability = np.linspace(0.0, 0.5, len(model.districts))
    ours = kernels.drawn_below(idx, u, p.district, probability)
    assert same(ours, idx[u[idx] < probability[p.district[idx]]]) and 0 < len(ours) < len(idx)


def test_reached_equals_numpy_with_the_reach_spread_over_everyone(model):
    from sim import kernels
    from sim.recruitment import Ties, reach_probability

    rec, p = model.recruitment, model.people
    u = model.streams.uniform("recruitment", 9, len(rec.eligible))
    p_local = np.linspace(0.01, 0.3, len(model.districts))  # far above the model's: many are reached
    ties = Ties(p.contacts, model.group_finance.members)
    tied = rec.eligible_position[ties.people]
    ok = tied >= 0
    tied, counts = tied[ok], ties.counts[ok]
    reach = rec.eligible_slices.spread(p_local)  # the reference: every eligible man's reach, then one comparison
    reach[tied] = reach_probability(reach[tied], counts, 0.5)
    district = rec.eligible_slices.district
    ours = kernels.reached(u, district, p_local, tied, reach_probability(p_local[district[tied]], counts, 0.5))
    assert same(ours, np.flatnonzero(u < reach)) and len(tied) and 0 < len(ours) < len(u)
    assert np.isin(tied, ours).mean() > np.isin(np.arange(len(u)), ours).mean()  # ties raise the reach


def test_migration_candidates_equal_numpy_indexing(model):
    from sim.migration import migration_candidates

    p, hh, eligible = model.people, model.households, model.migration.eligible
    cand, hardship = migration_candidates(hh, p, eligible)
    reference = eligible[p.status[eligible] == 1]
    assert same(cand, reference) and same(hardship, hh.hardship[p.hh[reference]]) and len(cand)

