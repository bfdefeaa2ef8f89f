"""Build a report from results (a single run directory or a sweep directory); nothing is re-run.

    python -m experiments.report DIR [--out OUT] [--setting N] [--map-metric NAME] [--run-missing [--channels a,b]]
                                     [--analysis ADIR ...] [--quiet]

Writes OUT (default DIR/report): report.html (self-contained), report.pdf, report.json,
figures/*.png (150 dpi) and *.svg, tables/*.csv; prints progress lines and, last, the
path of report.html. A missing or empty DIR, or one without a complete run, fails with
one line ``error: ...`` on stderr and exit status 2; so does a DIR whose runs cannot be compared (different
population scale, run length, parameters or model version): they are never pooled, and ``--setting N`` reports
one of the settings the error lists. The report never deletes or overwrites a file it did not write. ``--run-missing`` is the one
exception to "nothing is re-run": it launches, via ``python -m experiments.run``, the
channel-off runs the channel decomposition (figure 8) needs. ``--analysis ADIR`` (repeatable) adds the
sensitivity, scenario-discovery and ensemble sections of an analysis directory written by
``python -m experiments.analyze`` (figures 9-11, docs/analysis.md). See docs/reports.md.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from experiments.errors import ArgumentParser, fail
from experiments.rundir import ResultsError, find_runs


def parse(argv: list[str]) -> argparse.Namespace:
    p = ArgumentParser(prog="python -m experiments.report", description=__doc__.split("\n\n")[0])
    p.add_argument("dir", type=Path, help="a run directory or a sweep directory")
    p.add_argument("--out", type=Path, default=None, help="output directory (default: DIR/report)")
    p.add_argument("--setting", type=int, default=None,
                   help="when DIR mixes runs that cannot be compared, report setting N of those the error lists")
    p.add_argument("--map-metric", default="youth_unemployment_rate",
                   help="indicator that colours the district map (a time-series column)")
    p.add_argument("--run-missing", action="store_true",
                   help="launch the channel-off runs that the channel decomposition needs (slow)")
    p.add_argument("--channels", default=None,
                   help="with --run-missing: comma-separated channels to switch off (default: all)")
    p.add_argument("--analysis", type=Path, action="append", default=[], metavar="ADIR",
                   help="an analysis directory (python -m experiments.analyze ... hydra.sweep.dir=ADIR) whose "
                        "sensitivity, discovery and ensemble sections to add; repeatable")
    p.add_argument("--quiet", action="store_true", help="print only the path of report.html")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> Path:
    args = parse(sys.argv[1:] if argv is None else argv)
    log = (lambda _msg: None) if args.quiet else (lambda msg: print(msg, flush=True))
    channels = [c.strip() for c in args.channels.split(",") if c.strip()] if args.channels else None
    try:
        find_runs(args.dir, [])  # fail fast on bad input (skipped runs are listed once, by the report)
    except ResultsError as exc:
        fail(str(exc))
    from experiments.reporting import ReportError, build_report
    from experiments.reporting.channel_runs import LaunchError

    try:
        path = build_report(args.dir, args.out, run_missing=args.run_missing, channels=channels,
                            map_metric=args.map_metric, setting=args.setting, analyses=args.analysis, log=log)
    except (ResultsError, ReportError, LaunchError) as exc:
        fail(str(exc))
    except OSError as exc:  # a full disk, a file size limit, a folder that became unwritable
        fail(f"--out: cannot write {exc.filename or 'the report'}: {exc.strerror or exc}; the files written "
             "before it are the report's own, and a rerun replaces them")
    print(path)
    return path


if __name__ == "__main__":
    try:
        main()
    except BrokenPipeError:  # output piped into e.g. `head`
        sys.stderr.close()
        raise SystemExit(1)
