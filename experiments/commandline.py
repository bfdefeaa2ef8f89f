"""A command line of ``experiments.run`` (and the parts ``experiments.analyze`` shares): split, composed and
checked before Hydra creates any output directory.

:func:`prevalidate` exits with status 2 and one line naming the key, the value and what is allowed on bad
input: values and types, unknown keys (also ``+key=``), non-strict booleans, interpolations that do not
resolve, YAML errors (file and line), names that would become unsafe paths, a population too small to be a
model or needing more memory than the machine has, an output directory that is a file, not writable, or not
one of this tool's runs, and launcher settings Hydra would only reject with a traceback. A single run is
validated here once (:mod:`experiments.checks`); a sweep on its first combination of values, each job then
on its own config.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from omegaconf import DictConfig, OmegaConf

from experiments.calibration import posterior
from experiments.checks import check_keys, check_values, not_a_key
from experiments.errors import fail
from experiments.rundir import (SWEEP_PRESET, RunDirError, check_output_dir, check_sweep_dir,
                                check_writable_run_dir, is_complete)
from experiments.sweep.designs import check_design, check_design_keys
from experiments.sweep.grid import grid, values
from experiments.sweep.resume import stale_reason
from experiments.sweep.seeds import run_seed
from sim.config import (CONFIG_DIR, SCENARIO_DIR, Config, ConfigError, available_scenarios, omegaconf_error,
                        read_config_file, register)
from sim.params import check_booleans, entries, flatten, schema_key

SWEEP_PRESETS_DIR = CONFIG_DIR / SWEEP_PRESET


@dataclass(frozen=True)
class CommandLine:
    """A checked command line: ``argv`` to hand to Hydra; for a single run, ``run_dir``, ``created_dir`` (the
    outermost directory the run will create, None if its directory exists) and whether the run directory is
    the default one; for a sweep, ``sweep_dir``."""

    argv: list[str]
    created_dir: Path | None = None
    sweep_dir: Path | None = None
    run_dir: Path | None = None
    default_dir: bool = False  # the run directory is the default one (results/runs/<scenario>/<time>_s<seed>)


BOOLEANS = {e.key for e in entries(Config) if e.type is bool}


def check_strict_booleans(overrides: Sequence[str]) -> None:
    """A boolean given on the command line as anything but true or false (``channels.grievance=2``) is refused
    before OmegaConf would convert it (every value of a sweep list is checked)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    for text in overrides:
        key = text.partition("=")[0].lstrip("+~")
        if schema_key(key) not in BOOLEANS:
            continue
        try:
            (o,) = parser.parse_overrides([text])
        except Exception:
            continue  # reported by composition
        if o.is_sweep_override():
            values = [v.lower() if v.lower() in ("true", "false") else v for v in o.sweep_string_iterator()]
            values = [v == "true" if v in ("true", "false") else v for v in values]
        else:
            values = [o.value()]
        for v in values:
            check_booleans(Config, {key: v}, ConfigError)


def check_config_files(overrides: Sequence[str]) -> None:
    """The scenario, sweep and calibration files a command line selects read as config files (file and line
    named otherwise: :func:`sim.config.read_config_file`); a scenario's booleans are strict."""
    directories = {"scenario": SCENARIO_DIR, SWEEP_PRESET: SWEEP_PRESETS_DIR,
                   posterior.CALIBRATION_GROUP: posterior.CALIBRATION_DIR}
    selected = {"scenario": {"baseline"}}
    for o in overrides:
        key, _, value = o.partition("=")
        group = key.lstrip("+")
        if group in directories:
            selected[group] = {n.strip() for n in value.split(",") if (directories[group] / f"{n.strip()}.yaml")
                               .is_file()} or selected.get(group, set())
    for group, names in selected.items():
        for name in sorted(names):
            data = read_config_file(directories[group] / f"{name}.yaml")
            if group == "scenario":
                check_booleans(Config, {k: v for k, v in flatten(OmegaConf.to_container(data)).items()
                                        if isinstance(k, str)}, ConfigError)


# Hydra's flags a command accepts (with their values, e.g. ``--cfg job``); every other flag is refused, among them
# ``--experimental-rerun`` (it unpickles a file: code from wherever that file came from), ``--config-path``,
# ``--config-dir`` and ``--config-name`` (configs from outside configs/).
FLAGS = ("-m", "--multirun", "-h", "--help", "--hydra-help", "-c", "--cfg", "-p", "--package", "--resolve", "-i",
         "--info")


FLAG_VALUES = ("-c", "--cfg", "-p", "--package", "-i", "--info")  # flags followed by a value (--cfg job)


def check_flags(argv: Sequence[str], allowed: Sequence[str] = FLAGS) -> None:
    """Exit 2 with one line on any argument starting with ``-`` that is not one of ``allowed`` (Hydra would take
    it as one of its own flags, some of which load code), and on any other that is not ``KEY=VALUE`` (Hydra would
    stop with its own error after creating the run directory; ``~KEY`` deletions included)."""
    for i, a in enumerate(argv):
        if a.startswith("-"):
            if a not in allowed:
                fail(f"{a}: not an option of this command (it takes KEY=VALUE overrides and "
                     f"{', '.join(f for f in allowed if f.startswith('--'))})")
        elif ("=" not in a or a.startswith(("=", "~"))) and not (i and argv[i - 1] in FLAG_VALUES):
            fail(f"{a}: not a KEY=VALUE override (e.g. days=365; python -m experiments.params lists the keys)")


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


def choices_text() -> str:
    """What a command line can choose by name (``run --help``): scenarios, sweep presets, calibrations."""
    groups = (("scenario=", available_scenarios()), ("+sweep=", available_sweeps()),
              ("+calibration=", posterior.available_calibrations()))
    return "\n".join(f"  {group:<14} {', '.join(names)}" for group, names in groups)


def register_help() -> None:
    """The resolver ``run --help`` lists the choices with (``${run_choices:}`` in configs/config.yaml)."""
    from omegaconf import OmegaConf

    if not OmegaConf.has_resolver("run_choices"):
        OmegaConf.register_new_resolver("run_choices", choices_text)


def plain_value(text: object) -> object:
    """A command-line value as YAML reads it (``0.1`` a number, ``abc`` a string)."""
    import yaml

    try:
        return yaml.safe_load(text) if isinstance(text, str) else text
    except yaml.YAMLError:
        return text


def compose(overrides: Sequence[str], with_hydra: bool = False, config_name: str = "config") -> DictConfig:
    """Compose the config the Hydra app would see (single run), turning any error into ConfigError.
    ``config_name``: ``config`` (``experiments.run``) or ``analyze`` (``experiments.analyze``, whose schema
    that command registers)."""
    from hydra import compose as hydra_compose, initialize_config_dir

    from experiments.sweep import sweeper

    register()  # the model's schema, base_config (idempotent)
    posterior.register()  # the run's schema, run_config: the model's and the calibration draw (idempotent)
    register_help()
    sweeper.register()  # the sweeper and the resolvers configs/common.yaml uses (idempotent)
    try:
        with initialize_config_dir(config_dir=str(CONFIG_DIR), version_base="1.3"):
            try:
                return hydra_compose(config_name=config_name, overrides=list(overrides),
                                     return_hydra_config=with_hydra)
            except Exception as exc:
                raise composition_error(exc, overrides) or exc from None
    except ConfigError:
        raise
    except Exception as exc:  # Hydra/OmegaConf composition or type errors
        err = omegaconf_error(exc)
        if err.allowed.startswith("not a config key"):  # name the key and value as the command line gave them
            given = [o.lstrip("+~").partition("=") for o in overrides]
            key, _, value = next((g for g in given if g[0] == err.key or g[0].startswith(f"{err.key}.")),
                                 (err.key, "", err.value))
            err = not_a_key(key, plain_value(value))
        elif err.value is None:  # take the value from the command line
            given = dict(o.lstrip("+~").partition("=")[::2] for o in overrides)
            err = ConfigError(err.key, given.get(err.key), err.allowed)
        raise err from None


def composition_error(exc: Exception, overrides: Sequence[str]) -> ConfigError | None:
    """Hydra's composition errors that name no key, said as the command line gave them: ``+key=`` for a key the
    config already has, and an option a config group does not have (with the options it has). Call inside
    Hydra's initialize context (the options are looked up there)."""
    from hydra.core.global_hydra import GlobalHydra

    text = str(exc)
    given = {o.lstrip("+~").partition("=")[0]: o for o in overrides}
    if match := re.search(r"An item is already at '([^']+)'", text):
        key = match[1]
        o = given.get(key, f"+{key}=")
        return ConfigError(o.partition("=")[0], plain_value(o.partition("=")[2]),
                           f"{key} is already a config key: set it without '+' ({key}={o.partition('=')[2]})")
    if match := re.search(r"Could not find '([^']+)/([^'/]+)'", text):
        group, option = match[1], match[2]
        options = GlobalHydra.instance().config_loader().get_group_options(group)
        return ConfigError(group, option, "one of " + ", ".join(sorted(options)) if options else "an option of "
                           f"the config group {group}")
    return None


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
        else:
            values(o)  # a continuous sweep, a duplicate value or too many values: one line
            first = next(iter(o.sweep_string_iterator()), None)
            if first is None:
                raise ConfigError(o.get_key_element(), text.partition("=")[2], "a sweep of at least one value "
                                  "(range(start,stop) needs start < stop)")
            out.append(f"{text.partition('=')[0]}={first}")
    return out


def wants_sweep(cfg: DictConfig, overrides: Sequence[str]) -> bool:
    """True when a single-run command line asks for several runs (replicates > 1, or a sweep preset)."""
    keys = {o.partition("=")[0].lstrip("+~") for o in overrides}
    sw = cfg.hydra.sweeper
    return (cfg.replicates > 1 and "replicate" not in keys) or bool(sw.get("params")) or sw.get("design") is not None


def hydra_overrides(argv: Sequence[str]) -> list[str]:
    """The ``hydra.*`` and ``hydra/...`` overrides on a command line (launcher, output directories, sweeper)."""
    return [a for a in argv if "=" in a and not a.startswith("-") and a.lstrip("+~").startswith("hydra")]


def given(overrides: Sequence[str], key: str) -> bool:
    return any(o.partition("=")[0].lstrip("+~") == key for o in overrides)


def check_launcher(cfg: DictConfig) -> None:
    """Launcher settings that Hydra's launchers would only reject with a traceback."""
    launcher = cfg.hydra.get("launcher") or {}
    if "n_jobs" in launcher:
        n = launcher.n_jobs
        if n is not None and (not isinstance(n, int) or isinstance(n, bool) or n == 0):
            raise ConfigError("hydra.launcher.n_jobs", n, "a number of worker processes: an integer >= 1, or -1 for "
                                                          "every core (-2 every core but one, ...)")


def check_hydra_outputs(cfg: DictConfig, overrides: Sequence[str]) -> None:
    """Hydra settings that would put a run's files outside its folder, add callbacks or replace the sweeper or
    launcher class (Hydra's traceback): refused."""
    subdir = cfg.hydra.get("output_subdir")
    if subdir != ".hydra":
        raise ConfigError("hydra.output_subdir", subdir, "'.hydra' (the run's .hydra/ folder; another path would "
                          "write Hydra's files elsewhere and leave the run without them)")
    for text in overrides:
        key, _, value = text.partition("=")
        if key.lstrip("+~").startswith("hydra.callbacks"):
            raise ConfigError(key.lstrip("+~"), value, "not settable from the command line (the project sets its "
                              "own callbacks)")
        if key.lstrip("+~") in ("hydra.sweeper._target_", "hydra.launcher._target_"):
            raise ConfigError(key.lstrip("+~"), value, "not settable from the command line (choose a launcher with "
                              "hydra/launcher=NAME; the sweeper is the project's)")


JOBLIB_BACKENDS = ("loky", "multiprocessing", "threading", "sequential")


def check_sweeper(cfg: DictConfig, overrides: Sequence[str]) -> None:
    """The sweeper's settings and the size of the sweep, before anything is expanded or written: batches of at
    least one job, a joblib backend joblib knows, and at most ``MAX_JOBS`` jobs."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    sw = cfg.hydra.sweeper
    size = sw.get("max_batch_size")
    if size is not None and (not isinstance(size, int) or isinstance(size, bool) or (size < 1 and size != -1)):
        raise ConfigError("hydra.sweeper.max_batch_size", size, "jobs per launch: an integer >= 1, or null (all)")
    backend = (cfg.hydra.get("launcher") or {}).get("backend")
    if backend is not None and backend not in JOBLIB_BACKENDS:
        raise ConfigError("hydra.launcher.backend", backend, "a joblib backend: " + ", ".join(JOBLIB_BACKENDS))
    params = [f"{k}={v}" for k, v in (sw.get("params") or {}).items()]
    try:
        parsed = OverridesParser.create().parse_overrides([*params, *overrides])
    except Exception:
        return  # reported by composition
    design = sw.get("design")
    keys = {o.key_or_group for o in parsed}
    replicates = 1 if "replicate" in keys else int(cfg.replicates)
    grid([o for o in parsed if not o.is_sweep_override() or o.is_discrete_sweep()],
         multiplier=replicates * (int(design.n) if design is not None else 1))


def check_replicates(cfg: DictConfig) -> None:
    """``replicates`` shapes the sweep itself: checked before any job is expanded."""
    from sim.params import allowed, check_value

    entry = next(e for e in entries(Config) if e.key == "replicates")
    if not check_value(entry, cfg.replicates):
        raise ConfigError("replicates", cfg.replicates, allowed(entry))




def prevalidate(argv: Sequence[str]) -> CommandLine:
    """Validate a command line before Hydra creates any output directory; exit 2 on bad input.

    A single run is composed and fully validated, once (config ranges, unknown keys, strict booleans,
    interpolations, region file, names, population and memory, the output directory). A multirun
    is composed on its first combination (keys, types, names, design, replicates, launcher,
    the sweep directory). Returns the command line to run: with ``-m`` added when a single-run
    command line asks for a sweep, and the output directory (``hydra.run.dir`` or ``hydra.sweep.dir``)
    pinned to the directory that was checked.
    """
    overrides = user_overrides(argv)
    hydra_args = hydra_overrides(argv)
    multirun = is_multirun(argv)
    informational = is_informational(argv)
    try:
        check_flags(argv)
        check_names(overrides, "scenario", available_scenarios())
        check_names(overrides, SWEEP_PRESET, available_sweeps())
        check_names(overrides, posterior.CALIBRATION_GROUP, posterior.available_calibrations())
        check_config_files(overrides)
        check_strict_booleans(overrides)
        cfg = compose([*(first_combination(overrides) if multirun else overrides), *hydra_args], with_hydra=True)
        check_launcher(cfg)
        check_hydra_outputs(cfg, [*overrides, *hydra_args])
        check_keys(cfg)
        check_replicates(cfg)
        posterior.draw(cfg, run_seed(cfg))  # a posterior to draw from, when one is asked for
        design = cfg.hydra.sweeper.get("design")
        if design is not None:
            check_design(design, cfg)
            check_design_keys(design, {o.partition("=")[0].lstrip("+~") for o in overrides}
                              | set(cfg.hydra.sweeper.get("params") or {}))
        if not multirun and not informational and wants_sweep(cfg, overrides):
            print("note: this command line asks for several runs: running it as a sweep (-m)", file=sys.stderr)
            return prevalidate(["-m", *argv])
        if informational:
            if not multirun:
                check_values(cfg)
            return CommandLine(list(argv))
        if multirun:
            if not str(cfg.hydra.sweep.dir).strip():
                raise ConfigError("hydra.sweep.dir", "", "a directory (an empty path would be the current directory)")
            check_sweeper(cfg, overrides)
            sweep_dir = Path(str(cfg.hydra.sweep.dir))
            check_sweep_dir(sweep_dir)
            pinned = list(argv) if given(hydra_args, "hydra.sweep.dir") else [*argv, f"hydra.sweep.dir={sweep_dir}"]
            return CommandLine(pinned, sweep_dir=sweep_dir)
        check_values(cfg)
        if not str(cfg.hydra.run.dir).strip():
            raise ConfigError("hydra.run.dir", "", "a directory (an empty path would be the current directory)")
        run_dir = Path(str(cfg.hydra.run.dir))
        created_dir = check_output_dir(run_dir)
        check_writable_run_dir(run_dir)
        if is_complete(run_dir):  # refused before Hydra rewrites its .hydra/
            stale_reason(run_dir, cfg, run_seed(cfg), dict(cfg.hydra.runtime.choices))
    except ConfigError as exc:
        fail(str(exc))
    except RunDirError as exc:
        fail(f"hydra.{'sweep' if multirun else 'run'}.dir={exc}")
    except Exception as exc:  # anything composition raised that is not yet a one-line error
        fail(str(omegaconf_error(exc)))
    default_dir = not given(hydra_args, "hydra.run.dir")
    pinned = [*argv, f"hydra.run.dir={run_dir}"] if default_dir else list(argv)
    return CommandLine(pinned, created_dir=created_dir, run_dir=run_dir, default_dir=default_dir)
