"""Labour market: the analytic steady state, the matching function, vacancies and layoffs."""

import numpy as np
import pytest

from sim import labour_market
from sim.population import EMPLOYED, SERVICES, TRADE, UNEMPLOYED, People
from sim.roster import Roster
from tests.runs import region, run_model


def synthetic_people(n: int, youth_share: float = 0.0, status=UNEMPLOYED) -> People:
    rng = np.random.default_rng(0)
    youth = rng.random(n) < youth_share
    return People(
        hh=np.arange(n, dtype=np.int32), district=np.zeros(n, dtype=np.int16), age=np.where(youth, 20, 40).astype(np.int8),
        male=np.ones(n, bool), youth=youth, active=np.ones(n, bool), status=np.full(n, status, dtype=np.int8),
        sector=np.full(n, -1 if status == UNEMPLOYED else TRADE, dtype=np.int8), employer=np.full(n, -1, np.int32),
        unemployed_since=np.zeros(n, np.int32), group=np.full(n, -1, np.int8), since=np.zeros(n, np.int32),
        risk_aversion=np.zeros(n, np.float32), contact_offsets=np.zeros((n, 1), np.uint8),
    )


def test_finding_rate_solves_steady_state_equation():
    u = np.array([0.2, 0.36, 0.05])
    w = np.array([0.5, 0.45, 0.3])
    s, sy = 0.00137, 0.002
    f = labour_market.calibrate_finding_rate(u, w, s, sy)
    got = w * sy / (sy + f) + (1 - w) * s / (s + f)
    np.testing.assert_allclose(got, u, rtol=1e-9)
    assert labour_market.steady_state_unemployment(s, f[0]) < u[0]  # adults below the mixed target, youth above


def test_hiring_follows_the_matching_function_and_never_exceeds_demand():
    """One district, one sector demanding D jobs, everyone unemployed at first: employment follows the
    expected path E' = E(1 - s) + min(U, V, A·U^α·V^(1-α)), V = D - E(1 - s), and never exceeds D."""
    n, demand, s, matching, alpha, days = 200_000, 120_000, 0.01, 0.05, 0.5, 150
    p = synthetic_people(n)
    sep = np.full(2, s, dtype=np.float32)  # adults, youth
    chooser = labour_market.TraderChooser(np.zeros(1, dtype=np.int64), 1)
    jobs = labour_market.Jobs(p, np.full(4, 500.0), np.zeros(1, dtype=np.int64), n, 1)
    roster = Roster(p, n, 1)
    openings = labour_market.Openings(demand=np.array([[0.0, 0.0, demand, 0.0]]), matching=np.array([matching]),
                                      alpha=alpha, trader_target=np.zeros(1), layoff=np.zeros(1))
    rng = np.random.default_rng(1)
    employed, path, expected = 0.0, [], []
    for t in range(1, days + 1):
        labour_market.labour_day(p, t, rng.random(n, dtype=np.float32), sep, openings, chooser, jobs, roster)
        seekers, kept = n - employed, employed * (1 - s)
        vacancies = demand - kept
        employed = kept + min(seekers, vacancies, matching * seekers ** alpha * vacancies ** (1 - alpha))
        path.append((p.status == EMPLOYED).sum())
        expected.append(employed)
        assert jobs.by_sector[0, SERVICES] <= demand
    np.testing.assert_allclose(path, expected, rtol=0.01)
    assert path[-1] > 0.95 * demand  # it fills up to demand, and no further
    assert set(np.unique(p.status)) <= {EMPLOYED, UNEMPLOYED}


def test_layoffs_bring_a_trader_down_to_what_its_volume_supports_and_no_further():
    n = 10_000
    p = synthetic_people(n, status=EMPLOYED)
    p.employer[:] = np.repeat(np.arange(2), n // 2)
    sep = np.zeros(2, dtype=np.float32)  # no other separations
    chooser = labour_market.TraderChooser(np.zeros(2, dtype=np.int64), 1)
    jobs = labour_market.Jobs(p, np.full(4, 500.0), np.zeros(2, dtype=np.int64), n, 1)
    roster = Roster(p, n, 1)
    target = np.array([1000.0, 5000.0])  # trader 0 at 20% of its volume, trader 1 at full volume
    rng = np.random.default_rng(2)
    for t in range(1, 200):
        excess = np.maximum(jobs.employees - target, 0)
        openings = labour_market.Openings(demand=np.array([[jobs.employees.sum(), 0.0, 0.0, 0.0]]),
                                          matching=np.zeros(1), alpha=0.5, trader_target=target,
                                          layoff=0.05 * excess / np.maximum(jobs.employees, 1))
        labour_market.labour_day(p, t, rng.random(n, dtype=np.float32), sep, openings, chooser, jobs, roster)
        assert jobs.employees[0] >= 1000 and jobs.employees[1] == 5000
    assert jobs.employees[0] == 1000  # shed at 5% of the excess a day: down to the target within 200 days


def test_model_unemployment_sits_at_analytic_steady_state():
    """Border open, recruitment and migration off: youth and adult unemployment stay at s/(s+f0) in each district.

    Tolerances reflect sampling noise: the day-0 draw deviates from u* by a few percent in small
    districts and relaxes at rate s + f (about 1/150 days)."""
    m = run_model("baseline", scale=0.1, days=300, seed=3, recruitment__enabled=False, channels__migration=False)
    lc = m.par.labour
    s, sy = lc.separation_rate, lc.separation_rate * lc.youth_separation_multiplier
    ts = m.timeseries()
    ts = ts[ts.day >= 1]
    expected_youth, weights = [], []
    for d, name in enumerate(m.district_names):
        rows = ts[ts.district == name]
        youth_u = rows.youth_unemployed.sum() / rows.youth_labour_force.sum()
        assert youth_u == pytest.approx(sy / (sy + m.labour_market.finding_rate_day0[d]), rel=0.07), name
        expected_youth.append(sy / (sy + m.labour_market.finding_rate_day0[d]))
        weights.append(rows.youth_labour_force.sum())
    reg = region(m)
    assert reg.youth_unemployed.sum() / reg.youth_labour_force.sum() == pytest.approx(
        np.average(expected_youth, weights=weights), rel=0.02)
    target = np.dot(m.districts.population / m.districts.population.sum(), m.region.districts.unemployment_rate)
    assert reg.unemployment_rate.mean() == pytest.approx(target, rel=0.05)
    # no drift: the last 100 days look like the first 100
    assert reg.unemployment_rate[-100:].mean() == pytest.approx(reg.unemployment_rate[:100].mean(), rel=0.03)


def test_one_unemployment_definition_with_the_lfs_rate_as_a_check_and_trade_jobs_from_the_counts():
    """The model's unemployed are those without a regular job (census basis, about 23% at day 0); the
    LFS-basis rate, which counts casual work as employment, lands near Balochistan's 4.6-5.5%; trade-linked
    jobs land in the 22,000-40,000 derived from vehicle, boat and outlet counts (ODD §6.1, §7.7.1)."""
    from sim import BorderModel

    m = BorderModel("baseline", population_scale=0.05, days=1, rng=3)
    day0 = region(m, start=0).iloc[0]
    share = m.par.labour.casual_work_share
    assert day0.unemployment_rate_lfs == pytest.approx(day0.unemployment_rate * (1 - share))
    assert 0.20 < day0.unemployment_rate < 0.26 and 0.04 < day0.unemployment_rate_lfs < 0.065
    trade_jobs_1to1 = day0.trade_employed / m.par.population.scale
    assert 22_000 < trade_jobs_1to1 < 40_000
    assert day0.trade_dependent_people > day0.trade_employed  # their households


def test_one_multiplier_in_its_plausible_range_at_the_default():
    """Trade jobs are direct jobs only and local services carry the indirect ones through households' real
    spending: total jobs lost over direct trade jobs lost lies in the local-multiplier literature's range."""
    from sim.outputs import LOCAL_MULTIPLIER_RANGE

    summary = run_model("closure_1y", scale=0.05, days=420, seed=1).summary()
    low, high = LOCAL_MULTIPLIER_RANGE
    assert low <= summary["local_multiplier"] <= high
    assert run_model("baseline", scale=0.05, days=60, seed=1).summary()["local_multiplier"] is None
