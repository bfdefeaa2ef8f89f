"""Shared command-line plumbing: one-line errors and pre-validation of Hydra overrides.

Every entry point reports a bad input as one line on stderr, ``error: key=value: allowed``,
and exits with status 2 — no traceback, and nothing written under ``results/``.
A sweep (``-m``) is checked on its first combination of values (unknown keys, types,
scenario and preset names, the design block); range errors of single jobs are reported
by the sweep, which goes on with the other jobs.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from omegaconf import DictConfig

from sim.config import CONFIG_DIR, ConfigError, available_scenarios, omegaconf_error, register, validate

SWEEP_DIR = CONFIG_DIR / "sweep"

EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    """Print one line to stderr and exit."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


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
    return sorted(p.stem for p in SWEEP_DIR.glob("*.yaml"))


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


def check_scenarios(overrides: Sequence[str]) -> None:
    check_names(overrides, "scenario", available_scenarios())


def compose(overrides: Sequence[str], with_hydra: bool = False) -> DictConfig:
    """Compose the config the Hydra app would see (single run), turning any error into ConfigError."""
    from hydra import compose as hydra_compose, initialize_config_dir

    from experiments.sweeper import register as register_sweeper

    register()
    register_sweeper()
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
    from experiments.designs import check_design, check_design_keys

    overrides = user_overrides(argv)
    check_scenarios(overrides)
    check_names(overrides, "sweep", available_sweeps())
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


def validate_with_region(cfg: DictConfig) -> None:
    """Range checks, then the region files and the names that refer to them."""
    from sim.region import load_region

    validate(cfg)
    region = load_region(cfg.population.region_file, cfg.population.crossings_file, cfg.population.include_iran)
    validate(cfg, region.names, region.official_crossings)
