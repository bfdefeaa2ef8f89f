"""Tiny runs of the model shared by the mechanism tests (cached per session: treat them as read-only)."""

from __future__ import annotations

import functools

from sim import BorderModel
from sim.config import CHANNELS as ALL_CHANNELS


def only(*channels: str) -> dict[str, bool]:
    """Flat keyword overrides switching every channel off except ``channels``."""
    return {f"channels__{c}": c in channels for c in ALL_CHANNELS}


@functools.lru_cache(maxsize=64)
def _cached_run(scenario: str, scale: float, days: int, seed: int, items: tuple):
    kwargs = {k: list(v) if isinstance(v, tuple) else v for k, v in items}
    return BorderModel(scenario, population_scale=scale, days=days, rng=seed, **kwargs).run()


def run_model(scenario: str = "baseline", scale: float = 0.01, days: int = 60, seed: int = 0, **overrides):
    """Build and run a model (cached: treat the result as read-only)."""
    items = tuple(sorted((k, tuple(v) if isinstance(v, list) else v) for k, v in overrides.items()))
    return _cached_run(scenario, scale, days, seed, items)


def region(model, start: int = 1):
    """The region's rows (district ``ALL``) of a run's time series from day ``start``."""
    ts = model.timeseries()
    return ts[(ts["district"] == "ALL") & (ts["day"] >= start)].reset_index(drop=True)
