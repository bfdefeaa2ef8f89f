"""Read a results directory into the tables every figure uses (results only; nothing is re-run).

:func:`load` wraps :func:`experiments.rundir.load_results` and adds, per run, what
the manifest knows: the scenario description, the closure window, the start date,
the population scale, the channels switched off and the provenance. Counts (people, traders, money, litres,
attacks) are divided by the population scale as they are read, so every table and figure shows
full-population equivalents. :func:`structures` splits the runs by the structural choices they were run under:
those are never pooled.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass, field, replace
from functools import cached_property
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import OmegaConf

from experiments.rundir import RUN_COLUMNS, ResultsError, load_results, read_manifest
from sim.config import CHANNELS, RESULT_NEUTRAL_KEYS, Config, available_scenarios, readable_scenario_files
from sim.readouts import Indicator, counts_with_population, rolling_sum
from sim.params import POLICY, RUN, SCENARIO, STRUCTURAL, Entry, entries, flatten, kind_of

from experiments.outcomes import Window

BASELINE = "baseline"
# columns that are not a parameter a sweep may vary: what names a run (its id, scenario, seed, replicate and the
# scenario's own name) and the keys that do not change its results
NOT_PARAMETERS = {*RUN_COLUMNS, "scenario_name", *RESULT_NEUTRAL_KEYS}
TOP_LEVEL_PARAMETERS = {"days", "start_date"}  # undotted config keys a sweep may vary
REGION = "ALL"


@functools.cache
def structural_choices() -> dict[str, Entry]:
    """Every declared structural choice (one of several defensible model structures), by key."""
    return {e.key: e for e in entries(Config) if e.spec.kind == STRUCTURAL}


HEADLINE_INDICATORS = [
    Indicator("youth_unemployment_rate", "Youth unemployment rate"),
    Indicator("food_price_index", "Food price index"),
    Indicator("food_insecure_share", "Food-insecure households"),
    Indicator("recruits", "Recruits per 30 days", window=30),
    Indicator("militants", "Militant membership"),
    Indicator("trade_volume", "Official trade volume"),
]


class MixedRunsError(ResultsError):
    """The results hold runs that cannot be compared (different settings); the message is one line."""


@functools.cache
def scenario_prefixes() -> tuple[str, ...]:
    """Config keys the library's scenario files set (list items cut at the list: ``state.strikes``)."""
    out = set()
    for scenario in readable_scenario_files().values():
        for key in flatten(OmegaConf.to_container(scenario)):
            out.add(re.split(r"\.\d+(?:\.|$)", key)[0])
    return tuple(sorted(out - {"scenario_name", "description", "compare_to"}))


def defines_scenario(key: str) -> bool:
    """A key that is part of what a scenario is (a scenario input, a policy lever, or a key that a scenario file
    sets): runs of different scenarios differ in these by design."""
    if kind_of(Config, key) in (SCENARIO, POLICY):
        return True
    return any(key == p or key.startswith(p + ".") for p in scenario_prefixes())


@functools.cache
def scenario_file_compare_to(scenario: str) -> str:
    return str(readable_scenario_files().get(scenario, {}).get("compare_to", "") or "")


CFG = "cfg:"  # prefix of the columns holding a swept key's value as every run used it
IGNORED = {*RESULT_NEUTRAL_KEYS, "seed", "replicate", "scenario_name"}


def setting_of(config: dict, swept: set[str]) -> dict:
    """What must be equal for two runs to be comparable: the resolved config minus the keys that do not change
    results, the seed and replicate, the channel switches, what defines a scenario, and the swept keys."""
    flat = flatten(config)
    return {k: v for k, v in flat.items() if k not in IGNORED and not k.startswith("channels.")
            and not defines_scenario(k) and k not in swept}


def _label(setting: dict, keys: list[str]) -> str:
    return " ".join(f"{k}={setting[k]}" if k in setting else f"{k}=(not recorded)" for k in keys) or "(no difference)"


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
    compare_to: dict[str, str] = field(default_factory=dict)  # scenario -> the scenario it is compared with
    setting: dict = field(default_factory=dict)  # the settings every run shares (see setting_of)
    setting_note: str = ""  # which setting was chosen when the directory held several
    comparisons: Any = None  # effects.Comparisons, attached by the report builder
    scale: float = 1.0  # the population scale every run shares; counts in ``ts`` are already divided by it

    @property
    def choices(self) -> dict[str, str]:
        """The structural choices these runs were run under (key -> value; :func:`structures` makes it one
        value each)."""
        return {k: str(self.setting.get(k, e.default)) for k, e in structural_choices().items()}

    def window(self, run_or_scenario) -> Window:
        """A run's (or the first run of a scenario's) closure window."""
        if isinstance(run_or_scenario, str):
            r = self.main[self.main["scenario"] == run_or_scenario]
            if r.empty:
                return Window()
            run_or_scenario = r.iloc[0]
        r = run_or_scenario
        return Window(float(r["closure_start"]), float(r["closure_end"]), float(r["reopening_end"]))

    def reference_keys(self, reference: pd.DataFrame) -> list[str]:
        """Pairing keys with runs of a reference scenario: seed and replicate, every swept key that does not define
        a scenario (resolved values), and the swept scenario keys the reference runs also set (a baseline without
        a closure pairs with every closure of the same seed)."""
        base = ["seed", *(["replicate"] if "replicate" in self.runs else [])]
        out = []
        for k in self.context:
            if not defines_scenario(k):
                out.append(CFG + k)
            elif k in reference and reference[k].notna().all():
                out.append(k)
        return base + out

    @property
    def pairing_columns(self) -> list[str]:
        """Every column a pairing may use besides seed and replicate."""
        return [*self.context, *(c for c in self.runs.columns if c.startswith(CFG))]

    def variant(self, frame: pd.DataFrame) -> pd.Series:
        """Per run: the scenario and, when it was swept, the swept scenario keys' values (the label of a group)."""
        swept = [k for k in self.context if defines_scenario(k) and k in frame]
        if not swept:
            return frame["scenario"].astype(str)
        def one(row):
            vals = [f"{k.split('.')[-1]}={row[k]:g}" if isinstance(row[k], (int, float, np.number)) else
                    f"{k.split('.')[-1]}={row[k]}" for k in swept if pd.notna(row[k])]
            return row["scenario"] + (f" [{', '.join(vals)}]" if vals else "")
        return frame.apply(one, axis=1)

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
        "compare_to": cfg.get("compare_to"),
        "start_date": cfg.get("start_date"),
        "n_days": cfg.get("days"),
        "scale": cfg.get("population", {}).get("scale"),
        "region_file": cfg.get("population", {}).get("region_file", "pakistan"),
        "crossings_file": cfg.get("population", {}).get("crossings_file", "crossings"),
        "include_iran": bool(cfg.get("population", {}).get("include_iran", False)),
        "channels_off": "all" if len(off) == len(CHANNELS) else "+".join(off),
        "closure_start": start, "closure_end": end, "reopening_end": reopen,
        "created": man.get("created"),
        "calibration_member": man.get("calibration_member"),
        "commit": git.get("commit"), "dirty": git.get("dirty"),
        "model_version": (man.get("versions") or {}).get("border-closure-sim"),
        "versions": json.dumps(man.get("versions") or {}, sort_keys=True),
    }


def is_run_control(key: str) -> bool:
    """A run control (population scale, run length, start date, region files, ...): runs that differ in one are
    never compared or pooled, so it is part of a run's setting, never a swept parameter."""
    return kind_of(Config, key) == RUN


def context_keys(runs: pd.DataFrame) -> list[str]:
    """Swept parameters that take more than one value within some scenario (run controls excluded: they make
    settings, see :func:`setting_of`)."""
    candidates = [c for c in runs.columns if ("." in c or c in TOP_LEVEL_PARAMETERS)
                  and c not in NOT_PARAMETERS and not c.startswith(("channels.", CFG)) and not is_run_control(c)]
    return [c for c in candidates
            if (runs.groupby("scenario")[c].nunique(dropna=False) > 1).any()]


def order_scenarios(names) -> list[str]:
    """Display order: the baseline first, then the library's scenarios (``configs/scenario/``, by name), then
    any other scenario name by name."""
    names = set(names)
    library = [BASELINE, *(s for s in available_scenarios() if s != BASELINE)]
    return [s for s in library if s in names] + sorted(names - set(library))


def add_recruits_30d(ts: pd.DataFrame) -> pd.DataFrame:
    """Add ``recruits_30d``: recruits in the 30 days up to each day (fewer days at the start of a run), per run
    and district (:func:`sim.readouts.rolling_sum`)."""
    ts = ts.sort_values(["run_id", "day"], kind="stable").reset_index(drop=True)  # districts keep file order
    ts["recruits_30d"] = ts.groupby(["run_id", "district"], sort=False)["recruits"].transform(
        lambda v: rolling_sum(v.to_numpy(), 30))
    return ts


def split_settings(root: Path, runs: pd.DataFrame, context: list[str]) -> tuple[list[dict], list[str]]:
    """Group the runs by setting (:func:`setting_of`, with the model version): a list of groups (setting, run ids,
    label) ordered by size, and the keys in which settings differ."""
    swept = set(context)
    groups: dict[str, dict] = {}
    for run_id, version in zip(runs["run_id"], runs["model_version"]):
        man = read_manifest(root / run_id)
        drawn = man.get("calibration_drawn") or {}  # a posterior member's values: one setting across members
        setting = setting_of(man.get("config", {}), swept | set(drawn if isinstance(drawn, dict) else ()))
        setting["model_version"] = version
        key = json.dumps(setting, sort_keys=True, default=str)
        groups.setdefault(key, {"setting": setting, "runs": []})["runs"].append(run_id)
    out = sorted(groups.values(), key=lambda g: (-len(g["runs"]), json.dumps(g["setting"], sort_keys=True,
                                                                             default=str)))
    keys = sorted({k for g in out for k in g["setting"]}
                  - {k for k in out[0]["setting"] if all(g["setting"].get(k, "\0") == out[0]["setting"][k]
                                                         for g in out)})
    for g in out:
        g["label"] = _label(g["setting"], keys)
    return out, keys


def load(root: Path, setting: int | None = None) -> Results:
    """Load every complete run under ``root``; raise ResultsError when there is none, and
    :class:`MixedRunsError` when the runs fall into settings that cannot be compared (different scale, run length,
    parameters or model version) unless ``setting`` (1-based, largest first) picks one."""
    root = Path(root)
    runs, ts = load_results(root)  # raises ResultsError when there is no complete run
    meta = pd.DataFrame([_metadata(root, r) for r in runs["run_id"]])
    runs = runs.reset_index(drop=True)
    runs["scenario"] = meta.pop("scenario")  # the manifest's name (an override may rename a scenario)
    runs = pd.concat([runs, meta.drop(columns=[c for c in meta if c in runs])], axis=1)
    context = context_keys(runs)
    groups, differ = split_settings(root, runs, context)
    note = ""
    if len(groups) > 1 or setting not in (None, 1):
        listing = "; ".join(f"[{i}] {g['label']} ({len(g['runs'])} runs)" for i, g in enumerate(groups, 1))
        if setting is None:
            raise MixedRunsError(f"{root}: holds runs that cannot be compared (they differ in {', '.join(differ)}): "
                                 f"{listing}; report one with --setting N, or point at a directory holding one")
        if not 1 <= setting <= len(groups):
            raise MixedRunsError(f"--setting={setting}: one of 1..{len(groups)} ({listing})")
        chosen = groups[setting - 1]
        note = (f"This report covers setting [{setting}] {chosen['label']} ({len(chosen['runs'])} of {len(runs)} runs "
                f"under the directory); the others were left out, not pooled: "
                + "; ".join(f"[{i}] {g['label']} ({len(g['runs'])} runs)" for i, g in enumerate(groups, 1)
                            if i != setting) + ".")
        keep = set(chosen["runs"])
        runs = runs[runs["run_id"].isin(keep)].reset_index(drop=True)
        ts = ts[ts["run_id"].isin(keep)]
        runs = runs.drop(columns=[c for c in runs.columns if "." in c and runs[c].isna().all()])
        context = context_keys(runs)
        groups = [chosen]
    # swept keys that do not define a scenario pair on the value each run used (its resolved config): cfg:<key>
    for k in context:
        if not defines_scenario(k):
            runs[CFG + k] = [str(v) if pd.notna(v) else str(_config_value(root, rid, k))
                             for rid, v in zip(runs["run_id"], runs[k])]
    scenarios = order_scenarios(runs["scenario"])
    desc = (runs.drop_duplicates("scenario").set_index("scenario")["description"].fillna("").to_dict())
    compare, fallback = {}, []
    for scen in scenarios:
        if scen == BASELINE:
            continue
        own = runs.loc[runs["scenario"] == scen, "compare_to"].dropna()
        target = (own.iloc[0] if len(own) and own.iloc[0] else scenario_file_compare_to(scen)) or BASELINE
        present = set(runs.loc[runs["channels_off"] == "", "scenario"])
        if target not in present and BASELINE in present:
            fallback.append(f"{scen} (its compare_to, {target}, was not run)")
            target = BASELINE
        compare[scen] = target
    if fallback:
        note = (note + " " if note else "") + ("Compared with the baseline instead: " + "; ".join(fallback) + ".")
    scale = float(runs["scale"].dropna().iloc[0]) if runs["scale"].notna().any() else 1.0  # one per setting
    ts = ts.copy()
    for column in [c for c in ts.columns if counts_with_population(c)]:
        ts[column] = ts[column] / scale
    return Results(root=root, runs=runs, ts=add_recruits_30d(ts), context=context, scenarios=scenarios,
                   descriptions=desc, compare_to=compare, setting=groups[0]["setting"], setting_note=note,
                   scale=scale)


def structures(res: Results) -> list[Results]:
    """The runs under each combination of structural choices found in ``res`` (swept with, e.g.,
    ``finance.allocation_rule=payroll_first,proportional``), the combination of declared defaults first (else the
    one with most runs). Each is a :class:`Results` of its own with those choices in its ``setting``: every
    figure and table reads one of them, and runs under different structures are never pooled."""
    swept = [k for k in res.context if k in structural_choices()]
    if not swept:
        return [res]
    columns = [CFG + k for k in swept]
    default = tuple(str(structural_choices()[k].default) for k in swept)
    out = []
    for values, g in res.runs.groupby(columns, sort=False):
        values = tuple(str(v) for v in (values if isinstance(values, tuple) else (values,)))
        ids = set(g["run_id"])
        runs = res.runs[res.runs["run_id"].isin(ids)].reset_index(drop=True)
        context = [k for k in res.context if k not in swept
                   and (runs.groupby("scenario")[k].nunique(dropna=False) > 1).any()]
        out.append(replace(res, runs=runs, ts=res.ts[res.ts["run_id"].isin(ids)], context=context,
                           setting={**res.setting, **dict(zip(swept, values))}, comparisons=None))
    out.sort(key=lambda r: (tuple(r.setting[k] for k in swept) != default, -len(r.runs)))
    return out


def _config_value(root: Path, run_id: str, key: str):
    node = read_manifest(root / run_id).get("config", {})
    for part in key.split("."):
        node = node.get(part) if isinstance(node, dict) else None
    return node
