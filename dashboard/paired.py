"""A scenario and its same-seed baseline as one Mesa model that steps both.

Paired runs share their random numbers (every decision draws from a stream named by seed, stream and
day), so the two runs are identical until the scenario changes something and every difference between
them is the scenario's effect, not noise. :class:`PairedBorderModel` is what the dashboard's Step and
Play buttons advance.

Which settings go to which run:

- the scenario's own settings, its closure, mitigations and counter-terrorism levers (config keys of kind
  "scenario input" or "policy lever", plus the counter-terrorism intensity control) go to the scenario
  run only: they are what is being compared;
- assumptions about the world (an "empirical" parameter chosen in the uncertainty panel), the mechanism
  switches, the seed, the population scale and the run length go to both runs, so the comparison is
  made under the same assumptions.
"""

from __future__ import annotations

import math
from typing import Any

import mesa
import numpy as np

from sim import BorderModel
from sim.agents import Household
from sim.config import load_config
from sim.readouts import Indicator, rolling_sum

DEFAULT_SCENARIO = "closure_90d"
DEFAULT_SCALE = 0.02  # 2% of the 1:1 population: about 6,600 households, a paired step in well under 10 ms
DEFAULT_DAYS = 365
INSPECTED_HOUSEHOLDS = 8


INDICATORS = (
    Indicator("youth_unemployment_rate", "Youth unemployment"),
    Indicator("food_price_index", "Food price index"),
    Indicator("food_insecure_share", "Food-insecure households"),
    Indicator("recruits", "Recruits per 30 days", window=30),
    Indicator("militants", "Militant membership"),
    Indicator("trade_volume", "Official trade volume"),
    Indicator("employed", "Jobs"),
)
FULL_POPULATION_NOTE = ("Counts and trade volumes are divided by the population scale: full-population "
                        "equivalents for the five districts (2.32 million people).")


def transform(ind: Indicator, values: np.ndarray, scale: float) -> np.ndarray:
    """Daily region values of one indicator as charted (rolling window, percent, full-population equivalent)."""
    v = rolling_sum(values, ind.window) if ind.window else np.asarray(values, dtype=float)
    return v * ind.factor / (scale if ind.counts else 1.0)


class PairedBorderModel(mesa.Model):
    """The chosen scenario and the baseline, built with the same seed and stepped together.

    Args:
        scenario_name: a scenario of ``configs/scenario/`` (``sim.config.available_scenarios()``).
        rng: the seed of both runs.
        population_scale: fraction of the 1:1 census population simulated in both runs.
        days: length of both runs.
        scenario_overrides: dotted config keys applied to the scenario run only.
        shared_overrides: dotted config keys applied to both runs (assumptions, mechanism switches).
    """

    def __init__(self, scenario_name: str = DEFAULT_SCENARIO, rng: int = 0, population_scale: float = DEFAULT_SCALE,
                 days: int = DEFAULT_DAYS, scenario_overrides: dict[str, Any] | None = None,
                 shared_overrides: dict[str, Any] | None = None):
        super().__init__(rng=int(rng))
        self.scenario_name = scenario_name
        self.seed = int(rng)
        self.population_scale = float(population_scale)
        self.days = int(days)
        self.scenario_overrides = dict(scenario_overrides or {})
        self.shared_overrides = dict(shared_overrides or {})
        run = {"population.scale": self.population_scale, "days": self.days, "progress": False}
        scen_cfg = load_config(scenario_name, {**self.shared_overrides, **self.scenario_overrides, **run})
        base_cfg = load_config("baseline", {**self.shared_overrides, **run})
        self.scenario_model = BorderModel(config=scen_cfg, rng=self.seed)
        self.baseline_model = BorderModel(config=base_cfg, rng=self.seed)
        self.runs = {"scenario": self.scenario_model, "baseline": self.baseline_model}
        self.closure = np.asarray(self.scenario_model.border.schedule["closure"], dtype=float)  # per day, 1 = closed
        self.inspected = self._sample_households()
        self.running = True

    # ------------------------------------------------------------------ stepping

    def step(self) -> None:
        """One day in both runs."""
        self.scenario_model.step()
        self.baseline_model.step()
        self.running = self.scenario_model.running and self.baseline_model.running

    @property
    def day(self) -> int:
        return int(round(self.scenario_model.time))

    # ------------------------------------------------------------------ what the views read

    def series(self, ind: Indicator) -> dict[str, np.ndarray]:
        """Days 0..today of one indicator, charted form, for each run."""
        t = self.day
        return {run: transform(ind, m.recorder.region_series(ind.name)[: t + 1], self.population_scale)
                for run, m in self.runs.items()}

    def district_values(self, name: str, run: str = "scenario") -> np.ndarray:
        """Today's value of a recorded indicator in each district of one run."""
        m = self.runs[run]
        return m.recorder.district_series(name)[self.day]

    def closure_periods(self) -> list[tuple[int, int, str]]:
        """(first day, last day + 1, "closed" or "reopening") intervals of the scenario's closure schedule."""
        c = self.closure
        state = np.where(c >= 1.0, 2, np.where(c > 0.0, 1, 0))
        out, start = [], None
        for day in range(len(state) + 1):
            s = state[day] if day < len(state) else 0
            if start is not None and s != state[start]:
                out.append((start, day, "border closed" if state[start] == 2 else "phased reopening"))
                start = None
            if start is None and s:
                start = day
        return out

    def status_text(self) -> str:
        """Where the scenario's closure stands today, in words."""
        t, periods = self.day, self.closure_periods()
        for a, b, kind in periods:
            if a <= t < b:
                return f"{kind}: day {t - a + 1} of {b - a}"
        upcoming = [(a, b) for a, b, kind in periods if a > t and kind == "border closed"]
        if upcoming:
            a, b = upcoming[0]
            return f"border open; a {b - a}-day closure starts on day {a}"
        return "border open" + ("; closure over" if periods else "; no closure in this scenario")

    def _sample_households(self) -> list[tuple[Household, Household]]:
        """A few households, the same ones in both runs, spread over districts and working-age members.

        Read from the models' own Mesa agents: ``agents_by_type[Household]`` of each run."""
        scen = sorted(self.scenario_model.agents_by_type[Household], key=lambda a: a.idx)
        base = sorted(self.baseline_model.agents_by_type[Household], key=lambda a: a.idx)
        n_working = self.scenario_model.households.n_working
        district = self.scenario_model.households.district
        chosen: list[int] = []
        per_district = math.ceil(INSPECTED_HOUSEHOLDS / max(1, len(self.scenario_model.district_names)))
        for d in range(len(self.scenario_model.district_names)):
            pool = np.flatnonzero((district == d) & (n_working >= 2))
            if len(pool):
                k = min(per_district, len(pool))
                chosen += [int(i) for i in self.rng.choice(pool, size=k, replace=False)]
        chosen = sorted(chosen[:INSPECTED_HOUSEHOLDS])
        return [(scen[i], base[i]) for i in chosen]
