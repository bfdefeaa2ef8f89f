"""Roster: the one writer of people's states once the days run.

Every change of a person's state (``People.status``: hired, laid off, leaving, back, joining a group,
killed, arrested, released) goes through :meth:`Roster.set`, which keeps three tallies in step with the
person array, as :class:`sim.labour_market.Jobs` does for jobs:

- ``by_state``: people by district, youth and state, shape (districts, 2, states): the recorder's counts;
- ``household``: per household, its working-age members without a regular job (bits 0-7) and away from
  home (militants, migrants, detainees and the dead; bits 8-15), packed in one int32 as
  :func:`sim.kernels.household_day` reads it;
- who is away from home, by state: ``militants``, ``migrants``, ``detained`` and ``killed`` (sorted person
  indices each; :meth:`away_in`).

They equal a full recount (:meth:`recount`) at all times; ``tests/test_invariants.py`` checks it every day.
A day changes the states of a few thousand people at 1:1, so keeping the tallies costs little, where counting
them again would take a pass over every person each (four passes a day over 1.2 M people at 1:1).

The states set at the build (who works, who is abroad, the groups' first members) are written before the
roster is made (``BorderModel._build``), and the roster counts them once.
"""

from __future__ import annotations

import numpy as np

from . import kernels
from .kernels import AWAY_SHIFT
from .population import MILITANT, STATUS_NAMES, UNEMPLOYED, Status, People

N_STATES = len(Status)
AWAY = tuple(s for s in Status if s >= MILITANT)  # the states of those away from home (each its own list)


def member_code(status: np.ndarray) -> np.ndarray:
    """What one person adds to their household's packed tally: 1 without a regular job, 1 << 8 away."""
    return (status == UNEMPLOYED).astype(np.int32) + ((status >= MILITANT).astype(np.int32) << AWAY_SHIFT)


def count_by_state(p: People, n_districts: int) -> np.ndarray:
    """People by district, youth and state, shape (districts, 2, states), counted from the people."""
    key = (p.district.astype(np.int64) * 2 + p.youth) * N_STATES + p.status
    return np.bincount(key, minlength=n_districts * 2 * N_STATES).reshape(n_districts, 2, N_STATES)


class Roster:
    """People's states with their tallies by district and household, and who is away (module docstring)."""

    def __init__(self, people: People, n_households: int, n_districts: int):
        self.p = people
        self.n_households, self.n_districts = n_households, n_districts
        self.recount()

    def recount(self) -> None:
        """Count every tally again from the people (at the build, and after a test writes states directly)."""
        p = self.p
        self.by_state = count_by_state(p, self.n_districts)
        self.household = np.zeros(self.n_households, dtype=np.int32)
        np.add.at(self.household, p.hh, member_code(p.status))
        for state in AWAY:
            setattr(self, STATUS_NAMES[state], np.flatnonzero(p.status == state))

    def set(self, idx: np.ndarray, state) -> None:
        """People ``idx`` (distinct) are in ``state`` from now (one state for all, or one each)."""
        if len(idx) == 0:
            return
        p = self.p
        new = np.asarray(state, dtype=np.int8)
        if new.ndim == 0:
            new = np.full(len(idx), new)
        old = p.status[idx]
        kernels.move(idx, new, p.status, p.district, p.youth, p.hh, self.by_state.reshape(-1), self.household,
                     N_STATES)  # by_state.reshape(-1): a view
        if old.max() >= MILITANT or new.max() >= MILITANT:
            for state in AWAY:
                was, now = old == state, new == state
                left, entered = idx[was & ~now], np.sort(idx[now & ~was])
                if len(left) or len(entered):
                    name = STATUS_NAMES[state]
                    setattr(self, name, merged(getattr(self, name), left, entered))

    def away_in(self, state: int) -> np.ndarray:
        """Those away in ``state`` (militants, migrants, detainees or the dead), sorted: the roster's own list,
        to read, not to write."""
        return getattr(self, STATUS_NAMES[state])

    @property
    def away(self) -> np.ndarray:
        """Everyone away from home: the militants, then the migrants, the detained and the killed."""
        return np.concatenate([self.away_in(state) for state in AWAY])


def find_sorted(idx: np.ndarray, sorted_idx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each of ``idx`` would be in ``sorted_idx`` (sorted, unique; a position is meaningful only where
    found), and whether it is there: binary search, at a cost that grows with ``len(idx)`` rather than with
    the two lengths together."""
    if len(sorted_idx) == 0:
        return np.zeros(len(idx), dtype=np.intp), np.zeros(len(idx), dtype=bool)
    pos = np.minimum(np.searchsorted(sorted_idx, idx), len(sorted_idx) - 1)
    return pos, sorted_idx[pos] == idx


def in_sorted(idx: np.ndarray, sorted_idx: np.ndarray) -> np.ndarray:
    """Which of ``idx`` are in ``sorted_idx`` (sorted, unique): ``np.isin`` by binary search (:func:`find_sorted`)."""
    return find_sorted(idx, sorted_idx)[1]


def merged(sorted_idx: np.ndarray, left: np.ndarray, entered: np.ndarray) -> np.ndarray:
    """``sorted_idx`` without ``left`` (members of it) and with ``entered`` (sorted, not members), still sorted."""
    keep = np.ones(len(sorted_idx), dtype=bool)
    keep[np.searchsorted(sorted_idx, left)] = False
    kept = sorted_idx[keep]
    out = np.empty(len(kept) + len(entered), dtype=sorted_idx.dtype)
    at = np.searchsorted(kept, entered) + np.arange(len(entered))
    rest = np.ones(len(out), dtype=bool)
    rest[at] = False
    out[at] = entered
    out[rest] = kept
    return out
