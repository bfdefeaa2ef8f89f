"""Read a results directory into the tables every figure uses (results only; nothing is re-run).

:func:`load` wraps :func:`experiments.collect.load_results` and adds, per run, what
the manifest knows: the scenario description, the closure window, the start date,
the population scale, the channels switched off and the provenance.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.collect import RUN_COLUMNS, load_results
from experiments.rundir import read_manifest
from sim.config import CHANNELS, RESULT_NEUTRAL_KEYS, available_scenarios
from sim.indicators import UNITS

BASELINE = "baseline"
PLAIN_CLOSURE = "closure_90d"
# columns that are not a parameter a sweep may vary: what names a run (its id, scenario, seed, replicate and the
# scenario's own name) and the keys that do not change its results
NOT_PARAMETERS = {*RUN_COLUMNS, "scenario_name", *RESULT_NEUTRAL_KEYS}
TOP_LEVEL_PARAMETERS = {"days", "start_date"}  # undotted config keys a sweep may vary
REGION = "ALL"


@dataclass(frozen=True)
class Indicator:
    """A time-series indicator as plotted: column, label, multiplier and unit."""

    column: str
    label: str
    factor: float
    unit: str
    diff_unit: str


def indicator(column: str, label: str) -> Indicator:
    """An indicator whose unit comes from ``sim.indicators.UNITS`` (shares shown as %)."""
    unit = UNITS.get(column, "people recruited in the previous 30 days" if column == "recruits_30d" else "")
    if unit.startswith("share of"):
        return Indicator(column, label, 100.0, "% of" + unit[len("share of"):], "percentage points")
    return Indicator(column, label, 1.0, unit, unit)


HEADLINE_INDICATORS = [
    indicator("youth_unemployment_rate", "Youth unemployment rate"),
    indicator("food_price_index", "Food price index"),
    indicator("food_insecure_share", "Food-insecure households"),
    indicator("recruits_30d", "Recruits per 30 days"),
    indicator("militants", "Militant membership"),
    indicator("trade_volume", "Official trade volume"),
]


@dataclass
class Results:
    """Every complete run under ``root``: one row per run, and their time series (read-only once
    loaded: derived tables are cached)."""

    root: Path
    runs: pd.DataFrame  # one row per run: ids, overrides, summary scalars, manifest metadata
    ts: pd.DataFrame  # day x district (incl. ALL) x run, with run_id
    context: list[str]  # swept parameters that vary within a scenario (pairing keys besides the seed)
    scenarios: list[str]  # scenario names in display order
    descriptions: dict[str, str] = field(default_factory=dict)

    @property
    def main(self) -> pd.DataFrame:
        """Runs with every channel switched on (the scenario runs proper)."""
        return self.runs[self.runs["channels_off"] == ""]

    @cached_property
    def region_ts(self) -> pd.DataFrame:
        return self.ts[self.ts["district"] == REGION]

    @property
    def pair_keys(self) -> list[str]:
        """Runs of different scenarios with equal values here share their random numbers."""
        return ["seed", *(["replicate"] if "replicate" in self.runs else []), *self.context]

    @cached_property
    def start_date(self) -> date | None:
        """Calendar date of day 1 when every run agrees on it."""
        dates = self.runs["start_date"].dropna().unique()
        if len(dates) != 1:
            return None
        try:
            return date.fromisoformat(str(dates[0]))
        except ValueError:
            return None

    def to_x(self, days) -> np.ndarray:
        """Day numbers as dates (day 1 = start_date), or unchanged when there is no common start date."""
        d0 = self.start_date
        days = np.asarray(days)
        if d0 is None:
            return days
        return np.datetime64(d0 - timedelta(days=1)) + days.astype("timedelta64[D]")

    @property
    def x_label(self) -> str:
        d0 = self.start_date
        return f"Date (day 1 = {d0.isoformat()})" if d0 else "Day of simulation"


def _closure(cfg: dict) -> tuple[float, float, float]:
    """(first closed day, first day after the closure, first day after the reopening); NaN when open."""
    c = cfg.get("border", {}).get("closure", {})
    start, dur, reopen = c.get("start_day", 0), c.get("duration_days", 0), c.get("reopening_days", 0)
    if not start or not dur:
        return np.nan, np.nan, np.nan
    return float(start), float(start + dur), float(start + dur + reopen)


def _metadata(root: Path, run_id: str) -> dict:
    """Per-run facts from the manifest: description, closure window, channels off, provenance."""
    man = read_manifest(root / run_id)
    cfg = man.get("config", {})
    off = [c for c in CHANNELS if cfg.get("channels", {}).get(c, True) is False]
    start, end, reopen = _closure(cfg)
    git = man.get("git") or {}
    return {
        "scenario": man.get("scenario"),
        "description": cfg.get("description", ""),
        "start_date": cfg.get("start_date"),
        "n_days": cfg.get("days"),
        "scale": cfg.get("population", {}).get("scale"),
        "region_file": cfg.get("population", {}).get("region_file", "pakistan"),
        "crossings_file": cfg.get("population", {}).get("crossings_file", "crossings"),
        "include_iran": bool(cfg.get("population", {}).get("include_iran", False)),
        "channels_off": "all" if len(off) == len(CHANNELS) else "+".join(off),
        "closure_start": start, "closure_end": end, "reopening_end": reopen,
        "created": man.get("created"),
        "commit": git.get("commit"), "dirty": git.get("dirty"),
        "model_version": (man.get("versions") or {}).get("border-closure-sim"),
        "versions": json.dumps(man.get("versions") or {}, sort_keys=True),
    }


def context_keys(runs: pd.DataFrame) -> list[str]:
    """Swept parameters that take more than one value within some scenario."""
    candidates = [c for c in runs.columns if ("." in c or c in TOP_LEVEL_PARAMETERS)
                  and c not in NOT_PARAMETERS and not c.startswith("channels.")]
    return [c for c in candidates
            if (runs.groupby("scenario")[c].nunique(dropna=False) > 1).any()]


def order_scenarios(names) -> list[str]:
    """Display order: the baseline first, then the library's scenarios (``configs/scenario/``, by name), then
    any other scenario name by name."""
    names = set(names)
    library = [BASELINE, *(s for s in available_scenarios() if s != BASELINE)]
    return [s for s in library if s in names] + sorted(names - set(library))


def add_recruits_30d(ts: pd.DataFrame) -> pd.DataFrame:
    """Add ``recruits_30d``: recruits in the 30 days up to each day (fewer days at the start of a run)."""
    ts = ts.sort_values(["run_id", "day"], kind="stable").reset_index(drop=True)  # districts keep file order
    keys = [ts["run_id"], ts["district"]]
    total = ts["recruits"].astype(float).groupby(keys, sort=False).cumsum()
    ts["recruits_30d"] = total - total.groupby(keys, sort=False).shift(30).fillna(0.0)
    return ts


def load(root: Path) -> Results:
    """Load every complete run under ``root``; raise ResultsError when there is none."""
    root = Path(root)
    runs, ts = load_results(root)  # raises ResultsError when there is no complete run
    meta = pd.DataFrame([_metadata(root, r) for r in runs["run_id"]])
    runs = runs.reset_index(drop=True)
    runs["scenario"] = meta.pop("scenario")  # the manifest's name (an override may rename a scenario)
    runs = pd.concat([runs, meta.drop(columns=[c for c in meta if c in runs])], axis=1)
    context = context_keys(runs)
    scenarios = order_scenarios(runs["scenario"])
    desc = (runs.drop_duplicates("scenario").set_index("scenario")["description"].fillna("").to_dict())
    return Results(root=root, runs=runs, ts=add_recruits_30d(ts), context=context, scenarios=scenarios,
                   descriptions=desc)
