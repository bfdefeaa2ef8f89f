"""Mesa agents: households, traders and militant groups as inspectable views onto the model's arrays.

The vectorised core owns the state (struct-of-arrays in ``model.households``,
``model.people``, ``model.traders``, ``model.groups``). Each agent holds only its
row index; every attribute is a live read of that row, so there is one source of
truth and nothing to keep in sync. The behavioural rules live in the modules
named after what they model (:mod:`sim.labour_market`, :mod:`sim.trade`, ...).
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager

import mesa
import numpy as np

from .population import SECTOR_NAMES, STATUS_NAMES
from .trade import KIND_NAMES


def array_view(store: str, field: str, doc: str) -> property:
    """A read-only attribute that returns ``model.<store>.<field>[self.idx]`` as a Python scalar."""

    def get(self):
        return getattr(getattr(self.model, store), field)[self.idx].item()

    return property(get, doc=doc)


@contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while creating the Mesa agents.

    Every new agent is a tracked object, so creating hundreds of thousands of them
    triggers collections that traverse the whole (large, long-lived) heap and free
    nothing: agents are kept by the model's agent sets. Pausing it changes no result.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


class ArrayAgent(mesa.Agent):
    """A Mesa agent that is a view onto row ``idx`` of one of the model's state stores."""

    def __init__(self, model, idx: int):
        super().__init__(model)
        self.idx = idx


class Household(ArrayAgent):
    """A border household: members, income, savings, food security and hardship.

    Rules (see :mod:`sim.household_budgets` and :mod:`sim.migration`): income from members' jobs, own production,
    remittances and transfers; consumption protects food; savings absorb shortfalls;
    hardship H = share of need not covered; unemployed men may migrate when H is high.
    """

    size = array_view("households", "size", "people in the household")
    savings = array_view("households", "savings", "savings, PKR")
    income = array_view("households", "income", "income yesterday, PKR/day")
    hardship = array_view("households", "hardship", "hardship index in [0, 1]")
    food_ratio = array_view("households", "food_ratio", "food spending / food need")

    @property
    def district(self) -> str:
        return self.model.district_names[self.model.households.district[self.idx]]

    @property
    def members(self) -> np.ndarray:
        """Person indices of the working-age members."""
        hh = self.model.households
        return np.arange(hh.first[self.idx], hh.first[self.idx] + hh.n_working[self.idx])

    @property
    def member_states(self) -> list[str]:
        return [STATUS_NAMES[s] for s in self.model.people.status[self.members]]

    @property
    def member_sectors(self) -> list[str | None]:
        return [SECTOR_NAMES[s] if s >= 0 else None for s in self.model.people.sector[self.members]]

    @property
    def food_insecure(self) -> bool:
        return self.food_ratio < self.model.par.households.food_insecure_threshold


class Trader(ArrayAgent):
    """A formal importer or informal smuggler at one crossing (rules: :mod:`sim.trade`)."""

    capital = array_view("traders", "capital", "capital, PKR")
    profit = array_view("traders", "profit", "profit today, PKR/day")
    withdrawn = array_view("traders", "withdrawn", "profit the owner took today, PKR/day")
    owner = array_view("traders", "owner", "index of the owner household (Household.idx)")
    employees = array_view("traders", "employees", "current employees")
    activity = array_view("traders", "activity", "volume relative to the open border")
    active = array_view("traders", "active", "still trading")

    @property
    def kind(self) -> str:
        return KIND_NAMES[self.model.traders.kind[self.idx]]

    @property
    def crossing(self) -> str:
        return self.model.crossing_names[self.model.traders.crossing[self.idx]]

    @property
    def district(self) -> str:
        return self.model.district_names[self.model.traders.district[self.idx]]


class MilitantGroup(ArrayAgent):
    """A militant group: funds, pay offer, members and recruits (rules: :mod:`sim.group_finance`, :mod:`sim.recruitment`)."""

    funds = array_view("groups", "funds", "funds, PKR")
    pay_offer = array_view("groups", "pay_offer", "pay offered today, PKR/day")
    members = array_view("groups", "members", "current members")
    recruits = array_view("groups", "recruits", "recruits today")
    cumulative_recruits = array_view("groups", "cumulative_recruits", "recruits since day 0")

    @property
    def name(self) -> str:
        return self.model.groups.names[self.idx]

    @property
    def districts(self) -> list[str]:
        return [d for d, on in zip(self.model.district_names, self.model.groups.districts[self.idx]) if on]
