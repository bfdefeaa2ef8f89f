"""Resume: which runs of a sweep (or a single run) are already done.

Rules:

- A run directory is complete when its manifest says so and every file it lists is
  there with its recorded size (:func:`experiments.rundir.is_complete`); the manifest is
  written last, atomically, so a killed worker never leaves a complete-looking run.
- A complete run is skipped when its recorded configuration is the job's (with the
  seed the job would use, and a drawn calibration member's values) and it was made by this model version
  (``sim.__version__``); keys that do not change what a run computes (``sim.config.RESULT_NEUTRAL_KEYS``)
  are ignored. A complete run of another configuration or model version is an error: it is never
  overwritten and never silently taken for the job's.
- A run's identity also includes the contents of every input file it read (:func:`input_files`: region,
  crossings, scenario, calibration overlay and posterior; their SHA-256 in the manifest's ``inputs``): a
  complete run whose inputs changed since is redone, and the sweep says why.
- In a sweep, a job's directory is named after its overrides (:func:`run_subdir`; keys that
  set no parameter, ``experiments.rundir.NOT_PARAMETER_OVERRIDES``, are left out), so the same
  command lands in the same directories. It is known before launching when ``hydra.sweep.subdir``
  is the default (``${run_subdir:${hydra.job.override_dirname}}``), so the sweeper skips
  complete runs without launching them (their files, logs and ``.hydra/`` stay untouched);
  otherwise the job skips itself.
"""

from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from experiments.rundir import read_manifest
from sim.config import RESULT_NEUTRAL_KEYS, ConfigError

DEFAULT_SUBDIR = "${run_subdir:${hydra.job.override_dirname}}"
MAX_SUBDIR = 150


def run_subdir(override_dirname: str) -> str:
    """A job's directory name: its overrides (``k=v,...``, sorted) with '/' made safe; a long one is cut and hashed."""
    name = str(override_dirname).replace("/", "_").replace("\\", "_") or "default"
    if len(name) > MAX_SUBDIR:
        name = name[:MAX_SUBDIR - 13] + "-" + hashlib.sha1(str(override_dirname).encode()).hexdigest()[:12]
    return name


def first_difference(a: Any, b: Any, prefix: str = "") -> str | None:
    """The first dotted key where two nested containers differ (None if equal)."""
    if isinstance(a, dict) and isinstance(b, dict):
        for key in sorted(set(a) | set(b), key=str):
            diff = first_difference(a.get(key), b.get(key), f"{prefix}{key}.")
            if diff:
                return diff
        return None
    return None if a == b else prefix.rstrip(".") or "config"


def check_same_run(run_dir: Path, cfg: DictConfig, seed: int) -> None:
    """Raise ConfigError unless the complete run in ``run_dir`` was made with this config and seed,
    by this model version."""
    from sim import __version__

    manifest = read_manifest(run_dir)
    made_by = manifest.get("model_version")
    if made_by != __version__:
        raise ConfigError("run_dir", str(run_dir), f"holds a complete run made by model version "
                                                   f"{made_by or 'before 0.2.0'} (this is {__version__}), whose "
                                                   f"results can differ; use a new hydra.sweep.dir / hydra.run.dir")
    stored = manifest.get("config", {})
    wanted = OmegaConf.to_container(OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]), resolve=True)
    wanted["seed"] = seed
    stored.setdefault("replicate", 0)
    for key in RESULT_NEUTRAL_KEYS:
        stored.pop(key, None)
        wanted.pop(key, None)
    diff = first_difference(stored, wanted)
    if diff:
        raise ConfigError("run_dir", str(run_dir), f"holds a complete run of another configuration (differs at "
                                                   f"{diff}); use a new hydra.sweep.dir / hydra.run.dir")


def input_files(cfg: DictConfig, choices: dict[str, Any]) -> dict[str, Path]:
    """Every file a run reads its inputs from, by what names it: the region and crossings files
    (``population.*``), the scenario file and the calibration overlay Hydra chose (``choices``: Hydra's runtime
    choices), and the posterior a member is drawn from."""
    from experiments.calibration.posterior import CALIBRATION_DIR, CALIBRATION_GROUP, posterior_path
    from sim.config import SCENARIO_DIR
    from sim.region import input_paths

    pop = cfg.population
    files = {f"population.{k}": p for k, p in input_paths(pop.region_file, pop.crossings_file,
                                                           pop.include_iran).items()}
    if choices.get("scenario"):
        files["scenario"] = SCENARIO_DIR / f"{choices['scenario']}.yaml"
    name = choices.get(CALIBRATION_GROUP)
    if name:
        files[CALIBRATION_GROUP] = CALIBRATION_DIR / f"{name}.yaml"
        if OmegaConf.select(cfg, "calibration.draw", default="best") == "posterior":
            files["calibration.posterior"] = posterior_path(name)
    return files


def input_digests(cfg: DictConfig, choices: dict[str, Any]) -> dict[str, dict[str, str]]:
    """What the manifest records of a run's input files (``inputs``): each one's path and SHA-256."""
    from experiments.rundir import sha256

    out = {}
    for key, path in input_files(cfg, choices).items():
        try:
            digest = sha256(path)
        except OSError:
            digest = None  # refused by validation before any run reads it
        out[key] = {"path": str(path), "sha256": digest}
    return out


def changed_inputs(run_dir: Path, inputs: dict[str, dict[str, str]]) -> str | None:
    """Why the complete run in ``run_dir`` must be redone because of its inputs (None: they are the same)."""
    recorded = read_manifest(run_dir).get("inputs")
    if not isinstance(recorded, dict):
        return "its manifest records no checksums of its input files (made by an earlier version of the tool)"
    for key, now in inputs.items():
        then = recorded.get(key)
        if not isinstance(then, dict) or then.get("sha256") != now["sha256"]:
            return f"its input {key} ({now['path']}) changed since it ran"
    return None


def stale_reason(run_dir: Path, cfg: DictConfig, seed: int, choices: dict[str, Any]) -> str | None:
    """For a complete run of ``experiments.run`` in ``run_dir``: ConfigError if it is another configuration's
    (never overwritten); why it must be redone if an input file changed; None if it is this job's, current."""
    from experiments.calibration.posterior import CALIBRATION_GROUP, model_config

    model_cfg, _, _ = model_config(cfg, seed, choices.get(CALIBRATION_GROUP))
    check_same_run(run_dir, model_cfg, seed)
    return changed_inputs(run_dir, input_digests(cfg, choices))


def planned_run_dir(config: DictConfig, overrides: list[str]) -> Path | None:
    """The directory a sweep job will write (None unless ``hydra.sweep.subdir`` is the default)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from experiments.hydra_internals import overrides_dirname

    sweep = OmegaConf.to_container(config.hydra.sweep, resolve=False)
    if sweep.get("subdir") != DEFAULT_SUBDIR:
        return None
    od = config.hydra.job.config.override_dirname
    name = overrides_dirname(OverridesParser.create().parse_overrides(list(overrides)), list(od.exclude_keys),
                             od.item_sep, od.kv_sep)
    return Path(str(config.hydra.sweep.dir)) / run_subdir(name)
