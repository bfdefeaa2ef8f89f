"""The main job: the open border, a 90-day closure and one mitigation, with paired replicates, and the report.

    python -m experiments.demo                       # what `make demo` runs: 1:1 scale, 5 replicates, 545 days
    python -m experiments.demo --scale 0.1 --replicates 10 --channels

Runs ``scenario=baseline,closure_90d,closure_with_cash_transfer replicates=N`` through the
joblib launcher on all local cores into ``results/demo`` (a rerun resumes: complete runs are
skipped; runs made by another model version are moved aside to ``results/demo-model-<version>``
first), then writes ``results/demo/report/report.html`` (and the PDF) and prints its path. The
report compares the closure with the open border and the cash transfer with the closure it
mitigates (its ``compare_to``), at the closure's end, 6 months and 1 year after it and at the end
of the run: 545 days (the closure ends on day 119, so its +1 year horizon, day 484, is inside the
run) keep the demo's time near the two-scenario, 730-day demo's.
``--channels`` also launches the channel-off runs the channel decomposition needs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from experiments.errors import ArgumentParser

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ("baseline", "closure_90d", "closure_with_cash_transfer")


def set_aside_other_versions(out: Path) -> Path | None:
    """Move ``out`` aside if it holds runs of another model version (they could not be resumed
    with this one); return where it went."""
    from experiments.rundir import MANIFEST, read_manifest
    from sim import __version__

    versions = {read_manifest(m.parent).get("model_version", "before-0.2.0") for m in out.glob(f"*/{MANIFEST}")}
    other = sorted(versions - {__version__})
    if not other:
        return None
    aside = out.with_name(f"{out.name}-model-{other[0]}")
    k = 1
    while aside.exists():
        k += 1
        aside = out.with_name(f"{out.name}-model-{other[0]}-{k}")
    out.rename(aside)
    return aside


def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="python -m experiments.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=1.0, help="population.scale (default 1.0: the full census)")
    ap.add_argument("--replicates", type=int, default=5, help="paired replicates per scenario (default 5)")
    ap.add_argument("--days", type=int, default=545,
                    help="days to simulate (default 545: the closure's +1 year horizon, day 484, is inside the run)")
    ap.add_argument("--scenarios", default=",".join(SCENARIOS),
                    help=f"comma-separated scenarios (default {','.join(SCENARIOS)})")
    ap.add_argument("--out", default=str(ROOT / "results" / "demo"), help="sweep directory")
    ap.add_argument("--channels", action="store_true", help="also run the channel-off runs (6 x as many runs)")
    args = ap.parse_args(argv)

    aside = set_aside_other_versions(Path(args.out))
    if aside:
        print(f"demo: {args.out} held runs of another model version: moved to {aside}", flush=True)
    scenarios = [s.strip() for s in args.scenarios.split(",") if s.strip()]
    jobs = min(os.cpu_count() or 1, len(scenarios) * args.replicates)
    print(f"demo: {', '.join(scenarios)}, {args.replicates} paired replicates each, population.scale={args.scale}, "
          f"{args.days} days, {jobs} worker(s) -> {args.out}", flush=True)
    cmd = [sys.executable, "-m", "experiments.run", "-m", "scenario=" + ",".join(scenarios),
           f"replicates={args.replicates}", f"population.scale={args.scale}", f"days={args.days}",
           "hydra/launcher=joblib", f"hydra.launcher.n_jobs={jobs}", f"hydra.sweep.dir={args.out}"]
    if subprocess.run(cmd, cwd=ROOT).returncode != 0:
        raise SystemExit("error: some demo runs failed (see the lines above); rerun `make demo` to resume")

    from experiments.reporting.build import ReportError, build_report
    from experiments.reporting.channel_runs import LaunchError
    from experiments.rundir import ResultsError

    try:
        html = build_report(Path(args.out), run_missing=args.channels)
    except (ResultsError, ReportError, LaunchError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        raise SystemExit(2)
    print(f"\nopen the report: {html}")


if __name__ == "__main__":
    main()
