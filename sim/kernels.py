"""Compiled daily kernels: the passes over every person or household that dominate a day, as fused loops.

Each kernel does in one pass what its NumPy reference does in a chain of whole-array operations (each
making a temporary), with the same arithmetic in the same order, so its results are the reference's
bit for bit (``tests/test_kernels.py`` runs both on the same state and compares). Random numbers are
never drawn here: the uniforms of the named streams (:mod:`sim.rng`) are drawn in NumPy and passed in.
Per-district sums of floating-point values stay in NumPy (``DistrictSlices.sum``: its pairwise
summation is the reference's order); counts are exact in any order.

==========================  ==========================================================  =========================
kernel                      what one pass does                                          NumPy reference
==========================  ==========================================================  =========================
:func:`household_day`       members' states -> income -> consumption, savings, hardship  ``sim.household_budgets``
:func:`status_counts`       people by district, youth, status and sector; trade homes    ``sim.indicators``
:func:`median_income`       the lower median of whole-rupee incomes per district         ``sim.indicators``
==========================  ==========================================================  =========================

The labour market's pass over everyone (quits, job seekers, trade workers) was written as a kernel too
and measured slower than its whole-array NumPy comparisons, which NumPy vectorises; it stays in NumPy.

Compiled with numba on first use and cached on disk (``cache=True``: beside this file, or in
``NUMBA_CACHE_DIR``), so only the first process after a change pays the compilation;
``python -m experiments.bench`` reports what a fresh process pays.
"""

from __future__ import annotations

import numpy as np
from numba import njit

from .population import MIGRANT, MILITANT, TRADE, UNEMPLOYED

_UNEMPLOYED, _MILITANT, _MIGRANT, _TRADE = int(UNEMPLOYED), int(MILITANT), int(MIGRANT), TRADE
compiled = njit(cache=True, nogil=True, error_model="numpy")


@compiled
def household_day(first, n_working, size, district, status, since, day, remittance_lag, remittance_pkr,
                  wages, casual_d, own_production, owner_income, transfer, price_d, food_need_pkr,
                  nonfood_need_pkr, surplus_consumption, buffer_days,
                  savings, income, spending, food_spending, hardship, food_ratio, remittances, real_spending):
    """One day of every household's budget (:mod:`sim.household_budgets`), household by household.

    From the members' states: those without a regular job (casual earnings ``casual_d``), those away
    (militants, migrants, detainees, the dead: they do not eat at home) and the migrants abroad at least
    ``remittance_lag`` days (remitting ``remittance_pkr``). Then income (wages + casual + own production
    + owner income + remittances + ``transfer`` when it has rows), consumption, savings, food ratio and
    hardship at the district's food price ``price_d``, written in place; ``remittances`` and
    ``real_spending`` (food spending at day-0 prices plus non-food) are written per household.
    """
    paying = len(transfer) > 0
    keep = 1.0 - surplus_consumption
    for h in range(len(first)):
        jobless = 0
        away = 0
        mature = 0
        for i in range(first[h], first[h] + n_working[h]):  # counted without branches: states are mixed
            s = status[i]
            jobless += s == _UNEMPLOYED
            away += s >= _MILITANT
            if s == _MIGRANT:  # few: a branch the processor predicts
                mature += day - since[i] >= remittance_lag
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
        spend = inc - delta
        food = min(spend, food_need)
        savings[h] = saved
        spending[h] = spend
        food_spending[h] = food
        income[h] = inc
        remittances[h] = sent
        resources = saved / buffer_days
        resources += inc
        if food_need > 0:
            food_ratio[h] = np.float32(food / food_need)
        else:  # everyone away: nothing needed at home
            food_ratio[h] = np.float32(1.0)
        if need > 0:
            resources /= need
        else:
            resources = 1.0
        hard = np.float32(1.0 - resources)
        hardship[h] = min(max(hard, np.float32(0.0)), np.float32(1.0))
        real_spending[h] = food / price + (spend - food)


@compiled
def status_counts(status, sector, youth, district, hh, n_districts, n_households):
    """People by district, youth, status and sector + 1 (0: no job), and which households have a member
    with a trade job (:meth:`sim.indicators.Recorder.record`)."""
    full = np.zeros((n_districts, 2, 8, 8), np.int64)
    trade_home = np.zeros(n_households, np.bool_)
    for i in range(len(status)):
        sec = sector[i]
        full[district[i], 1 if youth[i] else 0, status[i], sec + 1] += 1
        if sec == _TRADE:
            trade_home[hh[i]] = True
    return full, trade_home


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
    household_day(z(1, i64), one(1, i16), one(1, i16), z(1, i16), z(1, i8), z(1, i32), 0, 60, 1.0, z(1), z(1), 1.0,
                  z(1), z(0), one(1), 1.0, 1.0, 0.5, 90.0, z(1), z(1), z(1), z(1), z(1, f32), z(1, f32), z(1), z(1))
    status_counts(z(1, i8), z(1, i8), z(1, np.bool_), z(1, i16), z(1, i32), 1, 1)
    median_income(z(1), z(1, i16), 1, 50_000)
