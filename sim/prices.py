"""Prices: each district's food price index and its price of Iranian fuel, driven by supply across the border.

Food (all assumptions):

- Each district imports food through its linked crossings; its import index X is the goods value
  (official plus informal) that active traders carry through them today over the day-0 value
  (1 = the open border; :meth:`sim.trade.Trade.carried`), so exits that surviving traders do not
  make up cut imports. A district with no goods crossing has no imports to lose.
- Supply from up-country Pakistan S replaces lost imports gradually: it moves towards
  min(1 - X, ``substitution_capacity``) with time constant ``substitution_days``, and costs
  ``transport_premium`` more than imports from Iran.
- Imported food available A = min(1, X + S); its price is its unit cost (X at 1, S at
  1 + premium, per unit of A) times the scarcity factor A ** -``import_price_elasticity``.
- The district's food price index adjusts towards ((1 - α) + α · p_import) · (1 + τ (P_fuel - 1))
  at ``adjustment_rate`` a day, with α the district's food import share (region file), P_fuel the
  district's Iranian fuel price index and τ ``fuel_share_of_food_price``: the part of every food
  price that is fuel for transport, which in Makran runs on Iranian fuel.

So a closure's depth and length both matter: early on, before substitution, scarcity
dominates; in a long closure the price settles at 1 + α·premium·(1 - X) if up-country supply
can replace the whole loss, and higher if it cannot. (The model's first rule capped the import
price at a plateau reached for any import loss above 61%.)

Iranian fuel (validation target V2): the district's fuel supply index F is the litres active
traders carry through its linked crossings today over the day-0 litres. The price of Iranian fuel moves towards
min(1 + ``fuel_substitution_premium``, F ** -``fuel_price_elasticity``) at
``fuel_adjustment_rate`` a day: scarcity raises it until buyers switch to official Pakistani
fuel, about 45% dearer.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import EMPIRICAL, param


@dataclass
class PricesParams:
    adjustment_rate: float = param(0.1429, "1/day", "[0, 1]", EMPIRICAL,
                                   "assumption: food prices adjust within about a week",
                                   "partial-adjustment speed κ of the food price index", plausible=(0.05, 0.5))
    import_price_elasticity: float = param(0.5, "inverse elasticity", "[0, 10]", EMPIRICAL,
                                           "assumption: moderately inelastic demand for imported food",
                                           "scarcity factor A^(-ε) for imported food available A", plausible=(0.2, 1.0))
    substitution_days: float = param(45.0, "days", "(0, 3650]", EMPIRICAL,
                                     "assumption: traders need weeks to reroute supply from Quetta and Karachi",
                                     "time constant of up-country supply replacing lost imports",
                                     plausible=(15.0, 120.0, "loguniform"))
    substitution_capacity: float = param(0.8, "share of normal imports", "[0, 1]", EMPIRICAL,
                                         "assumption: up-country supply cannot replace every Iranian good",
                                         "most of the lost imports up-country supply can replace",
                                         plausible=(0.5, 1.0))
    transport_premium: float = param(0.3, "share of the import price", "[0, 10]", EMPIRICAL,
                                     "assumption: trucking from up-country; transport costs rose about 100% in "
                                     "Turbat in 2022 (The Nation letter, weak)",
                                     "extra cost of up-country supply over imports from Iran", plausible=(0.15, 0.6))
    fuel_adjustment_rate: float = param(0.5, "1/day", "[0, 1]", EMPIRICAL,
                                        "assumption: fuel prices rose within days of the 2020 closure (Arab News)",
                                        "partial-adjustment speed of the Iranian fuel price", plausible=(0.2, 1.0))
    fuel_price_elasticity: float = param(0.5, "inverse elasticity", "[0, 10]", EMPIRICAL,
                                         "assumption: fuel demand is inelastic in the short run",
                                         "fuel price target F^(-ε) for fuel supply index F", plausible=(0.2, 1.0))
    fuel_substitution_premium: float = param(
        0.45, "share of the Iranian fuel price", "[0, 10]", EMPIRICAL,
        "official diesel Rs 258.6/L against smuggled Rs 180/L (Samaa, OCAC, early 2025); Rs 330 against Rs 220-230 "
        "(Deccan Herald, Sept 2023)", "cap on the Iranian fuel price rise: the official price buyers switch to",
        plausible=(0.3, 0.6))
    fuel_share_of_food_price: float = param(
        0.05, "share of the food price", "[0, 1]", EMPIRICAL,
        "assumption: transport is about 4% of sales in Pakistan's logistics (Choudhary et al., weak) and wholesale "
        "to retail margins on wheat under 10% (Hassan et al. 2017); transport costs rose about 100% in Turbat "
        "with Iranian petrol +60% in 2022 (The Nation letter, weak)",
        "τ: share of every food price that moves with the Iranian fuel price (transport)", plausible=(0.02, 0.15))


def food_price_target(import_index: np.ndarray, upcountry: np.ndarray, import_share: np.ndarray,
                      pars: PricesParams, fuel_price: np.ndarray | float = 1.0) -> np.ndarray:
    """Equilibrium food price index for import index X, up-country supply S (shares of normal imports) and the
    Iranian fuel price index (transport)."""
    x = np.maximum(import_index, 0.0)
    available = np.minimum(1.0, x + upcountry)
    unit_cost = np.divide(x + upcountry * (1.0 + pars.transport_premium), x + upcountry,
                          out=np.ones_like(x), where=x + upcountry > 0)
    p_import = unit_cost * np.maximum(available, 1e-9) ** (-pars.import_price_elasticity)
    transport = 1.0 + pars.fuel_share_of_food_price * (np.asarray(fuel_price) - 1.0)
    return ((1.0 - import_share) + import_share * p_import) * transport


def update_upcountry_supply(upcountry: np.ndarray, import_index: np.ndarray, pars: PricesParams) -> np.ndarray:
    """Up-country supply moves towards the import gap it can fill, with time constant ``substitution_days``."""
    gap = np.minimum(np.maximum(1.0 - import_index, 0.0), pars.substitution_capacity)
    return upcountry + (gap - upcountry) / pars.substitution_days


def update_food_price(price_index: np.ndarray, import_index: np.ndarray, upcountry: np.ndarray,
                      import_share: np.ndarray, pars: PricesParams, fuel_price: np.ndarray | float = 1.0) -> np.ndarray:
    """Partial adjustment of each district's food price index towards its target."""
    target = food_price_target(import_index, upcountry, import_share, pars, fuel_price)
    return price_index + pars.adjustment_rate * (target - price_index)


def fuel_price_target(fuel_index: np.ndarray, pars: PricesParams) -> np.ndarray:
    """Iranian fuel price for fuel supply index F: F^(-ε), capped at the official price."""
    return np.minimum(1.0 + pars.fuel_substitution_premium,
                      np.maximum(fuel_index, 1e-9) ** (-pars.fuel_price_elasticity))


def supply_index(links: np.ndarray, carried: np.ndarray, carried_day0: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per district: what its linked crossings carry today over day 0 (1 for a district with none), and which
    districts have any."""
    today, day0 = links @ carried, links @ carried_day0
    return np.divide(today, day0, out=np.ones(len(day0)), where=day0 > 0), day0 > 0


class Prices:
    """Import index, up-country supply, food price index and Iranian fuel price of every district, day by day."""

    def __init__(self, model):
        self.model = model
        self.pars = model.par.prices
        self.links = model.region.links.astype(float)
        self.goods_day0, self.litres_day0 = model.trade.carried()  # every trader active at the open border
        n = len(model.districts)
        self.upcountry_supply = np.zeros(n)  # share of normal food imports now coming from up-country
        self.fuel_index = np.ones(n)  # fuel supply relative to the open border

    def step(self, day: int) -> None:
        d = self.model.districts
        goods, litres = self.model.trade.carried()
        d.import_index, _ = supply_index(self.links, goods, self.goods_day0)
        self.upcountry_supply = update_upcountry_supply(self.upcountry_supply, d.import_index, self.pars)
        self.fuel_index, _ = supply_index(self.links, litres, self.litres_day0)
        d.fuel_price_index = d.fuel_price_index + self.pars.fuel_adjustment_rate * (
            fuel_price_target(self.fuel_index, self.pars) - d.fuel_price_index)
        d.food_price_index = update_food_price(d.food_price_index, d.import_index, self.upcountry_supply,
                                               d.food_import_share, self.pars, d.fuel_price_index)
