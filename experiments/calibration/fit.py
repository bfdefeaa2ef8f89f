"""Screening and ABC-SMC fit of the parameters that matter for the targets.

- **Screen** (:func:`screen`): a Morris design (SALib) over the uncertainty space of the parameter
  declarations, each point one baseline run; a parameter's effect on a target is μ* divided by the
  target's tolerance, so effects on different targets compare. The parameters to fit are, for each
  target, the ``per_target`` (default 2) with the largest scaled μ* among those reaching ``threshold``
  (default 1: moving the parameter over its plausible range moves the target by a tolerance or more).
  Targets that no parameter moves that much (inputs such as the smuggled volume) are checks, not fits.
- **Fit** (:func:`fit`): ABC-SMC with pyabc. Priors are the plausible ranges (uniform or log-uniform);
  the distance is the largest |simulated − observed| / tolerance over the targets, so ε ≤ 1 means every
  target within tolerance; each simulation draws its model seed from pyabc's random state. Sampling is
  local (``MulticoreEvalParallelSampler``) by default; on a cluster pyabc's Redis or Dask samplers take
  the same model function (docs/calibration.md). The run is stored in ``DIR/abc.db`` (SQLite) and an
  interrupted fit resumes from its last complete generation.
"""

from __future__ import annotations

import json
import math
import re
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import yaml

from experiments.analysis.space import Factor, build_space, problem
from sim.config import ConfigError

from .runs import RunSettings, pool, simulate
from .targets import TargetFile


@dataclass
class ScreenSettings:
    trajectories: int = 4
    levels: int = 4
    seed: int = 1
    threshold: float = 1.0
    per_target: int = 2
    workers: int = 2


LIST_ITEM = re.compile(r"\.\d+\.")


def fittable(parameters: list[str] | None = None) -> list[Factor]:
    """The continuous parameters of the space (or of ``parameters``) that an overlay can set: a list item
    (``recruitment.groups.0.pay_pkr``) cannot be set from a config file without replacing the whole list."""
    factors = build_space(parameters)
    for f in factors:
        if parameters and (LIST_ITEM.search(f.key) or f.distribution not in ("uniform", "loguniform")):
            raise ConfigError("calibration.parameters", f.key, "a continuous parameter outside the list sections "
                              "(a calibration overlay cannot set one list item)")
    return [f for f in factors if not LIST_ITEM.search(f.key) and f.distribution in ("uniform", "loguniform")]


def _screen_point(args):
    targets, values, seed, settings = args
    return simulate(targets, values, seed, settings)


def screen(targets: TargetFile, settings: RunSettings, screen_settings: ScreenSettings,
           parameters: list[str] | None = None, log=print) -> pd.DataFrame:
    """Morris μ*, σ per parameter and target, scaled by the target's tolerance; column ``fit`` marks the
    parameters to fit (module docstring)."""
    from SALib.analyze import morris as morris_analyze
    from SALib.sample import morris as morris_sample

    factors = fittable(parameters)
    prob = problem(factors)
    unit = morris_sample.sample(prob, N=screen_settings.trajectories, num_levels=screen_settings.levels,
                                seed=screen_settings.seed)
    jobs = [(targets, {f.key: f.value(u) for f, u in zip(factors, row)}, screen_settings.seed, settings)
            for row in unit]
    log(f"screening {len(factors)} parameters: {len(jobs)} baseline runs at scale {settings.scale}, "
        f"{settings.days} days")
    started, results = time.perf_counter(), []
    with pool(screen_settings.workers) as workers:
        for i, out in enumerate(workers.imap(_screen_point, jobs), 1):
            results.append(out)
            if i % max(1, len(jobs) // 20) == 0 or i == len(jobs):
                log(f"  {i}/{len(jobs)} runs, {time.perf_counter() - started:.0f} s")
    rows = []
    for name, target in targets.targets.items():
        y = np.array([r[name] for r in results])
        res = morris_analyze.analyze(prob, unit, y, num_levels=screen_settings.levels, seed=screen_settings.seed)
        for i, f in enumerate(factors):
            rows.append({"parameter": f.key, "target": name, "mu_star": res["mu_star"][i], "sigma": res["sigma"][i],
                         "mu_star_scaled": res["mu_star"][i] / target.tolerance})
    frame = pd.DataFrame(rows)
    strong = frame[frame["mu_star_scaled"] >= screen_settings.threshold]
    chosen = set(strong.sort_values("mu_star_scaled", ascending=False).groupby("target").head(
        screen_settings.per_target)["parameter"])
    frame["fit"] = frame["parameter"].isin(chosen)
    return frame


def screened_parameters(frame: pd.DataFrame) -> list[str]:
    top = frame.groupby("parameter")["mu_star_scaled"].max().sort_values(ascending=False)
    return [p for p in top.index if bool(frame.loc[frame["parameter"] == p, "fit"].iloc[0])]


@dataclass
class FitSettings:
    population: int = 60
    generations: int = 6
    min_epsilon: float = 0.5
    seed: int = 1
    workers: int = 2
    parameters: list[str] = field(default_factory=list)


def priors(factors: list[Factor]):
    """Uniform or log-uniform priors over the plausible ranges."""
    import pyabc

    return pyabc.Distribution(**{f.key: pyabc.RV("loguniform", f.low, f.high) if f.distribution == "loguniform"
                                 else pyabc.RV("uniform", f.low, f.high - f.low) for f in factors})


def distance(tolerances: dict[str, float]):
    """Largest |simulated − observed| / tolerance over the targets (NaN counts as infinitely far)."""

    def d(x: dict, x0: dict) -> float:
        worst = 0.0
        for name, tol in tolerances.items():
            gap = abs(float(x[name]) - float(x0[name])) / tol
            worst = max(worst, gap if math.isfinite(gap) else math.inf)
        return worst

    return d


class Simulator:
    """pyabc's model: a picklable callable from a parameter dict to the simulated targets."""

    def __init__(self, targets: TargetFile, settings: RunSettings):
        self.targets, self.settings = targets, settings

    def __call__(self, parameters) -> dict[str, float]:
        values = {k: float(v) for k, v in dict(parameters).items()}
        seed = int(np.random.randint(0, 2**31 - 1))
        return simulate(self.targets, values, seed, self.settings)


def fit(targets: TargetFile, settings: RunSettings, fit_settings: FitSettings, out: Path, log=print):
    """Run (or resume) ABC-SMC into ``out``; return pyabc's History."""
    import logging

    import pyabc

    logging.getLogger("ABC").setLevel(logging.INFO)  # one progress line per generation: epsilon, acceptance, time
    for quiet in ("ABC.Sampler", "ABC.History", "ABC.Adaptation", "ABC.Distance"):
        logging.getLogger(quiet).setLevel(logging.WARNING)
    factors = fittable(fit_settings.parameters)
    tolerances = {n: t.tolerance for n, t in targets.targets.items()}
    observed = {n: t.value for n, t in targets.targets.items()}
    out.mkdir(parents=True, exist_ok=True)
    db = out / "abc.db"
    np.random.seed(fit_settings.seed)
    sampler = pyabc.sampler.MulticoreEvalParallelSampler(n_procs=fit_settings.workers) \
        if fit_settings.workers > 1 else pyabc.sampler.SingleCoreSampler()
    abc = pyabc.ABCSMC(Simulator(targets, settings), priors(factors), distance(tolerances),
                       population_size=fit_settings.population, sampler=sampler)
    if db.exists():
        history = abc.load(f"sqlite:///{db}", 1)
        done = history.max_t + 1
        log(f"resuming {db}: {done} generation(s) done")
    else:
        abc.new(f"sqlite:///{db}", observed)
        done = 0
    remaining = fit_settings.generations - done
    history = abc.history
    if remaining > 0:
        started = time.perf_counter()
        history = abc.run(minimum_epsilon=fit_settings.min_epsilon, max_nr_populations=remaining)
        log(f"fit: {history.max_t + 1} generation(s), {history.total_nr_simulations} simulations, "
            f"{time.perf_counter() - started:.0f} s")
    return history


def posterior(history) -> pd.DataFrame:
    """The last generation's particles: parameter values, weight and distance, best first."""
    t = history.max_t
    particles, weights = history.get_distribution(m=0, t=t)
    frame = particles.copy()
    frame["weight"] = weights
    distances = history.get_weighted_distances(t=t)
    frame["distance"] = distances["distance"].to_numpy()
    return frame.sort_values("distance").reset_index(drop=True)


WRITTEN_BY = "Written by python -m experiments.calibrate fit"


def check_owned(name: str, directory: Path) -> None:
    """Refuse a calibration name whose overlay exists but was not written by ``fit`` (a hand-written overlay,
    or ``targets``): the fit never overwrites a file it did not write."""
    path = directory / f"{name}.yaml"
    if path.exists() and WRITTEN_BY not in path.read_text(errors="replace")[:2000]:
        raise ConfigError("--name", name, f"a name whose {path.name} does not exist or was written by calibrate fit "
                          f"({path} was not)")


def write_posterior(frame: pd.DataFrame, name: str, directory: Path, provenance: dict[str, Any]) -> Path:
    """``<name>.yaml`` (a Hydra overlay setting the best member's values) and ``<name>.posterior.csv`` (every
    member with its weight and distance), each written atomically."""
    from experiments.rundir import atomic_write_bytes

    check_owned(name, directory)
    directory.mkdir(parents=True, exist_ok=True)
    params = [c for c in frame.columns if c not in ("weight", "distance")]
    best = frame.iloc[0]
    nested: dict[str, Any] = {}
    for key in params:
        node = nested
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
        node[parts[-1]] = float(f"{best[key]:.6g}")
    lines = ["# @package _global_",
             f"# Calibration {name!r}: the posterior member closest to the targets (distance {best['distance']:.3f},",
             f"# the largest |simulated - observed| / tolerance). {WRITTEN_BY};",
             f"# all {len(frame)} members are in {name}.posterior.csv. Provenance: "
             + json.dumps(provenance, sort_keys=True)]
    text = "\n".join(lines) + "\n" + yaml.safe_dump(nested, sort_keys=True)
    atomic_write_bytes(directory / f"{name}.yaml", text.encode())
    atomic_write_bytes(directory / f"{name}.posterior.csv", frame.to_csv(index=False).encode())
    return directory / f"{name}.yaml"


def settings_record(settings: RunSettings, fit_settings: FitSettings) -> dict[str, Any]:
    return {"run": asdict(settings), "fit": asdict(fit_settings)}
