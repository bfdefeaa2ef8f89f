"""Compiled daily kernels: the passes over every person or household that dominate a day, as fused loops.

Each kernel does in one pass what its NumPy reference does in a chain of whole-array operations (each
making a temporary), with the same arithmetic in the same order, so its results are the reference's
bit for bit (``tests/test_kernels.py`` runs both on the same state and compares). Random numbers are
never drawn here: the uniforms of the named streams are drawn by :mod:`sim.rng` and passed in.
Per-district sums of floating-point values stay in NumPy (``DistrictSlices.sum``: its pairwise
summation is the reference's order); counts are exact in any order.

==========================  ==========================================================  =========================
kernel                      what one pass does                                          NumPy reference
==========================  ==========================================================  =========================
:func:`household_day`       members' states -> income -> consumption, savings, hardship  ``sim.household_budgets``
:func:`move`                people into new states, keeping the roster's tallies         ``Roster.recount``
:func:`median_income`       the lower median of whole-rupee incomes per district         ``sim.indicators``
:func:`unemployed_among`    the unemployed of a set, and their households' hardship      NumPy indexing
==========================  ==========================================================  =========================

A pass over people whose state decides what happens is written without a branch on the state (the index
is stored, then kept by advancing a count): the states are mixed, and a branch per person is mispredicted
so often that NumPy's whole-array comparisons beat it (a first, branching version of the labour market's
scan was measured slower than NumPy and reverted; docs/performance.md). Where only the few whose uniform is
small can change state, no pass over everyone's state is needed at all: the labour market and recruitment
find them with :func:`sim.rng.below`. The dense uniforms are converted in :func:`sim.rng.float32_uniforms`.

Compiled with numba on first use and cached on disk (``cache=True``: beside this file, or in
``NUMBA_CACHE_DIR``), so only the first process after a change pays the compilation;
``python -m experiments.bench`` reports what a fresh process pays.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .population import EMPLOYED, MILITANT, UNEMPLOYED
from .rng import float32_uniforms

_EMPLOYED, _UNEMPLOYED, _MILITANT = int(EMPLOYED), int(UNEMPLOYED), int(MILITANT)
compiled = njit(cache=True, nogil=True, error_model="numpy")
# a household's working-age members packed in one int32 (sim.roster keeps the first two; household_day reads it):
MEMBER_MASK = 0xFF  # bits 0-7: without a regular job
AWAY_SHIFT = 8  # bits 8-15: away from home
REMITTING_SHIFT = 16  # bits 16-31: migrants remitting (added by the household budgets on the day)


@compiled
def household_day(members, size, district, remittance_pkr,
                  wages, casual_d, own_production, owner_income, transfer, price_d, food_need_pkr,
                  nonfood_need_pkr, surplus_consumption, buffer_days,
                  savings, income, spending, food_spending, hardship, food_ratio, remittances, real_spending,
                  everything=True):
    """One day of every household's budget (:mod:`sim.household_budgets`), household by household.

    ``members`` packs, per household, its working-age members without a regular job (casual earnings
    ``casual_d``), those away (militants, migrants, detainees, the dead: they do not eat at home) and the
    migrants remitting (``remittance_pkr`` each), in the bits above. Then income (wages + casual
    + own production + owner income + remittances + ``transfer`` when it has rows), consumption, savings, food
    ratio and hardship at the district's food price ``price_d``, written in place; ``remittances`` and
    ``real_spending`` (food spending at day-0 prices plus non-food) are written per household.
    Without ``everything``, only what carries over to the next day is written, savings and hardship: the
    arrays that only describe the day (income, spending, food spending, food ratio, remittances, real
    spending) keep their values: on a warm-up day before the last, nothing reads them.
    """
    paying = len(transfer) > 0
    keep = 1.0 - surplus_consumption
    for h in range(len(size)):
        packed = members[h]
        jobless = packed & MEMBER_MASK
        away = (packed >> AWAY_SHIFT) & MEMBER_MASK
        mature = packed >> REMITTING_SHIFT
        d = district[h]
        sent = mature * remittance_pkr
        inc = wages[h] + jobless * casual_d[d]
        inc += own_production
        inc += owner_income[h]
        inc += sent
        if paying:
            inc += transfer[h]
        at_home = size[h] - away
        price = price_d[d]
        food_need = at_home * (food_need_pkr * price)
        need = at_home * nonfood_need_pkr
        need += food_need
        surplus = inc - need
        delta = max(surplus, -savings[h])
        delta *= keep if surplus >= 0 else 1.0
        saved = max(savings[h] + delta, 0.0)
        savings[h] = saved
        resources = saved / buffer_days
        resources += inc
        if need > 0:
            resources /= need
        else:
            resources = 1.0
        hard = np.float32(1.0 - resources)
        hardship[h] = min(max(hard, np.float32(0.0)), np.float32(1.0))
        if everything:
            spend = inc - delta
            food = min(spend, food_need)
            spending[h] = spend
            food_spending[h] = food
            income[h] = inc
            remittances[h] = sent
            if food_need > 0:
                food_ratio[h] = np.float32(food / food_need)
            else:  # everyone away: nothing needed at home
                food_ratio[h] = np.float32(1.0)
            real_spending[h] = food / price + (spend - food)


@compiled
def move(idx, new, status, district, youth, home, by_state, household, n_states):
    """People ``idx`` (distinct) into states ``new`` (:meth:`sim.roster.Roster.set`): each one that changes
    state moves between the cells of ``by_state`` (flat: (district * 2 + youth) * ``n_states`` + state) and
    changes its household's packed ``household`` code (:func:`sim.roster.member_code`)."""
    for k in range(len(idx)):
        i = idx[k]
        old, s = status[i], new[k]
        if old == s:
            continue
        cell = (np.int64(district[i]) * 2 + youth[i]) * n_states
        by_state[cell + old] -= 1
        by_state[cell + s] += 1
        code = (np.int32(s == _UNEMPLOYED) - np.int32(old == _UNEMPLOYED)
                + ((np.int32(s >= _MILITANT) - np.int32(old >= _MILITANT)) << AWAY_SHIFT))
        household[home[i]] += code
        status[i] = s


@compiled
def unemployed_among(idx, status, home, hardship):
    """Those of ``idx`` who are unemployed (in order), and their households' ``hardship``
    (:func:`sim.migration.migration_candidates`)."""
    out = np.empty(len(idx), np.int64)
    n = 0
    for i in idx:
        out[n] = i
        n += status[i] == _UNEMPLOYED
    hard = np.empty(n, hardship.dtype)
    for k in range(n):
        hard[k] = hardship[home[out[k]]]
    return out[:n].copy(), hard


@compiled
def median_income(income, district, n_districts, cap):
    """Lower median of incomes rounded down to whole rupees (capped at ``cap - 1``), per district and (last)
    for all (:meth:`sim.indicators.Recorder.median_income`)."""
    top = 0
    for x in income:
        w = int(min(x, cap - 1))
        if w > top:
            top = w
    hist = np.zeros((n_districts + 1, top + 1), np.int64)
    for h in range(len(income)):
        w = int(min(income[h], cap - 1))
        hist[district[h], w] += 1
        hist[n_districts, w] += 1
    med = np.zeros(n_districts + 1)
    for d in range(n_districts + 1):
        total = 0
        for w in range(top + 1):
            total += hist[d, w]
        half = (total + 1) // 2
        cum = 0
        for w in range(top + 1):
            cum += hist[d, w]
            if cum >= half:
                med[d] = w
                break
    return med


def compile_all() -> None:
    """Compile (or load from the disk cache) every kernel for the argument types the model passes, on tiny
    inputs: what a fresh process pays before its first day (``python -m experiments.bench`` times it)."""
    z, one = np.zeros, np.ones
    i8, i16, i32, i64, f32 = np.int8, np.int16, np.int32, np.int64, np.float32
    household_day(z(1, i32), one(1, i16), z(1, i16), 1.0, z(1), z(1), 1.0,
                  z(1), z(0), one(1), 1.0, 1.0, 0.5, 90.0, z(1), z(1), z(1), z(1), z(1, f32), z(1, f32), z(1), z(1), True)
    float32_uniforms(z(1, np.uint64), 1)
    move(z(1, i64), z(1, i8), z(1, i8), z(1, i16), z(1, np.bool_), z(1, i32), z(7, i64), z(1, i32), 7)
    unemployed_among(z(1, i64), z(1, i8), z(1, i32), z(1, f32))
    median_income(z(1), z(1, i16), 1, 50_000)
