"""Households: income, food prices, consumption, savings, hardship and labour migration.

Income (PKR/day) = members' wages by sector + own production (livestock, crops)
+ remittances from members abroad (after ``remittance_lag_days``) + cash transfers.

Need (PKR/day) = members at home × (food_need × food price index + nonfood_need);
members away (migrants, militants, detainees) and the dead do not eat at home.

Consumption and coping, in order (all assumptions, after standard coping-strategy
sequences): a household with income ≥ need consumes need plus
``surplus_consumption`` of the surplus and saves the rest; one short of need
draws down savings first, then cuts consumption, protecting food before non-food.
It is *food insecure* when food spending falls below
``food_insecure_threshold`` of its food need.

Hardship index in [0, 1]: ``H = clip(1 - (income + savings / buffer_days) / need, 0, 1)``
— the share of need the household cannot cover from income and a sustainable
draw on savings. It feeds Epstein's grievance G = H(1 - L).

Food price index (district, 1 = baseline): imports fall with crossing
throughput; the import price rises as ``x ** -import_price_elasticity`` capped at
``1 + substitution_premium`` (supply from up-country Pakistan), and the index
adjusts towards ``(1 - α) + α · p_import`` at ``adjustment_rate`` per day, with α
the district's food import share. With zero imports the index settles at
exactly ``1 + α · substitution_premium``.

Migration (channel ``migration``): an unemployed man of 15-``max_age`` in a
household whose hardship exceeds ``hardship_threshold`` leaves with daily hazard
``max_rate · (H - threshold) / (1 - threshold)``; migrants return (unemployed)
with hazard ``return_rate``, calibrated so that returns balance departures on
day 0, after the warm-up has let who is abroad settle (``BorderModel._warm_up``;
ODD §7.6 on the drift that remains).

Warm-up: before day 0, household budgets run ``warmup_days`` days together with the
labour market and migration, so savings, food security, hardship and who is abroad
start from their own dynamics rather than from the set-up draws.
"""

from __future__ import annotations

import numpy as np

from .population import MIGRANT, MILITANT, UNEMPLOYED, Households, People


def food_price_target(import_index: np.ndarray, import_share: np.ndarray, pcfg) -> np.ndarray:
    """Equilibrium food price index for a given import index (1 = normal imports)."""
    cap = 1.0 + pcfg.substitution_premium
    x = np.maximum(import_index, 1e-9)
    p_import = np.minimum(cap, x ** (-pcfg.import_price_elasticity))
    return (1.0 - import_share) + import_share * p_import


def update_food_price(fpi: np.ndarray, import_index: np.ndarray, import_share: np.ndarray, pcfg) -> np.ndarray:
    """Partial adjustment of each district's food price index towards its target."""
    return fpi + pcfg.adjustment_rate * (food_price_target(import_index, import_share, pcfg) - fpi)


def members_away(p: People) -> np.ndarray:
    """Working-age members not at home: militants, migrants, detainees and the dead."""
    return np.flatnonzero(p.state >= MILITANT)


def at_home(hh: Households, p: People, away: np.ndarray) -> np.ndarray:
    """People who eat at home, per household: all members less those ``away``."""
    return hh.size - np.bincount(p.hh[away], minlength=len(hh))


def household_income(hh: Households, p: People, day: int, wages: np.ndarray, hcfg, mcfg,
                     transfer: np.ndarray | None, away: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Income per household today and the remittance part of it (PKR/day).

    ``wages`` is each household's wage income (kept by :class:`sim.labour_market.Jobs`);
    ``away`` the members away from home (see :func:`members_away`), among them the migrants.
    """
    H = len(hh)
    income = wages.copy()
    migrants = away[p.state[away] == MIGRANT]
    mature = migrants[day - p.since[migrants] >= mcfg.remittance_lag_days]
    remit = np.bincount(p.hh[mature], minlength=H) * mcfg.remittance_pkr
    income += hcfg.own_production_pkr
    income += remit
    if transfer is not None:
        income += transfer
    return income, remit


def consume(hh: Households, income: np.ndarray, fpi_hh: np.ndarray, size: np.ndarray, hcfg) -> None:
    """Consumption, savings, food security and hardship for one day (see module docstring).

    ``size`` is the number of people eating at home in each household.
    """
    food_need = size * (hcfg.food_need_pkr * fpi_hh)
    need = food_need + size * hcfg.nonfood_need_pkr
    surplus = income - need
    # the change in savings: the rich save a share of their surplus; the poor draw savings down
    # to cover the gap, as far as they go (max(surplus, -savings)); spending = income - change
    delta = np.where(surplus >= 0, (1.0 - hcfg.surplus_consumption) * surplus, np.maximum(surplus, -hh.savings))
    hh.savings += delta
    np.maximum(hh.savings, 0.0, out=hh.savings)
    spend = income - delta
    np.minimum(spend, food_need, out=spend)
    hh.income[:] = income
    resources = hh.savings / hcfg.hardship_buffer_days
    resources += income
    if food_need.all():  # everyone has someone at home to feed (the usual case)
        np.divide(spend, food_need, out=hh.food_ratio, casting="unsafe")
        resources /= need
    else:  # a household whose members are all away needs nothing at home
        hh.food_ratio[:] = 1.0
        np.divide(spend, food_need, out=hh.food_ratio, where=food_need > 0, casting="unsafe")
        home = need > 0
        np.divide(resources, need, out=resources, where=home)
        resources[~home] = 1.0  # no need: no hardship
    np.subtract(1.0, resources, out=resources)
    np.clip(resources, 0.0, 1.0, out=resources)
    hh.hardship[:] = resources


def departure_rate(hardship: np.ndarray, mcfg) -> np.ndarray:
    """Daily departure hazard of a candidate migrant whose household has this ``hardship``."""
    return mcfg.max_rate * np.clip((hardship - mcfg.hardship_threshold) / (1.0 - mcfg.hardship_threshold), 0.0, 1.0)


def migration_candidates(hh: Households, p: People, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Men of migrating age who are unemployed today, and their households' hardship."""
    cand = np.compress(p.state[eligible] == UNEMPLOYED, eligible)  # compress: ~6x faster than a boolean index
    return cand, hh.hardship[p.hh[cand]]


def calibrate_return_rate(p: People, away: np.ndarray, hardship: np.ndarray, mcfg, target: int | None = None,
                          days_to_target: float = 30.0) -> float:
    """Return hazard that balances today's expected departures (``away``: :func:`members_away`;
    ``hardship``: the candidates' from :func:`migration_candidates`) and, given a ``target``
    stock, also closes the gap to it over ``days_to_target`` days."""
    migrants = int((p.state[away] == MIGRANT).sum())
    departures = departure_rate(hardship, mcfg).sum()
    if target is not None:
        departures += (migrants - target) / days_to_target
    return float(np.clip(departures / migrants, 0.0, 1.0)) if migrants else 0.0


def migration_day(p: People, day: int, draw, mcfg, return_rate: float, away: np.ndarray, cand: np.ndarray,
                  hardship: np.ndarray) -> np.ndarray:
    """Departures of unemployed men from hard-pressed households, and returns.

    ``draw(idx)`` returns the ``migration`` stream's uniforms for persons ``idx``; ``away`` is
    today's :func:`members_away` (sorted), among them the migrants; ``cand`` and ``hardship``
    come from :func:`migration_candidates`. Returns ``away`` after the day's moves, still
    sorted, so that no later pass over everyone is needed to find it again.
    """
    migrants = away[p.state[away] == MIGRANT]
    back = migrants[draw(migrants) < return_rate]
    pressed = hardship > mcfg.hardship_threshold  # nobody else leaves (rate 0)
    cand, h = np.compress(pressed, cand), np.compress(pressed, hardship)
    leave = np.compress(draw(cand) < departure_rate(h, mcfg), cand)
    p.state[leave] = MIGRANT
    p.since[leave] = day
    p.state[back] = UNEMPLOYED
    p.unemployed_since[back] = day
    stay = away[p.state[away] >= MILITANT]  # all but those back
    return np.insert(stay, np.searchsorted(stay, leave), leave)  # leave is sorted, and none was away
