"""Prices: each district's food price index, driven by food imports across the border.

Rules (all assumptions):

- Each district imports food through its linked crossings, weighted by their goods value
  (official plus informal); its import index is the weighted activity of those crossings
  (1 = the open border). A district with no goods crossing has no imports to lose.
- The import price rises as ``x ** -import_price_elasticity`` for import index x, capped at
  ``1 + substitution_premium`` (supply from up-country Pakistan takes over).
- The district's food price index adjusts towards ``(1 - α) + α · p_import`` at
  ``adjustment_rate`` per day, with α the district's food import share (region file). With
  zero imports it settles at exactly ``1 + α · substitution_premium``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import EMPIRICAL, param


@dataclass
class PricesParams:
    adjustment_rate: float = param(0.1429, "1/day", "[0, 1]", EMPIRICAL,
                                   "assumption: prices adjust within about a week",
                                   "partial-adjustment speed κ of the food price index", plausible=(0.05, 0.5))
    import_price_elasticity: float = param(0.5, "inverse elasticity", "[0, 10]", EMPIRICAL,
                                           "assumption: moderately inelastic import supply",
                                           "import price = X^(-ε) for import index X", plausible=(0.2, 1.0))
    substitution_premium: float = param(0.6, "share of baseline price", "[0, 10]", EMPIRICAL,
                                        "assumption: transport from up-country adds well over a third",
                                        "cap on the import price rise (up-country supply substitutes): import "
                                        "price ≤ 1 + premium", plausible=(0.3, 1.0))


def food_price_target(import_index: np.ndarray, import_share: np.ndarray, pars: PricesParams) -> np.ndarray:
    """Equilibrium food price index for a given import index (1 = normal imports)."""
    cap = 1.0 + pars.substitution_premium
    x = np.maximum(import_index, 1e-9)
    p_import = np.minimum(cap, x ** (-pars.import_price_elasticity))
    return (1.0 - import_share) + import_share * p_import


def update_food_price(price_index: np.ndarray, import_index: np.ndarray, import_share: np.ndarray,
                      pars: PricesParams) -> np.ndarray:
    """Partial adjustment of each district's food price index towards its target."""
    return price_index + pars.adjustment_rate * (food_price_target(import_index, import_share, pars) - price_index)


class Prices:
    """Import index and food price index of every district, day by day."""

    def __init__(self, model):
        self.model = model
        self.pars = model.par.prices
        crossings = model.region.crossings
        goods = (crossings["official_value_pkr_m"] + crossings["goods_value_pkr_m"]).to_numpy()
        weights = model.region.links * goods[None, :]
        self.import_weights = weights / np.maximum(weights.sum(axis=1, keepdims=True), 1e-12)
        self.imports_food = weights.sum(axis=1) > 0

    def step(self, day: int) -> None:
        d = self.model.districts
        d.import_index = np.where(self.imports_food, self.import_weights @ self.model.border.activity, 1.0)
        d.food_price_index = update_food_price(d.food_price_index, d.import_index, d.food_import_share, self.pars)
