"""Shared command-line plumbing: one-line errors and pre-validation of Hydra overrides.

Every entry point reports a bad input as one line on stderr, ``error: key=value: allowed``,
and exits with status 2 — no traceback, and nothing written under ``results/``.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from omegaconf import DictConfig

from sim.config import CONFIG_DIR, ConfigError, available_scenarios, omegaconf_error, register, validate

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


def check_scenarios(overrides: Sequence[str]) -> None:
    """Fail early on an unknown scenario (also for comma-separated sweep lists)."""
    known = available_scenarios()
    for o in overrides:
        key, _, value = o.partition("=")
        if key.lstrip("+") == "scenario":
            for name in value.split(","):
                if name not in known:
                    fail(f"scenario={name!r}: one of {', '.join(known)}")


def compose(overrides: Sequence[str]) -> DictConfig:
    """Compose the config the Hydra app would see (single run), turning any error into ConfigError."""
    from hydra import compose as hydra_compose, initialize_config_dir

    register()
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            return hydra_compose(config_name="config", overrides=list(overrides))
    except Exception as exc:  # Hydra/OmegaConf composition or type errors
        err = omegaconf_error(exc)
        if err.value is None:  # e.g. an unknown key: take the value from the command line
            given = dict(o.lstrip("+~").partition("=")[::2] for o in overrides)
            err = ConfigError(err.key, given.get(err.key), err.allowed)
        raise err from None


def prevalidate(argv: Sequence[str]) -> DictConfig | None:
    """Validate a command line before Hydra creates any output directory; exit 2 on bad input.

    A single run is composed and fully validated (config ranges, region file, names).
    A multirun is checked for scenario names here; each job validates itself.
    """
    overrides = user_overrides(argv)
    check_scenarios(overrides)
    if is_multirun(argv):
        return None
    try:
        cfg = compose(overrides)
        validate_with_region(cfg)
    except ConfigError as exc:
        fail(str(exc))
    return cfg


def validate_with_region(cfg: DictConfig) -> None:
    """Range checks, then the region files and the names that refer to them."""
    from sim.region import load_region

    validate(cfg)
    region = load_region(cfg.population.region_file, cfg.population.crossings_file, cfg.population.include_iran)
    validate(cfg, region.names, region.crossing_names)
