"""A run's calibrated parameters: the overlay's best member, or a member drawn from the posterior.

``+calibration=NAME`` sets the fitted parameters to the posterior member closest to the targets (the
overlay ``configs/calibration/NAME.yaml``). With ``calibration.draw=posterior`` each run instead draws a
member of ``configs/calibration/NAME.posterior.csv`` in proportion to its weight, with a random state
derived from the run's own seed: reproducible, and replicate ``k`` of a sweep (its own spawned seed) gets
its own member, so the replicates of a calibrated setting cover parameter and seed uncertainty together.

The run's schema is the model's (:class:`sim.config.Config`) plus this ``calibration`` section
(:class:`RunConfig`, registered as ``run_config``). The model receives a plain ``Config`` with the drawn
values in place (:func:`model_config`), so the manifest's ``config`` records what the run used; the
manifest adds ``calibration_member`` (the row of the posterior file, counted from 0 over its data rows)
and ``calibration_drawn`` (the drawn values by key). The drawn values are not command-line overrides:
runs that differ only in their member share one ``.hydra/overrides.yaml``.
"""

from __future__ import annotations

import dataclasses

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from omegaconf import DictConfig, OmegaConf

from sim.config import CONFIG_DIR, Config, ConfigError
from sim.params import RUN, param

CALIBRATION_GROUP = "calibration"
CALIBRATION_DIR = CONFIG_DIR / CALIBRATION_GROUP
TARGETS_NAME = "targets"  # configs/calibration/targets.yaml: the calibration's data, not an overlay
DRAWS = ("best", "posterior")
NOT_PARAMETERS = ("weight", "distance")  # the posterior file's columns that are not config keys
MEMBER_STREAM = 0xCA11B  # spawn key of the member draw: its own random state, apart from the model's streams


@dataclass
class CalibrationSettings:
    draw: str = param("best", "choice", None, RUN, "run control",
                      "with +calibration=NAME: 'best' runs the overlay's member closest to the targets; 'posterior' "
                      "draws a member of NAME.posterior.csv by weight from the run's seed (docs/calibration.md)")


@dataclass
class RunConfig(Config):
    """What ``python -m experiments.run`` composes: the model's schema and the calibration draw."""

    calibration: CalibrationSettings = field(default_factory=CalibrationSettings)


def register() -> None:
    """Register the run's schema with Hydra's ConfigStore as ``run_config`` (idempotent)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="run_config", node=RunConfig)


def available_calibrations(directory: Path = CALIBRATION_DIR) -> list[str]:
    """The calibration overlays (``+calibration=NAME``): the group's files but the targets."""
    return sorted(p.stem for p in directory.glob("*.yaml") if p.stem != TARGETS_NAME)


def posterior_path(name: str, directory: Path = CALIBRATION_DIR) -> Path:
    return directory / f"{name}.posterior.csv"


def draw_rows(weights: np.ndarray, n: int, rng: np.random.Generator) -> np.ndarray:
    """``n`` row indices drawn in proportion to ``weights`` (with replacement)."""
    weights = np.asarray(weights, dtype=float)
    return rng.choice(len(weights), size=n, p=weights / weights.sum())


def member_rng(seed: int) -> np.random.Generator:
    return np.random.default_rng(np.random.SeedSequence(int(seed), spawn_key=(MEMBER_STREAM,)))


def read_posterior(name: str) -> Any:
    """The posterior members of calibration ``name``; ConfigError when there is none or it is malformed."""
    import pandas as pd

    path = posterior_path(name)
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError) as exc:
        raise ConfigError("calibration.draw", "posterior", f"a calibration with a readable posterior file ({path}: "
                                                           f"{getattr(exc, 'strerror', None) or exc})") from None
    weights = pd.to_numeric(frame.get("weight"), errors="coerce") if "weight" in frame else None
    if weights is None or frame.empty or not np.isfinite(weights).all() or (weights < 0).any() or weights.sum() <= 0:
        raise ConfigError("calibration.draw", "posterior", f"a posterior file with finite weights >= 0 summing above "
                                                           f"0 ({path})")
    return frame


def calibration_name(cfg: DictConfig) -> str | None:
    """The calibration overlay a composed config selected (``+calibration=NAME``), None without one."""
    try:
        return cfg.hydra.runtime.choices.get(CALIBRATION_GROUP)
    except Exception:
        return None


def draw(cfg: DictConfig, seed: int, name: str | None = None) -> tuple[int, dict[str, float]] | None:
    """(member row, {key: value}) drawn for a run with ``seed``, or None when the config does not ask for a
    draw (``calibration.draw=best``). ``name``: the overlay (default: the config's own choice)."""
    choice = str(OmegaConf.select(cfg, "calibration.draw", default="best"))
    if choice not in DRAWS:
        raise ConfigError("calibration.draw", choice, "best or posterior")
    if choice == "best":
        return None
    name = name or calibration_name(cfg)
    if not name:
        raise ConfigError("calibration.draw", choice, "best, or posterior with a calibration overlay "
                                                      "(+calibration=NAME)")
    frame = read_posterior(name)
    row = int(draw_rows(frame["weight"].to_numpy(), 1, member_rng(seed))[0])
    return row, {key: float(frame.iloc[row][key]) for key in frame.columns if key not in NOT_PARAMETERS}


def model_config(cfg: DictConfig, seed: int, name: str | None = None
                 ) -> tuple[DictConfig, int | None, dict[str, float] | None]:
    """(the model's config, member, drawn values): ``cfg`` without the ``calibration`` section and Hydra's,
    as a plain :class:`sim.config.Config`, with a drawn member's values in place."""
    drawn = draw(cfg, seed, name)
    fields = {f.name for f in dataclasses.fields(Config)}
    extra = [k for k in cfg if k not in (CALIBRATION_GROUP, "hydra") and k not in fields]  # an analysis job's own
    body = OmegaConf.masked_copy(cfg, [k for k in cfg if k in fields])
    out = OmegaConf.merge(OmegaConf.structured(Config), body)
    if extra:  # kept as they are (not the model's keys), so that a resumed analysis compares them too
        out = OmegaConf.merge(OmegaConf.create(OmegaConf.to_container(out)), OmegaConf.masked_copy(cfg, extra))
    if drawn is None:
        return out, None, None
    member, values = drawn
    for key, value in values.items():
        if OmegaConf.select(out, key, default=NOT_PARAMETERS) is NOT_PARAMETERS:
            raise ConfigError(f"{posterior_path(name or calibration_name(cfg))}[{key}]", value, "a column named "
                              "after a config key (python -m experiments.params lists every key)")
        OmegaConf.update(out, key, value, merge=True)
    return out, member, values
