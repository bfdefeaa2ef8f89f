"""Collect a sweep: one table of runs and one tidy table of every run's time series.

    python -m experiments.collect results/sweeps/2026-11-27_12-00-00

Scans DIR (recursively) for complete run directories (``manifest.json`` with
``"status": "complete"`` and every result file matching the size and SHA-256 it records)
and writes, atomically, into DIR:

- ``runs.parquet``: one row per run — the columns that name a run (:data:`experiments.rundir.RUN_COLUMNS`:
  ``run_id``, the run's path relative to DIR; ``scenario``; ``seed``, the seed the run
  used, from its manifest; ``replicate``), the swept parameters (one column per key the
  run's Hydra overrides set, with the value recorded in its manifest; not the overrides
  that set no parameter, :data:`experiments.rundir.NOT_PARAMETER_OVERRIDES`) and the
  run's summary scalars;
- ``timeseries.parquet``: every run's time series with the ``RUN_COLUMNS`` in front.

They are for analysis in other tools. The report builds the same tables in memory with
:func:`experiments.rundir.load_results`, from the run directories themselves, so it never depends on these
files being up to date.

A run that is incomplete, failed, corrupted (a file that does not match its checksum) or
changes while it is read (a sweep still writing into DIR) is left out and listed on stderr
(``skipped DIR: why``; runs still running or failed are left out silently: the sweep's summary
lists those); collect never fails because of one run. It overwrites
``runs.parquet`` and ``timeseries.parquet`` only if it wrote them (it marks its files in
their Parquet metadata); a file of those names from elsewhere is refused in one line.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pandas as pd

from experiments.errors import ArgumentParser, fail
from experiments.rundir import ResultsError, collect


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
