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

``method: factorial`` takes every combination of the values listed under each key
(``border.closure.duration_days: [30, 90, 365]``; ``n`` and ``seed`` are not used).

**Paired with a baseline.** The special key ``scenario`` lists the scenarios the points
apply to (every point is crossed with each)::

      ranges:
        scenario: [baseline, closure_90d]
        border.closure.duration_days: [30, 90, 365]

A scenario without a closure (``baseline``) takes none of the design's scenario inputs
and policy levers (they would describe a closure it does not have, and validation rejects
a closure length without a start day): it runs once per replicate (once per combination
of the design's other keys, if any), so every closure run of a replicate has a baseline
run with its seed and no job fails. The scenarios then come from the design, not from
``hydra.sweeper.params`` or the command line.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim.config import ConfigError

METHODS = ("lhs", "sobol", "factorial")
KEY = "hydra.sweeper.design"
SCENARIO = "scenario"  # the special design key: the scenarios every point applies to


def _list(value) -> list | None:
    return list(value) if isinstance(value, (list, tuple)) or OmegaConf.is_list(value) else None


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool)


def _ranges(design) -> list[tuple[str, float, float, bool]]:
    """(key, low, high, integer) of every sampled key (lhs, sobol); for factorial, use :func:`_levels`."""
    ranges = {k: v for k, v in (design.get("ranges") or {}).items() if k != SCENARIO}
    _require(len(ranges) > 0, "ranges", dict(ranges), "a mapping of config keys to [low, high]")
    out = []
    for key, bounds in ranges.items():
        b = _list(bounds)
        if design.get("method") == "factorial":
            ok = b is not None and len(b) >= 1 and all(_number(v) or isinstance(v, str) for v in b)
            _require(ok, f"ranges.{key}", bounds, "a list of values, e.g. [30, 90, 365]")
            nums = [v for v in b if _number(v)]
            out.append((str(key), min(nums, default=0), max(nums, default=0), all(isinstance(v, int) for v in b)))
            continue
        ok = b is not None and len(b) == 2 and all(_number(v) for v in b)
        _require(ok and b[0] <= b[1], f"ranges.{key}", bounds, "[low, high] with numbers low <= high")
        out.append((str(key), b[0], b[1], all(isinstance(v, int) for v in b)))
    return out


def _scenarios(design) -> list[str]:
    """The design's ``scenario`` list (empty: the scenario comes from the command line or the grid)."""
    value = (design.get("ranges") or {}).get(SCENARIO)
    if value is None:
        return []
    names = _list(value)
    from sim.config import available_scenarios

    known = available_scenarios()
    _require(names is not None and len(names) > 0 and all(isinstance(n, str) and n in known for n in names),
             f"ranges.{SCENARIO}", value, "a list of scenarios of configs/scenario/: " + ", ".join(known))
    return [str(n) for n in names]


def _require(cond: bool, key: str, value: Any, allowed: str) -> None:
    if not cond:
        raise ConfigError(f"{KEY}.{key}", value, allowed)


def check_design(design, cfg: DictConfig | None = None) -> None:
    """Raise ConfigError on a bad design block; with ``cfg``, also on keys that are not config keys."""
    method = design.get("method")
    _require(method in METHODS, "method", method, "lhs or sobol (sampled), or factorial (every combination of "
                                                  "listed values)")
    _scenarios(design)
    if method == "factorial":
        _ranges(design)
        if cfg is not None:
            _check_keys(design, cfg)
        return
    n = design.get("n")
    _require(isinstance(n, int) and not isinstance(n, bool) and n >= 1, "n", n, "an integer >= 1")
    if method == "sobol":
        _require(n & (n - 1) == 0, "n", n, "a power of 2 for a Sobol design (e.g. 16, 32, 64)")
    seed = design.get("seed", 0)
    _require(isinstance(seed, int) and seed >= 0, "seed", seed, "an integer >= 0")
    _ranges(design)
    if cfg is not None:
        _check_keys(design, cfg)


def _check_keys(design, cfg: DictConfig) -> None:
    for key, *_ in _ranges(design):
        _require(OmegaConf.select(cfg, key, default="__missing__") != "__missing__", f"ranges.{key}", key,
                 "a config key (see sim/config.py)")


def check_design_keys(design, taken: set[str]) -> None:
    """A design key may not also be set on the command line or in ``hydra.sweeper.params``."""
    keys = [k for k, *_ in _ranges(design)] + ([SCENARIO] if _scenarios(design) else [])
    for key in keys:
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


def _is_scenario_key(key: str) -> bool:
    """A scenario input or policy lever: what a scenario without a closure does not take."""
    from sim.config import Config
    from sim.params import POLICY, SCENARIO as SCENARIO_KIND, kind_of

    return kind_of(Config, key) in (SCENARIO_KIND, POLICY)


def _has_closure(scenario: str) -> bool:
    from sim.config import load_config

    closure = load_config(scenario).border.closure
    return closure.duration_days > 0


def design_points(design) -> list[dict[str, int | float | str]]:
    """The design's points, each a mapping config key -> value (validated first). With a ``scenario`` list, every
    point is crossed with each scenario, and a scenario without a closure gets one point per combination of the
    design's keys that are not scenario inputs or policy levers (see the module docstring)."""
    check_design(design)
    ranges = _ranges(design)
    if design["method"] == "factorial":
        import itertools

        levels = [(k, _list(design["ranges"][k])) for k, *_ in ranges]
        points = [dict(zip([k for k, _ in levels], combo)) for combo in itertools.product(*[v for _, v in levels])]
    else:
        u = unit_sample(design["method"], design["n"], len(ranges), design.get("seed", 0))
        points = [{key: _value(float(u[i, j]), lo, hi, integer) for j, (key, lo, hi, integer) in enumerate(ranges)}
                  for i in range(len(u))]
    scenarios = _scenarios(design)
    if not scenarios:
        return points
    out: list[dict] = []
    for scen in scenarios:
        if _has_closure(scen):
            out += [{SCENARIO: scen, **p} for p in points]
        else:
            kept = [{k: v for k, v in p.items() if not _is_scenario_key(k)} for p in points]
            unique = list({tuple(sorted(p.items())): p for p in kept}.values())
            out += [{SCENARIO: scen, **p} for p in unique]
    return out
