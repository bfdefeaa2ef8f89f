"""Districts: the district-level state as a struct of arrays (one value per district).

Fixed inputs come from the region file; the daily values are written by the submodel
named beside each field and read by the others and by the indicators.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .region import Region


@dataclass
class Districts:
    names: list[str]
    population: np.ndarray  # people simulated (census population x scale)
    legitimacy: np.ndarray  # state legitimacy L in [0, 1] (region file)
    food_import_share: np.ndarray  # share of food imported across the border (region file)
    # written daily
    ct_intensity: np.ndarray  # counter-terrorism intensity today (state_actions)
    grievance_shock: np.ndarray  # casualty grievance today (state_actions)
    official_throughput: np.ndarray  # share of open-border official trade, NaN without a crossing (border)
    import_index: np.ndarray  # food imports relative to the open border (prices)
    food_price_index: np.ndarray  # 1 = baseline (prices)
    fuel_price_index: np.ndarray  # price of Iranian fuel, 1 = open border (prices)
    finding_rate: np.ndarray  # job-finding hazard today, 1/day (labour_market)
    household_spending_day0: np.ndarray  # PKR/day, real consumption spending of all households at day 0 (household_budgets)
    real_spending: np.ndarray  # PKR/day, the last day's consumption spending at day-0 prices (household_budgets)
    remittances: np.ndarray  # PKR/day received today (household_budgets)
    policy_spending: np.ndarray  # PKR/day spent on mitigations today (state_actions.Policies)
    recruits: np.ndarray  # joins today (recruitment)
    group_funds: np.ndarray  # PKR, groups' funds apportioned by members (group_finance)
    attacks: np.ndarray  # expected attacks today, apportioned by members (group_finance)

    @classmethod
    def from_region(cls, region: Region, scale: float) -> Districts:
        d = region.districts
        n = len(d)
        zeros = lambda: np.zeros(n)  # noqa: E731
        return cls(names=region.names, population=d["population"].to_numpy() * scale,
                   legitimacy=d["legitimacy"].to_numpy(), food_import_share=d["food_import_share"].to_numpy(),
                   ct_intensity=zeros(), grievance_shock=zeros(), official_throughput=zeros(),
                   import_index=np.ones(n), food_price_index=np.ones(n), fuel_price_index=np.ones(n), finding_rate=zeros(),
                   household_spending_day0=zeros(), real_spending=zeros(), remittances=zeros(), policy_spending=zeros(), recruits=zeros(),
                   group_funds=zeros(), attacks=zeros())

    def __len__(self) -> int:
        return len(self.names)
