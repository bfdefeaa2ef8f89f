"""Model benchmark: where a day goes, the whole command, full 1:1-scale runs, the Mesa floor ratio, scaling, start-up.

    python -m experiments.bench            # or: make bench (then the sweep benchmark, experiments.bench.sweep)
    python -m experiments.bench --days 365 --scales 0.1 0.3 1.0
    python -m experiments.bench --only profile command   # just the per-phase profile and the whole command
    python -m experiments.bench --only pair              # one analysis pair, part by part (experiments.bench.pair)

The profile (as Starsim's ``Loop`` timing): milliseconds per simulated day at 1:1 for each phase of the
model's day (``sim.model.DAY``) and the recorder, CPU time (``time.process_time``) and wall time, and the
seconds of each part of the build (region, population, warm-up, day-0 calibrations, Mesa agents), from
the model's own clock (``model.clock``, :mod:`sim.clock`) on a closure_90d run. The whole command is a
fresh ``python -m experiments.run scenario=closure_90d`` at 1:1 over ``--days``, timed from start to exit
with its peak RSS.

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
        "clock": model.clock.table(),
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


def command(scenario: str, days: int, scale: float = 1.0, cache: bool = True) -> dict:
    """A fresh ``python -m experiments.run`` as a user types it: wall time from start to exit, its CPU time and
    peak RSS (from the child's own resource usage), and the build and stepping times its manifest records;
    with the warm-up from the benchmark's own cache (``cache``) or computed (``warmup_cache=false``)."""
    with tempfile.TemporaryDirectory() as tmp:
        cmd = [sys.executable, "-m", "experiments.run", f"scenario={scenario}", f"population.scale={scale}",
               f"days={days}", "progress=false", f"warmup_cache={str(cache).lower()}", f"hydra.run.dir={tmp}/run"]
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                                env={**os.environ, **ONE_CORE_ENV}, preexec_fn=pin_to_one_core)
        err = proc.stderr.read()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"error: command failed: {err.decode().strip().splitlines()[-1:]}")
        timings = json.loads((Path(tmp) / "run" / "manifest.json").read_text())["timings"]
    return {"scenario": scenario, "days": days, "scale": scale, "wall_seconds": round(wall, 3),
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 3), "peak_rss_mb": usage.ru_maxrss / 1024,
            "build_seconds": timings["build_seconds"], "run_seconds": timings["run_seconds"]}


COMPILE_SNIPPET = """
import time
t0 = time.perf_counter()
import numba
t1 = time.perf_counter()
from sim import kernels
t2 = time.perf_counter()
kernels.compile_all()
print(t1 - t0, time.perf_counter() - t2)
"""


def compile_cost() -> dict:
    """What the compiled kernels cost a fresh process: importing numba, then compiling every kernel with an
    empty cache (the first process after a change) and loading them from the cache (every later one)."""
    out = {}
    with tempfile.TemporaryDirectory() as cache:
        for label in ("cold", "cached"):
            r = subprocess.run([sys.executable, "-c", COMPILE_SNIPPET], cwd=ROOT, capture_output=True, text=True,
                               env={**os.environ, **ONE_CORE_ENV, "NUMBA_CACHE_DIR": cache})
            if r.returncode != 0:
                raise SystemExit(f"error: compiling the kernels failed: {r.stderr.strip().splitlines()[-1:]}")
            numba_import, kernels = (float(x) for x in r.stdout.split())
            out["import_numba_seconds"] = round(numba_import, 3)
            out[f"{label}_seconds"] = round(kernels, 3)
    return out


def load() -> str:
    """The machine's load averages (1, 5, 15 min), as ``uptime`` prints them."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def profile_rows(clock: list[dict], days: int) -> list[tuple[str, str, str, str]]:
    """The per-phase table: ms per simulated day (CPU and wall) and share of the day's CPU; build parts in s."""
    from sim.model import DAY

    by = {r["part"]: r for r in clock}
    day_parts = [*DAY, "recorder"]
    total_cpu = sum(by[n]["cpu_s"] for n in day_parts if n in by)
    rows = [("phase", "cpu ms/day", "wall ms/day", "share of cpu")]
    for name in sorted((n for n in day_parts if n in by), key=lambda n: -by[n]["cpu_s"]):
        r = by[name]
        rows.append((name, f"{1e3 * r['cpu_s'] / days:.2f}", f"{1e3 * r['wall_s'] / days:.2f}",
                     f"{r['cpu_s'] / total_cpu:.0%}"))
    rows.append(("day, all phases", f"{1e3 * total_cpu / days:.2f}",
                 f"{1e3 * sum(by[n]['wall_s'] for n in day_parts if n in by) / days:.2f}", ""))
    rows.append(("build part", "cpu s", "wall s", ""))
    for name in (n for n in by if n.startswith("build.")):
        rows.append((name.removeprefix("build."), f"{by[name]['cpu_s']:.2f}", f"{by[name]['wall_s']:.2f}", ""))
    return rows


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


PARTS = ("profile", "compile", "command", "full", "scaling", "startup", "pair")


def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="python -m experiments.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--scales", type=float, nargs="+", default=[0.1, 0.3, 1.0])
    ap.add_argument("--only", nargs="+", choices=PARTS, default=list(PARTS),
                    help="what to measure (default: everything): the per-phase profile, the kernels' compilation, the "
                         "whole command, full 1:1 runs with the Mesa floor, the scaling curve, start-up, one analysis "
                         "pair part by part (experiments.bench.pair)")
    ap.add_argument("--out", default=str(ROOT / "results" / "bench" / "bench.json"))
    ap.add_argument("--child", nargs=3, metavar=("SCENARIO", "SCALE", "DAYS"), help=argparse.SUPPRESS)
    ap.add_argument("--floor", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        scen, scale, days = args.child
        print(json.dumps(child(scen, float(scale), int(days), args.floor)))
        return

    from tqdm import tqdm

    only = set(args.only)
    # the benchmark's own warm-up cache (sim/warmup_cache.py), empty at the start: the first build at a setting
    # pays the warm-up, the next ones at it read the state back (what a user's second run does)
    cache = tempfile.TemporaryDirectory(prefix="bench_warmup_")
    os.environ["BORDER_SIM_WARMUP_CACHE"] = cache.name
    steps = (["baseline 1:1", "closure_90d 1:1"] if "full" in only else ["closure_90d 1:1"] if "profile" in only else [])
    steps += ["command", "command, warm-up cached"] * ("command" in only)  # (the second after a run storing it) + [f"scaling {s}" for s in args.scales if s != 1.0] * ("scaling" in only)
    steps += ["start-up"] * ("startup" in only) + ["compile"] * ("compile" in only) + ["pair"] * ("pair" in only)
    bar = tqdm(total=len(steps), desc="benchmark", unit="step")
    result: dict = {"machine": machine(), "days": args.days, "load_before": load()}
    full = {}
    for scen in ("baseline", "closure_90d") if "full" in only else ("closure_90d",) if "profile" in only else ():
        bar.set_postfix_str(f"{scen} at 1:1, {args.days} days")
        full[scen] = measure(scen, 1.0, args.days, floor=scen == "baseline")
        bar.update()
    if full:
        result["full_scale"] = full
    if "command" in only:
        bar.set_postfix_str(f"experiments.run scenario=closure_90d at 1:1, {args.days} days, warm-up not cached")
        result["command"] = command("closure_90d", args.days, cache=False)
        bar.update()
        bar.set_postfix_str(f"experiments.run scenario=closure_90d at 1:1, {args.days} days, warm-up cached")
        command("closure_90d", args.days)  # stores the warm-up
        result["command_cached"] = command("closure_90d", args.days)
        bar.update()
    scaling = {}
    if "scaling" in only:
        for s in args.scales:
            if s == 1.0 and "baseline" in full:
                scaling[s] = full["baseline"]["wall_seconds"]
                continue
            bar.set_postfix_str(f"scale {s}")
            scaling[s] = measure("baseline", s, args.days)["wall_seconds"]
            bar.update()
        xs = np.log([s for s in scaling])
        result["scaling"] = {"scales": list(scaling), "wall_seconds": list(scaling.values()),
                             "exponent": float(np.polyfit(xs, np.log(list(scaling.values())), 1)[0])}
    if "startup" in only:
        bar.set_postfix_str("start-up")
        result["startup_seconds"] = startup_seconds()
        bar.update()
    if "compile" in only:
        bar.set_postfix_str("compiling the kernels")
        result["compile"] = compile_cost()
        bar.update()
    pair = None
    if "pair" in only:
        bar.set_postfix_str("one analysis pair, part by part")
        pair = subprocess.run([sys.executable, "-m", "experiments.bench.pair", "--days", str(args.days),
                               "--out", str(Path(args.out).with_name("pair.json"))], cwd=ROOT, capture_output=True,
                              text=True, env={**os.environ, **ONE_CORE_ENV})
        if pair.returncode != 0:
            raise SystemExit(f"error: the pair benchmark failed: {pair.stderr.strip().splitlines()[-1:]}")
        bar.update()
    bar.close()
    result["load_after"] = load()
    if "baseline" in full:
        b = full["baseline"]
        result["mesa_floor"] = {"agents": b["households"], "steps": 50,
                                "seconds_per_agent_step": b["mesa_floor_seconds_per_agent_step"],
                                "model_seconds_per_household_day": b["seconds_per_household_day"],
                                "ratio": b["mesa_floor_ratio"]}
    from experiments.rundir import atomic_write_json

    atomic_write_json(Path(args.out), result)

    print(f"\nload average before / after: {result['load_before']} / {result['load_after']}; "
          f"one core of {result['machine']['cpu']}")
    if "closure_90d" in full:
        c = full["closure_90d"]
        print(f"\nwhere a day goes: closure_90d at 1:1, days 1-{args.days}, {c['working_age']:,} working-age people, "
              f"{c['households']:,} households (the model's clock)")
        print(table(profile_rows(c["clock"], args.days)))
    if "compile" in result:
        r = result["compile"]
        print(f"\ncompiled kernels (sim/kernels.py), in a fresh process: import numba {r['import_numba_seconds']:.2f} s, "
              f"then compile all {r['cold_seconds']:.2f} s with an empty cache, load all {r['cached_seconds']:.2f} s "
              f"from the cache (target: <= 1 s)")
    print()
    for key, how in (("command", "warm-up computed"), ("command_cached", "warm-up cached")):
        if key in result:
            r = result[key]
            print(f"whole command, {how}: python -m experiments.run scenario=closure_90d days={args.days} at 1:1: "
                  f"{r['wall_seconds']:.1f} s wall ({r['cpu_seconds']:.1f} s CPU), build {r['build_seconds']:.1f} s, "
                  f"stepping {r['run_seconds']:.1f} s, peak RSS {r['peak_rss_mb']:.0f} MB (target: <= 12 s wall; "
                  f"build <= 3 s, <= 1 s cached)")
    rows = [("measure", "baseline", "closure_90d", "target")]
    if "baseline" in full:
        b, c = full["baseline"], full["closure_90d"]
        for label, key, fmt, target in (
            ("wall time, 730 days (s)", "wall_seconds", "{:.1f}", "<= 60 (stretch 30)"),
            ("population build (s)", "build_seconds", "{:.2f}", "<= 3"),
            ("person-days / s (M)", "person_days_per_second", "{:.1f}", ""),
            ("household-days / s (M)", "household_days_per_second", "{:.2f}", ""),
            ("peak memory RSS (MB)", "peak_rss_mb", "{:.0f}", "<= 2048"),
        ):
            scale = 1e-6 if "per_second" in key else 1
            rows.append((label, fmt.format(b[key] * scale), fmt.format(c[key] * scale), target))
        rows.append(("Mesa floor (us/agent-step)", f"{b['mesa_floor_seconds_per_agent_step'] * 1e6:.2f}", "", ""))
        rows.append(("model (us/household-day)", f"{b['seconds_per_household_day'] * 1e6:.3f}", "", ""))
        rows.append(("Mesa floor ratio", f"{b['mesa_floor_ratio']:.1f}", "", ">= 10"))
    if scaling:
        rows.append(("scaling exponent", f"{result['scaling']['exponent']:.3f}", "", "0.9 - 1.15"))
        for s, w in scaling.items():
            rows.append((f"  wall at scale {s} (s)", f"{w:.2f}", "", ""))
    if "startup_seconds" in result:
        rows.append(("start-up, scale 0.01 x 30 days (s)", f"{result['startup_seconds']:.2f}", "", "<= 4"))
    if len(rows) > 1:
        print()
        print(table(rows))
    if pair is not None:
        print(pair.stdout.rstrip())
    print(f"\nwritten: {args.out}")
    cache.cleanup()


if __name__ == "__main__":
    main()
