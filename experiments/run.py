"""Run one scenario (or, with ``-m``, a Hydra multirun sweep) and write its results.

    python -m experiments.run scenario=closure_90d seed=3 population.scale=0.1
    python -m experiments.run -m scenario=baseline,closure_90d replicates=10 hydra.sweep.dir=results/sweeps/x
    python -m experiments.run -m +sweep=closure_grid hydra/launcher=joblib
    python -m experiments.run --help            # usage; every key: python -m experiments.params

Each run directory (``hydra.run.dir``, default ``results/runs/<scenario>/<time>_s<seed>``;
in a sweep ``<hydra.sweep.dir>/<overrides>``) gets ``timeseries.parquet``,
``groups.parquet``, ``border.parquet``, ``summary.json`` and, written last,
``manifest.json`` (:mod:`experiments.rundir`). A run whose directory already holds a
complete manifest of the same configuration is skipped; one of a different configuration
is an error (:mod:`experiments.sweep.resume`). Replicate ``k`` of ``replicates=N`` runs
with a seed spawned from ``seed`` (:mod:`experiments.sweep.seeds`).

Bad input is caught before Hydra creates any directory (:func:`experiments.commandline.prevalidate`)
and exits with status 2 and one line naming the key, the value and what is allowed. A disk fault
while writing exits 1 with one line naming the path. A sweep is checked on its first combination
of values; a bad value in one job fails that job alone and the sweep goes on
(:mod:`experiments.sweep.sweeper`), the command then exiting with status 1. Sweep jobs log instead
of printing and show no progress bar: the sweep prints one progress line per finished job. See
``docs/sweeps.md``.

This module is an entry point only: what other commands share lives in :mod:`experiments.commandline`,
:mod:`experiments.checks` and :mod:`experiments.rundir`.
"""

from __future__ import annotations

import logging
import os
import sys
import time
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from experiments.calibration import posterior
from experiments.calibration.posterior import CALIBRATION_GROUP, model_config
from experiments.checks import validate_with_region
from experiments.commandline import CommandLine, is_multirun, prevalidate, register_help
from experiments.errors import disk_error, fail
from experiments.hydra_internals import on_save_config_error, save_configs_safely
from experiments.rundir import (RunDirError, claim, forget_launch, mark_failed, new_run_dir, read_summary, run_lock,
                                write_run)
from experiments.sweep import progress, sweeper, workers
from experiments.sweep.resume import input_digests, stale_reason
from experiments.sweep.seeds import run_seed
from sim.config import CONFIG_DIR, ConfigError, register

register()
posterior.register()
sweeper.register()
register_help()
save_configs_safely()  # in every process that runs this app's jobs: sweep workers import this module
log = logging.getLogger("experiments.run")  # also when run as __main__

INTERRUPTED = ("interrupted: complete runs are kept (their manifest.json says complete); a run cut short is not "
               "complete and is redone when the same command is rerun into the same hydra.sweep.dir / hydra.run.dir")
TERMINATED = f"terminated: {INTERRUPTED}"


def headline(summary: dict) -> str:
    return (f"cumulative recruits {summary['cumulative_recruits']:,} | "
            f"peak youth unemployment {summary['peak_youth_unemployment_rate']:.1%} | "
            f"mean food price index {summary['mean_food_price_index']:.3f} | "
            f"mean food-insecure households {summary['mean_food_insecure_share']:.1%}")


def say(text: str, multirun: bool) -> None:
    """Single runs print to stdout; sweep jobs log instead (to their run.log: the console shows the board)."""
    if multirun:
        log.info(text)
    else:
        print(text)


def run_job(cfg: DictConfig, run_dir: Path, multirun: bool = False, created_dir: Path | None = None,
            choices: dict[str, Any] | None = None, locked: bool = False) -> dict[str, Any]:
    """Build, run and write one scenario run, or skip it if already complete.

    Returns ``{"status": "complete" | "skipped", "run_dir", "summary"}``. A sweep job's config is validated
    here (a single run's was, by :func:`prevalidate`). Bad input exits 2 with one line in a single run (and
    what Hydra wrote into ``created_dir``, the directory the command created, is removed); a disk fault exits
    1 with one line. In a multirun both raise, so the sweep reports the job and goes on. The run directory
    follows :func:`experiments.rundir.claim` (``locked``: this process holds its lock already). ``choices``:
    Hydra's runtime choices (the scenario file and calibration overlay: inputs whose contents decide whether
    a complete run is current, :mod:`experiments.sweep.resume`).
    """
    from sim import BorderModel

    t0 = time.perf_counter()
    run_dir, choices = Path(run_dir), choices or {}
    try:
        seed = run_seed(cfg)
        with claim(run_dir, same_run=lambda: stale_reason(run_dir, cfg, seed, choices),
                   check=lambda: validate_with_region(cfg) if multirun else None, locked=locked) as claimed:
            if claimed.complete:
                say(f"skipped (already complete): {run_dir}", multirun)
                return {"status": "skipped", "run_dir": str(run_dir), "summary": read_summary(run_dir)}
            if claimed.stale:
                say(f"redone: {run_dir}: {claimed.stale}", multirun)
            model_cfg, member, drawn = model_config(cfg, seed, choices.get(CALIBRATION_GROUP))
            model = BorderModel(config=model_cfg, rng=seed)
            model.base_seed = int(cfg.seed)  # recorded in the manifest next to the seed actually used
            model.run(progress=bool(cfg.progress) and not multirun)
            summary = write_run(run_dir, model, {"build_seconds": round(model.build_seconds, 3),
                                                 "run_seconds": round(model.run_seconds, 3),
                                                 "wall_seconds": round(time.perf_counter() - t0, 3)},
                                {"inputs": input_digests(cfg, choices), "calibration_member": member,
                                 "calibration_drawn": drawn})
    except (ConfigError, RunDirError) as exc:
        if multirun:
            raise
        forget_launch(run_dir, created_dir)
        fail(f"hydra.run.dir={exc}" if isinstance(exc, RunDirError) else str(exc))
    except OSError as exc:
        if multirun:
            raise
        fail(disk_error(exc, run_dir), code=1)
    replicate = f", replicate {cfg.replicate} of {cfg.replicates}" if cfg.replicates > 1 else ""
    if not multirun:
        print(f"results: {run_dir}")
    say(f"{cfg.scenario_name} (seed {seed}{replicate}, scale {cfg.population.scale}, {cfg.days} days): "
        f"{headline(summary)}", multirun)
    return {"status": "complete", "run_dir": str(run_dir), "summary": summary}


def job(cfg: DictConfig, created_dir: Path | None = None, locked: bool = False) -> dict[str, Any]:
    """Hydra's task: one run, or one job of a sweep (``locked``: the command holds the run directory's lock)."""
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hc = HydraConfig.get()
    multirun = hc.mode is not None and hc.mode.name == "MULTIRUN"
    if multirun:  # a sweep job logs to its run.log; the console shows the sweep's progress board only
        for handler in logging.getLogger().handlers:
            if type(handler) is logging.StreamHandler:
                handler.setLevel(logging.WARNING)
        workers.quiet_worker_interrupts()
        workers.exit_with_launcher()
    workers.IN_JOB[0] = True
    try:
        return run_job(cfg, Path(hc.runtime.output_dir), multirun=multirun, created_dir=created_dir,
                       choices=OmegaConf.to_container(hc.runtime.choices), locked=locked)
    finally:
        workers.IN_JOB[0] = False


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> dict[str, Any]:
    return job(cfg)


def single_run(created_dir: Path | None):
    """The Hydra app of one run that was checked to create ``created_dir`` (removed again if refused), launched
    while the command holds the run directory's lock."""

    @hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
    def main(cfg: DictConfig) -> dict[str, Any]:
        return job(cfg, created_dir, locked=True)

    return main


def launch_single(command: CommandLine) -> None:
    """A single run: its directory locked before Hydra writes anything there, so a run that loses the race for
    a directory touches nothing in it. The default directory is made by this command alone (two runs started
    in the same second get two directories)."""
    run_dir, created_dir, argv = command.run_dir, command.created_dir, command.argv
    if run_dir is None:  # --help, --cfg, --info: prints, runs nothing
        return single_run(None)()
    if command.default_dir:
        run_dir = new_run_dir(run_dir)
        created_dir = run_dir if created_dir in (None, command.run_dir) else created_dir
        argv = [*argv[:-1], f"hydra.run.dir={run_dir}"]  # prevalidate pinned the default last
    else:
        run_dir.mkdir(parents=True, exist_ok=True)
    sys.argv = [sys.argv[0], *argv]
    with run_lock(run_dir):
        workers.exit_on_sigterm(TERMINATED, cleanup=lambda: mark_failed(run_dir, "interrupted"))
        single_run(created_dir)()


def on_config_save_error(exc: Exception) -> None:
    if isinstance(exc, RunDirError):
        fail(f"hydra.run.dir={exc}")
    fail(disk_error(exc, then="rerun the same command"), code=1)


def cli() -> None:
    workers.exit_on_sigterm(TERMINATED)
    command = prevalidate(sys.argv[1:])
    sys.argv = [sys.argv[0], *command.argv]
    os.environ[workers.LAUNCHER_PID] = str(os.getpid())  # inherited by a sweep's worker processes
    multirun = is_multirun(command.argv)
    started = time.time()
    if not multirun:  # a disk fault or a link while Hydra writes .hydra/ (in a sweep: that job fails alone)
        on_save_config_error(on_config_save_error)
    try:
        main() if multirun else launch_single(command)
    except KeyboardInterrupt:  # Ctrl-C: one line, not the launcher's traceback
        print(INTERRUPTED, file=sys.stderr)
        raise SystemExit(130) from None
    except RunDirError as exc:  # the run directory is in use by another run: nothing there was touched
        fail(f"hydra.run.dir={exc}")
    except OSError as exc:  # a disk fault outside a job (e.g. writing the sweep's own records)
        fail(disk_error(exc), code=1)
    summary = progress.finished_sweep(command.sweep_dir, since=started) if command.sweep_dir else None
    if summary and summary["failed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    cli()
