"""Where one analysis pair's time goes: a point of the per-parameter Morris design (closure_90d and closure_1y
against the baseline from a shared start), part by part, in CPU seconds (``time.process_time``).

    python -m experiments.bench.pair                      # scale 0.1, 730 days, point 1, 3 repeats
    python -m experiments.bench.pair --repeat 5 --point 7
    python -m experiments.bench --only pair            # the same, as part of the model benchmark (make bench)

Parts: the build (population, warm-up computed or read from the warm-up cache, day-0 calibrations), the
shared prefix (days 1 to the day before the scenarios differ) and its snapshot, each branch (copying the
snapshot and rebinding its scenario, then stepping: the day's phases and the recorder), the region frames and
the effects (:mod:`experiments.outcomes`). The pair runs in this process (pinned to one core); the first
repeat computes the warm-up and stores it in a temporary cache, the later ones read it back. Figures are
measured and printed, never asserted (docs/performance.md); written to ``results/bench/pair.json``.
"""

from __future__ import annotations

import os
import pickle
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from experiments.errors import ArgumentParser

ROOT = Path(__file__).resolve().parents[2]
PARTS = ("build.population", "build.warm_up", "build.day0", "prefix", "snapshot")


def morris_pair(scale: float, days: int, point: int):
    """The configs of one point of the per-parameter Morris preset (``+analysis=morris``), scenario -> config,
    and what each scenario is compared with."""
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
    theta = design_table(factors, unit).drop(columns="point").iloc[point].to_dict()
    theta = {k: (v.item() if hasattr(v, "item") else v) for k, v in theta.items()}
    compared = compared_with(list(a.scenarios), a.reference)
    names = [a.reference, *[s for s in a.scenarios if s != a.reference]]
    cfgs = {s: scenario_config(cfg, s, theta, []) for s in names}
    return cfgs, compared, len(factors), len(unit)


def one_pair(cfgs: dict, compared: dict, record, seed: int = 0) -> dict[str, float]:
    """CPU seconds of each part of one paired evaluation (as :func:`experiments.analysis.pairs.evaluate`),
    recording ``record`` (None: every indicator)."""
    from experiments.analysis.pairs import effects, region, window_of
    from sim import BorderModel
    from sim.branching import SharedStart, divergence_day

    cpu: dict[str, float] = {}

    @contextmanager
    def part(name: str):
        t = time.process_time()
        yield
        cpu[name] = cpu.get(name, 0.0) + time.process_time() - t

    names = list(cfgs)
    model = BorderModel(config=cfgs[names[0]], rng=seed, record=record)
    for name in PARTS[:3]:
        cpu[name] = model.clock.cpu.get(name, 0.0)
    day = divergence_day(list(cfgs.values()), model.region) - 1
    with part("prefix"):
        while model.running and int(round(model.time)) < day:
            model.step()
    with part("snapshot"):
        start = SharedStart.__new__(SharedStart)  # the snapshot of the model just stepped (as SharedStart makes)
        start.cfgs, start.day, start.seed = [c.copy() for c in cfgs.values()], day, int(model.par.seed)
        start._snapshot = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
    series = {}
    for i, name in enumerate(names):
        with part("branch: copy and rebind"):
            m = start.branch(i)
        before = m.clock.cpu.get("recorder", 0.0)
        with part("branch: stepping"):
            m.run()
        cpu["branch: of which recorder"] = cpu.get("branch: of which recorder", 0.0) + m.clock.cpu["recorder"] - before
        with part("region frames"):
            series[name] = region(m)
    with part("effects"):
        effects(series, {n: window_of(c) for n, c in cfgs.items()}, compared, int(cfgs[names[0]].days))
    return cpu


def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="python -m experiments.bench.pair", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, default=0.1)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--point", type=int, default=1, help="row of the Morris design (default 1)")
    ap.add_argument("--repeat", type=int, default=3, help="pairs measured (the first computes the warm-up)")
    ap.add_argument("--record", choices=("outcomes", "all"), default="outcomes",
                    help="what the runs record: the indicators the outcomes read (what an analysis does), or all")
    ap.add_argument("--out", default=str(ROOT / "results" / "bench" / "pair.json"))
    args = ap.parse_args(argv)
    from experiments.bench.model import load, pin_to_one_core
    from experiments.rundir import atomic_write_json

    pin_to_one_core()
    cache = tempfile.TemporaryDirectory(prefix="bench_pair_warmup_")
    os.environ["BORDER_SIM_WARMUP_CACHE"] = cache.name
    from experiments.analysis.pairs import RECORDED

    record = RECORDED if args.record == "outcomes" else None
    cfgs, compared, k, n = morris_pair(args.scale, args.days, args.point)
    one_pair(cfgs, compared, record)  # compiles or loads the kernels; stores the warm-up
    load_before = load()
    for c in cfgs.values():
        c.warmup_cache = False
    runs = [one_pair(cfgs, compared, record)]
    for c in cfgs.values():
        c.warmup_cache = True
    runs += [one_pair(cfgs, compared, record) for _ in range(max(args.repeat - 1, 1))]
    computed = runs[0]
    cached = runs[1:]
    names = list(dict.fromkeys(k2 for r in runs for k2 in r))
    print(f"\none Morris pair ({k} factors, {n} points; point {args.point}): {', '.join(cfgs)} at scale "
          f"{args.scale}, {args.days} days, recording {args.record}; load average {load_before} / {load()}")
    print(f"{'part':28s} {'CPU s, warm-up computed':>24s} {'CPU s, warm-up cached (min-max)':>32s}")
    for name in names:
        v = [r.get(name, 0.0) for r in cached]
        print(f"{name:28s} {computed.get(name, 0.0):24.2f} {f'{min(v):.2f}-{max(v):.2f}':>32s}")
    total = lambda r: sum(x for key, x in r.items() if "of which" not in key)  # noqa: E731
    v = [total(r) for r in cached]
    print(f"{'a pair':28s} {total(computed):24.2f} {f'{min(v):.2f}-{max(v):.2f}':>32s}")
    hours = n * (total(computed) + float(np.median(v))) / 2 / 2 / 3600
    print(f"projected per-parameter Morris, {n} points on 2 cores, half the points reading the warm-up from the "
          f"cache: {hours:.2f} h of CPU per core (target 0.75 h; more with the cores' contention)")
    atomic_write_json(Path(args.out), {"scale": args.scale, "days": args.days, "point": args.point,
                                       "record": args.record, "factors": k, "points": n, "load": [load_before, load()],
                                       "warm_up_computed": computed, "warm_up_cached": cached,
                                       "projected_morris_hours": hours})
    print(f"written: {args.out}")
    cache.cleanup()


if __name__ == "__main__":
    main()
