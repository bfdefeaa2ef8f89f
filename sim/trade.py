"""Traders: formal importers at official crossings and informal smugglers (fuel, goods) on routes.

Each trader has a crossing, a home district, a baseline daily volume, capital and
employees (workers of the home district whose ``employer`` is the trader). Rules:

- Volume: ``v = v0 * activity(crossing, day)``, activity = throughput relative to
  the open border (:mod:`sim.border`).
- Profit per day: ``v * margin * premium - employees * wage - fixed``, premium the
  smugglers' scarcity premium relative to the open border (1 for formal traders).
  Smugglers also lose seized goods, which the throughput already removes. Fixed
  cost is ``fixed_cost_share`` of baseline revenue (assumption).
- Capital: ``K += profit``. A trader whose capital reaches zero exits: its workers
  are laid off and it stops trading (all assumptions; the 2021 closure was
  "the end of a livelihood for tens of thousands of men", RFE/RL 2021).
- Layoffs: each employee is laid off with daily hazard
  ``layoff_rate * max(0, 1 - v/v0)``, so none are shed while volume is normal.
- Hysteresis: an exited trader re-enters with daily hazard
  ``reentry_rate * activity`` (throughput relative to the open border) and
  restarts with ``reentry_capital`` of its
  initial capital, so trade recovers slowly after a reopening.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .region import Region
from .rng import Streams

FORMAL, SMUGGLER_FUEL, SMUGGLER_GOODS = 0, 1, 2
KIND_NAMES = ("formal", "smuggler_fuel", "smuggler_goods")


@dataclass
class Traders:
    crossing: np.ndarray  # int
    district: np.ndarray  # int, home district
    kind: np.ndarray  # int8 FORMAL / SMUGGLER_FUEL / SMUGGLER_GOODS
    value0: np.ndarray  # PKR/day baseline trade value (formal and goods)
    litres0: np.ndarray  # litres/day baseline fuel volume
    revenue0: np.ndarray  # PKR/day baseline margin revenue
    fixed_cost: np.ndarray  # PKR/day
    capital: np.ndarray  # PKR
    capital0: np.ndarray  # PKR initial capital
    active: np.ndarray  # bool
    employees: np.ndarray  # int, current employees
    base_employees: np.ndarray  # int, employees at day 0
    activity: np.ndarray  # v/v0 today
    revenue: np.ndarray  # PKR/day margin revenue today
    profit: np.ndarray  # PKR/day today
    exits: int = 0

    def __len__(self) -> int:
        return len(self.crossing)


def build_traders(region: Region, tcfg, scale: float, streams: Streams) -> Traders:
    """Create traders per crossing (count scaled with the population, at least one)."""
    rng = streams.generator("traders")
    cr = region.crossings
    counts = np.maximum(1, np.round(cr["traders"].to_numpy() * scale)).astype(np.int64)
    crossing = np.repeat(np.arange(len(cr)), counts)
    n = len(crossing)
    official = (cr["kind"] == "official").to_numpy()[crossing]
    fuel_rev = cr["fuel_litres_m"].to_numpy() * tcfg.fuel_margin_pkr_per_litre
    goods_rev = cr["goods_value_pkr_m"].to_numpy() * tcfg.goods_margin
    fuel_share = (fuel_rev / np.maximum(fuel_rev + goods_rev, 1e-12))[crossing]  # share of smugglers in fuel
    kind = np.where(official, FORMAL, np.where(rng.random(n) < fuel_share, SMUGGLER_FUEL, SMUGGLER_GOODS))
    # each trader gets an equal share (times lognormal size) of its crossing's volume of its kind
    size = rng.lognormal(0.0, 0.5, n)
    value0 = np.zeros(n)
    litres0 = np.zeros(n)
    for j in range(len(cr)):
        at = crossing == j
        for k, total in ((FORMAL, cr["official_value_pkr_m"].iat[j] * 1e6),
                         (SMUGGLER_GOODS, cr["goods_value_pkr_m"].iat[j] * 1e6),
                         (SMUGGLER_FUEL, cr["fuel_litres_m"].iat[j] * 1e6)):
            sel = at & (kind == k)
            if sel.any():
                share = size[sel] / size[sel].sum() * total * scale
                (litres0 if k == SMUGGLER_FUEL else value0)[sel] = share
    revenue0 = np.where(kind == FORMAL, value0 * tcfg.formal_margin,
                        np.where(kind == SMUGGLER_GOODS, value0 * tcfg.goods_margin,
                                 litres0 * tcfg.fuel_margin_pkr_per_litre))
    fixed = tcfg.fixed_cost_share * revenue0
    return Traders(
        crossing=crossing, district=region.home[crossing], kind=kind.astype(np.int8), value0=value0,
        litres0=litres0, revenue0=revenue0, fixed_cost=fixed, capital=np.zeros(n), capital0=np.zeros(n),
        active=np.ones(n, dtype=bool), employees=np.zeros(n, dtype=np.int64),
        base_employees=np.zeros(n, dtype=np.int64), activity=np.ones(n), revenue=revenue0.copy(),
        profit=np.zeros(n),
    )


def set_initial_capital(tr: Traders, tcfg, wage: float, streams: Streams) -> None:
    """Capital = lognormal(mean capital_days) x baseline daily costs (wages + fixed)."""
    rng = streams.generator("trader_capital")
    days = tcfg.capital_days * rng.lognormal(-0.5 * tcfg.capital_sigma ** 2, tcfg.capital_sigma, len(tr))
    cost = tr.base_employees * wage + tr.fixed_cost
    tr.capital0[:] = days * np.maximum(cost, 1.0)
    tr.capital[:] = tr.capital0


def trade_day(tr: Traders, activity: np.ndarray, premium: np.ndarray, tcfg, wage: float,
              u_entry: np.ndarray) -> np.ndarray:
    """Advance traders one day; return the indices of traders that exited today.

    ``activity``/``premium`` are today's per-crossing volume and margin relative
    to the open border; ``u_entry`` is the per-trader uniform of the ``trader_entry`` stream.
    """
    th = activity[tr.crossing]
    # re-entry of exited traders (hysteresis)
    reenter = ~tr.active & (u_entry < tcfg.reentry_rate * th)
    if reenter.any():
        tr.active[reenter] = True
        tr.capital[reenter] = tcfg.reentry_capital * tr.capital0[reenter]
    tr.activity[:] = np.where(tr.active, th, 0.0)
    tr.revenue[:] = tr.revenue0 * tr.activity * premium[tr.crossing]
    tr.profit[:] = np.where(tr.active, tr.revenue - tr.employees * wage - tr.fixed_cost, 0.0)
    tr.capital += tr.profit
    exiting = np.flatnonzero(tr.active & (tr.capital <= 0.0))
    if len(exiting):
        tr.active[exiting] = False
        tr.capital[exiting] = 0.0
        tr.activity[exiting] = 0.0
        tr.revenue[exiting] = 0.0
        tr.exits += len(exiting)
    return exiting


def layoff_hazard(tr: Traders, tcfg) -> np.ndarray:
    """Per-trader daily layoff hazard: ``layoff_rate * max(0, 1 - v/v0)``; 1 for exited traders."""
    return np.where(tr.active, tcfg.layoff_rate * np.maximum(0.0, 1.0 - tr.activity), 1.0)
