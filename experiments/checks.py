"""Checks of a composed config beyond the declared ranges (:mod:`sim.params`), shared by every command.

A config is checked in two steps, each raising :class:`sim.config.ConfigError` (one line: key, value, what is
allowed): :func:`check_keys` (interpolations that resolve, no undeclared key), then :func:`check_values`
(declared ranges, the region files and the names that refer to them, names that become paths, a population
large enough to be a model and small enough to fit in memory). :func:`validate_with_region` runs both.
"""

from __future__ import annotations

import dataclasses
import difflib
import re
import typing
from pathlib import Path
from typing import Any

from omegaconf import DictConfig

from experiments.calibration.posterior import DRAWS, RunConfig
from sim.config import ConfigError, omegaconf_error, validate
from sim.params import entries

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")
# memory of a run (measured on model 0.7.0 with ru_maxrss, scales 0.05-0.2, 8-100 contacts; rounded up):
BASE_BYTES = 250 * 2**20  # the interpreter, numpy, pandas, Mesa and the model's fixed tables
PERSON_BYTES = 150  # per working-age person, besides contacts
CONTACT_BYTES = 13  # per contact while the contact network is built (float64 draw + int32 + mask)
DAY_BYTES = 4096  # per simulated day (the daily records)


def resolve_interpolations(cfg: DictConfig) -> None:
    """ConfigError for the first interpolation that does not resolve (``${oc.env:NOPE}``, ``${nope}``)."""
    from omegaconf import OmegaConf

    body = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])
    try:
        OmegaConf.to_container(body, resolve=True)
    except Exception as exc:
        key = getattr(exc, "full_key", None) or "config"
        raw = None
        try:
            parent, _, last = key.rpartition(".")
            raw = (OmegaConf.select(body, parent) if parent else body)._get_node(last)._value()
        except Exception:
            pass
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConfigError(key, raw, f"an interpolation that resolves ({first})") from None


def unknown_key(cfg: DictConfig) -> tuple[str, Any] | None:
    """The first key of ``cfg`` that the schema does not declare (e.g. added with ``+key=``), with its value."""
    from omegaconf import OmegaConf

    def walk(node: Any, cls: type, prefix: str) -> tuple[str, Any] | None:
        hints = typing.get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        for key, value in node.items():
            if key not in names:
                key = f"{prefix}{key}"
                while isinstance(value, dict) and len(value) == 1:  # name the leaf the command line gave
                    (inner, value), = value.items()
                    key = f"{key}.{inner}"
                return key, value
            tp, args = hints[key], typing.get_args(hints[key])
            if dataclasses.is_dataclass(tp) and isinstance(value, dict):
                found = walk(value, tp, f"{prefix}{key}.")
            elif (typing.get_origin(tp) is list and args and dataclasses.is_dataclass(args[0])
                  and isinstance(value, list)):
                found = next((f for i, item in enumerate(value) if isinstance(item, dict)
                              and (f := walk(item, args[0], f"{prefix}{key}.{i}."))), None)
            else:
                found = None
            if found:
                return found
        return None

    body = OmegaConf.to_container(OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]), resolve=False)
    return walk(body, RunConfig, "")


def not_a_key(key: str, value: Any) -> ConfigError:
    """The one line for a key the schema does not declare, with the closest declared key if one is close."""
    keys = [e.key for e in entries(RunConfig)]
    close = difflib.get_close_matches(key, keys, n=1, cutoff=0.6)
    if not close:  # a misspelt section: compare its first part with the sections
        head, _, rest = key.partition(".")
        sections = sorted({k.partition(".")[0] for k in keys})
        close = [f"{s}.{rest}" if rest else s for s in difflib.get_close_matches(head, sections, n=1, cutoff=0.6)]
    hint = f"; did you mean {close[0]}?" if close else ""
    return ConfigError(key, value, f"not a config key{hint} (python -m experiments.params lists every key)")



def check_run_names(cfg: DictConfig) -> None:
    """Names that become paths (``scenario_name`` names the run directory) are plain names: no '/', no '..'."""
    name = str(cfg.scenario_name)
    if not SAFE_NAME.fullmatch(name) or ".." in name:
        raise ConfigError("scenario_name", name, "a name of letters, digits and . _ + - (it names the run "
                                                 "directory: no '/', '..' or spaces)")


def available_memory() -> int | None:
    """Bytes this process could still allocate: MemAvailable, or less under a cgroup memory limit."""
    avail = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = int(Path("/sys/fs/cgroup/memory.current").read_text())
            avail = min(avail or 2**62, int(limit) - used)
    except (OSError, ValueError):
        pass
    return avail


def gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def memory_needed(cfg: DictConfig, region) -> tuple[int, int]:
    """(bytes a run needs at most, working-age people) from the region, scale, contacts and days, before building."""
    from sim.population import district_counts

    pop, households = district_counts(region, float(cfg.population.scale))
    people = int(pop.sum() * float(cfg.population.working_age_share) + households.sum())  # >= 1 per household
    k = int(cfg.population.contacts_per_person)
    return BASE_BYTES + people * (PERSON_BYTES + CONTACT_BYTES * k) + int(cfg.days) * DAY_BYTES, people


def check_memory(cfg: DictConfig, region) -> None:
    """Refuse a run whose arrays would need more memory than the machine has (estimated before building)."""
    needed, people = memory_needed(cfg, region)
    avail = available_memory()
    if avail is not None and needed > avail:
        raise ConfigError("population.scale", float(cfg.population.scale),
                          f"a run that fits in memory: this one needs about {gib(needed)} ({people:,} working-age "
                          f"people x {cfg.population.contacts_per_person} contacts) and {gib(avail)} is available; "
                          "lower population.scale or population.contacts_per_person")


def check_keys(cfg: DictConfig) -> None:
    """Interpolations that resolve, and no key the schema does not declare (e.g. added with ``+key=``)."""
    resolve_interpolations(cfg)
    unknown = unknown_key(cfg)
    if unknown:
        raise not_a_key(*unknown)


def check_values(cfg: DictConfig) -> None:
    """Range checks, then the region files and the names that refer to them, names that become paths, the
    calibration draw, and the population's size and memory (after :func:`check_keys`)."""
    from omegaconf import OmegaConf

    from sim.region import load_region

    try:
        validate(cfg)
        region = load_region(cfg.population.region_file, cfg.population.crossings_file, cfg.population.include_iran)
        validate(cfg, region)
    except ConfigError:
        raise
    except (KeyError, AttributeError, TypeError, ValueError) as exc:  # OmegaConf: a value that is not its type
        raise omegaconf_error(exc) from None
    check_run_names(cfg)
    draw = OmegaConf.select(cfg, "calibration.draw", default="best")
    if draw not in DRAWS:
        raise ConfigError("calibration.draw", draw, "best (the overlay's member closest to the targets) or posterior "
                                                    "(a member drawn by weight from the run's seed)")
    check_memory(cfg, region)


def validate_with_region(cfg: DictConfig) -> None:
    """Every check of a composed config: :func:`check_keys`, then :func:`check_values`."""
    check_keys(cfg)
    check_values(cfg)
