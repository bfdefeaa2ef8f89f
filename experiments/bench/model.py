"""Model benchmark: full 1:1-scale runs, the Mesa floor ratio, a scaling curve and start-up time.

    python -m experiments.bench            # or: make bench (then the sweep benchmark, experiments.bench.sweep)
    python -m experiments.bench --days 365 --scales 0.1 0.3 1.0

Each measured run happens in a fresh child process pinned to one core (so peak RSS
and wall time belong to that run alone). Prints a table and writes
``results/bench/bench.json``. Targets (docs/performance.md): full-scale 730-day run <= 60 s,
peak memory <= 2 GB, population build <= 10 s, Mesa floor ratio >= 10, scaling
exponent 0.9-1.15, start-up <= 4 s. Figures are measured, never asserted.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from experiments.errors import ArgumentParser

ROOT = Path(__file__).resolve().parents[2]
ONE_CORE_ENV = {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


def pin_to_one_core() -> None:
    if hasattr(os, "sched_setaffinity"):
        os.sched_setaffinity(0, {sorted(os.sched_getaffinity(0))[0]})


def mesa_floor(n_agents: int, steps: int = 50) -> float:
    """Seconds per agent per step of ``AgentSet.shuffle_do`` on a no-op method: the cheapest Mesa model."""
    import mesa

    class Noop(mesa.Agent):
        def step(self):
            pass

    model = mesa.Model(rng=0)
    for _ in range(n_agents):
        Noop(model)
    agents = model.agents_by_type[Noop]
    t0 = time.perf_counter()
    for _ in range(steps):
        agents.shuffle_do("step")
    return (time.perf_counter() - t0) / (n_agents * steps)


def child(scenario: str, scale: float, days: int, floor: bool) -> dict:
    """One measured run (runs inside the child process)."""
    pin_to_one_core()
    t0 = time.perf_counter()
    from sim import BorderModel

    import_s = time.perf_counter() - t0
    model = BorderModel(scenario, population_scale=scale, days=days, rng=0)
    model.run()
    wall = model.build_seconds + model.run_seconds
    people = int(model.households.size.sum())
    households = len(model.households)
    out = {
        "scenario": scenario, "scale": scale, "days": days, "people": people, "households": households,
        "working_age": len(model.people), "traders": len(model.traders),
        "import_seconds": round(import_s, 3), "build_seconds": round(model.build_seconds, 3),
        "run_seconds": round(model.run_seconds, 3), "wall_seconds": round(wall, 3),
        "person_days_per_second": people * days / wall,
        "household_days_per_second": households * days / wall,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        "seconds_per_household_day": model.run_seconds / (households * days),
    }
    if floor:
        del model
        per_agent = mesa_floor(households)
        out["mesa_floor_seconds_per_agent_step"] = per_agent
        out["mesa_floor_ratio"] = per_agent / out["seconds_per_household_day"]
    return out


def measure(scenario: str, scale: float, days: int, floor: bool = False) -> dict:
    cmd = [sys.executable, "-m", "experiments.bench.model", "--child", scenario, str(scale), str(days)]
    if floor:
        cmd.append("--floor")
    r = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env={**os.environ, **ONE_CORE_ENV})
    if r.returncode != 0:
        raise SystemExit(f"error: benchmark run failed: {r.stderr.strip().splitlines()[-1]}")
    return json.loads(r.stdout.strip().splitlines()[-1])


def startup_seconds() -> float:
    """Wall time of a fresh ``python -m experiments.run population.scale=0.01 days=30`` (imports included)."""
    with tempfile.TemporaryDirectory() as tmp:
        t0 = time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "experiments.run", "population.scale=0.01", "days=30",
                            "progress=false", f"hydra.run.dir={tmp}/run"], cwd=ROOT, capture_output=True, text=True,
                           env={**os.environ, **ONE_CORE_ENV})
        elapsed = time.perf_counter() - t0
    if r.returncode != 0:
        raise SystemExit(f"error: start-up run failed: {r.stderr.strip()}")
    return elapsed


def machine() -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import mesa

    return {"cpu": cpu, "cores": os.cpu_count(), "python": platform.python_version(), "numpy": np.__version__,
            "mesa": mesa.__version__, "platform": platform.platform()}


def table(rows: list[tuple[str, str, str, str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)) for r in rows)


def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="python -m experiments.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    ap.add_argument("--out", default=str(ROOT / "results" / "bench" / "bench.json"))
    ap.add_argument("--child", nargs=3, metavar=("SCENARIO", "SCALE", "DAYS"), help=argparse.SUPPRESS)
    ap.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        scen, scale, days = args.child
        print(json.dumps(child(scen, float(scale), int(days), args.floor)))
        return

    from tqdm import tqdm

    steps = ["baseline 1:1", "closure_90d 1:1"] + [f"scaling {s}" for s in args.scales if s != 1.0] + ["start-up"]
    bar = tqdm(total=len(steps), desc="benchmark", unit="step")
    full = {}
    for scen in ("baseline", "closure_90d"):
        bar.set_postfix_str(f"{scen} at 1:1, {args.days} days")
        full[scen] = measure(scen, 1.0, args.days, floor=scen == "baseline")
        bar.update()
    scaling = {}
    for s in args.scales:
        if s == 1.0:
            scaling[s] = full["baseline"]["wall_seconds"]
            continue
        bar.set_postfix_str(f"scale {s}")
        scaling[s] = measure("baseline", s, args.days)["wall_seconds"]
        bar.update()
    xs = np.log([full["baseline"]["people"] * s for s in scaling])
    exponent = float(np.polyfit(xs, np.log(list(scaling.values())), 1)[0])
    bar.set_postfix_str("start-up")
    startup = startup_seconds()
    bar.update()
    bar.close()

    b, c = full["baseline"], full["closure_90d"]
    result = {"machine": machine(), "days": args.days, "full_scale": full,
              "mesa_floor": {"agents": b["households"], "steps": 50,
                             "seconds_per_agent_step": b["mesa_floor_seconds_per_agent_step"],
                             "model_seconds_per_household_day": b["seconds_per_household_day"],
                             "ratio": b["mesa_floor_ratio"]},
              "scaling": {"scales": list(scaling), "wall_seconds": list(scaling.values()), "exponent": exponent},
              "startup_seconds": startup}
    from experiments.rundir import atomic_write_json

    atomic_write_json(Path(args.out), result)

    rows = [("measure", "baseline", "closure_90d", "target")]
    for label, key, fmt, target in (
        ("wall time, 730 days (s)", "wall_seconds", "{:.1f}", "<= 60 (stretch 30)"),
        ("population build (s)", "build_seconds", "{:.2f}", "<= 10"),
        ("person-days / s (M)", "person_days_per_second", "{:.1f}", ""),
        ("household-days / s (M)", "household_days_per_second", "{:.2f}", ""),
        ("peak memory RSS (MB)", "peak_rss_mb", "{:.0f}", "<= 2048"),
    ):
        scale = 1e-6 if "per_second" in key else 1
        rows.append((label, fmt.format(b[key] * scale), fmt.format(c[key] * scale), target))
    rows.append(("Mesa floor (us/agent-step)", f"{b['mesa_floor_seconds_per_agent_step'] * 1e6:.2f}", "", ""))
    rows.append(("model (us/household-day)", f"{b['seconds_per_household_day'] * 1e6:.3f}", "", ""))
    rows.append(("Mesa floor ratio", f"{b['mesa_floor_ratio']:.1f}", "", ">= 10"))
    rows.append(("scaling exponent", f"{exponent:.3f}", "", "0.9 - 1.15"))
    for s, w in scaling.items():
        rows.append((f"  wall at scale {s} (s)", f"{w:.2f}", "", ""))
    rows.append(("start-up, scale 0.01 x 30 days (s)", f"{startup:.2f}", "", "<= 4"))
    print(f"\n{b['people']:,} people, {b['households']:,} households, {b['working_age']:,} working-age, "
          f"{b['traders']:,} traders; {args.days} days; one core of {result['machine']['cpu']}")
    print(table(rows))
    print(f"\nwritten: {args.out}")


if __name__ == "__main__":
    main()
