"""Collect a sweep: one table of runs and one tidy table of every run's time series.

    python -m experiments.collect results/sweeps/2026-11-27_12-00-00

Scans DIR (recursively) for complete run directories (``manifest.json`` with
``"status": "complete"``) and writes, atomically, into DIR:

- ``runs.parquet``: one row per run — ``run_id`` (the run's path relative to DIR),
  ``scenario``, ``seed`` (the seed the run used, from its manifest), ``replicate``,
  the swept parameters (one column per key the run's Hydra overrides set, with
  the value recorded in its manifest; not ``replicates``, ``sweep`` or
  ``progress``) and the run's summary scalars;
- ``timeseries.parquet``: every run's time series with ``run_id``, ``scenario``,
  ``seed`` and ``replicate`` columns.

They are for analysis in other tools. The report builds the same tables in memory with
:func:`load_results`, from the run directories themselves, so it never depends on these
files being up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd
import yaml

from sim.results import MANIFEST, atomic_write_parquet, is_complete

RUNS_FILE = "runs.parquet"
NOT_SWEPT = ("replicates", "sweep", "progress")  # overrides that set no model parameter
TIMESERIES_FILE = "timeseries.parquet"


class ResultsError(ValueError):
    """A results directory that cannot be read (missing, empty, no complete run)."""


def find_runs(root: Path) -> list[Path]:
    """Complete run directories under ``root`` (``root`` itself if it is one), sorted."""
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
    path = Path(run_dir) / ".hydra" / "overrides.yaml"
    return [str(i) for i in (yaml.safe_load(path.read_text()) or [])] if path.exists() else []


def run_overrides(run_dir: Path) -> dict[str, object]:
    """The Hydra overrides a run was launched with (its swept parameters), parsed to values."""
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


def used_value(config: dict, key: str, given: object) -> object:
    """The value a run used for an overridden key, from its manifest (the override itself for a config group)."""
    node = config
    for part in key.split("."):
        if not isinstance(node, dict) or part not in node:
            return given
        node = node[part]
    return json.dumps(node) if isinstance(node, (list, dict)) else node


def load_results(root: Path, with_timeseries: bool = True) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Read every complete run under ``root`` into (runs, timeseries) tables."""
    root = Path(root)
    rows, frames = [], []
    for d in find_runs(root):
        man = json.loads((d / MANIFEST).read_text())
        summary = json.loads((d / "summary.json").read_text())
        run_id = str(d.relative_to(root))  # "." for a single run directory
        row = {"run_id": run_id, "scenario": man["scenario"], "seed": man["seed"], "replicate": man.get("replicate", 0)}
        for key, value in run_overrides(d).items():
            if key not in row and key not in NOT_SWEPT:
                row[key] = used_value(man["config"], key, value)
        row.update({k: v for k, v in summary.items() if k not in row})
        rows.append(row)
        if with_timeseries:
            ts = pd.read_parquet(d / "timeseries.parquet")
            ts.insert(0, "replicate", row["replicate"])
            ts.insert(0, "seed", man["seed"])
            ts.insert(0, "scenario", man["scenario"])
            ts.insert(0, "run_id", run_id)
            frames.append(ts)
    runs = pd.DataFrame(rows)
    return runs, (pd.concat(frames, ignore_index=True) if with_timeseries else None)


def collect(root: Path) -> tuple[Path, Path]:
    """Write ``runs.parquet`` and ``timeseries.parquet`` into ``root``; return their paths."""
    root = Path(root)
    if (root / MANIFEST).exists():
        raise ResultsError(f"{root}: is a single run directory; collect works on a sweep directory")
    runs, ts = load_results(root)
    atomic_write_parquet(root / RUNS_FILE, runs)
    atomic_write_parquet(root / TIMESERIES_FILE, ts)
    return root / RUNS_FILE, root / TIMESERIES_FILE


def main(argv: list[str] | None = None) -> None:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 1 or argv[0].startswith("-"):
        print("usage: python -m experiments.collect DIR", file=sys.stderr)
        raise SystemExit(2)
    try:
        runs_path, ts_path = collect(Path(argv[0]))
    except ResultsError as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2)
    n = len(pd.read_parquet(runs_path, columns=["run_id"]))
    print(f"collected {n} run(s): {runs_path}, {ts_path}")


if __name__ == "__main__":
    main()
