"""Sweep benchmark: throughput of the joblib launcher with 1 and 2 workers, and the fixed cost per run.

    python -m experiments.bench_sweep                 # 8 runs, population.scale=0.05, 365 days
    python -m experiments.bench_sweep --runs 8 --scale 0.05 --days 365 --repeat 2

Each measurement is a fresh ``python -m experiments.run -m seed=range(0,N) ...
hydra/launcher=joblib hydra.launcher.n_jobs=K`` into a new sweep directory. Measured:

- sweep seconds: the sweeper's own clock (``sweep.json``), from launching the checked jobs to
  the last result: worker start-up, running and writing. Each clock holds one import of the model
  stack (Mesa, pandas, ...: ~0.7 s): the 1-worker sweep runs its jobs in the command's own process,
  which imports the model for the first job; with 2 workers, the fork server the command starts
  first imports it while Hydra composes the jobs, and the clock holds the rest of that import
  (:mod:`experiments.workers`);
- end-to-end seconds: the whole command, interpreter start-up and collection included;
- throughput: runs per sweep second; speedup: 2-worker over 1-worker throughput
  (end-to-end speedup printed too, and the steady-state speedup: runs per second after every
  worker has finished its first job, i.e. without any start-up or import; and the speedup
  if the 1-worker clock left out its import, i.e. its first job's time beyond the median job);
- fixed cost per run: with 1 worker (runs in sequence), (sweep seconds - time spent
  stepping days) / runs, i.e. everything per run but the simulation steps: job
  composition, Hydra job set-up, population build, writing the results and manifest.

Targets (issue #4): 2-worker throughput >= 1.7x 1-worker; fixed cost per run <= 1.5 s.
Figures are measured and reported, never asserted. Writes ``results/bench/sweep.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from experiments.progress import RECORDS

ROOT = Path(__file__).resolve().parent.parent
TARGET_SPEEDUP = 1.7
TARGET_FIXED_COST = 1.5
ONE_THREAD = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def measure(workers: int, runs: int, scale: float, days: int, root: Path) -> dict:
    """One sweep of ``runs`` seeds through joblib with ``workers`` workers."""
    out = root / f"w{workers}_{time.time_ns()}"
    cmd = [sys.executable, "-m", "experiments.run", "-m", f"seed=range(0,{runs})", f"population.scale={scale}",
           f"days={days}", "progress=false", "hydra/launcher=joblib", f"hydra.launcher.n_jobs={workers}",
           f"hydra.sweep.dir={out}"]
    t0 = time.perf_counter()
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **ONE_THREAD})
    wall = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"error: sweep with {workers} worker(s) failed: {r.stderr.strip().splitlines()[-1:]}")
    sweep = json.loads((out / "sweep.json").read_text())
    timings = [json.loads(p.read_text())["timings"] for p in out.glob("*/manifest.json")]
    records = [json.loads(p.read_text()) for p in (out / RECORDS).glob("*.json")]
    stepping = sum(t["run_seconds"] for t in timings)
    by_start = sorted(records, key=lambda r: r["finished"] - r["seconds"])
    last_end = max(r["finished"] for r in records)
    busy = last_end - (by_start[0]["finished"] - by_start[0]["seconds"])
    warm = max(r["finished"] for r in by_start[:workers])  # every worker has run (and imported for) a job
    late = last_end - warm
    later = sorted(r["seconds"] for r in by_start[workers:])
    first_extra = max(by_start[0]["seconds"] - later[len(later) // 2], 0.0) if later else 0.0
    steady = (len(records) - workers) / late if late > 0 else None  # None: too few runs to tell
    return {"workers": workers, "runs": sweep["complete"], "sweep_seconds": sweep["seconds"],
            "end_to_end_seconds": round(wall, 3), "stepping_seconds": round(stepping, 3),
            "first_job_start_to_last_job_end_seconds": round(busy, 3),
            "throughput_runs_per_s": round(sweep["complete"] / sweep["seconds"], 4),
            "steady_throughput_runs_per_s": steady and round(steady, 4),
            "first_job_extra_seconds": round(first_extra, 3)}


def best(samples: list[dict]) -> dict:
    return min(samples, key=lambda s: s["sweep_seconds"])


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(prog="python -m experiments.bench_sweep", description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=8)
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--days", type=int, default=365)
    ap.add_argument("--repeat", type=int, default=1, help="measurements per worker count (the fastest is kept)")
    ap.add_argument("--out", default=str(ROOT / "results" / "bench" / "sweep.json"))
    args = ap.parse_args(argv)
    if args.runs < 4 or args.days < 1 or not 0 < args.scale <= 1 or args.repeat < 1:
        print("error: --runs >= 4, --days >= 1, 0 < --scale <= 1, --repeat >= 1", file=sys.stderr)
        raise SystemExit(2)

    with tempfile.TemporaryDirectory(prefix="bench_sweep_") as tmp:
        root = Path(tmp)
        measure(1, 1, 0.002, 5, root)  # warm-up: byte-code and file caches
        one, two = [], []
        for _ in range(args.repeat):
            one.append(measure(1, args.runs, args.scale, args.days, root))
            two.append(measure(2, args.runs, args.scale, args.days, root))
    w1, w2 = best(one), best(two)
    fixed = (w1["sweep_seconds"] - w1["stepping_seconds"]) / w1["runs"]
    speedup = w2["throughput_runs_per_s"] / w1["throughput_runs_per_s"]
    speedup_e2e = w1["end_to_end_seconds"] / w2["end_to_end_seconds"]
    s1, s2 = w1["steady_throughput_runs_per_s"], w2["steady_throughput_runs_per_s"]
    speedup_steady = s2 / s1 if s1 and s2 else None  # None: too few runs after the workers' first
    # like for like with a driver that imported the model before the clock: the 1-worker clock less
    # its first job's extra time (the in-process import of the model stack)
    speedup_no_import = (w1["sweep_seconds"] - w1["first_job_extra_seconds"]) / w2["sweep_seconds"]
    result = {
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "runs": args.runs, "population_scale": args.scale, "days": args.days, "repeat": args.repeat,
        "one_worker": w1, "two_workers": w2,
        "speedup": round(speedup, 3), "speedup_end_to_end": round(speedup_e2e, 3),
        "speedup_steady_state": speedup_steady and round(speedup_steady, 3),
        "speedup_one_worker_import_excluded": round(speedup_no_import, 3),
        "fixed_cost_per_run_seconds": round(fixed, 3),
        "startup_and_collect_seconds": round(w1["end_to_end_seconds"] - w1["sweep_seconds"], 3),
        "targets": {"speedup": TARGET_SPEEDUP, "fixed_cost_per_run_seconds": TARGET_FIXED_COST},
        "met": {"speedup": speedup >= TARGET_SPEEDUP, "fixed_cost_per_run_seconds": fixed <= TARGET_FIXED_COST},
    }
    from sim.results import atomic_write_json

    atomic_write_json(Path(args.out), result)
    print(f"sweep benchmark: {args.runs} runs, population.scale={args.scale}, {args.days} days, joblib launcher")
    print(f"{'workers':>8} {'sweep s':>9} {'end-to-end s':>13} {'stepping s':>11} {'runs/s':>8}")
    for w in (w1, w2):
        print(f"{w['workers']:>8} {w['sweep_seconds']:>9.2f} {w['end_to_end_seconds']:>13.2f} "
              f"{w['stepping_seconds']:>11.2f} {w['throughput_runs_per_s']:>8.3f}")
    steady = f"{speedup_steady:.2f}x" if speedup_steady else "n/a"
    print(f"speedup (2 vs 1 worker): {speedup:.2f}x sweep (target >= {TARGET_SPEEDUP}x: "
          f"{'met' if speedup >= TARGET_SPEEDUP else 'NOT met'}); {speedup_e2e:.2f}x end to end; "
          f"{steady} steady state (runs after every worker's first); {speedup_no_import:.2f}x "
          f"if the 1-worker clock left out its import of the model ({w1['first_job_extra_seconds']:.2f} s)")
    print(f"fixed cost per run: {fixed:.2f} s (target <= {TARGET_FIXED_COST} s: "
          f"{'met' if fixed <= TARGET_FIXED_COST else 'NOT met'}); start-up + collection per sweep: "
          f"{result['startup_and_collect_seconds']:.2f} s")
    print(f"written: {args.out}")


if __name__ == "__main__":
    main()
