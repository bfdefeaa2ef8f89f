"""The dashboard's controls, generated from the parameter declarations (``sim.params``).

Each control takes its label unit, slider range, integer/float/boolean type and help text (meaning, source,
valid range) from the key's :class:`sim.params.Spec`; this module only chooses which keys are shown, in
which panel, under which short name, and clips very wide valid ranges (``[0, 100000]`` days) to what a
slider can reach.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Any

from omegaconf import OmegaConf

from sim.config import CHANNELS, Config, load_config
from sim.params import EMPIRICAL, Entry, entries, schema_key, uncertainty_space

# panel -> (key, short name); "scenario" panels change the scenario run only, "shared" ones both runs
PANELS: dict[str, tuple[str, list[tuple[str, str]]]] = {
    "Closure": ("scenario", [
        ("border.closure.start_day", "Closure starts on day"),
        ("border.closure.duration_days", "Closure duration"),
        ("border.closure.official_throughput", "Official trade passing while closed"),
        ("border.closure.informal_throughput", "Informal traffic passing while closed"),
        ("border.closure.reopening_days", "Phased reopening"),
    ]),
    "Mitigations": ("scenario", [
        ("policy.cash_transfer.amount", "Cash transfer"),
        ("policy.cash_transfer.start_day", "Cash transfer starts on day"),
        ("policy.cash_transfer.duration_days", "Cash transfer lasts"),
        ("policy.cash_transfer.hardship_threshold", "Cash transfer: minimum hardship"),
        ("policy.public_works.jobs", "Public-works jobs"),
        ("policy.public_works.wage_pkr", "Public-works wage"),
        ("policy.public_works.start_day", "Public works start on day"),
        ("policy.public_works.duration_days", "Public works last"),
        ("policy.border_markets.crossings", "Extra border markets at"),
        ("policy.border_markets.throughput", "Border-market trade kept open"),
    ]),
    "Counter-terrorism": ("scenario", [
        ("state.ct_intensity", "Counter-terrorism intensity"),
        ("state.ct_cooperation_day", "Joint Pakistan-Iran CT from day"),
        ("state.ct_cooperation_multiplier", "Joint CT multiplier"),
    ]),
    "Mechanisms (both runs)": ("shared", [(f"channels.{c}", c.replace("_", " ").capitalize()) for c in CHANNELS]),
}
# slider ends for keys whose valid range is far wider than anything useful (days are clipped to the run length)
UI_MAX = {
    "policy.cash_transfer.amount": 20000.0,
    "policy.public_works.jobs": 2000,
    "policy.public_works.wage_pkr": 2000.0,
    "state.ct_intensity": 2.0,
    "state.ct_cooperation_multiplier": 3.0,
}
STEPS = 100  # a float slider moves in hundredths of its range


@dataclass(frozen=True)
class Control:
    key: str
    name: str
    unit: str
    kind: str  # "int", "float", "bool" or "choices" (a list of names)
    low: float | None
    high: float | None
    step: float | None
    help: str
    target: str  # "scenario" or "shared"

    @property
    def label(self) -> str:
        if self.kind == "bool":
            return self.name
        if self.unit == "day":  # "Closure starts on day": the name says it
            return self.name
        if self.unit.startswith("day ("):  # "day (0 = never)"
            return f"{self.name} {self.unit[4:]}"
        return f"{self.name} ({self.unit})"


@functools.cache
def entry_map() -> dict[str, Entry]:
    return {e.key: e for e in entries(Config)}


def _help(e: Entry) -> str:
    s = e.spec
    parts = [f"{e.key}: {s.doc}.", f"Unit: {s.unit}."]
    if s.valid is not None:
        parts.append(f"Valid: {s.valid}.")
    if s.plausible is not None:
        parts.append(f"Plausible: {s.plausible[0]:g} to {s.plausible[1]:g} ({s.plausible[2]}).")
    parts.append(f"Kind: {s.kind}. Source: {s.source}.")
    return " ".join(parts)


def _nice_step(span: float) -> float:
    raw = span / STEPS
    mag = 10 ** math.floor(math.log10(raw))
    return next(m * mag for m in (1, 2, 5, 10) if m * mag >= raw)


def make_control(key: str, name: str, target: str, days: int) -> Control:
    e = entry_map()[key]
    s = e.spec
    if e.type is bool:
        return Control(key, name, s.unit, "bool", None, None, None, _help(e), target)
    if isinstance(e.default, list):
        return Control(key, name, s.unit, "choices", None, None, None, _help(e), target)
    low, high = (s.valid.low, s.valid.high) if s.valid else (0.0, 1.0)
    if s.unit.startswith("day"):
        high = min(high, days)
    high = min(high, UI_MAX.get(key, high))
    if e.type is int:
        return Control(key, name, s.unit, "int", int(low), int(high), 1, _help(e), target)
    return Control(key, name, s.unit, "float", float(low), float(high), _nice_step(high - low), _help(e), target)


def panels(days: int) -> dict[str, list[Control]]:
    """The fixed panels of controls, for a run of ``days`` days."""
    return {title: [make_control(k, n, target, days) for k, n in keys] for title, (target, keys) in PANELS.items()}


@dataclass(frozen=True)
class Uncertain:
    """An empirical parameter with a plausible range, for the uncertainty chooser (applied to both runs)."""

    key: str
    unit: str
    low: float
    high: float
    distribution: str
    integer: bool
    help: str

    @property
    def step(self) -> float:
        return 1 if self.integer else _nice_step(self.high - self.low)


@functools.cache
def uncertain_parameters() -> dict[str, Uncertain]:
    """Every empirical parameter with a plausible range, by dotted key (list items by index)."""
    emap = entry_map()
    out = {}
    for u in uncertainty_space(Config, kinds=(EMPIRICAL,)):
        if u["distribution"] == "categorical":
            continue
        e = emap.get(schema_key(u["key"]))
        integer = u["distribution"] == "integer" or (e is not None and e.type is int)
        out[u["key"]] = Uncertain(u["key"], u["unit"], u["low"], u["high"], u["distribution"], integer,
                                  _help(e) if e is not None else u["key"])
    return out


@functools.cache
def _config(scenario: str):
    return load_config(scenario)


def scenario_value(scenario: str, key: str) -> Any:
    """A key's value in a scenario file (schema defaults under it), as plain Python."""
    v = OmegaConf.select(_config(scenario), key)
    return OmegaConf.to_container(v) if OmegaConf.is_config(v) else v


def scenario_description(scenario: str) -> str:
    return str(_config(scenario).description or "")


def crossing_names() -> list[str]:
    from sim.region import load_region

    region = load_region("pakistan", "crossings", False)
    return list(region.official_crossings)


def format_value(value: Any, unit: str = "") -> str:
    if isinstance(value, bool):
        return "on" if value else "off"
    if isinstance(value, float):
        return f"{value:,.4g}"
    if isinstance(value, list):
        return ", ".join(map(str, value)) or "none"
    return f"{value:,}" if isinstance(value, int) else str(value)
