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
with status 2 and one line naming the key, the value and what is allowed: values and types,
unknown keys (also ``+key=``), non-strict booleans, interpolations that do not resolve,
YAML errors (file and line), names that would become unsafe paths, a population too small
to be a model or needing more memory than the machine has, an output directory that is a
file, not writable, or not one of this tool's runs, and launcher settings Hydra would only
reject with a traceback. A disk fault while writing exits 1 with one line naming the path. A sweep is
checked on its first combination of values (unknown keys, types, scenario and preset
names, the design block); a bad value in one job fails that job alone and the sweep goes
on (:mod:`experiments.sweep.sweeper`), the command then exiting with status 1. Sweep jobs
log instead of printing and show no progress bar: the sweep prints one progress line per
finished job. See ``docs/sweeps.md``.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import re
import sys
import time
import typing
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import hydra
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig

from experiments.errors import disk_error, fail
from experiments.rundir import (HYDRA_DIR, HYDRA_FILES, RUN_LOCK, SWEEP_PRESET, RunDirError, check_writable_run_dir,
                                is_complete, mark_failed, read_summary, remove_partial_files, run_lock, start_run,
                                write_run)
from experiments.sweep import sweeper
from experiments.sweep.designs import check_design, check_design_keys
from experiments.sweep.progress import error_line
from experiments.sweep.resume import check_same_run
from experiments.sweep.seeds import run_seed
from sim.config import (CONFIG_DIR, SCENARIO_DIR, Config, ConfigError, available_scenarios, omegaconf_error, register,
                        validate)
from sim.params import check_booleans, entries, flatten

register()
sweeper.register()
log = logging.getLogger("experiments.run")  # also when run as __main__

SWEEP_PRESETS_DIR = CONFIG_DIR / SWEEP_PRESET
INTERRUPTED = ("interrupted: complete runs are kept (their manifest.json says complete); a run cut short is not "
               "complete and is redone when the same command is rerun into the same hydra.sweep.dir / hydra.run.dir")


# --------------------------------------------------------------------------- one run


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


# --------------------------------------------------------------------------- checks beyond the declared ranges

SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.+-]*")
MIN_HOUSEHOLDS = 10  # per district: below this a run is not a model of the district (a handful of people)
# memory of a run (measured on model 0.7.0 with ru_maxrss, scales 0.05-0.2, 8-100 contacts; rounded up):
BASE_BYTES = 250 * 2**20  # the interpreter, numpy, pandas, Mesa and the model's fixed tables
PERSON_BYTES = 150  # per working-age person, besides contacts
CONTACT_BYTES = 13  # per contact while the contact network is built (float64 draw + int32 + mask)
DAY_BYTES = 4096  # per simulated day (the daily records)


def resolve_interpolations(cfg: DictConfig) -> None:
    """ConfigError for the first interpolation that does not resolve (``${oc.env:NOPE}``, ``${nope}``)."""
    from omegaconf import OmegaConf

    body = OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"])
    try:
        OmegaConf.to_container(body, resolve=True)
    except Exception as exc:
        key = getattr(exc, "full_key", None) or "config"
        raw = None
        try:
            parent, _, last = key.rpartition(".")
            raw = (OmegaConf.select(body, parent) if parent else body)._get_node(last)._value()
        except Exception:
            pass
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        raise ConfigError(key, raw, f"an interpolation that resolves ({first})") from None


def unknown_key(cfg: DictConfig) -> tuple[str, Any] | None:
    """The first key of ``cfg`` that the schema does not declare (e.g. added with ``+key=``), with its value."""
    from omegaconf import OmegaConf

    def walk(node: Any, cls: type, prefix: str) -> tuple[str, Any] | None:
        hints = typing.get_type_hints(cls)
        names = {f.name for f in dataclasses.fields(cls)}
        for key, value in node.items():
            if key not in names:
                return f"{prefix}{key}", value
            tp, args = hints[key], typing.get_args(hints[key])
            if dataclasses.is_dataclass(tp) and isinstance(value, dict):
                found = walk(value, tp, f"{prefix}{key}.")
            elif typing.get_origin(tp) is list and args and dataclasses.is_dataclass(args[0]) and isinstance(value, list):
                found = next((f for i, item in enumerate(value) if isinstance(item, dict)
                              and (f := walk(item, args[0], f"{prefix}{key}.{i}."))), None)
            else:
                found = None
            if found:
                return found
        return None

    body = OmegaConf.to_container(OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]), resolve=False)
    return walk(body, Config, "")


BOOLEANS = {e.key for e in entries(Config) if e.type is bool}


def check_strict_booleans(overrides: Sequence[str]) -> None:
    """A boolean given on the command line as anything but true or false (``channels.grievance=2``) is refused
    before OmegaConf would convert it (every value of a sweep list is checked)."""
    from hydra.core.override_parser.overrides_parser import OverridesParser

    parser = OverridesParser.create()
    for text in overrides:
        key = text.partition("=")[0].lstrip("+~")
        if re.sub(r"\.\d+\.", "[].", key) not in BOOLEANS:
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


def check_scenario_files(overrides: Sequence[str]) -> None:
    """The scenario files a command line selects: YAML that parses (file and line named), strict booleans."""
    import yaml

    names = set()
    for o in overrides:
        key, _, value = o.partition("=")
        if key.lstrip("+") == "scenario":
            names |= {n.strip() for n in value.split(",") if n.strip() in available_scenarios()}
    for name in sorted(names or {"baseline"}):
        path = SCENARIO_DIR / f"{name}.yaml"
        try:
            data = yaml.safe_load(path.read_text())
        except yaml.YAMLError as exc:
            mark = getattr(exc, "problem_mark", None)
            where = f"{path}, line {mark.line + 1}, column {mark.column + 1}" if mark else str(path)
            raise ConfigError("scenario", name, f"a YAML file that parses ({where}: "
                                                f"{getattr(exc, 'problem', None) or 'syntax error'})") from None
        except OSError as exc:
            raise ConfigError("scenario", name, f"a readable file ({path}: {exc.strerror})") from None
        if isinstance(data, dict):
            check_booleans(Config, {k: v for k, v in flatten(data).items() if isinstance(k, str)}, ConfigError)


def check_run_names(cfg: DictConfig) -> None:
    """Names that become paths (``scenario_name`` names the run directory) are plain names: no '/', no '..'."""
    name = str(cfg.scenario_name)
    if not SAFE_NAME.fullmatch(name) or ".." in name:
        raise ConfigError("scenario_name", name, "a name of letters, digits and . _ + - (it names the run "
                                                 "directory: no '/', '..' or spaces)")


def available_memory() -> int | None:
    """Bytes this process could still allocate: MemAvailable, or less under a cgroup memory limit."""
    avail = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    try:
        limit = Path("/sys/fs/cgroup/memory.max").read_text().strip()
        if limit != "max":
            used = int(Path("/sys/fs/cgroup/memory.current").read_text())
            avail = min(avail or 2**62, int(limit) - used)
    except (OSError, ValueError):
        pass
    return avail


def gib(n: float) -> str:
    return f"{n / 2**30:.1f} GiB" if n >= 2**30 else f"{n / 2**20:.0f} MiB"


def memory_needed(cfg: DictConfig, region) -> tuple[int, int]:
    """(bytes a run needs at most, working-age people) from the region, scale, contacts and days, before building."""
    from sim.population import district_counts

    pop, households = district_counts(region, float(cfg.population.scale))
    people = int(pop.sum() * float(cfg.population.working_age_share) + households.sum())  # >= 1 per household
    k = int(cfg.population.contacts_per_person)
    return BASE_BYTES + people * (PERSON_BYTES + CONTACT_BYTES * k) + int(cfg.days) * DAY_BYTES, people


def check_population(cfg: DictConfig, region) -> None:
    """Refuse a population too small to be a model (a district with a handful of households) or one whose
    arrays would need more memory than the machine has (estimated before building)."""
    import numpy as np

    from sim.population import district_counts

    scale = float(cfg.population.scale)
    _, households = district_counts(region, scale)
    i = int(np.argmin(households))
    if households[i] < MIN_HOUSEHOLDS:
        d = region.districts.iloc[i]
        need = MIN_HOUSEHOLDS * float(d["household_size"]) / float(d["population"])
        if need > 1:
            raise ConfigError(f"population.region_file[{d['district']}].household_size", float(d["household_size"]),
                              f"a household size giving {d['district']} at least {MIN_HOUSEHOLDS} households at "
                              f"population.scale=1 (population {float(d['population']):g})")
        raise ConfigError("population.scale", scale, f"a scale >= {need:.2g} for this region ({d['district']} would "
                                                     f"have {int(households[i])} household(s); at least "
                                                     f"{MIN_HOUSEHOLDS} per district)")
    needed, people = memory_needed(cfg, region)
    avail = available_memory()
    if avail is not None and needed > avail:
        raise ConfigError("population.scale", scale, f"a run that fits in memory: this one needs about {gib(needed)} "
                                                     f"({people:,} working-age people x "
                                                     f"{cfg.population.contacts_per_person} contacts) and "
                                                     f"{gib(avail)} is available; lower population.scale or "
                                                     "population.contacts_per_person")


def validate_with_region(cfg: DictConfig) -> None:
    """Interpolations, unknown keys, range checks, then the region files and the names that refer to them,
    names that become paths, and the population's size and memory."""
    from sim.region import load_region

    resolve_interpolations(cfg)
    unknown = unknown_key(cfg)
    if unknown:
        raise ConfigError(unknown[0], unknown[1], "not a config key (see python -m experiments.params)")
    try:
        validate(cfg)
        region = load_region(cfg.population.region_file, cfg.population.crossings_file, cfg.population.include_iran)
        validate(cfg, region.names, region.official_crossings)
    except ConfigError:
        raise
    except (KeyError, AttributeError, TypeError, ValueError) as exc:  # OmegaConf: a value that is not its type
        raise omegaconf_error(exc) from None
    check_run_names(cfg)
    check_population(cfg, region)


# the run directory this command line creates (set by prevalidate for a single run): removed again, with what
# Hydra wrote there, if the run is refused after Hydra started it
CREATED: Path | None = None


def forget_launch(run_dir: Path) -> None:
    """Undo what Hydra's launch wrote into a run directory this command created (``.hydra/``, ``run.log``,
    the lock), when the run is refused: bad input leaves nothing behind."""
    run_dir = Path(run_dir)
    if CREATED is None or not run_dir.is_dir() or not (run_dir == CREATED or CREATED in run_dir.parents):
        return
    for name in HYDRA_FILES:
        (run_dir / HYDRA_DIR / name).unlink(missing_ok=True)
    for p in [run_dir / HYDRA_DIR, run_dir / RUN_LOCK, *run_dir.glob("*.log")]:
        try:
            p.rmdir() if p.is_dir() else p.unlink(missing_ok=True)
        except OSError:
            pass
    d = run_dir
    while True:  # the directories this command created, innermost first, while empty
        try:
            d.rmdir()
        except OSError:
            break
        if d == CREATED:
            break
        d = d.parent


def run_job(cfg: DictConfig, run_dir: Path, multirun: bool = False) -> dict[str, Any]:
    """Build, run and write one scenario run, or skip it if already complete.

    Returns ``{"status": "complete" | "skipped", "run_dir", "summary"}``. Bad input exits 2
    with one line in a single run (and what Hydra wrote for it is removed); a disk fault exits 1
    with one line. In a multirun both raise, so the sweep reports the job and goes on.

    The run directory must be empty or one of this tool's runs; the run holds its lock
    throughout, claims it with a ``running`` manifest before writing, and on failure records
    ``failed`` in it (the files it wrote stay, incomplete, until a rerun replaces them).
    """
    from sim import BorderModel

    t0 = time.perf_counter()
    run_dir = Path(run_dir)
    try:
        seed = run_seed(cfg)
        check_writable_run_dir(run_dir)
        with run_lock(run_dir):
            if is_complete(run_dir):
                check_same_run(run_dir, cfg, seed)
                say(f"skipped (already complete): {run_dir}", multirun)
                return {"status": "skipped", "run_dir": str(run_dir), "summary": read_summary(run_dir)}
            validate_with_region(cfg)
            remove_partial_files(run_dir)  # a killed writer's: no writer is alive while we hold the lock
            start_run(run_dir)
            try:
                model = BorderModel(config=cfg, rng=seed)
                model.base_seed = int(cfg.seed)  # recorded in the manifest next to the seed actually used
                model.run(progress=bool(cfg.progress) and not multirun)
                summary = write_run(run_dir, model, {"build_seconds": round(model.build_seconds, 3),
                                                     "run_seconds": round(model.run_seconds, 3),
                                                     "wall_seconds": round(time.perf_counter() - t0, 3)})
            except BaseException as exc:
                try:
                    mark_failed(run_dir, "interrupted" if isinstance(exc, KeyboardInterrupt) else error_line(exc))
                except OSError:
                    pass
                raise
    except (ConfigError, RunDirError) as exc:
        if multirun:
            raise
        forget_launch(run_dir)
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


LAUNCHER_PID = "BORDER_SIM_LAUNCHER_PID"  # set by cli(): tells a sweep's worker processes from the launching one
_IN_JOB = [False]


def _worker_interrupt(signum, frame) -> None:
    """Ctrl-C in a sweep's worker process: interrupts a running job (which records itself as failed); between
    jobs it is ignored, so an idle worker prints no traceback (the launcher shuts its workers down)."""
    if _IN_JOB[0]:
        raise KeyboardInterrupt


def quiet_worker_interrupts() -> None:
    import signal

    if os.environ.get(LAUNCHER_PID, str(os.getpid())) == str(os.getpid()):
        return  # the launching process (Hydra's in-process launcher): Ctrl-C stops the sweep as usual
    try:
        signal.signal(signal.SIGINT, _worker_interrupt)
    except ValueError:  # not the main thread (some launchers run jobs in threads)
        pass


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def main(cfg: DictConfig) -> dict[str, Any]:
    logging.getLogger("MESA").setLevel(logging.WARNING)  # Mesa logs every step at INFO
    hc = HydraConfig.get()
    multirun = hc.mode is not None and hc.mode.name == "MULTIRUN"
    if multirun:  # a sweep job logs to its run.log; the console shows the sweep's progress board only
        for handler in logging.getLogger().handlers:
            if type(handler) is logging.StreamHandler:
                handler.setLevel(logging.WARNING)
        quiet_worker_interrupts()
    _IN_JOB[0] = True
    try:
        return run_job(cfg, Path(hc.runtime.output_dir), multirun=multirun)
    finally:
        _IN_JOB[0] = False


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


def check_replicates(cfg: DictConfig) -> None:
    """``replicates`` shapes the sweep itself: checked before any job is expanded."""
    from sim.params import allowed, check_value

    entry = next(e for e in entries(Config) if e.key == "replicates")
    if not check_value(entry, cfg.replicates):
        raise ConfigError("replicates", cfg.replicates, allowed(entry))


def first_missing(path: Path) -> tuple[Path | None, Path]:
    """(the outermost directory of ``path`` that does not exist yet, or None; the innermost that exists)."""
    path = Path(os.path.abspath(path))
    missing = None
    while not path.exists() and path != path.parent:
        missing, path = path, path.parent
    return missing, path


def check_output_dir(path: Path, key: str) -> Path | None:
    """An output directory the tool can create or write: not a file, not below a file, writable.
    Returns the outermost directory the command will create (None if ``path`` exists)."""
    path = Path(path)
    if path.exists() and not path.is_dir():
        raise RunDirError(path, "is a file; a run needs a directory (a new one, or one of this tool's runs)")
    missing, existing = first_missing(path)
    if not existing.is_dir():
        raise RunDirError(path, f"cannot be created: {existing} is a file")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise RunDirError(path, f"not writable ({existing} is read-only for this user); choose a writable directory")
    return missing


SWEEP_OUTPUTS = ("multirun.yaml", "sweep.json", "runs.parquet", "timeseries.parquet")


def check_sweep_dir(path: Path) -> None:
    """A sweep directory: creatable and writable, and if it exists, not holding files named as the sweep's own
    outputs that no sweep of this tool wrote (a directory without ``.sweep/``)."""
    path = Path(path)
    check_output_dir(path, "hydra.sweep.dir")
    if path.is_dir() and not (path / ".sweep").is_dir():
        theirs = [n for n in SWEEP_OUTPUTS if (path / n).exists()]
        if theirs:
            raise RunDirError(path, f"holds {', '.join(theirs)} not written by a sweep of this tool; nothing there is "
                                    "touched: use a new or empty directory")


def prevalidate(argv: Sequence[str]) -> list[str]:
    """Validate a command line before Hydra creates any output directory; exit 2 on bad input.

    A single run is composed and fully validated (config ranges, unknown keys, strict booleans,
    interpolations, region file, names, population and memory, the output directory). A multirun
    is composed on its first combination (keys, types, names, design, replicates, launcher,
    the sweep directory). Returns the command line to run: with ``-m`` added when a single-run
    command line asks for a sweep, and a single run's ``hydra.run.dir`` pinned to the directory
    that was checked.
    """
    global CREATED
    overrides = user_overrides(argv)
    hydra_args = hydra_overrides(argv)
    multirun = is_multirun(argv)
    informational = is_informational(argv)
    try:
        check_names(overrides, "scenario", available_scenarios())
        check_names(overrides, SWEEP_PRESET, available_sweeps())
        check_scenario_files(overrides)
        check_strict_booleans(overrides)
        cfg = compose([*(first_combination(overrides) if multirun else overrides), *hydra_args], with_hydra=True)
        check_launcher(cfg)
        resolve_interpolations(cfg)
        unknown = unknown_key(cfg)
        if unknown:
            raise ConfigError(unknown[0], unknown[1], "not a config key (see python -m experiments.params)")
        check_replicates(cfg)
        design = cfg.hydra.sweeper.get("design")
        if design is not None:
            check_design(design, cfg)
            check_design_keys(design, {o.partition("=")[0].lstrip("+~") for o in overrides}
                              | set(cfg.hydra.sweeper.get("params") or {}))
        if not multirun and not informational and wants_sweep(cfg, overrides):
            print("note: this command line asks for several runs: running it as a sweep (-m)", file=sys.stderr)
            return prevalidate(["-m", *argv])
        if multirun:
            if not informational:
                check_sweep_dir(Path(str(cfg.hydra.sweep.dir)))
            return list(argv)
        validate_with_region(cfg)
        if informational:
            return list(argv)
        run_dir = Path(str(cfg.hydra.run.dir))
        CREATED = check_output_dir(run_dir, "hydra.run.dir")
        check_writable_run_dir(run_dir)
    except ConfigError as exc:
        fail(str(exc))
    except RunDirError as exc:
        fail(f"hydra.{'sweep' if multirun else 'run'}.dir={exc}")
    except Exception as exc:  # anything composition raised that is not yet a one-line error
        fail(str(omegaconf_error(exc)))
    return list(argv) if given(hydra_args, "hydra.run.dir") else [*argv, f"hydra.run.dir={run_dir}"]


def one_line_setup_faults() -> None:
    """A single run: a disk fault while Hydra writes the job's ``.hydra/`` files (before the run starts) is one
    line and exit status 1, not Hydra's error report. (In a sweep it fails that job alone: the sweeper.)"""
    import hydra.core.utils as hydra_utils

    save = hydra_utils._save_config

    def save_config(cfg, filename, output_dir):
        try:
            return save(cfg, filename, output_dir)
        except OSError as exc:
            fail(disk_error(exc, then="rerun the same command"), code=1)

    hydra_utils._save_config = save_config


def cli() -> None:
    sys.argv = [sys.argv[0], *prevalidate(sys.argv[1:])]
    sweeper.LAST_SWEEP = None
    os.environ[LAUNCHER_PID] = str(os.getpid())  # inherited by a sweep's worker processes
    if not is_multirun(sys.argv):
        one_line_setup_faults()
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C: one line, not the launcher's traceback
        print(INTERRUPTED, file=sys.stderr)
        raise SystemExit(130) from None
    except OSError as exc:  # a disk fault outside a job (e.g. writing the sweep's own records)
        fail(disk_error(exc), code=1)
    if sweeper.LAST_SWEEP and sweeper.LAST_SWEEP["failed"]:
        raise SystemExit(1)


if __name__ == "__main__":
    cli()
