"""The ``analysis`` section of ``python -m experiments.analyze`` (presets in ``configs/analysis/*.yaml``).

The analysis command composes ``configs/analyze.yaml``: the same scenario, sweeper and output settings as
``experiments.run`` (``configs/common.yaml``) on the schema :class:`AnalyzeConfig` (the model's ``Config``
plus ``analysis`` and ``point``), which :func:`register` stores in Hydra's ConfigStore as ``analyze_config``. The model itself always
receives a plain ``sim.config.Config`` (:func:`experiments.analysis.pairs.scenario_config`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Dict, List

from experiments.outcomes import ONE_YEAR_AFTER
from sim.config import Config

METHODS = ("morris", "sobol", "lhs")


@dataclass
class MorrisConf:
    r: int = 10  # trajectories
    levels: int = 4  # grid levels (p)
    seed: int = 0  # seed of the trajectories
    num_resamples: int = 1000  # bootstrap resamples of the mu* interval
    conf_level: float = 0.95
    partial: bool = False  # with jobs missing, compute the indices on the complete trajectories (column r)


@dataclass
class SobolConf:
    n: int = 64  # base sample N (a power of 2): N (k + 2) runs per replicate, k factors
    seed: int = 0
    num_resamples: int = 1000
    conf_level: float = 0.95
    screen: str = ""  # a morris_indices.csv: keep its top parameters (empty: use analysis.parameters)
    top: int = 8  # how many parameters of the screening to keep (by mu* over the screened outcome)
    screen_outcome: str = "recruits"
    screen_scenario: str = ""  # empty: every scenario of the screening


@dataclass
class LhsConf:
    n: int = 64  # points of the Latin hypercube
    seed: int = 0


@dataclass
class PrimConf:
    scenario: str = "closure_90d"  # whose effect is explained
    outcome: str = "recruits"
    horizon: str = ONE_YEAR_AFTER.label
    threshold: float = 0.0  # a case of interest: effect > threshold (raises), effect < -threshold (lowers)
    peel_alpha: float = 0.05
    mass_min: float = 0.05
    min_density: float = 0.8  # the reported box: most coverage with at least this density


@dataclass
class AnalysisConf:
    name: str = ""
    method: str = "morris"  # morris, sobol or lhs (lhs runs PRIM and CART)
    reference: str = "baseline"  # what a scenario without its own compare_to is compared with
    scenarios: List[str] = field(default_factory=lambda: ["closure_90d"])
    parameters: List[str] = field(default_factory=list)  # keys or patterns of the uncertainty space; empty: all
    exclude: List[str] = field(default_factory=list)
    ranges: Dict[str, Any] = field(default_factory=dict)  # key -> [low, high] narrowing a plausible range
    group_by: str = "parameter"  # parameter, field or section (Morris/Sobol factors)
    outcomes: List[str] = field(default_factory=list)  # outcome keys analysed; empty: all
    launch: bool = True  # false: run no job, only compute the indices from the complete jobs in hydra.sweep.dir
    morris: MorrisConf = field(default_factory=MorrisConf)
    sobol: SobolConf = field(default_factory=SobolConf)
    lhs: LhsConf = field(default_factory=LhsConf)
    prim: PrimConf = field(default_factory=PrimConf)


@dataclass
class AnalyzeConfig(Config):
    analysis: AnalysisConf = field(default_factory=AnalysisConf)
    point: int = -1  # the design point a job evaluates (row of DIR/analysis/design.csv)


SCHEMA = "analyze_config"  # the name configs/analyze.yaml composes; the model's own base_config is left as it is


def register() -> None:
    """Register the analysis schema under its own name (idempotent); ``base_config``, which a plain run
    composes, is not touched."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name=SCHEMA, node=AnalyzeConfig)
