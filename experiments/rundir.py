"""A run directory: writing it (atomically, the manifest last), checking it is complete, reading it back.

A run directory holds ``timeseries.parquet`` (day × district, plus ``ALL``),
``groups.parquet`` (day × militant group), ``border.parquet`` (day × crossing),
``summary.json`` (headline scalars) and ``manifest.json`` (seed, resolved config,
versions, git commit, timings, the size and SHA-256 of every result file and of the replay
record ``.hydra/overrides.yaml``, ``"status": "complete"``); a run launched by Hydra also has ``.hydra/`` (its config and
command-line overrides) and ``run.log``. Every file is written to a temporary name of its
own writer (``.<name>.<random>.tmp``) and renamed into place; the manifest is replaced,
never unlinked, and written last, so a reader sees either the old manifest or the new one
and a run whose manifest does not say complete is incomplete whatever else is there.

Ownership: a run claims its directory before writing any result (:func:`start_run`: a
manifest with ``"status": "running"`` and ``"tool"``), under a lock held for the whole run
(:func:`run_lock`, ``.run.lock``). The tool writes, overwrites or deletes only the names in
:data:`TOOL_FILES` (and its own temporary files), and only in a directory that is empty or
already one of its runs (:func:`foreign_entries`); see ``docs/reliability.md``.

This is the one module that knows the layout: ``run`` writes with :func:`write_run`,
the sweeper and ``run`` check :func:`is_complete`, ``collect`` and ``report`` find runs
with :func:`find_runs` and read them with :func:`read_manifest`, :func:`read_summary`
and :func:`run_overrides`. The tables themselves come from the model
(``model.timeseries()``, ``model.group_frame()``, ``model.border_frame()``, ``model.summary(ts)``).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import hashlib
import json
import os
import platform
import re
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml
from omegaconf import OmegaConf

from sim.config import RESULT_NEUTRAL_KEYS, ConfigError

if TYPE_CHECKING:  # pandas and the model stack load in the run, not in sweep drivers that only check results
    import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.json"
RUN_FILES = (TIMESERIES, "groups.parquet", "border.parquet", SUMMARY)
MANIFEST = "manifest.json"
OVERRIDES = Path(".hydra") / "overrides.yaml"
TOOL = "border-closure-sim"  # the manifest's "tool": what marks a directory as one of this tool's runs
RUN_LOCK = ".run.lock"
TRACEBACK = "traceback.txt"  # a failed sweep job's traceback (experiments.sweep.callbacks)
HYDRA_DIR = ".hydra"
HYDRA_FILES = ("config.yaml", "hydra.yaml", "overrides.yaml")
# every name this tool writes in a run directory (plus Hydra's job log, ``<job name>.log``)
TOOL_FILES = (*RUN_FILES, MANIFEST, RUN_LOCK, TRACEBACK, HYDRA_DIR)
# a temporary file of one writer: .<one of the tool's names>.<random>.tmp (tempfile.mkstemp)
TEMP_NAME = re.compile(r"^\.(" + "|".join(re.escape(n) for n in (*RUN_FILES, MANIFEST, TRACEBACK)) + r")\.[^/]+\.tmp$")
# Command-line overrides that set no model parameter: the keys that do not change a run's results, and the
# sweep preset (``+sweep=NAME``: a config group whose values arrive as overrides of their own). They are left
# out of sweep job directory names (configs/config.yaml), of runs.parquet columns and of replayed commands.
SWEEP_PRESET = "sweep"
NOT_PARAMETER_OVERRIDES: tuple[str, ...] = (*RESULT_NEUTRAL_KEYS, SWEEP_PRESET)


class ResultsError(ValueError):
    """A results directory that cannot be read (missing, empty, no complete run)."""


class RunDirError(ValueError):
    """A run directory the tool may not write: a file, someone else's directory, or in use."""

    def __init__(self, path: Path, allowed: str):
        self.path, self.allowed = Path(path), allowed
        super().__init__(f"{path}: {allowed}")

    def __reduce__(self):  # travels back pickled from a sweep worker
        return RunDirError, (self.path, self.allowed)


SYMLINK = "is a symbolic link; the tool never writes, locks or deletes through one (remove it, or use another directory)"


def refuse_symlinks(base: Path, names: tuple[str, ...] | list[str]) -> None:
    """RunDirError naming the first of ``base/name`` (and, for a nested name, any directory on the way) that is a
    symbolic link: a tool file or folder where someone put a link to elsewhere."""
    base = Path(base)
    for name in names:
        path = base
        for part in Path(name).parts:
            path = path / part
            if path.is_symlink():
                raise RunDirError(path, SYMLINK)


# --------------------------------------------------------------------------- atomic writes


def atomic_write(path: Path, write: Callable[[str], None]) -> None:
    """Create ``path`` atomically: ``write(tmp)`` fills a temporary file in the same folder, which is
    flushed to disk and renamed into place; on any failure the temporary file is removed."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    try:
        write(tmp)
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.chmod(tmp, 0o644)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        if exc.filename is None:  # e.g. pyarrow's: name the file and the system's error (full disk, ...)
            code = exc.errno or next((int(m) for m in re.findall(r"\[errno (\d+)\]", str(exc), re.I)), None)
            raise OSError(code, os.strerror(code) if code else str(exc).splitlines()[0], str(path)) from exc
        raise
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_bytes(path: Path, data: bytes) -> None:
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(data))


def atomic_write_json(path: Path, obj: Any) -> None:
    atomic_write_bytes(path, (json.dumps(obj, indent=2, sort_keys=False, default=_json_default) + "\n").encode())


def atomic_write_parquet(path: Path, df: pd.DataFrame) -> None:
    atomic_write(path, lambda tmp: df.to_parquet(tmp, index=False))


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (completed renames) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    if isinstance(o, np.ndarray):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


# --------------------------------------------------------------------------- provenance


def package_versions() -> dict[str, str]:
    out = {"python": platform.python_version()}
    for name in ("border-closure-sim", "mesa", "numpy", "pandas", "pyarrow", "hydra-core", "omegaconf", "matplotlib"):
        try:
            out[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            out[name] = "not installed"
    return out


def git_commit() -> dict[str, Any]:
    """The project's git commit and whether the work tree had uncommitted changes."""
    try:
        commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                                timeout=5).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=PROJECT_ROOT,
                               capture_output=True, text=True, timeout=5).stdout.strip() != ""
        return {"commit": commit or None, "dirty": dirty if commit else None}
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "dirty": None}


def sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_record(path: Path) -> dict[str, Any]:
    """What the manifest records of a result file: its size and SHA-256."""
    return {"bytes": Path(path).stat().st_size, "sha256": sha256(path)}


def manifest(model, files: dict[str, dict], timings: dict[str, float], extra: dict[str, Any] | None = None
             ) -> dict[str, Any]:
    """The run's provenance. ``seed`` is the exact seed the model ran with; ``replicate`` its
    replicate index and ``base_seed`` the seed it was spawned from (``model.base_seed`` when the
    caller set one, else the seed itself)."""
    from sim import __version__
    from sim.indicators import UNITS

    return {
        "status": "complete",
        "tool": TOOL,
        "model_version": __version__,
        "scenario": model.par.scenario_name,
        "seed": int(model.par.seed),
        "replicate": int(model.par.replicate),
        "replicates": int(model.par.replicates),
        "base_seed": int(getattr(model, "base_seed", model.par.seed)),
        "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "config": OmegaConf.to_container(model.cfg, resolve=True),
        "versions": package_versions(),
        "git": git_commit(),
        "command": sys.argv,
        "timings": timings,
        "files": files,
        "units": UNITS,
        **(extra or {}),
    }


def write_run(run_dir: Path, model, timings: dict[str, float] | None = None, extra: dict[str, Any] | None = None
              ) -> dict[str, Any]:
    """Write every result file of a finished model, the manifest last (with ``extra`` fields: the inputs'
    checksums, a drawn calibration member); return the summary."""
    t0 = time.perf_counter()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    if read_status(run_dir) == "complete":  # a rewrite is incomplete until its new manifest lands (replaced,
        start_run(run_dir)                  # never unlinked: a concurrent reader always finds one)
    ts = model.timeseries()
    atomic_write_parquet(run_dir / TIMESERIES, ts)
    atomic_write_parquet(run_dir / "groups.parquet", model.group_frame())
    atomic_write_parquet(run_dir / "border.parquet", model.border_frame())
    summ = model.summary(ts)
    atomic_write_json(run_dir / SUMMARY, summ)
    timings = dict(timings or {})
    commit(run_dir, RUN_FILES, lambda files: manifest(model, files, {**timings, "write_seconds": round(
        time.perf_counter() - t0, 3)}, extra))
    return summ


def commit(run_dir: Path, names: tuple[str, ...], record: Callable[[dict[str, dict]], dict[str, Any]]) -> None:
    """Make a run complete: the result files ``names`` (already written) durable, then the manifest
    ``record(files)`` (``files``: the size and SHA-256 of each, and of the run's replay record
    ``.hydra/overrides.yaml`` when Hydra wrote one: a reader then trusts it as much as the results) written
    last."""
    run_dir = Path(run_dir)
    replay = (str(OVERRIDES),) if (run_dir / OVERRIDES).is_file() else ()
    files = {name: file_record(run_dir / name) for name in (*names, *replay)}
    fsync_dir(run_dir)  # the renames above are durable before the manifest says complete
    atomic_write_json(run_dir / MANIFEST, record(files))
    fsync_dir(run_dir)
    (run_dir / TRACEBACK).unlink(missing_ok=True)  # an earlier attempt's: this run completed


def remove_partial_files(run_dir: Path) -> None:
    """Delete the temporary files killed writers of this tool left behind. Call it only while holding
    :func:`run_lock` (no other writer of the directory is alive then); other files are never touched."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        return
    for tmp in run_dir.iterdir():
        if TEMP_NAME.match(tmp.name) and tmp.is_file():
            tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- ownership and locking


def is_own_manifest(man: Any) -> bool:
    """A manifest this tool wrote (``"tool"``; runs made before it was recorded: status, model and files)."""
    return isinstance(man, dict) and (man.get("tool") == TOOL or {"status", "config", "files"} <= set(man))


def foreign_entries(run_dir: Path) -> list[str]:
    """What stops the tool from writing into ``run_dir``: the entries of a non-empty directory that is not
    one of its runs. A directory is the tool's when its manifest is one the tool wrote, or when it holds
    nothing but what a launch leaves before the run claims it (``.hydra/``, ``<job>.log``, the lock).
    Empty list: the tool may write there (also when it does not exist)."""
    run_dir = Path(run_dir)
    if not run_dir.is_dir():
        return []
    entries = sorted(p.name for p in run_dir.iterdir())
    if MANIFEST in entries:
        try:
            if is_own_manifest(json.loads((run_dir / MANIFEST).read_text())):
                return []
        except (OSError, ValueError):
            pass
        return [MANIFEST]  # someone else's, or unreadable: never overwritten
    launch = {RUN_LOCK, HYDRA_DIR}
    out = [n for n in entries if n not in launch and not (n.endswith(".log") and (run_dir / n).is_file())]
    if HYDRA_DIR in entries:
        hydra = run_dir / HYDRA_DIR
        extra = sorted(p.name for p in hydra.iterdir()) if hydra.is_dir() else [HYDRA_DIR]
        out += [f"{HYDRA_DIR}/{n}" for n in extra if n not in HYDRA_FILES] if hydra.is_dir() else extra
    return out


def check_writable_run_dir(run_dir: Path) -> None:
    """Raise RunDirError unless the tool may write a run into ``run_dir`` (see :func:`foreign_entries`)."""
    run_dir = Path(run_dir)
    if run_dir.exists() and not run_dir.is_dir():
        raise RunDirError(run_dir, "is a file; a run needs a directory (a new one, or one of this tool's runs)")
    if run_dir.is_dir():
        refuse_symlinks(run_dir, [p.name for p in run_dir.iterdir()])
        if (run_dir / HYDRA_DIR).is_dir():
            refuse_symlinks(run_dir, [f"{HYDRA_DIR}/{p.name}" for p in (run_dir / HYDRA_DIR).iterdir()])
    foreign = foreign_entries(run_dir)
    if foreign:
        shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
        raise RunDirError(run_dir, f"a non-empty directory that is not a run of this tool (holds {shown}); "
                                   "nothing there is touched: use a new or empty directory")


def first_missing(path: Path) -> tuple[Path | None, Path]:
    """(the outermost directory of ``path`` that does not exist yet, or None; the innermost that exists)."""
    path = Path(os.path.abspath(path))
    missing = None
    while not path.exists() and path != path.parent:
        missing, path = path, path.parent
    return missing, path


def check_output_dir(path: Path) -> Path | None:
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
SWEEP_STATE = (".sweep", ".sweep/lock", ".sweep/jobs")  # the sweep's lock and progress records


def check_sweep_dir(path: Path) -> None:
    """A sweep directory: creatable and writable, no symbolic link where the sweep's own files belong, and if it
    exists, not holding files named as the sweep's own outputs that no sweep of this tool wrote (a directory
    without ``.sweep/``)."""
    path = Path(path)
    check_output_dir(path)
    refuse_symlinks(path, (*SWEEP_STATE, *SWEEP_OUTPUTS))
    if path.is_dir() and not (path / ".sweep").is_dir():
        theirs = [n for n in SWEEP_OUTPUTS if (path / n).exists()]
        if theirs:
            raise RunDirError(path, f"holds {', '.join(theirs)} not written by a sweep of this tool; nothing there is "
                                    "touched: use a new or empty directory")


def new_run_dir(path: Path) -> Path:
    """Make a run's default directory for this command alone: ``path``, or ``path-2``, ``path-3``, ... when
    another command made it first (the default name has one-second resolution)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for k in range(1, 10_000):
        candidate = path if k == 1 else path.with_name(f"{path.name}-{k}")
        try:
            candidate.mkdir()
        except FileExistsError:
            continue
        return candidate
    raise RunDirError(path, "no free default directory name left; give hydra.run.dir")


def forget_launch(run_dir: Path, created_dir: Path | None) -> None:
    """Undo what Hydra's launch wrote into a run directory the command created (``created_dir``, the outermost
    directory it created; None: it created none): ``.hydra/``, ``run.log``, the lock, then the directories
    while empty. So a run refused after Hydra started it leaves nothing behind. Call it only while holding the
    directory's lock (:func:`run_lock`): a run that lost the lock never gets here, and touches nothing."""
    run_dir = Path(run_dir)
    if created_dir is None or not run_dir.is_dir() or not (run_dir == created_dir or created_dir in run_dir.parents):
        return
    if (run_dir / MANIFEST).exists() or (run_dir / HYDRA_DIR).is_symlink():
        return  # a run claimed it: not this launch's to undo
    for name in HYDRA_FILES:
        (run_dir / HYDRA_DIR / name).unlink(missing_ok=True)
    for p in [run_dir / HYDRA_DIR, run_dir / RUN_LOCK, *run_dir.glob("*.log")]:
        try:
            p.rmdir() if p.is_dir() else p.unlink(missing_ok=True)
        except OSError:
            pass
    d = run_dir
    while True:  # the directories the command created, innermost first, while empty
        try:
            d.rmdir()
        except OSError:
            break
        if d == created_dir:
            break
        d = d.parent


def holder(lock_path: Path) -> str:
    try:
        info = json.loads(Path(lock_path).read_text() or "{}")
        return f"pid {info['pid']} on {info['host']} since {info['since']}"
    except (OSError, ValueError, KeyError, TypeError):
        return "another process"


@contextmanager
def exclusive_lock(lock_path: Path, busy: Callable[[str], Exception]) -> Iterator[None]:
    """Hold an exclusive ``fcntl`` lock on ``lock_path`` (created if missing) or raise ``busy(holder)`` at
    once. The lock ends with the process, so a killed holder never leaves it stuck; the file stays."""
    lock_path = Path(lock_path)
    if lock_path.parent.is_symlink():
        raise RunDirError(lock_path.parent, SYMLINK)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise RunDirError(lock_path, SYMLINK) from None
        raise OSError(exc.errno, exc.strerror, str(lock_path)) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN, errno.EACCES):
                raise
            raise busy(holder(lock_path)) from None
        info = {"pid": os.getpid(), "host": socket.gethostname(),
                "since": datetime.now(timezone.utc).isoformat(timespec="seconds")}
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, json.dumps(info).encode(), 0)
        except OSError as exc:  # a full disk: name the file
            raise OSError(exc.errno, exc.strerror, str(lock_path)) from None
        yield
    finally:
        os.close(fd)  # releases the lock


def run_lock(run_dir: Path):
    """Exclusive lock of one run directory for the whole run: a second writer is refused at once."""
    return exclusive_lock(Path(run_dir) / RUN_LOCK, lambda who: RunDirError(
        run_dir, f"in use by another run ({who}); wait for it to finish or use another directory"))


def start_run(run_dir: Path) -> None:
    """Claim ``run_dir`` for a run about to write: a manifest saying ``"running"`` replaces any earlier one."""
    from sim import __version__

    atomic_write_json(Path(run_dir) / MANIFEST, {"status": "running", "tool": TOOL, "model_version": __version__,
                                                 "pid": os.getpid(), "host": socket.gethostname(),
                                                 "created": datetime.now(timezone.utc).isoformat(timespec="seconds")})


def mark_failed(run_dir: Path, error: str) -> None:
    """Record in a claimed run's manifest that it failed (``"status": "failed"``, the error line)."""
    path = Path(run_dir) / MANIFEST
    try:
        man = json.loads(path.read_text())
    except (OSError, ValueError):
        return
    if man.get("tool") == TOOL and man.get("status") == "running":
        atomic_write_json(path, {**man, "status": "failed", "error": error})


def error_line(exc: BaseException) -> str:
    """One line naming what went wrong, as a failed run records it and a sweep reports it: ``error: key=value:
    allowed`` for bad input, else ``Type: first line of the message``."""
    if isinstance(exc, ConfigError):
        return f"error: {exc}"
    first = (str(exc).strip().splitlines() or [""])[0]
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


class Claim:
    """What :func:`claim` found: ``complete`` (an earlier run of the same configuration; nothing to do),
    ``checked`` (what its ``check`` returned) and ``stale`` (why an earlier complete run is redone)."""

    def __init__(self, complete: bool, checked: Any = None, stale: str | None = None):
        self.complete, self.checked, self.stale = complete, checked, stale


@contextmanager
def claim(run_dir: Path, same_run: Callable[[], str | None], check: Callable[[], Any] = lambda: None,
          locked: bool = False) -> Iterator[Claim]:
    """The run-directory protocol of every command that writes a run (``run``, ``analyze``'s jobs).

    Refuses a directory that is not one of this tool's runs, then holds its lock throughout (``locked``: the
    caller holds it already). A complete run there is checked to be the same run (``same_run`` raises
    otherwise; it returns why the run must be redone, e.g. an input file changed, or None) and, when current,
    yields ``Claim(complete=True)``: the caller skips. Otherwise ``check()`` (validation) runs, a killed
    writer's partial files are cleared, the directory is claimed (a ``running`` manifest) and
    ``Claim(complete=False)`` is yielded: the caller writes its files and calls :func:`commit`. Any exception
    from the caller records ``failed`` in the manifest (``interrupted`` for Ctrl-C) and propagates; the files
    written stay, incomplete, until a rerun replaces them.
    """
    run_dir = Path(run_dir)
    check_writable_run_dir(run_dir)
    with (contextlib.nullcontext() if locked else run_lock(run_dir)):
        complete = is_complete(run_dir)
        stale = same_run() if complete else None
        if complete and stale is None:
            yield Claim(complete=True)
            return
        checked = check()
        remove_partial_files(run_dir)  # a killed writer's: no writer is alive while we hold the lock
        start_run(run_dir)
        try:
            yield Claim(complete=False, checked=checked, stale=stale)
        except BaseException as exc:
            try:
                mark_failed(run_dir, "interrupted" if isinstance(exc, KeyboardInterrupt) else error_line(exc))
            except OSError:
                pass
            raise


# --------------------------------------------------------------------------- reading


def read_status(run_dir: Path) -> str | None:
    try:
        man = json.loads((Path(run_dir) / MANIFEST).read_text())
    except (OSError, ValueError):
        return None
    return man.get("status") if isinstance(man, dict) else None


def problem(run_dir: Path, verify: bool = True) -> str | None:
    """Why ``run_dir`` is not a complete run (None when it is): no manifest, a manifest that does not say
    complete, or a result file missing, of another size or (``verify``) of another SHA-256 than recorded."""
    run_dir = Path(run_dir)
    if (run_dir / MANIFEST).is_symlink():
        return "manifest.json is a symlink (a run's files are its own)"
    try:
        man = json.loads((run_dir / MANIFEST).read_text())
    except FileNotFoundError:
        return "no manifest.json"
    except (OSError, ValueError, RecursionError) as exc:  # RecursionError: JSON nested too deep
        return f"unreadable manifest.json ({type(exc).__name__})"
    if not isinstance(man, dict) or man.get("status") != "complete":
        status = man.get("status") if isinstance(man, dict) else None
        return f"incomplete (status {status!r})" + (f": {man['error']}" if isinstance(man, dict) and man.get("error")
                                                    else "")
    files = man.get("files")
    if not isinstance(files, dict) or not files:
        return "its manifest lists no files"
    for name, rec in files.items():
        path = run_dir / name
        size, digest = (rec.get("bytes"), rec.get("sha256")) if isinstance(rec, dict) else (rec, None)
        try:
            if path.is_symlink():
                return f"{name} is a symlink (a run's files are its own)"
            if not path.is_file():
                return f"{name} is missing"
            if path.stat().st_size != size:
                return f"{name} has {path.stat().st_size} bytes, the manifest says {size}"
            if verify and digest is not None and sha256(path) != digest:
                return f"{name} does not match its SHA-256 in the manifest (corrupted)"
        except OSError as exc:
            return f"{name} unreadable ({exc.strerror or exc})"
    return None


def is_complete(run_dir: Path, verify: bool = True) -> bool:
    """True when the manifest says complete and every file it lists exists with its recorded size and
    (``verify``, runs written since checksums were recorded) its recorded SHA-256."""
    return problem(run_dir, verify) is None


def read_manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((Path(run_dir) / MANIFEST).read_text())


def read_summary(run_dir: Path) -> dict[str, Any]:
    return json.loads((Path(run_dir) / SUMMARY).read_text())


UNFINISHED = ("incomplete", "no manifest")  # runs still running, cut short or failed: no news to a reader


def list_skipped(left_out: list[tuple[Path, str]], all_runs: bool = False) -> None:
    """Print ``skipped DIR: why`` on stderr for each run left out that was finished but cannot be trusted
    (corrupted, unreadable); with ``all_runs`` also for unfinished ones."""
    for d, why in left_out:
        if all_runs or not why.startswith(UNFINISHED):
            print(f"skipped {d}: {why}", file=sys.stderr)


def pass_on_skipped(left_out: list[tuple[Path, str]], skipped: list[tuple[Path, str]] | None) -> None:
    """Runs left out go to the caller's ``skipped`` list when it keeps one, else are listed on stderr."""
    if skipped is not None:
        skipped.extend(left_out)
    else:
        list_skipped(left_out)


def find_runs(root: Path, skipped: list[tuple[Path, str]] | None = None) -> list[Path]:
    """Complete run directories under ``root`` (``root`` itself if it is one), sorted, each verified against
    its manifest (sizes and SHA-256); ResultsError if none. Runs left out (incomplete, failed, corrupted)
    are appended to ``skipped`` as (directory, reason); without a list, the finished ones that cannot be
    trusted (corrupted, unreadable) are listed on stderr (:func:`list_skipped`)."""
    root = Path(root)
    if not root.exists():
        raise ResultsError(f"{root}: no such directory")
    if not root.is_dir():
        raise ResultsError(f"{root}: not a directory")
    dirs = sorted({m.parent for m in root.rglob(MANIFEST)})
    runs, left_out = [], []
    for d in dirs:
        why = problem(d)
        (left_out.append((d, why)) if why else runs.append(d))
    pass_on_skipped(left_out, skipped)
    if not runs:
        why = f"; left out: {left_out[0][0]}: {left_out[0][1]}" if left_out else ""
        more = f" and {len(left_out) - 1} more" if len(left_out) > 1 else ""
        raise ResultsError(f"{root}: no complete run found (a run is complete when its manifest.json says so and "
                           f"its files match it{why}{more})")
    return runs


def raw_overrides(run_dir: Path) -> list[str]:
    """The Hydra overrides a run was launched with, as written (none when it has no ``.hydra/``)."""
    path = Path(run_dir) / OVERRIDES
    return [str(i) for i in (yaml.safe_load(path.read_text()) or [])] if path.exists() else []


def run_overrides(run_dir: Path) -> dict[str, object]:
    """The Hydra overrides a run was launched with (not ``hydra.*``), parsed to values; lists and
    mappings as JSON text."""
    out = {}
    for item in raw_overrides(run_dir):
        key, _, value = item.partition("=")
        key = key.lstrip("+~")
        if key.startswith("hydra"):
            continue
        try:
            out[key] = yaml.safe_load(value)
        except yaml.YAMLError:
            out[key] = value
        if isinstance(out[key], (list, dict)):
            out[key] = json.dumps(out[key])
    return out


# --------------------------------------------------------------------------- collecting a sweep's runs

RUNS_FILE = "runs.parquet"
TIMESERIES_FILE = TIMESERIES
RUN_COLUMNS = ("run_id", "scenario", "seed", "replicate")  # what names a run (not parameters)
MARK = (b"written_by", b"border-closure-sim collect")  # Parquet key-value metadata of collect's own files


def used_value(config: dict, key: str, given: object) -> object:
    """The value a run used for an overridden key, from its manifest (the override itself for a config group)."""
    node = config
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return given
        node = node[part]
    return json.dumps(node) if isinstance(node, (list, dict)) else node


class MalformedRun(ValueError):
    """A complete run whose records cannot be right (a manifest field of the wrong type, a non-finite result),
    whatever its checksums say: left out of every table."""


def is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def check_record(man: Any, summary: Any) -> None:
    """MalformedRun naming the first field of a run's manifest or summary that cannot be right."""
    if not isinstance(man, dict) or not isinstance(summary, dict):
        raise MalformedRun(f"{MANIFEST} or {SUMMARY} is not a JSON object")
    if not isinstance(man.get("scenario"), str) or not isinstance(man.get("config"), dict):
        raise MalformedRun(f"{MANIFEST}: scenario is not a name, or config is not a mapping")
    for key in ("seed", "replicate"):
        if not is_integer(man.get(key, 0)) or man.get(key, 0) < 0:
            raise MalformedRun(f"{MANIFEST}: {key} is {man.get(key)!r}, not an integer >= 0")
        if man.get(key, 0) >= 2**63:  # past a Parquet int64
            raise MalformedRun(f"{MANIFEST}: {key} is {man.get(key)!r}, more than a 64-bit integer holds")
    for key, value in summary.items():
        if key == "scenario" or value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not np.isfinite(value):
            raise MalformedRun(f"{SUMMARY}: {key} is {value!r}, not a finite number")


def read_run(root: Path, d: Path, with_timeseries: bool) -> tuple[dict, pd.DataFrame | None]:
    import pandas as pd

    man, summary = read_manifest(d), read_summary(d)
    check_record(man, summary)
    run_id = str(d.relative_to(root))  # "." for a single run directory
    row = dict(zip(RUN_COLUMNS, (run_id, man["scenario"], man["seed"], man.get("replicate", 0))))
    for key, value in run_overrides(d).items():
        if key not in row and key not in NOT_PARAMETER_OVERRIDES:
            row[key] = used_value(man["config"], key, value)
    row.update({k: v for k, v in summary.items() if k not in row})
    ts = None
    if with_timeseries:
        ts = pd.read_parquet(d / TIMESERIES)
        numbers = ts.select_dtypes("number")
        if not np.isfinite(numbers.to_numpy(dtype=float)).all():
            raise MalformedRun(f"{TIMESERIES}: non-finite values in "
                               f"{', '.join(numbers.columns[~np.isfinite(numbers).all()][:3])}")
        for col in reversed(RUN_COLUMNS):
            ts.insert(0, col, row[col])
    return row, ts


def load_results(root: Path, with_timeseries: bool = True, skipped: list[tuple[Path, str]] | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Read every complete, verified run under ``root`` into (runs, timeseries) tables. Runs left out
    (incomplete, corrupted, or changed while read) go to ``skipped`` as (directory, reason), or are listed
    on stderr without a list."""
    import pandas as pd

    root = Path(root)
    left_out: list[tuple[Path, str]] = []
    rows, frames = [], []
    for d in find_runs(root, left_out):
        try:
            row, ts = read_run(root, d, with_timeseries)
        except MalformedRun as exc:
            left_out.append((d, f"malformed ({exc})"))
            continue
        except Exception as exc:  # replaced or rewritten while read (a sweep still running), or unreadable
            left_out.append((d, f"could not be read ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0]})"))
            continue
        rows.append(row)
        if ts is not None:
            frames.append(ts)
    pass_on_skipped(left_out, skipped)
    if not rows:
        raise ResultsError(f"{root}: no complete run could be read")
    runs = pd.DataFrame(rows)
    return runs, (pd.concat(frames, ignore_index=True) if with_timeseries else None)


def is_own_output(path: Path) -> bool:
    """True when ``path`` does not exist or is a table collect wrote (its mark, or, for files written before
    the mark, the run columns collect puts first)."""
    import pyarrow.parquet as pq

    path = Path(path)
    if not path.exists():
        return True
    try:
        schema = pq.read_schema(path)
    except Exception:
        return False
    meta = schema.metadata or {}
    return meta.get(MARK[0]) == MARK[1] or tuple(schema.names[:len(RUN_COLUMNS)]) == RUN_COLUMNS


def write_table(path: Path, df: pd.DataFrame) -> None:
    """Write ``df`` atomically as Parquet, marked as collect's own."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(df, preserve_index=False)
    table = table.replace_schema_metadata({**(table.schema.metadata or {}), MARK[0]: MARK[1]})
    atomic_write(path, lambda tmp: pq.write_table(table, tmp))


def collect(root: Path, skipped: list[tuple[Path, str]] | None = None) -> tuple[Path, Path]:
    """Write ``runs.parquet`` and ``timeseries.parquet`` into ``root``; return their paths."""
    root = Path(root)
    if (root / MANIFEST).exists():
        raise ResultsError(f"{root}: is a single run directory; collect works on a sweep directory")
    for path in (root / RUNS_FILE, root / TIMESERIES_FILE):
        if not is_own_output(path):
            raise ResultsError(f"{path}: exists and was not written by collect; nothing was changed (move it, or "
                               "collect another directory)")
    runs, ts = load_results(root, skipped=skipped)
    write_table(root / RUNS_FILE, runs)
    write_table(root / TIMESERIES_FILE, ts)
    return root / RUNS_FILE, root / TIMESERIES_FILE
