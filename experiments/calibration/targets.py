"""Calibration targets: observables with the data's definitions, and the targets file that names them.

An *observable* turns one run's region time series (district ``ALL``) and group table into one number
in the unit of a data figure (per day at 1:1 where the data are counts for the whole population). A
*target* pairs an observable and a window of days with an observed value and a tolerance; a *validation
target* compares a scenario with the baseline of the same parameters and seed, and is never fitted.
The targets file (``configs/calibration/targets.yaml``) is checked in full before any run: an unknown
output, a missing or non-positive tolerance, or a bad window is one line naming the key.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import yaml

from sim.config import CONFIG_DIR, ConfigError, available_scenarios

TARGETS_FILE = CONFIG_DIR / "calibration" / "targets.yaml"


def _mean(column: str) -> Callable:
    return lambda region, groups, window, scale: float(region.loc[_days(region, window), column].mean())


def _days(frame: pd.DataFrame, window: tuple[int, int]) -> pd.Series:
    return frame["day"].between(*window)


def _militants(region, groups, window, scale):
    return float(region.loc[_days(region, window), "militants"].mean()) / scale


def _smuggled(region, groups, window, scale):
    return float(region.loc[_days(region, window), "smuggling_volume"].mean()) / scale


def _exits_per_year(region, groups, window, scale):
    per_day = groups.groupby("day")["exited"].sum()  # cumulative over groups
    first, last = window
    return float(per_day.loc[last] - per_day.loc[max(first - 1, 0)]) / (last - first + 1) * 365.0 / scale


@dataclass(frozen=True)
class Observable:
    unit: str
    definition: str
    compute: Callable  # (region, groups, window, scale) -> float


OBSERVABLES: dict[str, Observable] = {
    "mean_household_income": Observable("PKR/month", "mean household income over the window",
                                        _mean("mean_household_income")),
    "food_share": Observable("share", "food share of consumption spending over the window", _mean("food_share")),
    "unemployment_rate_lfs": Observable("share", "LFS-basis unemployment rate over the window",
                                        _mean("unemployment_rate_lfs")),
    "unemployment_rate": Observable("share", "census-basis unemployment rate over the window",
                                    _mean("unemployment_rate")),
    "food_insecure_share": Observable("share", "food-insecure households over the window",
                                      _mean("food_insecure_share")),
    "smuggled_fuel_litres": Observable("million litres/day (1:1)", "smuggled fuel volume at 1:1", _smuggled),
    "militants_1to1": Observable("people (1:1)", "group members at 1:1, mean over the window", _militants),
    "group_exits_per_year": Observable("people/year (1:1)", "members leaving alive, annualised, at 1:1",
                                       _exits_per_year),
    "trade_dependent_people_1to1": Observable(
        "people (1:1)", "people in trade-dependent households at 1:1",
        lambda region, groups, window, scale: float(region.loc[_days(region, window), "trade_dependent_people"].mean())
        / scale),
}

# validation observables compare a scenario run with the baseline run of the same parameters and seed
PAIRED: dict[str, Observable] = {
    "smuggled_fuel_cut": Observable(
        "share of baseline volume", "1 - mean smuggled volume / baseline's over the window",
        lambda scen, base, window: 1.0 - float(scen.loc[_days(scen, window), "smuggling_volume"].mean())
        / float(base.loc[_days(base, window), "smuggling_volume"].mean())),
    "fuel_price_rise": Observable(
        "share above the open-border price", "peak of the fuel price index over the window, less the baseline's",
        lambda scen, base, window: float(scen.loc[_days(scen, window), "fuel_price_index"].max())
        - float(base.loc[_days(base, window), "fuel_price_index"].max())),
}


@dataclass(frozen=True)
class Target:
    name: str
    value: float
    tolerance: float
    unit: str
    output: str
    window: tuple[int, int]
    definition: str
    source: str
    strength: str

    def observe(self, region: pd.DataFrame, groups: pd.DataFrame, scale: float) -> float:
        """The simulated value; a run shorter than the window is read over the window's part it covers
        (a shorter screening run reads a day-180 figure on its last day)."""
        last = int(region["day"].max())
        window = (min(self.window[0], last), min(self.window[1], last))
        return OBSERVABLES[self.output].compute(region, groups, window, scale)

    def within(self, simulated: float) -> bool:
        return abs(simulated - self.value) <= self.tolerance


@dataclass(frozen=True)
class Validation:
    name: str
    scenario: str
    compared_to: str
    output: str
    window: tuple[int, int]
    low: float
    high: float
    unit: str
    definition: str
    source: str

    def observe(self, scenario_region: pd.DataFrame, base_region: pd.DataFrame) -> float:
        return PAIRED[self.output].compute(scenario_region, base_region, self.window)

    def passes(self, simulated: float) -> bool:
        return self.low <= simulated <= self.high


@dataclass(frozen=True)
class TargetFile:
    scenario: str
    days: int
    targets: dict[str, Target]
    left_out: dict[str, str]
    validation: dict[str, Validation]

    def select(self, names: list[str] | None) -> dict[str, Target]:
        if not names:
            return self.targets
        for name in names:
            if name not in self.targets:
                raise ConfigError("targets", name, "one of " + ", ".join(self.targets))
        return {n: self.targets[n] for n in names}


def _number(key: str, value, positive: bool = False) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    if not ok or (positive and value <= 0):
        raise ConfigError(key, value, "a finite number" + (" > 0" if positive else ""))
    return float(value)


def _text(key: str, entry: dict, field: str) -> str:
    value = entry.get(field)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{key}.{field}", value, "a non-empty text")
    return value.strip()


def _window(key: str, value, days: int) -> tuple[int, int]:
    if (not isinstance(value, list) or len(value) != 2 or not all(isinstance(v, int) and not isinstance(v, bool)
                                                                  for v in value) or not 0 <= value[0] <= value[1] <= days):
        raise ConfigError(key, value, f"[first, last] days with 0 <= first <= last <= {days}")
    return int(value[0]), int(value[1])


def load_targets(path: Path | str = TARGETS_FILE) -> TargetFile:
    """Read and check the targets file (one-line :class:`ConfigError` on the first problem)."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError("targets", str(path), "an existing targets file")
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.YAMLError as exc:
        raise ConfigError("targets", str(path), f"valid YAML ({str(exc).splitlines()[0]})") from None
    if not isinstance(data, dict) or not isinstance(data.get("targets"), dict) or not data["targets"]:
        raise ConfigError("targets", str(path), "a mapping with a non-empty 'targets' section")
    run = data.get("run") or {}
    scenario = run.get("scenario", "baseline")
    if scenario not in available_scenarios():
        raise ConfigError("run.scenario", scenario, "a scenario of configs/scenario/")
    days = run.get("days")
    if not isinstance(days, int) or isinstance(days, bool) or days < 1:
        raise ConfigError("run.days", days, "an integer >= 1")
    targets = {}
    for name, entry in data["targets"].items():
        key = f"targets.{name}"
        if not isinstance(entry, dict):
            raise ConfigError(key, entry, "a mapping")
        if entry.get("output") not in OBSERVABLES:
            raise ConfigError(f"{key}.output", entry.get("output"), "one of " + ", ".join(OBSERVABLES))
        if "tolerance" not in entry:
            raise ConfigError(f"{key}.tolerance", None, "a tolerance > 0 in the output's unit")
        targets[name] = Target(
            name=name, value=_number(f"{key}.value", entry.get("value")),
            tolerance=_number(f"{key}.tolerance", entry["tolerance"], positive=True),
            unit=_text(key, entry, "unit"), output=entry["output"], window=_window(f"{key}.window", entry.get("window"), days),
            definition=_text(key, entry, "definition"), source=_text(key, entry, "source"),
            strength=_text(key, entry, "strength"))
    validation = {}
    for name, entry in (data.get("validation") or {}).items():
        key = f"validation.{name}"
        if not isinstance(entry, dict):
            raise ConfigError(key, entry, "a mapping")
        if entry.get("output") not in PAIRED:
            raise ConfigError(f"{key}.output", entry.get("output"), "one of " + ", ".join(PAIRED))
        for field in ("scenario", "compared_to"):
            if entry.get(field) not in available_scenarios():
                raise ConfigError(f"{key}.{field}", entry.get(field), "a scenario of configs/scenario/")
        low, high = _number(f"{key}.low", entry.get("low")), _number(f"{key}.high", entry.get("high"))
        if low > high:
            raise ConfigError(f"{key}.high", high, f"a number >= low ({low})")
        validation[name] = Validation(
            name=name, scenario=entry["scenario"], compared_to=entry["compared_to"], output=entry["output"],
            window=_window(f"{key}.window", entry.get("window"), 100_000), low=low, high=high,
            unit=_text(key, entry, "unit"), definition=_text(key, entry, "definition"),
            source=_text(key, entry, "source"))
    left_out = {str(k): str(v) for k, v in (data.get("left_out") or {}).items()}
    return TargetFile(scenario=scenario, days=days, targets=targets, left_out=left_out, validation=validation)
