"""A run directory: writing it (atomically, the manifest last), checking it is complete, reading it back.

A run directory holds ``timeseries.parquet`` (day × district, plus ``ALL``),
``groups.parquet`` (day × militant group), ``border.parquet`` (day × crossing),
``summary.json`` (headline scalars) and ``manifest.json`` (seed, resolved config,
versions, git commit, timings, file sizes, ``"status": "complete"``); a run launched
by Hydra also has ``.hydra/`` (its config and command-line overrides). Every file is
written to a temporary name and renamed into place; the manifest is written last, so a
run without a complete manifest is incomplete whatever else is there.

This is the one module that knows the layout: ``run`` writes with :func:`write_run`,
the sweeper and ``run`` check :func:`is_complete`, ``collect`` and ``report`` find runs
with :func:`find_runs` and read them with :func:`read_manifest`, :func:`read_summary`
and :func:`run_overrides`. The tables themselves come from the model
(``model.timeseries()``, ``model.group_frame()``, ``model.border_frame()``, ``model.summary(ts)``).
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import numpy as np
import yaml
from omegaconf import OmegaConf

from sim.config import RESULT_NEUTRAL_KEYS

if TYPE_CHECKING:  # pandas and the model stack load in the run, not in sweep drivers that only check results
    import pandas as pd

PROJECT_ROOT = Path(__file__).resolve().parent.parent
TIMESERIES = "timeseries.parquet"
SUMMARY = "summary.json"
RUN_FILES = (TIMESERIES, "groups.parquet", "border.parquet", SUMMARY)
MANIFEST = "manifest.json"
OVERRIDES = Path(".hydra") / "overrides.yaml"
# Command-line overrides that set no model parameter: the keys that do not change a run's results, and the
# sweep preset (``+sweep=NAME``: a config group whose values arrive as overrides of their own). They are left
# out of sweep job directory names (configs/config.yaml), of runs.parquet columns and of replayed commands.
SWEEP_PRESET = "sweep"
NOT_PARAMETER_OVERRIDES: tuple[str, ...] = (*RESULT_NEUTRAL_KEYS, SWEEP_PRESET)


class ResultsError(ValueError):
    """A results directory that cannot be read (missing, empty, no complete run)."""


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


def manifest(model, files: dict[str, int], timings: dict[str, float]) -> dict[str, Any]:
    """The run's provenance. ``seed`` is the exact seed the model ran with; ``replicate`` its
    replicate index and ``base_seed`` the seed it was spawned from (``model.base_seed`` when the
    caller set one, else the seed itself)."""
    from sim import __version__
    from sim.indicators import UNITS

    return {
        "status": "complete",
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
    }


def write_run(run_dir: Path, model, timings: dict[str, float] | None = None) -> dict[str, Any]:
    """Write every result file of a finished model, the manifest last; return the summary."""
    t0 = time.perf_counter()
    run_dir = Path(run_dir)
    run_dir.mkdir(parents=True, exist_ok=True)
    (run_dir / MANIFEST).unlink(missing_ok=True)  # a rewrite is incomplete until its new manifest lands
    ts = model.timeseries()
    atomic_write_parquet(run_dir / TIMESERIES, ts)
    atomic_write_parquet(run_dir / "groups.parquet", model.group_frame())
    atomic_write_parquet(run_dir / "border.parquet", model.border_frame())
    summ = model.summary(ts)
    atomic_write_json(run_dir / SUMMARY, summ)
    files = {name: (run_dir / name).stat().st_size for name in RUN_FILES}
    fsync_dir(run_dir)  # the renames above are durable before the manifest says complete
    timings = dict(timings or {})
    timings["write_seconds"] = round(time.perf_counter() - t0, 3)
    atomic_write_json(run_dir / MANIFEST, manifest(model, files, timings))
    return summ


def remove_partial_files(run_dir: Path) -> None:
    """Delete the temporary files a killed writer left behind (before the run is redone)."""
    for tmp in Path(run_dir).glob(".*.tmp"):
        tmp.unlink(missing_ok=True)


# --------------------------------------------------------------------------- reading


def is_complete(run_dir: Path) -> bool:
    """True when the manifest says complete and every file it lists exists with its recorded size."""
    run_dir = Path(run_dir)
    try:
        man = json.loads((run_dir / MANIFEST).read_text())
    except (OSError, ValueError):
        return False
    if man.get("status") != "complete":
        return False
    files = man.get("files", {})
    return bool(files) and all((run_dir / n).is_file() and (run_dir / n).stat().st_size == size
                               for n, size in files.items())


def read_manifest(run_dir: Path) -> dict[str, Any]:
    return json.loads((Path(run_dir) / MANIFEST).read_text())


def read_summary(run_dir: Path) -> dict[str, Any]:
    return json.loads((Path(run_dir) / SUMMARY).read_text())


def find_runs(root: Path) -> list[Path]:
    """Complete run directories under ``root`` (``root`` itself if it is one), sorted; ResultsError if none."""
    root = Path(root)
    if not root.exists():
        raise ResultsError(f"{root}: no such directory")
    if not root.is_dir():
        raise ResultsError(f"{root}: not a directory")
    dirs = sorted({m.parent for m in root.rglob(MANIFEST)})
    runs = [d for d in dirs if is_complete(d)]
    if not runs:
        raise ResultsError(f"{root}: no complete run found (a run is complete when its manifest.json says so)")
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
