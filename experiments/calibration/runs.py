"""One calibration run: the model at given parameter values and seed, observed as the targets define."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from .targets import Target, TargetFile


@dataclass(frozen=True)
class RunSettings:
    """Scale and length of the calibration runs (targets are in 1:1 units whatever the scale)."""

    scale: float = 0.05
    days: int = 180


def pool(workers: int):
    """A process pool for calibration runs (spawned: the parent may hold threads)."""
    import multiprocessing as mp

    return mp.get_context("spawn").Pool(workers)


def run_model(scenario: str, values: dict[str, Any], seed: int, scale: float, days: int):
    """Region time series (district ``ALL``) and group table of one run with ``values`` (dotted keys)."""
    from sim import BorderModel

    overrides = {key.replace(".", "__"): value for key, value in values.items()}
    model = BorderModel(scenario, population_scale=scale, days=days, rng=int(seed), **overrides).run()
    ts = model.timeseries()
    return ts[ts["district"] == "ALL"].reset_index(drop=True), model.group_frame()


def observe(targets: dict[str, Target], region: pd.DataFrame, groups: pd.DataFrame, scale: float) -> dict[str, float]:
    return {name: t.observe(region, groups, scale) for name, t in targets.items()}


def simulate(targets: TargetFile, values: dict[str, Any], seed: int, settings: RunSettings,
             names: list[str] | None = None) -> dict[str, float]:
    """Every (or the named) fitted target's simulated value for one parameter vector and seed."""
    chosen = targets.select(names)
    region, groups = run_model(targets.scenario, values, seed, settings.scale, min(settings.days, targets.days))
    return observe(chosen, region, groups, settings.scale)
