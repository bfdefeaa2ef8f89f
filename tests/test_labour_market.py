"""Labour market: analytic steady state and relaxation of the separation/finding hazards."""

import numpy as np
import pytest

from conftest import region, run_model
from sim import labour_market
from sim.population import EMPLOYED, TRADE, UNEMPLOYED, People


def synthetic_people(n: int, youth_share: float = 0.0, status=UNEMPLOYED) -> People:
    rng = np.random.default_rng(0)
    youth = rng.random(n) < youth_share
    return People(
        hh=np.arange(n, dtype=np.int32), district=np.zeros(n, dtype=np.int16), age=np.where(youth, 20, 40).astype(np.int8),
        male=np.ones(n, bool), youth=youth, active=np.ones(n, bool), status=np.full(n, status, dtype=np.int8),
        sector=np.full(n, -1 if status == UNEMPLOYED else TRADE, dtype=np.int8), employer=np.full(n, -1, np.int32),
        unemployed_since=np.zeros(n, np.int32), group=np.full(n, -1, np.int8), since=np.zeros(n, np.int32),
        risk_aversion=np.zeros(n, np.float32), contacts=np.zeros((n, 1), np.int32),
    )


def test_finding_rate_solves_steady_state_equation():
    u = np.array([0.2, 0.36, 0.05])
    w = np.array([0.5, 0.45, 0.3])
    s, sy = 0.00137, 0.002
    f = labour_market.calibrate_finding_rate(u, w, s, sy)
    got = w * sy / (sy + f) + (1 - w) * s / (s + f)
    np.testing.assert_allclose(got, u, rtol=1e-9)
    assert labour_market.steady_state_unemployment(s, f[0]) < u[0]  # adults below the mixed target, youth above


def test_relaxation_to_steady_state_follows_analytic_path():
    """From all unemployed, u(t) = u* + (u0 - u*)(1 - s - f)^t (no layoffs, one district, one sector)."""
    n, s, f, days = 200_000, 0.01, 0.04, 120
    p = synthetic_people(n)
    sep = np.full(n, s, dtype=np.float32)
    f_person = np.full(n, f, dtype=np.float32)
    chooser = labour_market.TraderChooser(np.zeros(1, dtype=np.int64), 1)
    jobs = labour_market.Jobs(p, np.full(4, 500.0), np.zeros(1, dtype=np.int64), n)
    streams = np.random.default_rng(1)
    path = []
    for t in range(1, days + 1):
        labour_market.labour_day(p, t, streams.random(n, dtype=np.float32), sep, f_person, np.array([[0.0, 0.0, 1.0, 1.0]]),
                      np.zeros(1), np.ones(1), chooser, jobs)
        path.append((p.status == UNEMPLOYED).mean())
    u_star = labour_market.steady_state_unemployment(s, f)
    expected = u_star + (1 - u_star) * (1 - s - f) ** np.arange(1, days + 1)
    np.testing.assert_allclose(path, expected, atol=0.006)
    assert set(np.unique(p.status)) <= {EMPLOYED, UNEMPLOYED}


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
