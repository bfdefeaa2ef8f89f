"""Where one analysis pair's time goes: a point of the per-parameter Morris design (closure_90d and closure_1y
against the baseline from a shared start), part by part, in CPU seconds (``time.process_time``).

    python -m experiments.bench.pair                      # scale 0.1, 730 days, point 1, 3 repeats
    python -m experiments.bench.pair --repeat 5 --point 7
    python -m experiments.bench --only pair               # the same, as part of the model benchmark (make bench)

Parts: the build (population, warm-up read back from the warm-up cache, day-0 calibrations), the rest of the
shared start (the common prefix, the scenarios' schedules, the snapshot), the branches (copies, trunks and
stepping, with the recorder's CPU ms a day), the region frames and the effects (:mod:`experiments.outcomes`).
Two settings, alternating: *before* (every indicator recorded, every scenario branched from the shared start:
the first round of compiled kernels) and *after* (only the outcomes' indicators recorded, scenarios alike for longer
sharing a trunk: what ``experiments.analyze`` does now). The warm-up computed is timed once, and the projection
counts the design's points that compute it (distinct values of the factors it reads). The pair runs in this
process, pinned to one core. Figures are measured and printed, never asserted (docs/performance.md); written to
``results/bench/pair.json``.
"""

from __future__ import annotations

import os
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from experiments.errors import ArgumentParser

ROOT = Path(__file__).resolve().parents[2]
BUILD = ("build.cache", "build.population", "build.warm_up", "build.day0")


def morris_pair(scale: float, days: int, point: int):
    """The configs of one point of the per-parameter Morris preset (``+analysis=morris``), scenario -> config,
    what each scenario is compared with, and the design (a row per point, a column per factor)."""
    from omegaconf import OmegaConf

    from experiments.analysis import schema
    from experiments.analysis.pairs import compared_with, scenario_config
    from experiments.analysis.space import build_space, design_table, unit_design
    from experiments.commandline import compose
    from sim.config import register

    register()
    schema.register()
    cfg = compose(["+analysis=morris", f"population.scale={scale}", f"days={days}"], config_name="analyze")
    a = cfg.analysis
    factors = build_space(list(a.parameters), list(a.exclude), OmegaConf.to_container(a.ranges, resolve=True))
    unit = unit_design("morris", factors, a.morris, a.group_by)
    design = design_table(factors, unit)
    theta = design.drop(columns="point").iloc[point].to_dict()
    theta = {k: (v.item() if hasattr(v, "item") else v) for k, v in theta.items()}
    compared = compared_with(list(a.scenarios), a.reference)
    names = [a.reference, *[s for s in a.scenarios if s != a.reference]]
    cfgs = {s: scenario_config(cfg, s, theta, []) for s in names}
    return cfgs, compared, design.drop(columns="point")


def one_pair(cfgs: dict, compared: dict, record, trunks: bool = True, seed: int = 0) -> dict[str, float]:
    """CPU seconds of each part of one paired evaluation (as :func:`experiments.analysis.pairs.evaluate`),
    recording ``record`` (None: every indicator); ``trunks=False`` branches every scenario from the shared start
    (``SharedStart.run``) instead of sharing the closures' longer common prefix (``SharedStart.branches``)."""
    from experiments.analysis.pairs import effects, region, window_of
    from sim.branching import SharedStart

    cpu: dict[str, float] = {}

    @contextmanager
    def part(name: str):
        t = time.process_time()
        yield
        cpu[name] = cpu.get(name, 0.0) + time.process_time() - t

    names = list(cfgs)
    with part("shared start"):
        start = SharedStart(list(cfgs.values()), seed=seed, record=record)
    for name in BUILD:
        cpu[name] = start.clock.cpu.get(name, 0.0)
    cpu["shared start"] -= sum(cpu[name] for name in BUILD)  # the prefix, the schedules and the snapshot
    series, recorder_ms, stepped = {}, [], 0
    branches = start.branches() if trunks else ((i, start.run(i)) for i in range(len(names)))
    t = time.process_time()
    for i, m in branches:
        cpu["branches: copies, trunks, stepping"] = cpu.get("branches: copies, trunks, stepping", 0.0) + \
            time.process_time() - t
        recorder_ms.append(1e3 * m.clock.cpu["recorder"] / m.clock.calls["recorder"])
        stepped += 0 if trunks else start.days - start.day
        with part("region frames"):
            series[names[i]] = region(m)
        t = time.process_time()
    stepped = start.days_stepped if trunks else stepped
    with part("effects"):
        effects(series, {n: window_of(c) for n, c in cfgs.items()}, compared, int(cfgs[names[0]].days))
    cpu["(days stepped after the start)"] = stepped
    cpu["(recorder, CPU ms a day)"] = float(np.mean(recorder_ms))
    return cpu


def warm_ups_computed(design, keys: list[str]) -> int:
    """How many of the design's points compute their warm-up (the rest read it from the warm-up cache): the
    distinct values of the factors the warm-up reads (``keys``: the keys of a warm-up cache entry)."""
    read = [f for f in design.columns if any(f == k or f.startswith(k + ".") or k.startswith(f + ".") for k in keys)]
    return len(design[read].astype(str).drop_duplicates()) if read else 1


SETTINGS = {"before": {"record": None, "trunks": False}, "after": {"record": "outcomes", "trunks": True}}


def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="python -m experiments.bench.pair", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--point", type=int, default=1, help="row of the Morris design (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="pairs measured per setting, alternating")
    ap.add_argument("--out", default=str(ROOT / "results" / "bench" / "pair.json"))
    args = ap.parse_args(argv)
    from experiments.analysis.pairs import RECORDED
    from experiments.bench.model import load, pin_to_one_core
    from experiments.rundir import atomic_write_json
    from sim.warmup_cache import WarmupCache

    pin_to_one_core()
    cache = tempfile.TemporaryDirectory(prefix="bench_pair_warmup_")
    os.environ["BORDER_SIM_WARMUP_CACHE"] = cache.name
    cfgs, compared, design = morris_pair(args.scale, args.days, args.point)
    settings = {name: {"record": RECORDED if s["record"] else None, "trunks": s["trunks"]}
                for name, s in SETTINGS.items()}
    one_pair(cfgs, compared, **settings["after"])  # compiles or loads the kernels; stores the warm-up
    computing = warm_ups_computed(design, WarmupCache().keysets()[0])
    load_before = load()
    runs: dict[str, list] = {name: [] for name in settings}
    for _ in range(args.repeat):
        for name, setting in settings.items():
            runs[name].append(one_pair(cfgs, compared, **setting))
    for c in cfgs.values():
        c.warmup_cache = False
    warm_up = one_pair(cfgs, compared, **settings["after"])["build.warm_up"]
    loads = [load_before, load()]
    n = len(design)
    print(f"\none pair of the per-parameter Morris ({design.shape[1]} factors, {n} points; point {args.point}): "
          f"{', '.join(cfgs)} at scale {args.scale}, {args.days} days, warm-up cached; CPU s, min-max of "
          f"{args.repeat}; load average {loads[0]} / {loads[1]}")
    print("before: every indicator recorded, every scenario branched from the shared start; after: the outcomes' "
          "indicators, the closures' common days stepped once")
    print(f"{'part':38s} {'before':>13s} {'after':>13s}")
    total = lambda r: sum(x for key, x in r.items() if not key.startswith("("))  # noqa: E731
    for key in [*runs["after"][0], "a pair"]:
        cells = []
        for name in settings:
            v = [total(r) if key == "a pair" else r[key] for r in runs[name]]
            cells.append(f"{min(v):.0f}" if key.startswith("(days") else f"{min(v):.2f}-{max(v):.2f}")
        print(f"{key:38s} {cells[0]:>13s} {cells[1]:>13s}")
    pair = {name: float(np.median([total(r) for r in rs])) for name, rs in runs.items()}
    print(f"the warm-up when not cached: {warm_up:.2f} s; {computing} of the {n} points compute it")
    hours = {name: (n * cost + computing * warm_up) / 2 / 3600 for name, cost in pair.items()}
    print("projected per-parameter Morris on 2 cores, without the cores' contention: "
          + ", ".join(f"{name} {h:.2f} h" for name, h in hours.items())
          + f" ({n} points; 990 points, the 98-factor space: "
          + ", ".join(f"{name} {h * 990 / n:.2f} h" for name, h in hours.items()) + "; target 0.75 h)")
    atomic_write_json(Path(args.out), {"scale": args.scale, "days": args.days, "point": args.point, "points": n,
                                       "factors": design.shape[1], "load": loads, "settings": SETTINGS,
                                       "runs": runs, "warm_up_seconds": warm_up, "warm_ups_computed": computing,
                                       "pair_seconds": pair, "projected_morris_hours": hours})
    print(f"written: {args.out}")
    cache.cleanup()


if __name__ == "__main__":
    main()
