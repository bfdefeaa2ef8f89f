"""Run one scenario (or, with ``-m``, a Hydra multirun sweep) and write its results.

    python -m experiments.run scenario=closure_90d seed=3 population.scale=0.1
    python -m experiments.run -m scenario=baseline,closure_90d replicates=10 hydra.sweep.dir=results/sweeps/x
    python -m experiments.run -m +sweep=closure_grid hydra/launcher=joblib

Each run directory (``hydra.run.dir``, default ``results/runs/<scenario>/<time>_s<seed>``;
in a sweep ``<hydra.sweep.dir>/<overrides>``) gets ``timeseries.parquet``,
``groups.parquet``, ``border.parquet``, ``summary.json`` and, written last,
``manifest.json``. A run whose directory already holds a complete manifest of the
same configuration is skipped; one of a different configuration is an error
(:mod:`experiments.resume`). Replicate ``k`` of ``replicates=N`` runs with a seed
spawned from ``seed`` (:mod:`experiments.seeds`). Bad input exits with status 2 and
one line naming the key, the value and what is allowed; in a sweep a bad job fails
alone and the sweep goes on (:mod:`experiments.sweeper`), the command then exiting
with status 1. Sweep jobs log instead of printing and show no progress bar: the
sweep prints one progress line per finished job. See ``docs/sweeps.md``.
"""

from __future__ import annotations

import sys

if __name__ == "__main__":  # first of all: local sweep workers' fork server imports the model meanwhile
    from experiments.workers import launcher_on_command_line, start_fork_server

    start_fork_server(launcher_on_command_line(sys.argv[1:]))

import json
import logging
import time
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments import sweeper
from experiments.cli import fail, prevalidate, validate_with_region
from experiments.resume import check_same_run
from experiments.seeds import run_seed
from sim.config import CONFIG_DIR, ConfigError, register
from sim.results import is_complete

register()
sweeper.register()
log = logging.getLogger(__name__)


def headline(summary: dict) -> str:
    return (f"cumulative recruits {summary['cumulative_recruits']:,} | "
            f"peak youth unemployment {summary['peak_youth_unemployment_rate']:.1%} | "
            f"mean food price index {summary['mean_food_price_index']:.3f} | "
            f"mean food-insecure households {summary['mean_food_insecure_share']:.1%}")


def say(text: str, multirun: bool) -> None:
    """Single runs print to stdout; sweep jobs log (job log file and console) instead."""
    if multirun:
        log.info(text)
    else:
        print(text)


def run_job(cfg: DictConfig, run_dir: Path, multirun: bool = False) -> dict[str, Any]:
    """Build, run and write one scenario run, or skip it if already complete.

    Returns ``{"status": "complete" | "skipped", "run_dir", "summary"}``. Bad input exits 2
    with one line in a single run; in a multirun it raises, so the sweep reports it and goes on.
    """
    from sim import BorderModel
    from sim.results import write_run

    t0 = time.perf_counter()
    try:
        seed = run_seed(cfg)
        if is_complete(run_dir):
            check_same_run(run_dir, cfg, seed)
            say(f"skipped (already complete): {run_dir}", multirun)
            return {"status": "skipped", "run_dir": str(run_dir),
                    "summary": json.loads((run_dir / "summary.json").read_text())}
        validate_with_region(cfg)
        for tmp in run_dir.glob(".*.tmp"):  # leftovers of a killed writer
            tmp.unlink(missing_ok=True)
        model = BorderModel(config=cfg, rng=seed)
        model.base_seed = int(cfg.seed)  # recorded in the manifest next to the seed actually used
        model.run(progress=bool(cfg.progress) and not multirun)
        summary = write_run(run_dir, model, {"build_seconds": round(model.build_seconds, 3),
                                             "run_seconds": round(model.run_seconds, 3),
                                             "wall_seconds": round(time.perf_counter() - t0, 3)})
    except ConfigError as exc:
        if multirun:
            raise
        fail(str(exc))
    replicate = f", replicate {cfg.replicate} of {cfg.replicates}" if cfg.replicates > 1 else ""
    if not multirun:
        print(f"results: {run_dir}")
    say(f"{cfg.scenario_name} (seed {seed}{replicate}, scale {cfg.population.scale}, {cfg.days} days): "
        f"{headline(summary)}", multirun)
    return {"status": "complete", "run_dir": str(run_dir), "summary": summary}


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> dict[str, Any]:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hc = HydraConfig.get()
    multirun = hc.mode is not None and hc.mode.name == "MULTIRUN"
    return run_job(cfg, Path(hc.runtime.output_dir), multirun=multirun)


INTERRUPTED = ("interrupted: complete runs are kept (each has its manifest.json); a run cut short has none "
               "and is redone when the same sweep is rerun into the same hydra.sweep.dir")


def cli() -> None:
    sys.argv = [sys.argv[0], *prevalidate(sys.argv[1:])]
    sweeper.LAST_SWEEP = None
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C: one line, not the launcher's traceback
        print(INTERRUPTED, file=sys.stderr)
        raise SystemExit(130) from None
    if sweeper.LAST_SWEEP and sweeper.LAST_SWEEP["failed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    # run through the importable module so that launchers pickle the task function by reference
    from experiments.run import cli as _cli

    _cli()
