"""The build's cheaper forms against the one-pass rules they replace: the same numbers, bit for bit.

The contacts are made in blocks of people (and kept as positions in the village), the day-0 sectors by one sorted search per district, the
initial members by a partial sort, and the recruitment intercept's bisection in one buffer. Each is
compared with the plain NumPy form of its rule (what the build did before) on inputs chosen to reach
the edges: one-person villages, a block boundary, tied keys, zero sector shares.
"""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from sim import population
from sim.group_finance import lowest
from sim.labour_market import sector_drawn
from sim.population import DistrictSlices, PopulationParams, build_contacts
from sim.recruitment import JoinInputs, calibrate_intercept, sigmoid
from sim.rng import Streams


def contacts_reference(hh_district, n_working, first, pars: PopulationParams, streams: Streams) -> np.ndarray:
    """The rule in one pass over an (N, k) array of the stream's uniforms."""
    rng = streams.generator("network")
    H, N = len(hh_district), int(n_working.sum())
    d_start = np.r_[0, np.flatnonzero(np.diff(hh_district)) + 1]
    pos_in_d = np.arange(H) - np.repeat(d_start, np.diff(np.r_[d_start, H]))
    block = pos_in_d // pars.village_households
    village = np.cumsum(np.r_[1, (np.diff(block) != 0) | (np.diff(hh_district) != 0)]) - 1
    v_start = first[np.r_[0, np.flatnonzero(np.diff(village)) + 1]]
    v_size = np.diff(np.r_[v_start, N])
    person_village = np.repeat(village, n_working)
    r = rng.random((N, pars.contacts_per_person))
    last = (v_size[person_village] - 1)[:, None]
    offset = (r * last).astype(np.int64)
    offset += offset >= (np.arange(N) - v_start[person_village])[:, None]
    return (np.minimum(offset, last) + v_start[person_village][:, None]).astype(np.int32)


@settings(max_examples=40, deadline=None)
@given(sizes=st.lists(st.lists(st.integers(1, 4), min_size=1, max_size=12), min_size=1, max_size=4),
       village=st.integers(1, 5), k=st.integers(1, 6), chunk=st.integers(1, 9), seed=st.integers(0, 2**32 - 1))
def test_contacts_made_in_blocks_equal_the_one_pass_rule(sizes, village, k, chunk, seed):
    """Districts of households (working members each), villages down to one household and one person, and blocks
    small enough that every village straddles a block boundary somewhere."""
    hh_district = np.repeat(np.arange(len(sizes), dtype=np.int16), [len(d) for d in sizes])
    n_working = np.array([n for d in sizes for n in d], dtype=np.int64)
    first = np.r_[0, np.cumsum(n_working)[:-1]]
    pars = PopulationParams(village_households=village, contacts_per_person=k)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(population, "CONTACTS_CHUNK", chunk)
        offsets, village_first = build_contacts(hh_district, n_working, first, pars, Streams(seed))
    ours = np.repeat(village_first, n_working)[:, None] + offsets  # contacts_of, for everyone
    reference = contacts_reference(hh_district, n_working, first, pars, Streams(seed))
    assert ours.dtype == np.int32 and np.array_equal(ours, reference)
    assert offsets.dtype.kind == "u" and offsets.dtype.itemsize <= np.dtype(np.min_scalar_type(len(reference))).itemsize


@settings(max_examples=150, deadline=None)
@given(key=st.lists(st.integers(0, 6), min_size=1, max_size=40), n=st.integers(1, 45))
def test_lowest_keys_are_the_stable_sorts_first(key, n):
    """Small integer keys, so that ties at the cut are common: the first ``n`` of a stable sort, in its order."""
    key = np.array(key, dtype=np.float64)
    assert np.array_equal(lowest(key, n), np.argsort(key, kind="stable")[:n])


@settings(max_examples=100, deadline=None)
@given(shares=st.lists(st.lists(st.sampled_from([0.0, 0.1, 0.25, 1 / 3, 0.5]), min_size=4, max_size=4),
                       min_size=1, max_size=4),
       people=st.lists(st.integers(0, 30), min_size=4, max_size=4), seed=st.integers(0, 2**32 - 1))
def test_day0_sector_is_the_count_of_cumulative_shares_reached(shares, people, seed):
    """Zero shares (tied cumulative shares), districts without people, and uniforms on a cumulative share."""
    cumulative = np.cumsum(np.array(shares), axis=1)
    counts = np.array(people[:len(shares)])
    district = np.repeat(np.arange(len(shares), dtype=np.int16), counts)
    u = np.random.default_rng(seed).random(len(district))
    u[::3] = cumulative[district[::3], 1]  # exactly on a cumulative share
    reference = np.minimum((u[:, None] >= cumulative[district]).sum(axis=1), cumulative.shape[1] - 1)
    assert np.array_equal(sector_drawn(u, cumulative, DistrictSlices(district, len(shares))), reference)


@pytest.mark.parametrize("target", [0.0, 1e-3, 3.7, 250.0])
def test_intercept_bisection_in_one_buffer_equals_the_plain_expression(target):
    rng = np.random.default_rng(11)
    terms = JoinInputs(base=rng.normal(-2.0, 3.0, 10_007), reach=rng.random(10_007) * 0.02)
    lo, hi = -60.0, 20.0  # the bisection with a new array at each step
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if (terms.reach * sigmoid(mid + terms.base)).sum() > target:
            hi = mid
        else:
            lo = mid
    expected = 0.5 * (lo + hi) if target > 0 else -50.0
    assert calibrate_intercept(terms, target) == expected
    z = terms.base + 1.5
    assert np.array_equal(sigmoid(z, out=np.empty_like(z)), sigmoid(z))
