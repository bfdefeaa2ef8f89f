"""The sweep logic of ``python -m experiments.run -m``: Hydra's grid, paired replicates and sampled designs.

Jobs, in launch order::

    for replicate in 0..replicates-1        (only when replicates > 1 and replicate is not set)
      for point in hydra.sweeper.design     (zipped key=value sets; only when a design is declared)
        for combination in the grid         (product of the swept overrides and hydra.sweeper.params,
                                             exactly as Hydra's basic sweeper)

Replicate-major order means an interrupted sweep holds whole replicates of every
configuration. Jobs are then handed to the configured Hydra launcher (basic, joblib,
submitit, ray) unchanged. Unlike Hydra's basic sweeper, a job whose config cannot be
composed, or that raises, is reported with its overrides and error line and the
others go on; progress (done/total, failures, ETA) is printed as jobs finish and a
summary is written to ``<sweep dir>/sweep.json``.

One sweep at a time per directory: the launching process holds an exclusive lock on
``<sweep dir>/.sweep/lock`` for the whole sweep, and a second sweep into the same directory
is refused at once with one line (exit 2; it writes nothing). A job whose directory is not
one of this tool's runs (:func:`experiments.rundir.foreign_entries`) fails alone without
being launched. If a launcher raises (a fault in Hydra's job set-up, e.g. a full disk, or a
broken launcher), the jobs it did not finish are recorded as failed with the error line and
the sweep still writes ``sweep.json``; with Hydra's in-process basic launcher each job is its
own launch, so one job's set-up fault fails that job alone and the others go on.

Select it with ``hydra/sweeper: scenario`` (the default in ``configs/config.yaml``).
Each job's directory is ``hydra.sweep.subdir`` = ``${run_subdir:${hydra.job.override_dirname}}``:
its sorted overrides, so the same command lands in the same directories (resume).
"""

from __future__ import annotations

import copy
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional

from hydra.core.config_store import ConfigStore
from hydra.core.override_parser.overrides_parser import OverridesParser
from omegaconf import OmegaConf

from experiments.errors import EXIT_BAD_INPUT, disk_error, fail
from experiments.hydra_internals import is_in_process_launcher
from experiments.rundir import (NOT_PARAMETER_OVERRIDES, SWEEP_OUTPUTS, SWEEP_STATE, SYMLINK, RunDirError,
                                atomic_write_bytes, check_writable_run_dir, exclusive_lock, is_complete,
                                refuse_symlinks)
from experiments.sweep import progress
from experiments.sweep.designs import check_design_keys, design_points
from experiments.sweep.grid import chunks, grid
from experiments.sweep.resume import planned_run_dir, run_subdir, stale_reason
from experiments.sweep.seeds import run_seed
from sim.config import ConfigError, library_scenarios, omegaconf_error

PLUGIN = "hydra_plugins.scenario_sweeper.scenario_sweeper.ScenarioSweeper"  # Hydra loads sweepers from hydra_plugins only

SWEEP_LOCK = Path(".sweep") / "lock"
# Hydra's launchers log every job they launch ("#3 : seed=1 ..."); the sweep's progress board says it instead
LAUNCHER_LOGGERS = ("hydra._internal.core_plugins.basic_launcher", "hydra_plugins.hydra_joblib_launcher",
                    "hydra_plugins.hydra_submitit_launcher", "hydra_plugins.hydra_ray_launcher")


@dataclass
class DesignConf:
    method: str = "lhs"  # lhs or sobol
    n: int = 16  # points (a power of 2 for sobol)
    seed: int = 0  # sampler seed
    ranges: Dict[str, Any] = field(default_factory=dict)  # config key -> [low, high]


@dataclass
class ScenarioSweeperConf:
    _target_: str = PLUGIN
    max_batch_size: Optional[int] = None
    params: Optional[Dict[str, str]] = None
    design: Optional[DesignConf] = None


def not_in_dir_names() -> list[str]:
    """Override keys left out of job directory names (``hydra.job.config.override_dirname.exclude_keys``)."""
    return list(NOT_PARAMETER_OVERRIDES)


def register() -> None:
    """Register the sweeper config and the resolvers the configs use, ``run_subdir``, ``not_in_dir_names`` and
    ``library_scenarios`` (the ``library`` sweep's scenarios; idempotent; needed in every process that
    composes a job's config)."""
    ConfigStore.instance().store(group="hydra/sweeper", name="scenario", node=ScenarioSweeperConf,
                                 provider="experiments")
    if not OmegaConf.has_resolver("run_subdir"):
        OmegaConf.register_new_resolver("run_subdir", run_subdir)
    if not OmegaConf.has_resolver("not_in_dir_names"):
        OmegaConf.register_new_resolver("not_in_dir_names", not_in_dir_names)
    if not OmegaConf.has_resolver("library_scenarios"):
        OmegaConf.register_new_resolver("library_scenarios", lambda: ",".join(library_scenarios()))


def expand(grid: list[list[str]], replicates: int, points: list[dict]) -> list[list[str]]:
    """Jobs in launch order: replicate-major, then design point, then grid combination."""
    reps = [[f"replicate={k}"] for k in range(replicates)] if replicates > 1 else [[]]
    pts = [[f"{k}={v}" for k, v in p.items()] for p in points] or [[]]
    return [combo + pt + rep for rep in reps for pt in pts for combo in grid]


def sweeper_params(sw) -> list[str]:
    """The sweeper's own ``params`` (``hydra.sweeper.params`` and a preset's) as ``key=value`` overrides."""
    return [f"{k}={v}" for k, v in (sw.params or {}).items()]


def job_overrides(sw, arguments: List[str]) -> list[list[str]]:
    """Every job's overrides (see the module docstring for the order); ``sw`` is the sweeper. ConfigError for a
    continuous sweep or more jobs than :data:`experiments.sweep.grid.MAX_JOBS`, before any list is built."""
    parser = OverridesParser.create(config_loader=sw.hydra_context.config_loader)
    overrides = parser.parse_overrides(sweeper_params(sw) + list(arguments))
    keys = {o.key_or_group for o in overrides}
    replicates = int(sw.config.replicates) if "replicate" not in keys else 1
    if sw.design is not None:
        check_design_keys(sw.design, keys)
    combos = grid(overrides, multiplier=replicates * (int(sw.design.n) if sw.design is not None else 1))
    points = design_points(sw.design) if sw.design is not None else []
    return expand(combos, replicates, points)


def check_overrides(sw, jobs: list[list[str]]) -> dict[str, ConfigError]:
    """The distinct job overrides that Hydra could not apply (unknown key, wrong type, unknown option).

    A plain ``key=value`` is applied to one scratch copy of the config (as Hydra applies it,
    ~1 ms); a config-group choice is checked against the group's options; anything else
    (``+key``, ``~key``, ...) by composing the first job that has it (~60 ms).
    """
    from hydra.core.override_parser.types import OverrideType

    loader = sw.hydra_context.config_loader
    parser = OverridesParser.create(config_loader=loader)
    groups = set(sw.config.hydra.runtime.choices)
    scratch = None
    bad: dict[str, ConfigError] = {}
    seen: set[str] = set()
    for job in jobs:
        for text in job:
            if text in seen:
                continue
            seen.add(text)
            try:
                (o,) = parser.parse_overrides([text])
                key = o.key_or_group
                if o.type == OverrideType.CHANGE and o.package is None and key in groups:
                    options = loader.get_group_options(key)
                    if o.value() not in options:
                        raise ConfigError(key, o.value(), "one of " + ", ".join(options))
                elif o.type == OverrideType.CHANGE and o.package is None:
                    if scratch is None:
                        scratch = copy.deepcopy(sw.config)
                    OmegaConf.update(scratch, key, o.value(), merge=True)
                else:
                    loader.load_sweep_config(sw.config, list(job))
            except Exception as exc:
                bad[text] = exc if isinstance(exc, ConfigError) else omegaconf_error(exc)
    return bad


class SweepBusy(RuntimeError):
    pass


def sweep_lock(sweep_dir: Path):
    return exclusive_lock(Path(sweep_dir) / SWEEP_LOCK, lambda who: SweepBusy(
        f"hydra.sweep.dir={sweep_dir}: in use by another sweep ({who}); wait for it to finish (then rerun: complete "
        "runs are skipped) or use another hydra.sweep.dir"))


def cap_workers(launcher, jobs: int) -> None:
    """A launcher with ``n_jobs`` worker processes (joblib) starts no more workers than there are jobs."""
    settings = getattr(launcher, "joblib", None)
    if isinstance(settings, dict) and isinstance(settings.get("n_jobs"), int) and settings["n_jobs"] > jobs > 0:
        settings["n_jobs"] = jobs


def sweep(sw, arguments: List[str]) -> list:
    """Expand the jobs (bounded; bad input exits 2 with one line before anything is written), then, with the
    sweep directory locked (a second sweep into it is refused with one line): check every job (a bad one fails
    alone), skip complete runs (:mod:`.resume`), launch the rest in batches through the configured launcher;
    report progress and a summary."""
    sweep_dir = Path(sw.config.hydra.sweep.dir)
    try:
        jobs = job_overrides(sw, arguments)
        refuse_symlinks(sweep_dir, (*SWEEP_STATE, *SWEEP_OUTPUTS))
        with sweep_lock(sweep_dir):
            return _sweep(sw, jobs, sweep_dir)
    except ConfigError as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    except SweepBusy as exc:
        fail(str(exc), EXIT_BAD_INPUT)
    except RunDirError as exc:
        fail(f"hydra.sweep.dir={exc}", EXIT_BAD_INPUT)
    except OSError as exc:  # the sweep's own files (multirun.yaml, records, sweep.json): one line, not a traceback
        fail(disk_error(exc, then="rerun the same command: complete runs are skipped"), code=1)


def _sweep(sw, jobs: list[list[str]], sweep_dir: Path) -> list:
    for name in LAUNCHER_LOGGERS:
        logging.getLogger(name).setLevel(logging.WARNING)
    sweep_dir.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(sweep_dir / "multirun.yaml", OmegaConf.to_yaml(sw.config).encode())
    board = progress.Board(sweep_dir, jobs)
    bad = check_overrides(sw, jobs)
    runnable, planned = [], set()
    for job in jobs:
        errors = [bad[o] for o in job if o in bad]
        if errors:
            board.decided(job, "failed", errors[0])
            continue
        run_dir = planned_run_dir(sw.config, job)
        if run_dir is not None and run_dir in planned:  # e.g. progress=true,false: keys not in directory names
            board.decided(job, "failed", ConfigError("run_dir", str(run_dir), "the directory of another job of this "
                                                     "sweep; sweep keys that change the run"), run_dir)
            continue
        planned.add(run_dir)
        try:  # never launched into a link or someone else's directory: Hydra would write .hydra/ and a log there
            if run_dir is not None and run_dir.is_symlink():
                raise RunDirError(run_dir, SYMLINK)
            if run_dir is not None:
                check_writable_run_dir(run_dir)
        except RunDirError as exc:
            board.decided(job, "failed", exc, run_dir)
            continue
        if run_dir is not None and is_complete(run_dir):
            try:
                cfg = sw.hydra_context.config_loader.load_sweep_config(sw.config, list(job))
                stale = stale_reason(run_dir, cfg, run_seed(cfg), dict(cfg.hydra.runtime.choices))
            except ConfigError as exc:
                board.decided(job, "failed", exc, run_dir)
                continue
            if stale is None:
                board.decided(job, "skipped", run_dir=run_dir)
                continue
            board.say(f"redone: {run_dir}: {stale}")
        runnable.append(job)
    returns = []
    with board:
        first = 0
        size = 1 if is_in_process_launcher(sw.launcher) else sw.max_batch_size  # in-process: one job per launch
        cap_workers(sw.launcher, len(runnable))
        for batch in chunks(runnable, size) if runnable else []:
            try:
                results = list(sw.launcher.launch(batch, initial_job_idx=first))
            except Exception as exc:  # the launcher itself, or Hydra's job set-up (e.g. a full disk)
                results = board.launch_failed(batch, first, exc)
                if not is_in_process_launcher(sw.launcher):  # a broken launcher fails every batch: stop, state recorded
                    rest = runnable[first + len(batch):]
                    returns.append(results)
                    returns.append(board.launch_failed(rest, first + len(batch), exc, launched=False))
                    break
            first += len(batch)
            returns.append(results)
    board.finish([r for batch in returns for r in batch])  # sweep.json: the command's exit status reads it
    return returns
