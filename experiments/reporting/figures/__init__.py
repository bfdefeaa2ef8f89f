"""The report's figures, in order. Each builder takes (Results, styles) and returns an Output or raises Skip."""

from __future__ import annotations

from functools import partial

from .channels import channel_decomposition
from .common import FigureSpec, Output, Skip
from .districts import district_map, district_small_multiples
from .headline import horizon_effects, mitigations
from .sweep import dose_response, sweep_heatmap
from .timeseries import paired_differences, scenario_timeseries

BUILDERS = [
    ("1", "scenario time series", scenario_timeseries),
    ("2", "paired differences vs baseline", paired_differences),
    ("3", "effects at fixed horizons", horizon_effects),
    ("4", "mitigations against their own closure", mitigations),
    ("5a", "district small multiples", district_small_multiples),
    ("5b", "district schematic", district_map),
    ("6", "sweep heatmap", sweep_heatmap),
    ("7", "dose-response", dose_response),
    ("8", "channel decomposition", channel_decomposition),
]


def builders(map_metric: str = "youth_unemployment_rate") -> list:
    """(number, name, builder) for every figure; ``map_metric`` colours the district map."""
    return [(n, name, partial(f, colour_metric=map_metric) if f is district_map else f) for n, name, f in BUILDERS]


__all__ = ["BUILDERS", "builders", "FigureSpec", "Output", "Skip"]
