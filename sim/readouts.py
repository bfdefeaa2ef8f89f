"""How a recorded indicator is read on a chart or in a table: the one description the report and the dashboard share.

An :class:`Indicator` names a column the recorder writes (:data:`sim.indicators.UNITS`) and how it is shown:
summed over a rolling window of days (recruits per 30 days), as a rate per 100,000 people, a share in per cent
(``factor``), and, for counts, as a full-population equivalent (divided by the population scale: ``counts``).
Units come from ``UNITS``, stated once there.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .indicators import UNITS

INTENSIVE_UNITS = ("share", "index", "PKR/month")  # rates, indices and incomes per household: not scaled


def counts_with_population(column: str) -> bool:
    """A recorded column that grows with the simulated population (a count of people, traders, money, litres or
    attacks), so a full-population equivalent divides it by the scale."""
    unit = UNITS.get(column, "")
    return bool(unit) and not unit.startswith(INTENSIVE_UNITS)


def rolling_sum(values, window: int) -> np.ndarray:
    """Per day, the sum of the last ``window`` days' values up to it (fewer days at the start; NaN counts as 0)."""
    v = np.asarray(values, dtype=float)
    c = np.concatenate([[0.0], np.cumsum(np.nan_to_num(v))])
    k = np.arange(1, len(v) + 1)
    return c[k] - c[np.maximum(k - window, 0)]


@dataclass(frozen=True)
class Indicator:
    """One recorded indicator as shown."""

    name: str  # the recorded column (sim.indicators.UNITS)
    title: str
    window: int = 0  # summed over this many days (0: the daily value)
    per_100k: bool = False  # a rate per 100,000 people of the area's population

    @property
    def column(self) -> str:
        """The column holding the shown values (``recruits_30d``, ``recruits_30d_per_100k``)."""
        return self.name + (f"_{self.window}d" if self.window else "") + ("_per_100k" if self.per_100k else "")

    @property
    def percent(self) -> bool:
        return UNITS[self.name].startswith("share of")

    @property
    def factor(self) -> float:
        """Multiplier from the recorded value to the shown one (a share in %)."""
        return 100.0 if self.percent else 1.0

    @property
    def counts(self) -> bool:
        """A count (divided by the population scale for a full-population equivalent); rates per 100,000 are not."""
        return counts_with_population(self.name) and not self.per_100k

    @property
    def unit(self) -> str:
        unit = UNITS[self.name]
        if self.window:  # a daily count summed over the window: "people/day" -> "people in the last 30 days"
            unit = f"{unit.removesuffix('/day')} in the last {self.window} days"
        if self.per_100k:
            unit += " per 100,000 people"
        if self.percent:
            unit = "% of" + unit[len("share of"):]
        return unit

    @property
    def diff_unit(self) -> str:
        """The unit of a difference between two runs (shares in percentage points)."""
        return "percentage points" if self.percent else self.unit
