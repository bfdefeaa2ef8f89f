"""Sampled designs: Latin hypercube and Sobol points over named parameter ranges.

A design is declared in a sweep preset (``configs/sweep/*.yaml``) under
``hydra.sweeper.design``::

    design:
      method: lhs          # lhs (Latin hypercube) or sobol (scrambled; n a power of 2)
      n: 32                # number of points
      seed: 0              # seed of the sampler (the design is the same for the same seed)
      ranges:              # config key -> [low, high]; integer bounds give integer values
        border.closure.duration_days: [30, 365]
        border.closure.informal_throughput: [0.05, 0.5]

Each point becomes one set of explicit ``key=value`` overrides (zipped, not a
product), so the swept values land in every run's ``.hydra/overrides.yaml`` and in
``runs.parquet`` like any other swept parameter. Integer ranges are sampled
uniformly over the integers low..high; real values are rounded to 6 significant digits.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError

METHODS = ("lhs", "sobol")
KEY = "hydra.sweeper.design"


def _ranges(design) -> list[tuple[str, float, float, bool]]:
    ranges = design.get("ranges") or {}
    _require(len(ranges) > 0, "ranges", dict(ranges), "a mapping of config keys to [low, high]")
    out = []
    for key, bounds in ranges.items():
        b = list(bounds) if isinstance(bounds, (list, tuple)) or OmegaConf.is_list(bounds) else None
        ok = b is not None and len(b) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in b)
        _require(ok and b[0] <= b[1], f"ranges.{key}", bounds, "[low, high] with numbers low <= high")
        out.append((str(key), b[0], b[1], all(isinstance(v, int) for v in b)))
    return out


def _require(cond: bool, key: str, value: Any, allowed: str) -> None:
    if not cond:
        raise ConfigError(f"{KEY}.{key}", value, allowed)


def check_design(design, cfg: DictConfig | None = None) -> None:
    """Raise ConfigError on a bad design block; with ``cfg``, also on keys that are not config keys."""
    method = design.get("method")
    _require(method in METHODS, "method", method, " or ".join(METHODS))
    n = design.get("n")
    _require(isinstance(n, int) and not isinstance(n, bool) and n >= 1, "n", n, "an integer >= 1")
    if method == "sobol":
        _require(n & (n - 1) == 0, "n", n, "a power of 2 for a Sobol design (e.g. 16, 32, 64)")
    seed = design.get("seed", 0)
    _require(isinstance(seed, int) and seed >= 0, "seed", seed, "an integer >= 0")
    ranges = _ranges(design)
    if cfg is not None:
        for key, *_ in ranges:
            _require(OmegaConf.select(cfg, key, default="__missing__") != "__missing__", f"ranges.{key}", key,
                     "a config key (see sim/config.py)")


def check_design_keys(design, taken: set[str]) -> None:
    """A design key may not also be set on the command line or in ``hydra.sweeper.params``."""
    for key, *_ in _ranges(design):
        _require(key not in taken, f"ranges.{key}", key, "a key not also set on the command line or in "
                                                        "hydra.sweeper.params")


def unit_sample(method: str, n: int, d: int, seed: int) -> np.ndarray:
    """(n, d) points in the unit cube from scipy.stats.qmc."""
    from scipy.stats import qmc

    if method == "lhs":
        return qmc.LatinHypercube(d=d, rng=seed).random(n)
    return qmc.Sobol(d=d, scramble=True, rng=seed).random_base2(int(math.log2(n)))


def _value(u: float, low: float, high: float, integer: bool) -> int | float:
    if integer:
        return int(min(high, math.floor(low + u * (high - low + 1))))
    return float(f"{low + u * (high - low):.6g}")


def design_points(design) -> list[dict[str, int | float]]:
    """The design's points, each a mapping config key -> value (validated first)."""
    check_design(design)
    ranges = _ranges(design)
    u = unit_sample(design["method"], design["n"], len(ranges), design.get("seed", 0))
    return [{key: _value(float(u[i, j]), lo, hi, integer) for j, (key, lo, hi, integer) in enumerate(ranges)}
            for i in range(len(u))]
