"""The report's figures, in order. Each builder takes (Results, styles) and returns an Output or raises Skip."""

from __future__ import annotations

from functools import partial

from .channels import channel_decomposition
from .common import FigureSpec, Output, Skip
from .districts import district_map, district_small_multiples
from .headline import cost_effectiveness, headline_comparison
from .sweep import dose_response, sweep_heatmap
from .timeseries import paired_differences, scenario_timeseries

BUILDERS = [
    ("1", "scenario time series", scenario_timeseries),
    ("2", "paired differences vs baseline", paired_differences),
    ("3", "headline comparison", headline_comparison),
    ("4", "mitigation cost-effectiveness", cost_effectiveness),
    ("5a", "district small multiples", district_small_multiples),
    ("5b", "district bubble map", district_map),
    ("6", "sweep heatmap", sweep_heatmap),
    ("7", "dose-response", dose_response),
    ("8", "channel decomposition", channel_decomposition),
]


def builders(map_metric: str = "youth_unemployment_rate") -> list:
    """(number, name, builder) for every figure; ``map_metric`` colours the district map."""
    return [(n, name, partial(f, colour_metric=map_metric) if f is district_map else f) for n, name, f in BUILDERS]


__all__ = ["BUILDERS", "builders", "FigureSpec", "Output", "Skip"]
