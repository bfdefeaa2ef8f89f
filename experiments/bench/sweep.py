"""Sweep benchmark: a sweep on 2 local workers against 1, end to end (the whole command, as a user waits for it).

    python -m experiments.bench.sweep                  # 8 runs, population.scale=0.1, 730 days; or: make bench
    python -m experiments.bench.sweep --runs 8 --scale 0.1 --days 730 --repeat 3

Each measurement is a fresh ``python -m experiments.run -m seed=range(0,N) population.scale=S
days=D hydra/launcher=joblib hydra.launcher.n_jobs=K`` into a new sweep directory, timed from
start to exit: interpreter start-up, checking the command line, composing the jobs, starting
joblib's worker processes (each imports the model), building, running and writing every run,
and collecting the sweep. Runs with 1 and 2 workers alternate; with ``--repeat`` the fastest of
each is kept. Also shown, from the sweep's own files: the sweeper's clock (``sweep.json``: from
launching the jobs to the last result), the time spent stepping days (the runs' manifests) and
the fixed cost per run with one worker ((end to end - stepping) / runs: start-up, set-up,
build, writing, collection).

Target (docs/performance.md): 2 workers >= 1.7x 1 worker, end to end. Figures are measured and printed,
never asserted. Writes ``results/bench/sweep.json``.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from experiments.errors import ArgumentParser, fail
from experiments.rundir import MANIFEST, atomic_write_json

ROOT = Path(__file__).resolve().parents[2]
TARGET_SPEEDUP = 1.7


def measure(workers: int, runs: int, scale: float, days: int, root: Path) -> dict:
    """One sweep of ``runs`` seeds through joblib with ``workers`` workers, timed end to end."""
    out = root / f"w{workers}_{time.time_ns()}"
    cmd = [sys.executable, "-m", "experiments.run", "-m", f"seed=range(0,{runs})", f"population.scale={scale}",
           f"days={days}", "progress=false", "hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}",
           f"hydra.sweep.dir={out}"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        fail(f"sweep with {workers} worker(s) failed: {(r.stderr.strip().splitlines() or ['(no output)'])[-1]}")
    sweep = json.loads((out / "sweep.json").read_text())
    stepping = sum(json.loads(p.read_text())["timings"]["run_seconds"] for p in out.glob(f"*/{MANIFEST}"))
    return {"workers": workers, "runs": sweep["complete"], "end_to_end_seconds": round(wall, 3),
            "sweep_seconds": sweep["seconds"], "stepping_seconds": round(stepping, 3)}


def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="python -m experiments.bench.sweep", description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=8, help="runs per sweep (default 8)")
    ap.add_argument("--scale", type=float, default=0.1, help="population.scale (default 0.1)")
    ap.add_argument("--days", type=int, default=730, help="days per run (default 730)")
    ap.add_argument("--repeat", type=int, default=1, help="measurements per worker count; the fastest is kept")
    ap.add_argument("--out", default=str(ROOT / "results" / "bench" / "sweep.json"))
    args = ap.parse_args(argv)
    if args.runs < 2 or args.days < 1 or not 0 < args.scale <= 1 or args.repeat < 1:
        fail("--runs >= 2, --days >= 1, 0 < --scale <= 1, --repeat >= 1")

    print(f"sweep benchmark: {args.runs} runs, population.scale={args.scale}, {args.days} days, joblib launcher, "
          f"1 and 2 workers, {args.repeat} time(s) each", flush=True)
    samples: dict[int, list[dict]] = {1: [], 2: []}
    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        root = Path(tmp)
        measure(1, 1, 0.002, 5, root)  # warm-up: byte-code and file caches
        for _ in range(args.repeat):
            for workers in (1, 2):
                samples[workers].append(measure(workers, args.runs, args.scale, args.days, root))
                s = samples[workers][-1]
                print(f"  {workers} worker(s): {s['end_to_end_seconds']:.2f} s end to end", flush=True)
    w1, w2 = (min(samples[w], key=lambda s: s["end_to_end_seconds"]) for w in (1, 2))
    speedup = w1["end_to_end_seconds"] / w2["end_to_end_seconds"]
    speedup_sweep = w1["sweep_seconds"] / w2["sweep_seconds"]
    fixed = (w1["end_to_end_seconds"] - w1["stepping_seconds"]) / w1["runs"]
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "runs": args.runs, "population_scale": args.scale, "days": args.days, "repeat": args.repeat,
        "one_worker": w1, "two_workers": w2, "samples": samples,
        "speedup_end_to_end": round(speedup, 3), "speedup_sweep_clock": round(speedup_sweep, 3),
        "fixed_cost_per_run_seconds": round(fixed, 3),
        "target": {"speedup_end_to_end": TARGET_SPEEDUP}, "met": speedup >= TARGET_SPEEDUP,
    }
    atomic_write_json(Path(args.out), result)
    print(f"{'workers':>8} {'end-to-end s':>13} {'sweep clock s':>14} {'stepping s':>11}")
    for w in (w1, w2):
        print(f"{w['workers']:>8} {w['end_to_end_seconds']:>13.2f} {w['sweep_seconds']:>14.2f} "
              f"{w['stepping_seconds']:>11.2f}")
    print(f"speedup, 2 workers vs 1, end to end: {speedup:.2f}x (target >= {TARGET_SPEEDUP}x: "
          f"{'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}); on the sweeper's clock: {speedup_sweep:.2f}x")
    print(f"fixed cost per run (1 worker, all but stepping days): {fixed:.2f} s")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
