"""The main job: baseline against a 90-day closure, with paired replicates, and the report.

    python -m experiments.demo                       # what `make demo` runs: 1:1 scale, 5 replicates
    python -m experiments.demo --scale 0.1 --replicates 10 --channels

Runs ``scenario=baseline,closure_90d replicates=N`` through the joblib launcher on
all local cores into ``results/demo`` (a rerun resumes: complete runs are skipped),
then writes ``results/demo/report/report.html`` (and the PDF) and prints its path.
``--channels`` also launches the channel-off runs the channel decomposition needs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="population.scale (default 1.0: the full census)")
    ap.add_argument("--replicates", type=int, default=5, help="paired replicates per scenario (default 5)")
    ap.add_argument("--days", type=int, default=730, help="days to simulate (default 730)")
    ap.add_argument("--out", default=str(ROOT / "results" / "demo"), help="sweep directory")
    ap.add_argument("--channels", action="store_true", help="also run the channel-off runs (6 x as many runs)")
    args = ap.parse_args(argv)

    jobs = min(os.cpu_count() or 1, 2 * args.replicates)
    print(f"demo: baseline vs closure_90d, {args.replicates} paired replicates each, population.scale={args.scale}, "
          f"{args.days} days, {jobs} worker(s) -> {args.out}", flush=True)
    cmd = [sys.executable, "-m", "experiments.run", "-m", "scenario=baseline,closure_90d",
           f"replicates={args.replicates}", f"population.scale={args.scale}", f"days={args.days}",
           "hydra/launcher=joblib", f"hydra.launcher.n_jobs={jobs}", f"hydra.sweep.dir={args.out}"]
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        raise SystemExit("error: some demo runs failed (see the lines above); rerun `make demo` to resume")

    from experiments.collect import ResultsError
    from experiments.reporting.build import ReportError, build_report

    try:
        html = build_report(Path(args.out), run_missing=args.channels)
    except (ResultsError, ReportError) as exc:
        raise SystemExit(f"error: {exc}")
    print(f"\nopen the report: {html}")


if __name__ == "__main__":
    main()
