"""Check a calibration: re-run posterior members, compare every target and the validation targets.

Members are drawn from ``<name>.posterior.csv`` in proportion to their weights (a fixed random state, so
a check is repeatable), each run with its own seed. For each fitted target the table gives the observed
value and tolerance, the simulated median with a 90% interval over the runs, and whether the median lies
within tolerance. The validation targets (never fitted) run their scenario and its comparison scenario on
the same members and seeds and pass when the median paired value lies in the stated range.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.config import ConfigError

from .posterior import CALIBRATION_DIR, NOT_PARAMETERS, draw_rows, posterior_path
from .runs import observe, pool, run_model
from .targets import TargetFile

def posterior_file(name: str, directory: Path = CALIBRATION_DIR) -> Path:
    path = posterior_path(name, directory)
    if not path.is_file():
        known = sorted(p.name.removesuffix(".posterior.csv") for p in directory.glob("*.posterior.csv"))
        raise ConfigError("+calibration", name, "a fitted calibration: " + (", ".join(known) or "none yet (run "
                          "python -m experiments.calibrate fit)"))
    return path


def draw_members(posterior: pd.DataFrame, n: int, seed: int) -> list[dict[str, Any]]:
    """``n`` parameter vectors drawn in proportion to the members' weights."""
    params = [c for c in posterior.columns if c not in NOT_PARAMETERS]
    rows = draw_rows(posterior["weight"].to_numpy(), n, np.random.default_rng(seed))
    return [{k: float(posterior.iloc[i][k]) for k in params} for i in rows]


@dataclass(frozen=True)
class Job:
    scenario: str
    values: dict[str, Any]
    seed: int
    scale: float
    days: int


def _run(job: Job):
    return run_model(job.scenario, job.values, job.seed, job.scale, job.days)


def check(targets: TargetFile, members: list[dict[str, Any]], scale: float, seed: int = 1, workers: int = 2,
          log=print) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(fit table, validation table) for the given parameter vectors, one seed each."""
    base_days = max([targets.days] + [v.window[1] for v in targets.validation.values()])
    seeds = [seed + k for k in range(len(members))]
    jobs = [Job(targets.scenario, m, s, scale, base_days) for m, s in zip(members, seeds)]
    for v in targets.validation.values():
        for m, s in zip(members, seeds):
            jobs.append(Job(v.scenario, m, s, scale, v.window[1]))
            if v.compared_to != targets.scenario:
                jobs.append(Job(v.compared_to, m, s, scale, base_days))
    log(f"checking {len(members)} posterior members: {len(jobs)} runs at scale {scale}")
    with pool(workers) as processes:
        out = {}
        for i, (job, res) in enumerate(zip(jobs, processes.imap(_run, jobs)), 1):
            out[(job.scenario, job.seed, job.days)] = res
            if i % max(1, len(jobs) // 10) == 0 or i == len(jobs):
                log(f"  {i}/{len(jobs)} runs")
    fit_rows = []
    simulated = {name: [] for name in targets.targets}
    for s in seeds:
        region, groups = out[(targets.scenario, s, base_days)]
        for name, value in observe(targets.targets, region, groups, scale).items():
            simulated[name].append(value)
    for name, t in targets.targets.items():
        x = np.array(simulated[name])
        med = float(np.median(x))
        fit_rows.append({"target": name, "unit": t.unit, "observed": t.value, "tolerance": t.tolerance,
                         "simulated_median": med, "simulated_p05": float(np.quantile(x, 0.05)),
                         "simulated_p95": float(np.quantile(x, 0.95)), "within_tolerance": t.within(med),
                         "runs": len(x)})
    val_rows = []
    for name, v in targets.validation.items():
        x = []
        for s in seeds:
            scen, _ = out[(v.scenario, s, v.window[1])]
            base, _ = out[(v.compared_to, s, base_days)]
            x.append(v.observe(scen, base))
        x = np.array(x)
        med = float(np.median(x))
        val_rows.append({"validation": name, "scenario": v.scenario, "compared_to": v.compared_to, "unit": v.unit,
                         "observed_low": v.low, "observed_high": v.high, "simulated_median": med,
                         "simulated_p05": float(np.quantile(x, 0.05)), "simulated_p95": float(np.quantile(x, 0.95)),
                         "passes": v.passes(med), "runs": len(x)})
    return pd.DataFrame(fit_rows), pd.DataFrame(val_rows)


def format_table(frame: pd.DataFrame, ok_column: str) -> str:
    """The table as aligned text, yes/no in the verdict column."""
    shown = frame.copy()
    shown[ok_column] = shown[ok_column].map({True: "yes", False: "NO"})
    for c in shown.columns:
        if shown[c].dtype.kind == "f":
            shown[c] = shown[c].map(lambda v: f"{v:,.4g}")
    return shown.to_string(index=False)


def marginals_figure(posterior: pd.DataFrame, path: Path, name: str) -> Path:
    """Weighted histograms of each fitted parameter over its plausible range (the prior), with the overlay's
    value (the member closest to the targets) marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from experiments.analysis.space import build_space

    params = [c for c in posterior.columns if c not in ("weight", "distance")]
    factors = {f.key: f for f in build_space(params)}
    cols = 4
    rows = -(-len(params) // cols)
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.6 * rows), squeeze=False)
    best = posterior.sort_values("distance").iloc[0]
    for ax, key in zip(axes.flat, params):
        f = factors[key]
        ax.hist(posterior[key], bins=12, range=(f.low, f.high), weights=posterior["weight"], color="#4c78a8")
        ax.axvline(best[key], color="#e45756", lw=1.5, label="overlay value")
        ax.axvline(f.default, color="0.3", lw=1, ls="--", label="default")
        ax.set_xlim(f.low, f.high)
        ax.set_xlabel(f"{key}\n({f.unit})", fontsize=8)
        ax.set_ylabel("posterior weight", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.xaxis.set_major_locator(plt.MaxNLocator(4))
    for ax in list(axes.flat)[len(params):]:
        ax.axis("off")
    axes.flat[0].legend(fontsize=7)
    fig.suptitle(f"Calibration {name}: posterior of each fitted parameter over its plausible range (x axis = prior)",
                 fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
