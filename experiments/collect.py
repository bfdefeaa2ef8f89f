"""Collect a sweep: one table of runs and one tidy table of every run's time series.

    python -m experiments.collect results/sweeps/2026-11-27_12-00-00

Scans DIR (recursively) for complete run directories (``manifest.json`` with
``"status": "complete"`` and every result file matching the size and SHA-256 it records)
and writes, atomically, into DIR:

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

A run that is incomplete, failed, corrupted (a file that does not match its checksum) or
changes while it is read (a sweep still writing into DIR) is left out and listed on stderr
(``skipped DIR: why``; runs still running or failed are left out silently: the sweep's summary
lists those); collect never fails because of one run. It overwrites
``runs.parquet`` and ``timeseries.parquet`` only if it wrote them (it marks its files in
their Parquet metadata); a file of those names from elsewhere is refused in one line.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pandas as pd

from experiments.errors import ArgumentParser, fail
from experiments.rundir import (MANIFEST, NOT_PARAMETER_OVERRIDES, TIMESERIES, ResultsError, atomic_write,
                                find_runs, list_skipped, read_manifest, read_summary, run_overrides)

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


def read_run(root: Path, d: Path, with_timeseries: bool) -> tuple[dict, pd.DataFrame | None]:
    man = read_manifest(d)
    run_id = str(d.relative_to(root))  # "." for a single run directory
    row = dict(zip(RUN_COLUMNS, (run_id, man["scenario"], man["seed"], man.get("replicate", 0))))
    for key, value in run_overrides(d).items():
        if key not in row and key not in NOT_PARAMETER_OVERRIDES:
            row[key] = used_value(man["config"], key, value)
    row.update({k: v for k, v in read_summary(d).items() if k not in row})
    ts = None
    if with_timeseries:
        ts = pd.read_parquet(d / TIMESERIES)
        for col in reversed(RUN_COLUMNS):
            ts.insert(0, col, row[col])
    return row, ts


def load_results(root: Path, with_timeseries: bool = True, skipped: list[tuple[Path, str]] | None = None
                 ) -> tuple[pd.DataFrame, pd.DataFrame | None]:
    """Read every complete, verified run under ``root`` into (runs, timeseries) tables. Runs left out
    (incomplete, corrupted, or changed while read) go to ``skipped`` as (directory, reason), or are listed
    on stderr without a list."""
    root = Path(root)
    left_out: list[tuple[Path, str]] = []
    rows, frames = [], []
    for d in find_runs(root, left_out):
        try:
            row, ts = read_run(root, d, with_timeseries)
        except Exception as exc:  # replaced or rewritten while read (a sweep still running), or unreadable
            left_out.append((d, f"could not be read ({type(exc).__name__}: {(str(exc).splitlines() or [''])[0]})"))
            continue
        rows.append(row)
        if ts is not None:
            frames.append(ts)
    if skipped is not None:
        skipped.extend(left_out)
    else:
        list_skipped(left_out)
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


def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="python -m experiments.collect", description=__doc__.split("\n\n")[0])
    ap.add_argument("dir", type=Path, help="a sweep directory (searched recursively for complete runs)")
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    try:
        runs_path, ts_path = collect(args.dir)
    except ResultsError as exc:
        fail(str(exc))
    except OSError as exc:
        from experiments.errors import disk_error

        fail(disk_error(exc, then="collect again (nothing was changed)"), code=1)
    n = len(pd.read_parquet(runs_path, columns=["run_id"]))
    print(f"collected {n} run(s): {runs_path}, {ts_path}")


if __name__ == "__main__":
    main()
