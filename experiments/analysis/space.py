"""The uncertainty space of an analysis, from the parameter declarations, and designs over it.

Rules:

- The space is :func:`sim.params.uncertainty_space` of the schema: the plausible range of every
  *empirical* parameter and the options of every *structural choice* (categorical). Scenario inputs,
  policy levers, design switches and run controls are never in it (switches decompose a result; they
  are not uncertainties).
- An analysis may name a subset (``analysis.parameters``: keys, or ``section.*`` for every key of a
  section; empty = the whole space), drop keys (``analysis.exclude``), and narrow a range
  (``analysis.ranges``: ``key: [low, high]`` within its valid range). A key that is not in the space,
  a range with low >= high, or one outside the valid range is bad input (:class:`ConfigError`).
- Sampling is done in the unit cube (SALib or scipy), then mapped per parameter: ``uniform`` linearly,
  ``loguniform`` in log space, ``integer`` to the integers low..high (each equally likely),
  ``categorical`` to one of the options (each equally likely; Morris and Sobol treat the option index as
  an ordered factor, as EMA Workbench does with SALib).
- ``group_by: field`` makes the same field of every list item one Morris/Sobol factor (both groups'
  ``pay_pkr`` move together), ``section`` one factor per config section (structural choices stay single factors, and the militant
  groups' own parameters, ``recruitment.groups.*``, are a section of their own); ``parameter`` (default) one
  factor per key. Groups shrink a Morris design from r·(k+1) to r·(g+1) runs.
"""

from __future__ import annotations

import fnmatch
import math
import re
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sim.config import Config, ConfigError
from sim.params import entries, schema_key, uncertainty_space

GROUP_BY = ("parameter", "field", "section")


@dataclass(frozen=True)
class Factor:
    key: str
    low: float | None
    high: float | None
    distribution: str
    choices: tuple[str, ...] | None
    unit: str
    default: Any

    def value(self, u: float) -> Any:
        """The parameter value at ``u`` in [0, 1]."""
        u = min(max(float(u), 0.0), 1.0)
        if self.distribution == "categorical":
            return self.choices[min(int(u * len(self.choices)), len(self.choices) - 1)]
        if self.distribution == "integer":
            lo, hi = int(self.low), int(self.high)
            return int(min(hi, math.floor(lo + u * (hi - lo + 1))))
        if self.distribution == "loguniform":
            return float(f"{math.exp(math.log(self.low) + u * (math.log(self.high) - math.log(self.low))):.6g}")
        return float(f"{self.low + u * (self.high - self.low):.6g}")

    def code(self, value: Any) -> float:
        """A value as a number (categorical: its option index), for PRIM/CART and plots."""
        if self.distribution == "categorical":
            return float(self.choices.index(value))
        return float(value)


def _valid(key: str):
    name = schema_key(key)
    return next((e for e in entries(Config) if e.key == name), None)


def build_space(parameters: list[str] | None = None, exclude: list[str] | None = None,
                ranges: dict[str, Any] | None = None) -> list[Factor]:
    """The factors of an analysis (see the module docstring); raises ConfigError on bad input."""
    full = {d["key"]: d for d in uncertainty_space(Config)}
    keys = list(full)
    if parameters:
        chosen: list[str] = []
        for pattern in parameters:
            hit = [k for k in keys if fnmatch.fnmatchcase(k, str(pattern))]
            if not hit:
                raise ConfigError("analysis.parameters", str(pattern), "keys of the uncertainty space (empirical "
                                  "and structural-choice parameters; python -m experiments.params --uncertainty)")
            chosen += [k for k in hit if k not in chosen]
        keys = chosen
    for pattern in exclude or []:
        if not any(fnmatch.fnmatchcase(k, str(pattern)) for k in full):
            raise ConfigError("analysis.exclude", str(pattern), "keys of the uncertainty space")
        keys = [k for k in keys if not fnmatch.fnmatchcase(k, str(pattern))]
    out = {k: dict(full[k]) for k in keys}
    for key, bounds in (ranges or {}).items():
        key = str(key)
        if key not in full:
            raise ConfigError(f"analysis.ranges.{key}", bounds, "a key of the uncertainty space")
        if full[key]["distribution"] == "categorical":
            b = list(bounds) if bounds is not None else []
            if not b or any(c not in full[key]["choices"] for c in b):
                raise ConfigError(f"analysis.ranges.{key}", b, "a non-empty list of " + ", ".join(full[key]["choices"]))
            out.setdefault(key, dict(full[key]))["choices"] = b
            continue
        b = list(bounds) if isinstance(bounds, (list, tuple)) else None
        ok = b is not None and len(b) == 2 and all(isinstance(v, (int, float)) and not isinstance(v, bool)
                                                    and math.isfinite(v) for v in b)
        if not ok or not b[0] < b[1]:
            raise ConfigError(f"analysis.ranges.{key}", bounds, "[low, high] with numbers low < high (a non-empty "
                              "range)")
        entry = _valid(key)
        if entry is not None and entry.spec.valid is not None and (b[0] not in entry.spec.valid
                                                                   or b[1] not in entry.spec.valid):
            raise ConfigError(f"analysis.ranges.{key}", bounds, f"a range within the valid range {entry.spec.valid}")
        if full[key]["distribution"] == "loguniform" and b[0] <= 0:
            raise ConfigError(f"analysis.ranges.{key}", bounds, "low > 0 (a log-uniform parameter)")
        out.setdefault(key, dict(full[key])).update(low=b[0], high=b[1])
    if not out:
        raise ConfigError("analysis.parameters", list(parameters or []), "at least one parameter of the space")
    return [Factor(k, d["low"], d["high"], d["distribution"], tuple(d["choices"]) if d["choices"] else None,
                   d["unit"], d["default"]) for k, d in out.items()]


def group_of(key: str, group_by: str, categorical: bool = False) -> str:
    if group_by == "section":  # a structural choice stays its own factor; the militant groups' own parameters
        if categorical:        # (members, pay, capacity, taxes, funds) are a section apart from the logit and reach
            return key
        return "recruitment.groups" if key.startswith("recruitment.groups.") else key.split(".")[0]
    if group_by == "field":
        return re.sub(r"\.\d+\.", ".*.", key)
    return key


def problem(factors: list[Factor], group_by: str = "parameter") -> dict[str, Any]:
    """A SALib problem over the unit cube (values are mapped by :meth:`Factor.value`)."""
    if group_by not in GROUP_BY:
        raise ConfigError("analysis.group_by", group_by, "one of " + ", ".join(GROUP_BY))
    prob = {"num_vars": len(factors), "names": [f.key for f in factors], "bounds": [[0.0, 1.0]] * len(factors)}
    groups = [group_of(f.key, group_by, f.distribution == "categorical") for f in factors]
    if group_by != "parameter" and len(set(groups)) < len(factors):
        prob["groups"] = groups
    return prob


def unit_design(method: str, factors: list[Factor], settings: Any, group_by: str = "parameter") -> np.ndarray:
    """(n, k) points in the unit cube: Morris trajectories, Saltelli/Sobol' points or a Latin hypercube."""
    prob = problem(factors, group_by)
    if method == "morris":
        from SALib.sample import morris as morris_sample

        return morris_sample.sample(prob, N=int(settings.r), num_levels=int(settings.levels), seed=int(settings.seed))
    if method == "sobol":
        from SALib.sample import sobol as sobol_sample

        return sobol_sample.sample(prob, int(settings.n), calc_second_order=False, scramble=True,
                                   seed=int(settings.seed))
    if method == "lhs":
        from scipy.stats import qmc

        return qmc.LatinHypercube(d=len(factors), rng=int(settings.seed)).random(int(settings.n))
    raise ConfigError("analysis.method", method, "morris, sobol or lhs")


def design_table(factors: list[Factor], unit: np.ndarray) -> pd.DataFrame:
    """One row per point: ``point`` and each parameter's value (what the runs use)."""
    data = {"point": np.arange(len(unit))}
    for j, f in enumerate(factors):
        data[f.key] = [f.value(u) for u in unit[:, j]]
    return pd.DataFrame(data)


def unit_table(factors: list[Factor], unit: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame(unit, columns=[f.key for f in factors]).assign(point=np.arange(len(unit)))[
        ["point", *[f.key for f in factors]]]


def space_table(factors: list[Factor]) -> pd.DataFrame:
    return pd.DataFrame([{"parameter": f.key, "low": f.low, "high": f.high, "distribution": f.distribution,
                          "choices": ";".join(f.choices) if f.choices else "", "unit": f.unit,
                          "default": f.default} for f in factors])
