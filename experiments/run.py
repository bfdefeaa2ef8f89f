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

Bad input is caught before Hydra creates any directory (:func:`prevalidate`) and exits
with status 2 and one line naming the key, the value and what is allowed. A sweep is
checked on its first combination of values (unknown keys, types, scenario and preset
names, the design block); a bad value in one job fails that job alone and the sweep goes
on (:mod:`experiments.sweep.sweeper`), the command then exiting with status 1. Sweep jobs
log instead of printing and show no progress bar: the sweep prints one progress line per
finished job. See ``docs/sweeps.md``.
"""

from __future__ import annotations

import logging
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.errors import fail
from experiments.rundir import SWEEP_PRESET, is_complete, read_summary, remove_partial_files, write_run
from experiments.sweep import sweeper
from experiments.sweep.designs import check_design, check_design_keys
from experiments.sweep.resume import check_same_run
from experiments.sweep.seeds import run_seed
from sim.config import CONFIG_DIR, ConfigError, available_scenarios, omegaconf_error, register, validate

register()
sweeper.register()
log = logging.getLogger("experiments.run")  # also when run as __main__

SWEEP_PRESETS_DIR = CONFIG_DIR / SWEEP_PRESET
INTERRUPTED = ("interrupted: complete runs are kept (each has its manifest.json); a run cut short has none "
               "and is redone when the same sweep is rerun into the same hydra.sweep.dir")


# --------------------------------------------------------------------------- one run


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


def validate_with_region(cfg: DictConfig) -> None:
    """Range checks, then the region files and the names that refer to them."""
    from sim.region import load_region

    validate(cfg)
    region = load_region(cfg.population.region_file, cfg.population.crossings_file, cfg.population.include_iran)
    validate(cfg, region.names, region.official_crossings)


def run_job(cfg: DictConfig, run_dir: Path, multirun: bool = False) -> dict[str, Any]:
    """Build, run and write one scenario run, or skip it if already complete.

    Returns ``{"status": "complete" | "skipped", "run_dir", "summary"}``. Bad input exits 2
    with one line in a single run; in a multirun it raises, so the sweep reports it and goes on.
    """
    from sim import BorderModel

    t0 = time.perf_counter()
    try:
        seed = run_seed(cfg)
        if is_complete(run_dir):
            check_same_run(run_dir, cfg, seed)
            say(f"skipped (already complete): {run_dir}", multirun)
            return {"status": "skipped", "run_dir": str(run_dir), "summary": read_summary(run_dir)}
        validate_with_region(cfg)
        remove_partial_files(run_dir)
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


# --------------------------------------------------------------------------- the command line, checked first


def user_overrides(argv: Sequence[str]) -> list[str]:
    """The config overrides on a command line (not Hydra's own flags or ``hydra.*`` keys)."""
    return [a for a in argv if "=" in a and not a.startswith("-") and not a.lstrip("+~").startswith("hydra")]


def is_multirun(argv: Sequence[str]) -> bool:
    return any(a in ("-m", "--multirun") for a in argv)


def is_informational(argv: Sequence[str]) -> bool:
    """Hydra's flags that print instead of running (--cfg, --info, --help, ...)."""
    return any(a in ("-c", "--cfg", "-i", "--info", "-h", "--help", "--hydra-help", "-sc", "--shell-completion")
               for a in argv)


def available_sweeps() -> list[str]:
    return sorted(p.stem for p in SWEEP_PRESETS_DIR.glob("*.yaml"))


def check_names(overrides: Sequence[str], key: str, known: list[str]) -> None:
    """Fail early on an unknown scenario or sweep preset (also in comma-separated sweep lists)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    for o in overrides:
        k, _, value = o.partition("=")
        if k.lstrip("+") != key:
            continue
        try:
            (parsed,) = OverridesParser.create().parse_overrides([o])
            names = list(parsed.sweep_string_iterator()) if parsed.is_discrete_sweep() else [value]
        except Exception:
            names = value.split(",")
        for name in names:
            if name not in known:
                fail(f"{key}={name!r}: one of {', '.join(known)}")


def compose(overrides: Sequence[str], with_hydra: bool = False) -> DictConfig:
    """Compose the config the Hydra app would see (single run), turning any error into ConfigError."""
    from hydra import compose as hydra_compose, initialize_config_dir

    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return hydra_compose(config_name="config", overrides=list(overrides), return_hydra_config=with_hydra)
    except Exception as exc:  # Hydra/OmegaConf composition or type errors
        err = omegaconf_error(exc)
        if err.value is None:  # e.g. an unknown key: take the value from the command line
            given = dict(o.lstrip("+~").partition("=")[::2] for o in overrides)
            err = ConfigError(err.key, given.get(err.key), err.allowed)
        raise err from None


def first_combination(overrides: Sequence[str]) -> list[str]:
    """The overrides of a sweep's first job: each swept list replaced by its first value."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    out = []
    for text in overrides:
        try:
            (o,) = OverridesParser.create().parse_overrides([text])
        except Exception as exc:
            raise ConfigError("override", text, str(exc).strip().splitlines()[0]) from None
        if not o.is_sweep_override():
            out.append(text)
        elif o.is_discrete_sweep():
            out.append(f"{text.partition('=')[0]}={next(iter(o.sweep_string_iterator()))}")
    return out


def wants_sweep(cfg: DictConfig, overrides: Sequence[str]) -> bool:
    """True when a single-run command line asks for several runs (replicates > 1, or a sweep preset)."""
    keys = {o.partition("=")[0].lstrip("+~") for o in overrides}
    sw = cfg.hydra.sweeper
    return (cfg.replicates > 1 and "replicate" not in keys) or bool(sw.get("params")) or sw.get("design") is not None


def prevalidate(argv: Sequence[str]) -> list[str]:
    """Validate a command line before Hydra creates any output directory; exit 2 on bad input.

    A single run is composed and fully validated (config ranges, region file, names). A
    multirun is composed on its first combination (keys, types, names, design). Returns the
    command line to run: with ``-m`` added when a single-run command line asks for a sweep.
    """
    overrides = user_overrides(argv)
    check_names(overrides, "scenario", available_scenarios())
    check_names(overrides, SWEEP_PRESET, available_sweeps())
    multirun = is_multirun(argv)
    sweeper_overrides = [a for a in argv if a.lstrip("+~").startswith("hydra.sweeper.")]
    try:
        cfg = compose([*(first_combination(overrides) if multirun else overrides), *sweeper_overrides],
                      with_hydra=True)
        design = cfg.hydra.sweeper.get("design")
        if design is not None:
            check_design(design, cfg)
            check_design_keys(design, {o.partition("=")[0].lstrip("+~") for o in overrides}
                              | set(cfg.hydra.sweeper.get("params") or {}))
        if not multirun and not is_informational(argv) and wants_sweep(cfg, overrides):
            print("note: this command line asks for several runs: running it as a sweep (-m)", file=sys.stderr)
            return ["-m", *argv]
        if not multirun:
            validate_with_region(cfg)
    except ConfigError as exc:
        fail(str(exc))
    return list(argv)


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
    cli()
