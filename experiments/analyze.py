"""What drives the answer: global sensitivity (Morris, then Sobol) and scenario discovery (PRIM, CART)
over the uncertainty space, one paired evaluation per design point.

    python -m experiments.analyze +analysis=smoke hydra.sweep.dir=results/analysis/smoke
    python -m experiments.analyze +analysis=morris population.scale=0.1 hydra.sweep.dir=DIR \\
        hydra/launcher=joblib hydra.launcher.n_jobs=2
    python -m experiments.analyze +analysis=sobol analysis.sobol.screen=DIR/analysis/morris_indices.csv \\
        hydra.sweep.dir=DIR2
    python -m experiments.analyze +analysis=prim hydra.sweep.dir=DIR3

Steps:

1. The command line is composed and checked before anything is written (bad input: one line, exit 2):
   the preset (``configs/analysis/NAME.yaml``), the scenarios, the uncertainty space
   (:mod:`experiments.analysis.space`: unknown parameter, empty or invalid range), the model config.
2. The design (SALib Morris trajectories, Saltelli/Sobol' points, or a Latin hypercube) is written to
   ``DIR/analysis/design.csv`` (parameter values per point), ``unit.csv`` (the unit-cube sample) and
   ``space.csv``. A ``DIR`` that holds another design is refused.
3. The points run as a Hydra multirun through the project's sweeper and whichever launcher is chosen
   (basic, joblib, submitit, ray): one job per point and replicate (``point=range(0,N)``, ``replicates``),
   each a paired evaluation (:mod:`experiments.analysis.pairs`: shared start, a branch per scenario) that
   writes ``effects.parquet``, ``summary.json`` and, last, ``manifest.json`` into its own directory. A
   rerun of the same command skips complete jobs (resume) and redoes the rest.
4. When every job is complete, the indices are computed and written into ``DIR/analysis/``:
   ``effects.parquet`` (every pair), ``ensemble.csv`` (distribution of each effect and P(effect > 0)),
   ``morris_indices.csv`` / ``sobol_indices.csv`` / ``prim_boxes.csv`` + ``cart_boxes.csv``, then
   ``manifest.json`` (written last). Missing jobs: the command says how many and exits 1.

See docs/analysis.md.
"""

from __future__ import annotations

import json
import logging
import math
import sys
import time
from pathlib import Path
from typing import Any

import hydra
import numpy as np
import pandas as pd
from hydra.core.hydra_config import HydraConfig
from omegaconf import DictConfig, OmegaConf

from experiments.analysis import schema
from experiments.analysis.space import build_space, design_table, problem, space_table, unit_design, unit_table
from experiments.errors import fail
from experiments.checks import validate_with_region
from experiments.commandline import check_flags, compose, is_informational, user_overrides
from experiments.rundir import (MANIFEST, TOOL, atomic_write, atomic_write_json, atomic_write_parquet, claim, commit,
                                find_runs, git_commit, read_manifest)
from experiments.sweep import sweeper
from experiments.sweep.resume import check_same_run
from experiments.sweep.seeds import run_seed
from sim.config import CONFIG_DIR, ConfigError, available_scenarios, register, validate

register()
sweeper.register()
schema.register()
log = logging.getLogger("experiments.analyze")

ANALYSIS_DIR = CONFIG_DIR / "analysis"
OUT = "analysis"  # DIR/analysis/
EFFECTS = "effects.parquet"
JOB_FILES = (EFFECTS, "summary.json")


def available_analyses() -> list[str]:
    return sorted(p.stem for p in ANALYSIS_DIR.glob("*.yaml"))


# --------------------------------------------------------------------------- one job: a paired evaluation


def design_row(sweep_dir: Path, point: int) -> dict[str, Any]:
    design = pd.read_csv(Path(sweep_dir) / OUT / "design.csv")
    if not 0 <= point < len(design):
        raise ConfigError("point", point, f"a row of {sweep_dir}/{OUT}/design.csv (0..{len(design) - 1})")
    row = design.iloc[point].to_dict()
    row.pop("point")
    return {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}


def job_configs(cfg: DictConfig, theta: dict[str, Any], overrides: list[str]) -> tuple[dict, dict]:
    """The config of every scenario a job runs (reference first) and what each scenario is compared with."""
    from experiments.analysis.pairs import compared_with, scenario_config

    a = cfg.analysis
    compared = compared_with(list(a.scenarios), a.reference)
    names = [a.reference] + [s for s in dict.fromkeys([*compared.values(), *a.scenarios]) if s != a.reference]
    cfgs = {s: scenario_config(cfg, s, theta, overrides) for s in names}
    return cfgs, compared


def job_config_record(cfg: DictConfig, seed: int) -> dict:
    """What the manifest records as the job's config (what resume compares, as experiments.sweep.resume)."""
    rec = OmegaConf.to_container(OmegaConf.masked_copy(cfg, [k for k in cfg if k != "hydra"]), resolve=True)
    rec["seed"] = seed
    return rec


def run_pair_job(cfg: DictConfig, run_dir: Path, sweep_dir: Path, overrides: list[str]) -> dict[str, Any]:
    """Evaluate one design point at one seed; write its directory (:func:`experiments.rundir.claim`)."""
    from experiments.analysis.pairs import evaluate
    from sim import __version__

    t0 = time.perf_counter()
    seed = run_seed(cfg)
    run_dir = Path(run_dir)

    def check() -> tuple[dict, dict, dict]:
        theta = design_row(sweep_dir, int(cfg.point))
        cfgs, compared = job_configs(cfg, theta, overrides)
        for c in cfgs.values():
            validate_with_region(c)
        return theta, cfgs, compared

    with claim(run_dir, same_run=lambda: check_same_run(run_dir, cfg, seed), check=check) as claimed:
        if claimed.complete:
            return {"status": "skipped", "run_dir": str(run_dir)}
        theta, cfgs, compared = claimed.checked
        effects, info = evaluate(cfgs, compared, seed)
        effects.insert(0, "replicate", int(cfg.replicate))
        effects.insert(0, "seed", seed)
        effects.insert(0, "point", int(cfg.point))
        atomic_write_parquet(run_dir / EFFECTS, effects)
        rec = effects[effects["outcome"] == "recruits"]
        summary = {"point": int(cfg.point), "seed": seed, "theta": theta,
                   "recruits_effect": {f"{r.scenario} @ {r.horizon}": float(r.effect) for r in rec.itertuples()}}
        atomic_write_json(run_dir / "summary.json", summary)
        commit(run_dir, JOB_FILES, lambda files: {
            "status": "complete", "tool": TOOL, "model_version": __version__, "kind": "paired evaluation",
            "scenario": ",".join(cfgs), "seed": seed, "replicate": int(cfg.replicate), "point": int(cfg.point),
            "theta": theta, "config": job_config_record(cfg, seed), "git": git_commit(), "files": files,
            "timings": {**info, "job_seconds": round(time.perf_counter() - t0, 3)}})
    log.info("point %d (seed %d): shared start to day %d, %s", cfg.point, seed, info["snapshot_day"],
             "; ".join(f"{k} {v}" for k, v in summary["recruits_effect"].items()))
    return {"status": "complete", "run_dir": str(run_dir)}


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="analyze")
def main(cfg: DictConfig) -> dict[str, Any]:
    logging.getLogger("MESA").setLevel(logging.WARNING)
    hc = HydraConfig.get()
    return run_pair_job(cfg, Path(hc.runtime.output_dir), Path(hc.sweep.dir), list(hc.overrides.task))


# --------------------------------------------------------------------------- checking, designing, analysing


def factors_of(a) -> list:
    """The factors of the analysis (for Sobol with a screening: its top parameters)."""
    parameters = list(a.parameters)
    if a.method == "sobol" and a.sobol.screen:
        from experiments.analysis.indices import screened

        path = Path(a.sobol.screen)
        if not path.is_file():
            raise ConfigError("analysis.sobol.screen", str(path), "an existing morris_indices.csv")
        try:
            parameters = screened(path, int(a.sobol.top), a.sobol.screen_outcome, a.sobol.screen_scenario)
        except (ValueError, KeyError, OSError) as exc:  # not a CSV, not UTF-8, or without the columns
            raise ConfigError("analysis.sobol.screen", str(path), "a morris_indices.csv written by analyze (columns "
                              f"scenario, outcome, horizon, parameter, mu_star; {type(exc).__name__} reading it)"
                              ) from None
        parameters = [p for p in parameters if "*" not in p] or parameters
    return build_space(parameters, list(a.exclude), OmegaConf.to_container(a.ranges, resolve=True))


def check_analysis(cfg: DictConfig) -> list:
    """Validate the analysis section (raises ConfigError); returns the factors."""
    from experiments.analysis.pairs import compared_with
    from experiments.outcomes import BY_KEY, HORIZON_LABELS

    a = cfg.analysis
    if a.method not in schema.METHODS:
        raise ConfigError("analysis.method", a.method, "one of " + ", ".join(schema.METHODS))
    known = available_scenarios()
    for key, names in (("analysis.reference", [a.reference]), ("analysis.scenarios", list(a.scenarios))):
        for s in names:
            if s not in known:
                raise ConfigError(key, s, "one of " + ", ".join(known))
    if not [s for s in a.scenarios if s != a.reference]:
        raise ConfigError("analysis.scenarios", list(a.scenarios), "at least one scenario besides the reference")
    compared_with(list(a.scenarios), a.reference)
    outcomes = list(BY_KEY)
    for o in a.outcomes:
        if o not in outcomes:
            raise ConfigError("analysis.outcomes", o, "outcome keys: " + ", ".join(outcomes))
    for key, value, ok, allowed in (("analysis.morris.r", a.morris.r, a.morris.r >= 2, "an integer >= 2"),
                                    ("analysis.morris.levels", a.morris.levels, a.morris.levels >= 2 and
                                     a.morris.levels % 2 == 0, "an even integer >= 2"),
                                    ("analysis.sobol.n", a.sobol.n, a.sobol.n >= 2 and a.sobol.n & (a.sobol.n - 1)
                                     == 0, "a power of 2 (e.g. 64)"),
                                    ("analysis.lhs.n", a.lhs.n, a.lhs.n >= 2, "an integer >= 2"),
                                    *((f"analysis.{m}.seed", s.seed, s.seed >= 0, "an integer >= 0")
                                      for m, s in (("morris", a.morris), ("sobol", a.sobol), ("lhs", a.lhs))),
                                    *((f"analysis.{m}.num_resamples", s.num_resamples, s.num_resamples >= 10,
                                       "an integer >= 10") for m, s in (("morris", a.morris), ("sobol", a.sobol))),
                                    *((f"analysis.{m}.conf_level", s.conf_level, 0 < s.conf_level < 1,
                                       "a number in (0, 1)") for m, s in (("morris", a.morris), ("sobol", a.sobol))),
                                    ("analysis.prim.threshold", a.prim.threshold,
                                     math.isfinite(a.prim.threshold) and a.prim.threshold >= 0,
                                     "a finite number >= 0")):
        if not ok:
            raise ConfigError(key, value, allowed)
    if a.method == "lhs":
        if a.prim.scenario not in a.scenarios:
            raise ConfigError("analysis.prim.scenario", a.prim.scenario, "one of analysis.scenarios")
        if a.prim.outcome not in outcomes:
            raise ConfigError("analysis.prim.outcome", a.prim.outcome, "an outcome key")
        if a.prim.horizon not in HORIZON_LABELS:
            raise ConfigError("analysis.prim.horizon", a.prim.horizon, ", ".join(HORIZON_LABELS[:-1]) + " or "
                              + HORIZON_LABELS[-1])
    factors = factors_of(a)
    problem(factors, a.group_by)
    return factors


def settings_of(a):
    return {"morris": a.morris, "sobol": a.sobol, "lhs": a.lhs}[a.method]


def write_design(out: Path, factors, unit: np.ndarray, a) -> pd.DataFrame:
    """Write design.csv, unit.csv and space.csv (refusing a directory that holds another design)."""
    design = design_table(factors, unit)
    path = out / "design.csv"
    text = design.to_csv(index=False)
    if path.exists() and path.read_text() != text:
        fail(f"hydra.sweep.dir={out.parent}: holds an analysis of another design ({path} differs); use a new "
             "hydra.sweep.dir")
    out.mkdir(parents=True, exist_ok=True)
    for name, frame in (("unit.csv", unit_table(factors, unit)), ("space.csv", space_table(factors))):
        atomic_write(out / name, lambda tmp, f=frame: f.to_csv(tmp, index=False))
    atomic_write(path, lambda tmp: Path(tmp).write_text(text))
    return design


def gather(sweep_dir: Path, n_points: int, replicates: int) -> tuple[pd.DataFrame, int]:
    """Every complete job's effects, and how many (point, replicate) jobs are missing."""
    frames, seen = [], set()
    try:
        runs = find_runs(sweep_dir, skipped=[])
    except Exception:
        runs = []
    for d in runs:
        man = read_manifest(d)
        if man.get("kind") != "paired evaluation":
            continue
        seen.add((int(man["point"]), int(man.get("replicate", 0))))
        frames.append(pd.read_parquet(d / EFFECTS))
    wanted = {(p, r) for p in range(n_points) for r in range(max(replicates, 1))}
    effects = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    return effects, len(wanted - seen)


def analyse(cfg: DictConfig, out: Path, factors, unit: np.ndarray, design: pd.DataFrame,
            effects: pd.DataFrame, partial: bool = False) -> dict[str, Path]:
    """Compute and write the method's tables; returns name -> path."""
    from experiments.analysis import indices

    a = cfg.analysis
    if a.outcomes:
        effects = effects[effects["outcome"].isin(list(a.outcomes))]
    written = {}

    def put(name: str, frame: pd.DataFrame) -> None:
        atomic_write(out / name, lambda tmp: frame.to_csv(tmp, index=False))
        written[name] = out / name

    atomic_write_parquet(out / EFFECTS, effects)
    written[EFFECTS] = out / EFFECTS
    put("ensemble.csv", indices.ensemble(effects))
    prob = problem(factors, a.group_by)
    if a.method == "morris":
        put("morris_indices.csv", indices.morris_indices(prob, unit, effects, a.morris, partial))
    elif a.method == "sobol":
        put("sobol_indices.csv", indices.sobol_indices(prob, len(unit), effects, a.sobol))
    else:
        p = a.prim
        sel = effects[(effects["scenario"] == p.scenario) & (effects["outcome"] == p.outcome)
                      & (effects["horizon"] == p.horizon)]
        if sel.empty:
            raise ConfigError("analysis.prim.horizon", p.horizon, f"a horizon within the run for {p.scenario}")
        y = sel.groupby("point")["effect"].mean().reindex(range(len(design))).to_numpy()
        x = design.drop(columns="point")
        units = {f.key: f.unit for f in factors}
        put("prim_boxes.csv", indices.prim_boxes(x, y, float(p.threshold), p, units))
        coded = pd.DataFrame({f.key: [f.code(v) for v in design[f.key]] for f in factors})
        put("cart_boxes.csv", indices.cart_boxes(coded, y, float(p.threshold), float(p.mass_min)))
    return written


# --------------------------------------------------------------------------- the command


def preset_name(overrides: list[str]) -> str | None:
    for o in overrides:
        key, _, value = o.partition("=")
        if key.lstrip("+") == "analysis":
            return value
    return None


def cli(argv: list[str] | None = None) -> None:
    argv = list(sys.argv[1:] if argv is None else argv)
    check_flags(argv, allowed=("-h", "--help"))
    if is_informational(argv):
        print(__doc__)
        return
    overrides = user_overrides(argv)
    name = preset_name(overrides)
    if name is None or name not in available_analyses():
        fail(f"analysis={name!r}: one of {', '.join(available_analyses())} (give +analysis=NAME)")
    if "-m" in argv or "--multirun" in argv:
        fail("-m: not needed (an analysis is always a multirun)")
    hydra_args = [a for a in argv if a not in overrides]
    started = time.perf_counter()
    try:
        cfg = compose([*overrides, *[a for a in hydra_args if a.startswith("hydra.sweep.dir=")]], with_hydra=True,
                      config_name="analyze")
        factors = check_analysis(cfg)
        validate(cfg)
        cfgs, _ = job_configs(cfg, {}, overrides)
        for c in cfgs.values():
            validate_with_region(c)
        unit = unit_design(cfg.analysis.method, factors, settings_of(cfg.analysis), cfg.analysis.group_by)
    except ConfigError as exc:
        fail(str(exc))
    sweep_dir = Path(str(cfg.hydra.sweep.dir))
    out = sweep_dir / OUT
    design = write_design(out, factors, unit, cfg.analysis)
    n = len(design)
    replicates = int(cfg.replicates)
    print(f"[analysis] {cfg.analysis.method}: {len(factors)} parameters, {n} points x {replicates} replicate(s), "
          f"scenarios {', '.join(cfg.analysis.scenarios)} against {cfg.analysis.reference} -> {sweep_dir}", flush=True)
    run_args = ["-m", *overrides, f"point=range(0,{n})", *[a for a in hydra_args if a.startswith("hydra")],
                f"hydra.sweep.dir={sweep_dir}", "+hydra.callbacks.sweep.collect=false"]
    command = [sys.argv[0], *argv]
    if cfg.analysis.launch:
        sys.argv = [sys.argv[0], *run_args]
        try:
            main()
        except KeyboardInterrupt:
            print("interrupted: complete jobs are kept; rerun the same command to resume", file=sys.stderr)
            raise SystemExit(130) from None
    effects, missing = gather(sweep_dir, n, replicates)
    partial = bool(missing) and cfg.analysis.method == "morris" and cfg.analysis.morris.partial
    if missing and partial:
        print(f"[analysis] {missing} of {n * max(replicates, 1)} jobs are not complete: Morris indices from the "
              "complete trajectories only (column r)", file=sys.stderr)
    elif missing:
        print(f"[analysis] {missing} of {n * max(replicates, 1)} jobs are not complete: no indices written; rerun "
              "the same command to resume", file=sys.stderr)
        raise SystemExit(1)
    try:
        written = analyse(cfg, out, factors, unit, design, effects, partial)
    except ConfigError as exc:
        fail(str(exc))
    files = {p.name: p.stat().st_size for p in written.values()}
    from sim import __version__

    atomic_write_json(out / MANIFEST, {
        "status": "complete", "model_version": __version__, "analysis": OmegaConf.to_container(cfg.analysis),
        "points": n, "replicates": replicates, "parameters": [f.key for f in factors],
        "population_scale": float(cfg.population.scale), "days": int(cfg.days), "command": command,
        "jobs_missing": missing,
        "git": git_commit(), "files": files, "wall_seconds": round(time.perf_counter() - started, 1)})
    print(f"[analysis] done in {time.perf_counter() - started:.0f} s: " + ", ".join(str(p) for p in written.values()))


if __name__ == "__main__":
    cli()
