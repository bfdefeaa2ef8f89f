"""A sweep's grid: the product of its swept overrides, as Hydra's basic sweeper expands it, with a bound.

``a=1,2 b=x,y`` gives ``[a=1 b=x], [a=1 b=y], [a=2 b=x], [a=2 b=y]`` (the last key varies fastest; a key
given twice keeps its last value, at its first position). ``range(start, stop, step)`` is a list of values.
Continuous sweeps (``interval(...)``) and grids of more than :data:`MAX_JOBS` jobs are refused with one
line before any job is expanded, so no list is built that could exhaust memory.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from itertools import islice, product
from math import prod

from sim.config import ConfigError

MAX_JOBS = 100_000  # jobs of one sweep (replicates x design points x grid); the replicates key allows as many


def values(override) -> list[str]:
    """The ``key=value`` strings of one parsed override (a single one unless it is a discrete sweep)."""
    key = override.get_key_element()
    if not override.is_sweep_override():
        return [f"{key}={override.get_value_element_as_str()}"]
    if not override.is_discrete_sweep():
        raise ConfigError(key, override.input_line.partition("=")[2] if override.input_line else None,
                          "a value or a list of values (a,b,c or range(start, stop, step)); a continuous range "
                          "is sampled by a design (hydra.sweeper.design, see docs/sweeps.md)")
    found = list(islice(override.sweep_iterator(), MAX_JOBS + 1))
    given = override.input_line.partition("=")[2] if override.input_line else None
    if len(found) > MAX_JOBS:
        raise too_many(key, given)
    seen: dict[object, object] = {}
    for value in found:  # 1 and 01 are one value once the config converts them: the same run twice
        same = number(value)
        if same in seen:
            raise ConfigError(key, given, f"distinct values ({seen[same]} and {value} are the same)")
        seen[same] = value
    return [f"{key}={v}" for v in islice(override.sweep_string_iterator(), MAX_JOBS)]


def number(value: object) -> object:
    """A value as a number when it reads as one (so ``01`` equals ``1``), else its text."""
    try:
        return float(str(value))
    except ValueError:
        return str(value)


def too_many(key: str, given: object, count: int | None = None) -> ConfigError:
    counted = f" ({count:,} jobs)" if count else ""
    return ConfigError(key, given, f"a sweep of at most {MAX_JOBS:,} jobs{counted}: split it into several sweeps")


def grid(overrides: Sequence, multiplier: int = 1) -> list[list[str]]:
    """Every combination of the parsed ``overrides`` in Hydra's order; ConfigError when it, times
    ``multiplier`` (replicates x design points), exceeds :data:`MAX_JOBS`."""
    axes: dict[str, list[str]] = {}
    for override in overrides:
        axes[override.get_key_element()] = values(override)
    count = prod(len(v) for v in axes.values()) * max(1, multiplier)
    if count > MAX_JOBS:
        longest = max(axes, key=lambda k: len(axes[k]), default="replicates")
        raise too_many(longest, ",".join(v.partition("=")[2] for v in axes.get(longest, [])[:3]) + ",...", count)
    return [list(combo) for combo in product(*axes.values())]


def chunks(jobs: list, size: int | None) -> Iterable[list]:
    """``jobs`` in batches of ``size`` (None or -1: one batch)."""
    size = len(jobs) if size in (None, -1) else size
    for i in range(0, len(jobs), size):
        yield jobs[i:i + size]
