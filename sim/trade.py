"""Traders: formal importers at official crossings and informal smugglers (fuel, goods) on routes.

Each trader has a crossing, a home district, a baseline daily volume, capital and
employees (workers of the home district whose ``employer`` is the trader). Rules:

- Volume: ``v = v0 * a_c * g_r``, a_c = the crossing's throughput relative to the open border
  (:mod:`sim.border`) and g_r the route's uptake factor: the traders still active on a route
  (crossing and kind of trade) take up the volume that exited traders carried, up to
  ``capacity_multiple`` × their own day-0 volume; g_r moves towards
  min(day-0 volume / active traders' day-0 volume, capacity_multiple / a_c) (at least 1) with
  time constant ``uptake_days``, and never exceeds day-0 volume / active traders' day-0 volume, so
  a route never carries more than its open-border volume × a_c (when exited traders re-enter after
  a reopening, the survivors hand their extra volume back at once).
- Profit per day: ``revenue - employees * wage - variable - fixed``: revenue =
  ``revenue0 * v/v0 * premium``, premium the smugglers' scarcity premium relative to the open
  border (1 for formal traders); variable cost ``variable_cost_share × revenue0 × v/v0``
  (fuel, tolls, payments per trip) and fixed cost ``fixed_cost_share × revenue0`` (vehicles,
  boats, storage), both assumptions. Smugglers also lose seized goods, which the throughput
  already removes.
- Capital: ``K += profit``; capital is a working reserve of at most its initial level: profit
  beyond it is withdrawn by the owner, and a reserve run down by losses is rebuilt first.
  Each trader has an owner household in its home district; ``local_owner_share`` of the
  withdrawn profit, smoothed with half-life ``owner_income_half_life_days`` (an owner spends
  from the business over a season, not day by day), is that household's income, the rest leaves the border districts (owners
  elsewhere, payments to officials and onward dealers).
- Exit: a trader whose capital reaches zero exits: its workers
  are laid off and it stops trading (all assumptions; the 2021 closure was
  "the end of a livelihood for tens of thousands of men", RFE/RL 2021).
- Layoffs: a trader's volume supports ``round(day-0 workforce × v/v0)`` jobs; workers beyond
  that are shed at ``layoff_rate`` of the excess a day, never below the supported number
  (:mod:`sim.labour_market`), so none are shed while volume is normal.
- Hysteresis: an exited trader re-enters with daily hazard
  ``reentry_rate * activity`` (throughput relative to the open border) and
  restarts with ``reentry_capital`` of its
  initial capital, so trade recovers slowly after a reopening.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import EMPIRICAL, param
from .region import Region
from .rng import Streams
from .smoothing import exponential_average

FORMAL, SMUGGLER_FUEL, SMUGGLER_GOODS = 0, 1, 2
KIND_NAMES = ("formal", "smuggler_fuel", "smuggler_goods")


@dataclass
class TradeParams:
    formal_margin: float = param(0.05, "share of trade value", "[0, 1]", EMPIRICAL,
                                 "assumption: a thin wholesale margin", "formal importers' margin on official "
                                 "trade value", plausible=(0.02, 0.10))
    fuel_margin_pkr_per_litre: float = param(
        40.0, "PKR/litre", "[0, 1000]", EMPIRICAL,
        "assumption: a share of the gap between about Rs 40/L bought and up to Rs 200/L sold (Metro Morning, "
        "Khawaja Asif, about 2025)", "smugglers' margin on fuel", plausible=(20.0, 80.0))
    goods_margin: float = param(0.10, "share of goods value", "[0, 1]", EMPIRICAL,
                                "assumption: double the formal margin for the risk", "smugglers' margin on "
                                "informal goods value", plausible=(0.05, 0.20))
    fixed_cost_share: float = param(0.1, "share of baseline revenue per day", "[0, 10]", EMPIRICAL,
                                    "assumption: vehicles, boats and storage cost the same at any volume; standing "
                                    "costs (depreciation about 16% of a small operator's costs, TRRL) are a "
                                    "minority of cost at normal use", "fixed cost per trader per day = share × "
                                    "baseline margin revenue", plausible=(0.05, 0.2))
    variable_cost_share: float = param(0.2, "share of baseline revenue at baseline volume", "[0, 10]", EMPIRICAL,
                                       "assumption: fuel, tolls and payments per trip (fuel alone about 16% of a "
                                       "small operator's costs, TRRL); fixed + variable = the 0.3 of revenue the "
                                       "model's first rule charged as fixed", "variable cost per trader per day = "
                                       "share × baseline margin revenue × v/v0", plausible=(0.1, 0.3))
    capacity_multiple: float = param(1.5, "× day-0 volume", "[1, 10]", EMPIRICAL,
                                     "assumption: a Zamyad can make more trips; vehicles carried up to 4,000 L "
                                     "against 2,000 L allowed at Gwadar (Pakistan News Gazette, weak)",
                                     "most a trader can carry, as a multiple of its own day-0 volume",
                                     plausible=(1.0, 2.5))
    uptake_days: float = param(30.0, "days", "(0, 3650]", EMPIRICAL,
                               "assumption: surviving traders need weeks to add vehicles, trips and buyers",
                               "time constant of surviving traders taking up the route volume exited traders "
                               "carried", plausible=(7.0, 90.0, "loguniform"))
    capital_days: float = param(60.0, "days of baseline costs", "[0, 10000]", EMPIRICAL,
                                "assumption: two months of costs in reserve", "mean initial capital in days of "
                                "baseline costs (wage bill + variable + fixed cost)", plausible=(20.0, 180.0, "loguniform"))
    capital_sigma: float = param(1.0, "log-units", "[0, 5]", EMPIRICAL,
                                 "assumption: traders differ widely in size", "lognormal dispersion σ of "
                                 "initial capital (mean-preserving)", plausible=(0.5, 1.5))
    layoff_rate: float = param(0.05, "1/day", "[0, 1]", EMPIRICAL,
                               "assumption: workers shed within weeks of a shortfall",
                               "share of a trader's excess workforce (beyond what its volume supports) laid off "
                               "a day", plausible=(0.02, 0.2, "loguniform"))
    reentry_rate: float = param(0.00556, "1/day", "[0, 1]", EMPIRICAL,
                                "assumption: an exited trader returns after about six months of normal trade",
                                "re-entry hazard of an exited trader at full activity (mean 180 days)",
                                plausible=(0.002, 0.02, "loguniform"))
    reentry_capital: float = param(0.5, "share of initial capital", "[0, 1]", EMPIRICAL,
                                   "assumption: a restart on borrowed or saved money", "capital a re-entering "
                                   "trader restarts with", plausible=(0.25, 1.0))
    local_owner_share: float = param(
        0.25, "share of withdrawn profit", "[0, 1]", EMPIRICAL,
        "assumption: most of the margin goes to owners outside the border districts, officials (90 officials "
        "and 29 politicians implicated, Times of Islamabad 10 Sep 2023) and onward dealers",
        "share of a trader's withdrawn profit that is income of its owner household in the home district",
        plausible=(0.1, 0.6))
    owner_income_half_life_days: float = param(
        90.0, "days", "(0, 3650]", EMPIRICAL,
        "assumption: an owner household spends from its business's profit over a season, not day by day",
        "half-life of the exponential average of withdrawn profit that an owner household lives on",
        plausible=(30.0, 365.0, "loguniform"))


@dataclass
class Traders:
    crossing: np.ndarray  # int
    district: np.ndarray  # int, home district
    kind: np.ndarray  # int8 FORMAL / SMUGGLER_FUEL / SMUGGLER_GOODS
    value0: np.ndarray  # PKR/day baseline trade value (formal and goods)
    litres0: np.ndarray  # litres/day baseline fuel volume
    revenue0: np.ndarray  # PKR/day baseline margin revenue
    fixed_cost: np.ndarray  # PKR/day
    variable_cost0: np.ndarray  # PKR/day at day-0 volume
    route: np.ndarray  # int: crossing × 3 + kind (who takes up whose volume)
    uptake: np.ndarray  # per route: g_r, volume carried per unit of day-0 volume and throughput
    capital: np.ndarray  # PKR
    capital0: np.ndarray  # PKR initial capital
    active: np.ndarray  # bool
    employees: np.ndarray  # int, current employees
    base_employees: np.ndarray  # int, employees at day 0
    activity: np.ndarray  # v/v0 today
    revenue: np.ndarray  # PKR/day margin revenue today
    profit: np.ndarray  # PKR/day today
    withdrawn: np.ndarray  # PKR/day profit the owner took today
    owner_draw: np.ndarray  # PKR/day the owner lives on: withdrawn profit smoothed (owner_income_half_life_days)
    owner: np.ndarray  # int64 owner household (home district)
    exits: int = 0

    def __len__(self) -> int:
        return len(self.crossing)


def build_traders(region: Region, pars: TradeParams, scale: float, streams: Streams) -> Traders:
    """Create traders per crossing (count scaled with the population, at least one)."""
    rng = streams.generator("traders")
    cr = region.crossings
    counts = np.maximum(1, np.round(cr["traders"].to_numpy() * scale)).astype(np.int64)
    crossing = np.repeat(np.arange(len(cr)), counts)
    n = len(crossing)
    official = (cr["kind"] == "official").to_numpy()[crossing]
    fuel_rev = cr["fuel_litres_m"].to_numpy() * pars.fuel_margin_pkr_per_litre
    goods_rev = cr["goods_value_pkr_m"].to_numpy() * pars.goods_margin
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
    revenue0 = np.where(kind == FORMAL, value0 * pars.formal_margin,
                        np.where(kind == SMUGGLER_GOODS, value0 * pars.goods_margin,
                                 litres0 * pars.fuel_margin_pkr_per_litre))
    return Traders(
        crossing=crossing, district=region.home[crossing], kind=kind.astype(np.int8), value0=value0,
        litres0=litres0, revenue0=revenue0, fixed_cost=pars.fixed_cost_share * revenue0,
        variable_cost0=pars.variable_cost_share * revenue0, route=crossing * 3 + kind,
        uptake=np.ones(len(cr) * 3), capital=np.zeros(n), capital0=np.zeros(n),
        active=np.ones(n, dtype=bool), employees=np.zeros(n, dtype=np.int64),
        base_employees=np.zeros(n, dtype=np.int64), activity=np.ones(n), revenue=revenue0.copy(),
        profit=np.zeros(n), withdrawn=np.zeros(n), owner_draw=np.zeros(n), owner=np.zeros(n, dtype=np.int64),
    )


def choose_owners(tr: Traders, first_household: np.ndarray, households: np.ndarray, streams: Streams) -> None:
    """Each trader's owner: a household of its home district, uniformly (stream ``trader_owner``, one draw
    per trader). Households are contiguous by district from ``first_household``, ``households`` per district."""
    u = streams.generator("trader_owner").random(len(tr))
    d = tr.district
    tr.owner[:] = first_household[d] + np.minimum((u * households[d]).astype(np.int64), households[d] - 1)


def set_initial_capital(tr: Traders, pars: TradeParams, wage: float, streams: Streams) -> None:
    """Capital = lognormal(mean capital_days) x baseline daily costs (wages + variable + fixed)."""
    rng = streams.generator("trader_capital")
    days = pars.capital_days * rng.lognormal(-0.5 * pars.capital_sigma ** 2, pars.capital_sigma, len(tr))
    cost = tr.base_employees * wage + tr.variable_cost0 + tr.fixed_cost
    tr.capital0[:] = days * np.maximum(cost, 1.0)
    tr.capital[:] = tr.capital0
    tr.withdrawn[:] = np.maximum(tr.revenue0 - cost, 0.0)  # the open border's profit, also during the warm-up
    tr.owner_draw[:] = tr.withdrawn


def trade_day(tr: Traders, activity: np.ndarray, premium: np.ndarray, pars: TradeParams, wage: float,
              u_entry: np.ndarray) -> np.ndarray:
    """Advance traders one day; return the indices of traders that exited today.

    ``activity``/``premium`` are today's per-crossing volume and margin relative
    to the open border; ``u_entry`` is the per-trader uniform of the ``trader_entry`` stream.
    """
    throughput = activity[tr.crossing]
    # re-entry of exited traders (hysteresis)
    reenter = ~tr.active & (u_entry < pars.reentry_rate * throughput)
    if reenter.any():
        tr.active[reenter] = True
        tr.capital[reenter] = pars.reentry_capital * tr.capital0[reenter]
    update_uptake(tr, activity, pars)
    tr.activity[:] = np.where(tr.active, throughput * tr.uptake[tr.route], 0.0)
    tr.revenue[:] = tr.revenue0 * tr.activity * premium[tr.crossing]
    tr.profit[:] = np.where(tr.active, tr.revenue - tr.employees * wage - tr.variable_cost0 * tr.activity
                            - tr.fixed_cost, 0.0)
    tr.capital += tr.profit
    exiting = np.flatnonzero(tr.active & (tr.capital <= 0.0))
    np.maximum(tr.capital - tr.capital0, 0.0, out=tr.withdrawn)  # the reserve is full: the owner takes the rest
    tr.capital -= tr.withdrawn
    tr.owner_draw[:] = exponential_average(tr.owner_draw, tr.withdrawn, pars.owner_income_half_life_days)
    if len(exiting):
        tr.active[exiting] = False
        tr.capital[exiting] = 0.0
        tr.activity[exiting] = 0.0
        tr.revenue[exiting] = 0.0
        tr.exits += len(exiting)
    return exiting


def update_uptake(tr: Traders, activity: np.ndarray, pars: TradeParams) -> None:
    """Move each route's uptake factor g_r one day towards what its active traders can carry of the volume
    of its exited ones (module docstring)."""
    n = len(tr.uptake)
    day0 = np.bincount(tr.route, weights=tr.revenue0, minlength=n)  # revenue0 ∝ volume within a route
    active = np.bincount(tr.route, weights=tr.revenue0 * tr.active, minlength=n)
    crossing_activity = activity[np.arange(n) // 3]
    room = np.divide(pars.capacity_multiple, crossing_activity, out=np.full(n, pars.capacity_multiple),
                     where=crossing_activity > 0)
    share = np.divide(day0, active, out=np.ones(n), where=active > 0)  # day-0 volume per unit still active
    target = np.maximum(1.0, np.minimum(share, room))
    tr.uptake += (target - tr.uptake) / pars.uptake_days
    np.minimum(tr.uptake, share, out=tr.uptake)  # never more than the route's open-border volume


def workforce_target(tr: Traders) -> np.ndarray:
    """The jobs each trader's volume supports today: its day-0 workforce × activity, rounded (0 once exited)."""
    return np.round(tr.base_employees * tr.activity)


def layoff_hazard(tr: Traders, pars: TradeParams, target: np.ndarray) -> np.ndarray:
    """Per-trader daily layoff hazard of each worker: ``layoff_rate`` × excess / employees, where the
    excess is the workforce beyond ``target``; 1 for exited traders. The labour market never lays off
    more than the excess (:func:`sim.labour_market.separations`)."""
    excess = np.maximum(tr.employees - target, 0)
    return np.where(tr.active, pars.layoff_rate * excess / np.maximum(tr.employees, 1), 1.0)


class Trade:
    """The traders' day: volume, profit, capital, exit and re-entry; and the layoff hazard it implies."""

    def __init__(self, model):
        self.model = model
        self.pars = model.par.trade
        self.traders = build_traders(model.region, self.pars, model.par.population.scale, model.streams)
        self.is_formal = self.traders.kind == FORMAL
        slices = model.household_slices
        choose_owners(self.traders, slices.starts, slices.counts, model.streams)
        self.layoff_hazard = np.zeros(len(self.traders))
        self.workforce_target = np.zeros(len(self.traders))

    def set_initial_capital(self) -> None:
        """Day-0 capital from the day-0 workforce (once the labour market has placed the workers)."""
        self.traders.base_employees[:] = self.traders.employees
        set_initial_capital(self.traders, self.pars, self.model.par.labour.wage_trade, self.model.streams)
        self.workforce_target = workforce_target(self.traders)
        self.layoff_hazard = layoff_hazard(self.traders, self.pars, self.workforce_target)

    def owner_income(self, n_households: int) -> np.ndarray:
        """Per household: the local share of the smoothed profit it draws from the traders it owns (PKR/day)."""
        tr = self.traders
        return np.bincount(tr.owner, weights=tr.owner_draw * self.pars.local_owner_share, minlength=n_households)

    def carried(self) -> tuple[np.ndarray, np.ndarray]:
        """Per crossing: today's goods value (official and informal, PKR/day) and fuel (litres/day) that active
        traders carry, the supply that sets prices (:mod:`sim.prices`)."""
        tr, n = self.traders, len(self.model.region.crossings)
        return (np.bincount(tr.crossing, weights=tr.value0 * tr.activity, minlength=n),
                np.bincount(tr.crossing, weights=tr.litres0 * tr.activity, minlength=n))

    def taxable_margins(self) -> tuple[np.ndarray, np.ndarray]:
        """Per district: today's informal and formal margin revenue (PKR/day), the groups' tax base."""
        tr, n = self.traders, len(self.model.districts)
        return (np.bincount(tr.district, weights=tr.revenue * ~self.is_formal, minlength=n),
                np.bincount(tr.district, weights=tr.revenue * self.is_formal, minlength=n))

    def step(self, day: int) -> None:
        border, tr = self.model.border, self.traders
        trade_day(tr, border.activity, border.premium, self.pars, self.model.par.labour.wage_trade,
                  self.model.streams.uniform_at("trader_entry", day, np.arange(len(tr))))
        self.workforce_target = workforce_target(tr)
        self.layoff_hazard = layoff_hazard(tr, self.pars, self.workforce_target)
