"""Collect a sweep: one table of runs and one tidy table of every run's time series.

    python -m experiments.collect results/sweeps/2026-11-27_12-00-00

Scans DIR (recursively) for complete run directories (``manifest.json`` with
``"status": "complete"``) and writes, atomically, into DIR:

- ``runs.parquet``: one row per run — the columns that name a run (``RUN_COLUMNS``:
  ``run_id``, the run's path relative to DIR; ``scenario``; ``seed``, the seed the run
  used, from its manifest; ``replicate``), the swept parameters (one column per key the
  run's Hydra overrides set, with the value recorded in its manifest; not the overrides
  that set no parameter, :data:`experiments.rundir.NOT_PARAMETER_OVERRIDES`) and the
  run's summary scalars;
- ``timeseries.parquet``: every run's time series with the ``RUN_COLUMNS`` in front.

They are for analysis in other tools. The report builds the same tables in memory with
:func:`load_results`, from the run directories themselves, so it never depends on these
files being up to date.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from experiments.errors import ArgumentParser, fail
from experiments.rundir import (MANIFEST, NOT_PARAMETER_OVERRIDES, TIMESERIES, ResultsError, atomic_write_parquet,
                                find_runs, read_manifest, read_summary, run_overrides)

RUNS_FILE = "runs.parquet"
TIMESERIES_FILE = TIMESERIES
RUN_COLUMNS = ("run_id", "scenario", "seed", "replicate")  # what names a run (not parameters)


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
        man = read_manifest(d)
        run_id = str(d.relative_to(root))  # "." for a single run directory
        row = dict(zip(RUN_COLUMNS, (run_id, man["scenario"], man["seed"], man.get("replicate", 0))))
        for key, value in run_overrides(d).items():
            if key not in row and key not in NOT_PARAMETER_OVERRIDES:
                row[key] = used_value(man["config"], key, value)
        row.update({k: v for k, v in read_summary(d).items() if k not in row})
        rows.append(row)
        if with_timeseries:
            ts = pd.read_parquet(d / TIMESERIES)
            for col in reversed(RUN_COLUMNS):
                ts.insert(0, col, row[col])
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
    ap = ArgumentParser(prog="python -m experiments.collect", description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="a sweep directory (searched recursively for complete runs)")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        runs_path, ts_path = collect(args.dir)
    except ResultsError as exc:
        fail(str(exc))
    n = len(pd.read_parquet(runs_path, columns=["run_id"]))
    print(f"collected {n} run(s): {runs_path}, {ts_path}")


if __name__ == "__main__":
    main()
