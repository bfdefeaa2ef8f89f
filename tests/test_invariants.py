"""Invariants checked every day, including property-based checks over random scenarios."""

import numpy as np
from hypothesis import HealthCheck, given, settings, strategies as st

from sim import BorderModel
from sim.population import DEAD, DETAINED, EMPLOYED, STATUS_NAMES, TRADE
from sim.roster import AWAY

AWAY_NAMES = [STATUS_NAMES[s] for s in AWAY]

STATES = ["employed", "unemployed", "inactive", "militants", "migrants"]


def check_day(m, n_people: int) -> None:
    p, hh, tr, gr = m.people, m.households, m.traders, m.groups
    assert len(p.status) == n_people
    assert hh.savings.min() >= 0 and gr.funds.min() >= 0 and tr.capital.min() >= 0
    assert 0 <= hh.hardship.min() and hh.hardship.max() <= 1
    assert np.all(m.districts.food_price_index >= 1 - 1e-12)
    assert np.all((p.group >= 0) == (p.status == 3))
    assert np.all((p.employer >= 0) <= (p.sector == 0))
    # running totals of the jobs ledger must match a recount from the people
    np.testing.assert_array_equal(tr.employees, np.bincount(p.employer[p.employer >= 0], minlength=len(tr)))
    np.testing.assert_allclose(m.labour_market.jobs.household_wages,
                               np.bincount(p.hh, weights=m.labour_market.jobs.wage_lut[p.sector + 1], minlength=len(hh)), atol=1e-6)
    jobs = p.sector >= 0
    recount = np.zeros_like(m.labour_market.jobs.by_sector)
    np.add.at(recount, (p.district[jobs], p.sector[jobs]), 1)
    np.testing.assert_array_equal(m.labour_market.jobs.by_sector, recount)
    np.testing.assert_array_equal(m.labour_market.jobs.trade_members, np.bincount(p.hh[p.sector == TRADE],
                                                                                   minlength=len(hh)))
    np.testing.assert_array_equal(m.labour_market.jobs.trade_workers, np.flatnonzero(p.employer >= 0))
    assert np.all(p.status[p.employer >= 0] == EMPLOYED)
    # the roster's tallies (sim/roster.py) must match a recount from the people
    kept = {name: getattr(m.roster, name).copy() for name in ("by_state", "household", *AWAY_NAMES)}
    m.roster.recount()
    for name, value in kept.items():
        np.testing.assert_array_equal(value, getattr(m.roster, name), err_msg=name)
    # no sector hires beyond its vacancies (a sector above its demand, as trade while it sheds workers, hires nobody)
    outcome = m.labour_market.outcome
    if outcome is not None:
        assert np.all(outcome.hired_by_sector <= outcome.vacancies)
        assert np.all(outcome.vacancies <= np.maximum(m.labour_market.openings_today.demand, 0))
    assert np.all(p.sector[p.status != 0] == -1) and np.all(p.sector[p.status == 0] >= 0)
    assert np.all(tr.employees[~tr.active] == 0)


def assert_people_conserved(m) -> None:
    ts = m.timeseries()
    np.testing.assert_array_equal(ts.working_age, ts[STATES].sum(axis=1))
    reg = ts[ts.district == "ALL"]
    n = len(m.people)
    np.testing.assert_array_equal(reg.working_age + reg.detained + reg.killed, n)
    per_d = ts[ts.district != "ALL"].groupby("day")[STATES + ["detained", "killed"]].sum()
    np.testing.assert_array_equal(per_d.to_numpy(), reg.set_index("day")[STATES + ["detained", "killed"]].to_numpy())


def test_people_conserved_and_nothing_negative_every_day():
    m = BorderModel("closure_90d", population_scale=0.005, days=150, rng=3, state__ct_cooperation_day=20,
                    state__ct_cooperation_multiplier=20.0, policy__cash_transfer__amount=5000.0,
                    policy__public_works__jobs=500)
    n = len(m.people)
    while m.running:
        m.step()
        # exited traders have shed their workers by the end of the day they left
        check_day(m, n)
    assert_people_conserved(m)
    assert (m.people.status == DEAD).any() and (m.people.status == DETAINED).any()  # heavy CT kills and arrests


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(start=st.integers(1, 30), duration=st.integers(1, 60), official=st.floats(0, 1), informal=st.floats(0, 1),
       reopening=st.integers(0, 20), seed=st.integers(0, 2**31), channels=st.lists(st.booleans(), min_size=6,
                                                                                   max_size=6))
def test_invariants_hold_for_any_closure(start, duration, official, informal, reopening, seed, channels):
    names = ["opportunity_cost", "grievance", "social_ties", "group_finance", "deterrence", "migration"]
    flags = {f"channels__{n}": v for n, v in zip(names, channels)}
    m = BorderModel("closure_30d", population_scale=0.002, days=45, rng=seed, border__closure__start_day=start,
                    border__closure__duration_days=duration, border__closure__official_throughput=official,
                    border__closure__informal_throughput=informal, border__closure__reopening_days=reopening, **flags)
    n = len(m.people)
    while m.running:
        m.step()
        check_day(m, n)
    assert_people_conserved(m)
    ts = m.timeseries()
    assert ts.youth_unemployment_rate.between(0, 1).all() and ts.food_insecure_share.between(0, 1).all()
