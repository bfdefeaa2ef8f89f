"""The paired evaluation: one seed, one parameter vector, a shared start, a branch per scenario; the effect
of each scenario against the one it is compared with, for every outcome at every horizon.

Outcomes and horizons are the report's (:mod:`experiments.outcomes`: closure end, +6 months,
+1 year, end of run; recruits, members, youth unemployment at its peak and in person-days, food
insecurity, jobs lost, traders who exited, spending). Effects are signed and scaled as there (``effect``:
scenario minus reference, times ``sign * factor``).
"""

from __future__ import annotations

import math
import time
from typing import Any

import numpy as np
import pandas as pd
from omegaconf import DictConfig, OmegaConf

from experiments.outcomes import BY_KEY, COLUMNS, HORIZON_LABELS, Window, run_outcomes
from sim.config import SCENARIO_DIR

PAIR_COLUMNS = ["scenario", "compared_to", "outcome", "horizon", "day", "value", "reference", "diff", "effect"]
RECORDED = [c for c in COLUMNS if c != "day"]  # the indicators the outcomes read: all an analysis run records


def window_of(cfg: DictConfig) -> Window:
    c = cfg.border.closure
    if c.duration_days <= 0 or c.start_day <= 0:
        return Window()
    end = c.start_day + c.duration_days
    return Window(float(c.start_day), float(end), float(end + c.reopening_days))


def effects(series: dict[str, pd.DataFrame], windows: dict[str, Window], compared_to: dict[str, str],
            days: int) -> pd.DataFrame:
    """Per scenario (not a reference itself): its outcomes minus its reference's, both at the scenario's
    horizons (the reference's closure mean is over the scenario's closed days)."""
    frames = []
    for scen, ref in compared_to.items():
        a = run_outcomes(series[scen], windows[scen], days)
        b = run_outcomes(series[ref], windows[scen], days)[["day", "outcome", "value"]]
        m = a.merge(b.rename(columns={"value": "reference"}), on=["day", "outcome"], how="inner")
        m["diff"] = m["value"] - m["reference"]
        m["effect"] = [BY_KEY[o].effect(d) for o, d in zip(m["outcome"], m["diff"])]
        frames.append(m.assign(scenario=scen, compared_to=ref))
    if not frames:
        return pd.DataFrame(columns=PAIR_COLUMNS)
    return pd.concat(frames, ignore_index=True)[PAIR_COLUMNS]


def scenario_config(job_cfg: DictConfig, scenario: str, theta: dict[str, Any], overrides: list[str]) -> DictConfig:
    """The config of ``scenario`` in a job: the job's config, the scenario file on top, then the parameter
    vector ``theta`` and the job's plain ``key=value`` command-line overrides (so a sampled value wins over a
    value the scenario file sets, e.g. ``state.ct_cooperation_multiplier``)."""
    from sim.config import Config

    base = OmegaConf.to_container(OmegaConf.masked_copy(job_cfg, [k for k in job_cfg if k not in
                                                                 ("hydra", "analysis", "point")]), resolve=True)
    cfg = OmegaConf.merge(OmegaConf.structured(Config), base, OmegaConf.load(SCENARIO_DIR / f"{scenario}.yaml"))
    for key, value in theta.items():
        OmegaConf.update(cfg, key, value, merge=True)
    for text in overrides:
        key, _, value = text.partition("=")
        if text.startswith(("+", "~")) or key.startswith("hydra") or key in ("scenario", "point", "replicate"):
            continue
        if OmegaConf.select(cfg, key, default="__missing__") == "__missing__":
            continue
        import yaml

        OmegaConf.update(cfg, key, yaml.safe_load(value), merge=True)
    return cfg


def compared_with(scenarios: list[str], reference: str) -> dict[str, str]:
    """Scenario -> what it is compared with: its own ``compare_to`` (scenario file) when set, else ``reference``."""
    out = {}
    for s in scenarios:
        if s == reference:
            continue
        own = OmegaConf.load(SCENARIO_DIR / f"{s}.yaml").get("compare_to", "") or reference
        out[s] = own
    return out


def evaluate(cfgs: dict[str, DictConfig], compared_to: dict[str, str], seed: int,
             record: list[str] | None = RECORDED) -> tuple[pd.DataFrame, dict]:
    """Run every scenario of ``cfgs`` (name -> config) at ``seed`` from one shared start where the configs
    allow it (scenarios that cannot share it run separately); return the effects and timings. The runs
    record only the indicators the outcomes read (``record``; None: every indicator, the same effects)."""
    from sim import BorderModel
    from sim.branching import BranchError, SharedStart, check_branchable

    t0 = time.perf_counter()
    names = list(cfgs)
    shared, alone = [names[0]], []
    for name in names[1:]:
        try:
            check_branchable([cfgs[names[0]], cfgs[name]])
            shared.append(name)
        except BranchError:
            alone.append(name)
    start = SharedStart([cfgs[n] for n in shared], seed=seed, record=record)
    series, info = {}, {"snapshot_day": start.day, "setup_seconds": round(start.setup_seconds, 3),
                        "branch_seconds": {}, "separate": alone}
    for i, m in start.branches():  # scenarios alike for longer share a longer trunk (closure_90d, closure_1y)
        series[shared[i]] = region(m)
        info["branch_seconds"][shared[i]] = round(m.branch_seconds, 3)
    for name in alone:
        t = time.perf_counter()
        m = BorderModel(config=cfgs[name], rng=seed, record=record).run()
        series[name] = region(m)
        info["branch_seconds"][name] = round(time.perf_counter() - t, 3)
    info["wall_seconds"] = round(time.perf_counter() - t0, 3)
    days = int(cfgs[names[0]].days)
    return effects(series, {n: window_of(c) for n, c in cfgs.items()}, compared_to, days), info


def region(model) -> pd.DataFrame:
    """A run's region-wide time series (district ALL)."""
    ts = model.timeseries()
    return ts[ts["district"] == "ALL"].reset_index(drop=True)


def horizon_order(names) -> list[str]:
    order = list(HORIZON_LABELS)
    return sorted(set(names), key=lambda n: order.index(n) if n in order else math.inf)


def is_finite(x) -> bool:
    return bool(np.isfinite(x))
