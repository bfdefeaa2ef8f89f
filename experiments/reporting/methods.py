"""Text generated from the results: key findings and the methods section (shared by HTML and PDF)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import CHANNELS

from .data import BASELINE, Results
from .stats import BAND, INTERVAL
from .tables import fmt


def _values(series: pd.Series) -> str:
    vals = sorted({str(v) for v in series.dropna()})
    return ", ".join(vals) if vals else "–"


def _seeds(seeds) -> str:
    s = sorted(int(x) for x in set(seeds))  # unique, so consecutive iff the span equals the count
    if len(s) > 2 and s[-1] - s[0] == len(s) - 1:
        return f"{s[0]}–{s[-1]}"
    return ", ".join(map(str, s))


def key_findings(res: Results, summary: pd.DataFrame) -> list[str]:
    """One plain sentence per scenario, from the summary table."""
    out = []
    has_base = (summary["scenario"] == BASELINE).any()
    base_peak = (summary.set_index("scenario").loc[BASELINE, "peak_youth_unemployment_rate_mean"]
                 if has_base else np.nan)
    for r in summary.itertuples():
        peak = f"peak youth unemployment {fmt(r.peak_youth_unemployment_rate_mean, 1)}%"
        if r.scenario == BASELINE:
            out.append(f"{r.scenario}: {fmt(r.cumulative_recruits_mean)} recruits on average over the run; {peak}.")
        elif has_base and np.isfinite(r.extra_recruits_mean):
            out.append(
                f"{r.scenario}: {fmt(r.extra_recruits_mean, sign=True)} recruits compared with the open border "
                f"(90% interval {fmt(r.extra_recruits_p05)} to {fmt(r.extra_recruits_p95)}) and "
                f"{fmt(r.extra_youth_unemployed_person_days_mean, sign=True)} youth-unemployed person-days; {peak} "
                f"(baseline {fmt(base_peak, 1)}%).")
        else:
            out.append(f"{r.scenario}: {fmt(r.cumulative_recruits_mean)} recruits on average; {peak}.")
    return out


def failed_jobs(root) -> list[dict]:
    """Jobs that sweeps under ``root`` recorded as failed (their ``sweep.json``): they have no results."""
    jobs = []
    for record in sorted(Path(root).rglob("sweep.json")):
        try:
            jobs += [j for j in json.loads(record.read_text()).get("jobs", []) if j.get("status") == "failed"]
        except (OSError, ValueError, AttributeError):
            continue  # not a sweep record
    return jobs


def methods(res: Results, launched: int = 0) -> list[tuple[str, list[str]]]:
    """Sections (heading, paragraphs) describing the data, scenarios, model and statistics."""
    runs, main = res.runs, res.main
    created = pd.to_datetime(runs["created"], errors="coerce", utc=True).dropna()
    dates = (f"{created.min():%Y-%m-%d}" + ("" if created.min().date() == created.max().date()
                                             else f" to {created.max():%Y-%m-%d}")) if len(created) else "unknown"
    data = [f"This report summarises {len(runs)} complete model run(s) found under {res.root} "
            f"({len(main)} with every channel switched on), run on {dates}. It reads saved results only"
            + (f"; {launched} extra run(s) with a channel switched off were launched for it (--run-missing)."
               if launched else "; the model was not re-run.")]
    failed = failed_jobs(res.root)
    if failed:
        shown = "; ".join(f"{' '.join(j.get('overrides') or [])} ({j.get('error') or 'no error line'})"
                          for j in failed[:3])
        data.append(f"{len(failed)} job(s) of the sweep(s) failed and have no results here, so some comparisons "
                    f"rest on fewer runs (see sweep.json): {shown}" + (f"; and {len(failed) - 3} more." if
                                                                       len(failed) > 3 else "."))
    scen = []
    for s in res.scenarios:
        r = main[main["scenario"] == s]
        if r.empty:
            continue
        line = f"{s} — {res.descriptions.get(s) or 'no description'} {len(r)} run(s), seeds {_seeds(r['seed'])}"
        if "replicate" in r:
            line += f" (replicates {_seeds(r['replicate'].dropna())})"
        c = r.iloc[0]
        if np.isfinite(c.closure_start):
            line += f". Border closed days {int(c.closure_start)}–{int(c.closure_end) - 1}"
            if c.reopening_end > c.closure_end:
                line += f", phased reopening to day {int(c.reopening_end) - 1}"
        scen.append(line + ".")
    commits = runs[["commit", "dirty"]].drop_duplicates()
    commit_txt = "; ".join(f"{str(c.commit)[:12]}{' (uncommitted changes)' if c.dirty else ''}"
                           for c in commits.itertuples()) or "unknown"
    versions = json.loads(runs["versions"].iloc[0]) if len(runs) else {}
    model = [
        f"Model: border-closure-sim version {_values(runs['model_version'])}, git commit {commit_txt}; "
        f"Python {versions.get('python', '?')}, Mesa {versions.get('mesa', '?')}.",
        f"Population scale: {_values(runs['scale'])} of the census population. Run length: "
        f"{_values(runs['n_days'])} days. Day 1 = {_values(runs['start_date'])}.",
    ]
    if res.context:
        model.append("Swept parameters (pooled in figures 1–3 and the summary table; runs are compared only with "
                     "baseline runs of the same values): "
                     + "; ".join(f"{c} = {_values(main[c])}" for c in res.context) + ".")
    off = runs.loc[runs["channels_off"] != "", "channels_off"].value_counts()
    if len(off):
        model.append("Runs with causal channels switched off (used only in the channel decomposition): "
                     + ", ".join(f"{k} ({v})" for k, v in off.items()) + f". Channels: {', '.join(CHANNELS)}.")
    stats = [
        f"Replicates differ only in their random seed. Time-series bands show the median and the "
        f"{BAND[0]:.0%}–{BAND[1]:.0%} percentiles across replicates; intervals in tables and dot plots are 90% "
        f"intervals ({INTERVAL[0]:.0%} and {INTERVAL[1]:.0%} percentiles). With few replicates these percentiles "
        "are rough and close to the range of the runs.",
        "Effects are paired: each scenario run is compared with the baseline run that has the same seed (and the "
        "same values of any swept parameter). Runs with the same seed draw the same population and the same random "
        "numbers (common random numbers), so the difference isolates the scenario's effect.",
        "Cost-effectiveness compares each mitigation scenario with the plain 90-day closure (closure_90d) of the same "
        "seed: recruits averted divided by the extra policy spending. Dose–response: an ordinary least-squares line "
        "of the % change in cumulative recruits on the change in mean youth unemployment (percentage points), with "
        "a t-based 95% confidence interval for the slope. Channel decomposition: recruits lost when one channel is "
        "switched off, same seed; the residual is the total minus the sum of the single-channel parts.",
    ]
    caveats = [
        "These are scenario results from a simulation model whose parameters are partly assumptions (see docs/ODD.md), "
        "not forecasts. Compare scenarios with each other rather than reading absolute numbers literally. Counts of "
        "people scale with the simulated population.",
    ]
    return [("Data", data), ("Scenarios", scen), ("Model and settings", model), ("Statistics", stats),
            ("Caveats", caveats)]
