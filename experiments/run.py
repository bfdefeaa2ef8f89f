"""Run one scenario (or, with ``-m``, a Hydra multirun sweep) and write its results.

    python -m experiments.run scenario=closure_90d seed=3 population.scale=0.1
    python -m experiments.run -m scenario=baseline,closure_90d seed='range(0,10)'

Each run directory (``hydra.run.dir``, default ``results/runs/<scenario>/<time>_s<seed>``)
gets ``timeseries.parquet``, ``groups.parquet``, ``border.parquet``, ``summary.json`` and,
written last, ``manifest.json``. A run whose directory already holds a complete manifest
is skipped. Bad input exits with status 2 and one line naming the key, the value and
what is allowed.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.cli import fail, prevalidate, validate_with_region
from sim.config import ConfigError, register
from sim.results import is_complete

register()


def headline(summary: dict) -> str:
    return (f"cumulative recruits {summary['cumulative_recruits']:,} | "
            f"peak youth unemployment {summary['peak_youth_unemployment_rate']:.1%} | "
            f"mean food price index {summary['mean_food_price_index']:.3f} | "
            f"mean food-insecure households {summary['mean_food_insecure_share']:.1%}")


def run_job(cfg: DictConfig, run_dir: Path, multirun: bool = False) -> dict | None:
    """Build, run and write one scenario run; return its summary (None if it failed in a sweep)."""
    from sim import BorderModel
    from sim.results import write_run

    if is_complete(run_dir):
        summary = json.loads((run_dir / "summary.json").read_text())
        print(f"skipped (already complete): {run_dir}")
        return summary
    t0 = time.perf_counter()
    try:
        validate_with_region(cfg)
        model = BorderModel(config=cfg)
        model.run(progress=bool(cfg.progress))
        summary = write_run(run_dir, model, {"build_seconds": round(model.build_seconds, 3),
                                             "run_seconds": round(model.run_seconds, 3),
                                             "wall_seconds": round(time.perf_counter() - t0, 3)})
    except ConfigError as exc:
        if multirun:
            print(f"error: {exc}", file=sys.stderr)
            return None
        fail(str(exc))
    print(f"results: {run_dir}")
    print(f"{cfg.scenario_name} (seed {cfg.seed}, scale {cfg.population.scale}, {cfg.days} days): {headline(summary)}")
    return summary


@hydra.main(version_base="1.3", config_path="../configs", config_name="config")
def main(cfg: DictConfig) -> dict | None:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hc = HydraConfig.get()
    multirun = hc.mode is not None and hc.mode.name == "MULTIRUN"
    return run_job(cfg, Path(hc.runtime.output_dir), multirun=multirun)


def cli() -> None:
    prevalidate(sys.argv[1:])
    main()


if __name__ == "__main__":
    cli()
