"""Shared fixtures: tiny runs of the model, cached per session."""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim import BorderModel  # noqa: E402

from sim.config import CHANNELS as ALL_CHANNELS  # noqa: E402


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
    ts = model.timeseries()
    return ts[(ts["district"] == "ALL") & (ts["day"] >= start)].reset_index(drop=True)


@pytest.fixture
def tiny():
    return run_model
