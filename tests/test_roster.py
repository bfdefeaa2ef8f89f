"""The roster (sim/roster.py): its tallies equal a recount after any sequence of state changes."""

import numpy as np
from hypothesis import given, settings, strategies as st

from sim.kernels import AWAY_SHIFT, MEMBER_MASK
from sim.population import INACTIVE, MIGRANT, MILITANT, STATUS_NAMES, UNEMPLOYED, Status
from sim.roster import AWAY, Roster
from tests.test_labour_market import synthetic_people

N, HOUSEHOLDS, DISTRICTS = 60, 13, 3


def people():
    p = synthetic_people(N, youth_share=0.4)
    p.hh[:] = np.sort(np.arange(N) % HOUSEHOLDS)
    p.district[:] = p.hh % DISTRICTS
    return p


@settings(max_examples=60, deadline=None)
@given(moves=st.lists(st.tuples(st.lists(st.integers(0, N - 1), unique=True, max_size=N),
                                st.lists(st.sampled_from(list(Status)), min_size=N, max_size=N)), max_size=12))
def test_tallies_equal_a_recount_after_any_moves(moves):
    p = people()
    roster = Roster(p, HOUSEHOLDS, len(np.unique(p.district)))
    for idx, states in moves:
        idx = np.array(idx, dtype=np.int64)
        roster.set(idx, np.array(states, dtype=np.int8)[: len(idx)])
        fresh = Roster(p, HOUSEHOLDS, DISTRICTS)
        np.testing.assert_array_equal(roster.by_state, fresh.by_state)
        np.testing.assert_array_equal(roster.household, fresh.household)
        for state in AWAY:
            np.testing.assert_array_equal(roster.away_in(state), np.flatnonzero(p.status == state))
    np.testing.assert_array_equal(np.sort(roster.away), np.flatnonzero(p.status >= MILITANT))


def test_one_state_for_all_and_the_household_code():
    p = people()
    roster = Roster(p, HOUSEHOLDS, DISTRICTS)
    first = np.flatnonzero(p.hh == 0)
    roster.set(first[:2], MIGRANT)
    roster.set(first[2:3], INACTIVE)
    roster.set(first[:1], MIGRANT)  # no change: nothing counted twice
    packed = roster.household[0]
    assert packed & MEMBER_MASK == (p.status[first] == UNEMPLOYED).sum() == len(first) - 3
    assert (packed >> AWAY_SHIFT) & MEMBER_MASK == 2
    assert roster.by_state[:, :, MIGRANT].sum() == 2 and STATUS_NAMES[MIGRANT] == "migrants"
    np.testing.assert_array_equal(roster.migrants, first[:2])


@settings(max_examples=100, deadline=None)
@given(idx=st.lists(st.integers(-3, 40)), members=st.sets(st.integers(0, 40)))
def test_membership_of_a_sorted_set_is_numpys(idx, members):
    from sim.roster import in_sorted

    idx, members = np.array(idx, dtype=np.int64), np.array(sorted(members), dtype=np.int32)
    assert np.array_equal(in_sorted(idx, members), np.isin(idx, members))
