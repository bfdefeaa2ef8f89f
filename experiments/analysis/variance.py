"""How much pairing gains, and why it decays: variance ratios of paired scenario runs.

    python -m experiments.analysis.variance --scale 0.05 --seeds 16 --days 730 --out results/analysis/variance
    python -m experiments.analysis.variance --scale 0.05 --seeds 16 --set channels.social_ties=false --out DIR

For seeds k = 0..N-1 (replicate seeds spawned from ``--seed``, as sweeps do), ``--scenario`` and
``--reference`` run from one shared start (:mod:`sim.branching`), stepped in lockstep. At each checkpoint
day it records, per pair, each run's level of every indicator below and how many people are in a
different state in the two runs (members, employed, migrants: the size of the symmetric difference of
the two sets, which is 0 for every day before the closure).

The variance ratio of an indicator at a day is ``var(scenario - reference) / (var(scenario) +
var(reference))`` over seeds: about 1 when the two runs of a pair are uncorrelated (pairing gains
nothing), near 0 when they move together. Writes ``variance_ratios.csv`` (indicator, day, ratio, the
three variances, the mean difference, n) and ``pairs.csv`` (every pair's levels and set differences) into
``--out``, atomically.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.errors import ArgumentParser, fail
from experiments.rundir import atomic_write
from experiments.sweep.seeds import replicate_seed

EVERY_SCENARIO_DAYS = (29, 60, 90, 150, 180, 240, 365, 600, 730)  # checkpoints besides the scenario's horizons
INDICATORS = {  # name -> how it is read from the region row of the recorder (cumulative where stated)
    "cumulative_recruits": ("recruits", "cumsum"),
    "members": ("militants", "at"),
    "migrants": ("migrants", "at"),
    "food_insecure_share": ("food_insecure_share", "at"),
    "youth_unemployment_rate": ("youth_unemployment_rate", "at"),
    "employed": ("employed", "at"),
    "group_funds": ("group_funds", "at"),
}


def _people_sets(model) -> dict[str, np.ndarray]:
    from sim.population import EMPLOYED, MIGRANT, MILITANT

    s = model.people.status
    return {"members": s == MILITANT, "employed": s == EMPLOYED, "migrants": s == MIGRANT}


def pair_trace(cfg_ref, cfg_scen, seed: int, checkpoints: tuple[int, ...]) -> list[dict]:
    """One pair stepped in lockstep from a shared start; a row per checkpoint day."""
    from sim.branching import SharedStart

    start = SharedStart([cfg_ref, cfg_scen], seed=seed)
    ref, scen = start.branch(0), start.branch(1)
    days = ref.days
    cps = sorted(d for d in checkpoints if d <= days)
    rows = []
    while True:
        day = int(round(ref.time))
        if day in cps:
            row = {"seed": seed, "day": day}
            for name, m in (("reference", ref), ("scenario", scen)):
                for ind, (column, how) in INDICATORS.items():
                    series = m.recorder.region_series(column)
                    v = series[1:day + 1].sum() if how == "cumsum" else series[day]
                    row[f"{ind}.{name}"] = float(v)
            a, b = _people_sets(ref), _people_sets(scen)
            for k in a:
                row[f"differ.{k}"] = int((a[k] != b[k]).sum())
            rows.append(row)
        if day >= days:
            break
        ref.step()
        scen.step()
    return rows


def ratios(pairs: pd.DataFrame) -> pd.DataFrame:
    out = []
    for day, g in pairs.groupby("day"):
        for ind in INDICATORS:
            a, b = g[f"{ind}.scenario"].to_numpy(), g[f"{ind}.reference"].to_numpy()
            va, vb, vd = np.var(a, ddof=1), np.var(b, ddof=1), np.var(a - b, ddof=1)
            out.append({"indicator": ind, "day": int(day), "ratio": vd / (va + vb) if va + vb > 0 else np.nan,
                        "var_diff": vd, "var_scenario": va, "var_reference": vb, "mean_diff": float(np.mean(a - b)),
                        "n": len(g)})
    return pd.DataFrame(out)


def checkpoints(cfg) -> tuple[int, ...]:
    """The days compared: :data:`EVERY_SCENARIO_DAYS` and the scenario's own horizons (closure end, +6 months,
    +1 year; :mod:`experiments.outcomes`)."""
    from experiments.analysis.pairs import window_of
    from experiments.outcomes import horizons

    return tuple(sorted({*EVERY_SCENARIO_DAYS, *(day for _, day in horizons(window_of(cfg), int(cfg.days)))}))


def main(argv: list[str] | None = None) -> None:
    ap = ArgumentParser(prog="python -m experiments.analysis.variance", description=__doc__.split("\n\n")[0])
    ap.add_argument("--scenario", default="closure_90d")
    ap.add_argument("--reference", default="baseline")
    ap.add_argument("--scale", type=float, default=0.05)
    ap.add_argument("--days", type=int, default=730)
    ap.add_argument("--seeds", type=int, default=16)
    ap.add_argument("--seed", type=int, default=0, help="base seed (replicate k runs with a seed spawned from it)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE", help="a config override (repeatable)")
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(sys.argv[1:] if argv is None else argv)
    import yaml

    from sim.config import ConfigError, load_config

    overrides = {"population.scale": args.scale, "days": args.days}
    for text in args.set:
        key, eq, value = text.partition("=")
        if not eq:
            fail(f"--set={text!r}: KEY=VALUE")
        overrides[key] = yaml.safe_load(value)
    try:
        ref, scen = load_config(args.reference, overrides), load_config(args.scenario, overrides)
    except ConfigError as exc:
        fail(str(exc))
    t0 = time.perf_counter()
    rows = []
    for k in range(args.seeds):
        rows += pair_trace(ref, scen, replicate_seed(args.seed, k), checkpoints(scen))
        print(f"[variance] seed {k + 1}/{args.seeds} done, {time.perf_counter() - t0:.0f} s", flush=True)
    pairs = pd.DataFrame(rows)
    table = ratios(pairs)
    args.out.mkdir(parents=True, exist_ok=True)
    atomic_write(args.out / "pairs.csv", lambda tmp: pairs.to_csv(tmp, index=False))
    atomic_write(args.out / "variance_ratios.csv", lambda tmp: table.to_csv(tmp, index=False))
    wide = table.pivot(index="indicator", columns="day", values="ratio")
    print(wide.round(2).to_string())
    print(f"[variance] {args.seeds} pairs in {time.perf_counter() - t0:.0f} s: {args.out / 'variance_ratios.csv'}")


if __name__ == "__main__":
    main()
