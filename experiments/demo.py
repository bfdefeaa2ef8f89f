"""The main job: the open border, a 90-day closure and one mitigation under every structural choice, with
paired replicates drawn from the calibration's posterior, and the report.

    python -m experiments.demo                       # what `make demo` runs (about 4 minutes on 2 idle cores)
    python -m experiments.demo --scale 1 --replicates 10 --structures default --channels

Runs ``scenario=baseline,closure_90d,closure_with_cash_transfer`` × every option of each structural choice
(``finance.allocation_rule``) × ``replicates=8`` with ``+calibration=hies2019 calibration.draw=posterior`` (each
replicate its own posterior member of the household economy) through the joblib launcher on all local cores
into ``results/demo`` (a rerun resumes: complete runs are skipped; runs made by another model version are
moved aside to ``results/demo-model-<version>`` first), then writes ``results/demo/report/report.html`` (and
the PDF) and prints its path.

The defaults are chosen for page 1 within about five minutes on two cores: eight pairs (the fewest on which
the report names a direction), every allocation rule (the answer's sign depends on it), at population scale
0.1 (counts are reported as full-population equivalents, ×10) over 545 days (the closure ends on day 119, so
its +1 year horizon, day 484, is inside the run). ``--channels`` also launches the channel-off runs the
channel decomposition needs.
"""

from __future__ import annotations

import math
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


def structure_overrides() -> list[str]:
    """One sweep override per declared structural choice, over all its options."""
    from experiments.reporting.data import structural_choices

    return [f"{key}={','.join(e.spec.choices)}" for key, e in structural_choices().items()]


def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="python -m experiments.demo", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1,
                    help="population.scale (default 0.1; counts are reported as full-population equivalents)")
    ap.add_argument("--replicates", type=int, default=8,
                    help="paired replicates per scenario and structure (default 8, the fewest on which the report "
                         "names a direction)")
    ap.add_argument("--structures", choices=("all", "default"), default="all",
                    help="run every option of each structural choice (default) or the defaults only")
    ap.add_argument("--calibration", default="hies2019",
                    help="calibration overlay whose posterior members the replicates draw (default hies2019; "
                         "'none': default parameters)")
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
    structures = structure_overrides() if args.structures == "all" else []
    calibration = [] if args.calibration == "none" else [f"+calibration={args.calibration}",
                                                         "calibration.draw=posterior"]
    n_runs = len(scenarios) * args.replicates * math.prod(len(o.split("=")[1].split(",")) for o in structures)
    jobs = min(os.cpu_count() or 1, n_runs)
    print(f"demo: {', '.join(scenarios)}" + (f" under {' and '.join(structures)}" if structures else "")
          + f", {args.replicates} paired replicates each"
          + (f" (posterior members of {args.calibration})" if calibration else "")
          + f": {n_runs} runs, population.scale={args.scale}, {args.days} days, {jobs} worker(s) -> {args.out}",
          flush=True)
    cmd = [sys.executable, "-m", "experiments.run", "-m", "scenario=" + ",".join(scenarios), *structures,
           *calibration, f"replicates={args.replicates}", f"population.scale={args.scale}", f"days={args.days}",
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
    except OSError as exc:  # a full disk, a file size limit
        print(f"error: cannot write {exc.filename or 'the report'}: {exc.strerror or exc}; rerun `make demo` to "
              "resume", file=sys.stderr)
        raise SystemExit(2)
    print(f"\nopen the report: {html}")


if __name__ == "__main__":
    main()
