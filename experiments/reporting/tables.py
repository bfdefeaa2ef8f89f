"""Tables: the per-scenario summary (mean and 90% interval) and the per-run table, plus formatting."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .data import Results
from experiments.outcomes import BY_KEY, END_OF_RUN, OUTCOMES, run_outcomes
from .stats import INTERVAL


LEVELS = [o.level for o in OUTCOMES if o.level is not None]  # what the summary and runs tables hold per run
SUMMARY_NOTE = ("Levels per scenario, not effects: mean over runs [5th, 95th percentile across runs]; counts are "
                "full-population equivalents. Effects (paired differences with 90% t-intervals) are in the table of "
                "effects above.")


def run_levels(res: Results) -> pd.DataFrame:
    """One row per main run: its own levels (:data:`LEVELS`, in data units: shares as fractions) at the end of the
    run, the closure mean over its own closure."""
    rows = []
    for rid, g in res.region_ts[res.region_ts["run_id"].isin(res.main["run_id"])].groupby("run_id", sort=False):
        run = res.main.loc[res.main["run_id"] == rid].iloc[0]
        o = run_outcomes(g, res.window(run), int(run["n_days"]))
        value = o[o["horizon"] == END_OF_RUN.label].set_index("outcome")["value"].to_dict()
        value["food_insecure_closure_mean"] = o.loc[o["outcome"] == "food_insecure_closure_mean", "value"].mean()
        levels = {BY_KEY[k].level.key: v for k, v in value.items() if BY_KEY[k].level is not None}
        rows.append({"run_id": rid, "scenario": run["scenario"], "seed": run["seed"], **levels})
    return pd.DataFrame(rows)


def summary_table(res: Results) -> pd.DataFrame:
    """One row per scenario: runs, seeds, and mean / 5th / 95th percentile of each level across runs."""
    runs = run_levels(res)
    rows = []
    for scen in res.scenarios:
        r = runs[runs["scenario"] == scen] if len(runs) else runs
        if r.empty:
            continue
        row = {"scenario": scen, "description": res.descriptions.get(scen, ""), "runs": len(r),
               "seeds": " ".join(str(s) for s in sorted(r["seed"].unique()))}
        for m in LEVELS:
            v = pd.to_numeric(r[m.key], errors="coerce").dropna() if m.key in r else pd.Series(dtype=float)
            row[f"{m.key}_mean"] = v.mean() if len(v) else np.nan
            row[f"{m.key}_p05"] = v.quantile(INTERVAL[0]) if len(v) else np.nan
            row[f"{m.key}_p95"] = v.quantile(INTERVAL[1]) if len(v) else np.nan
        rows.append(row)
    columns = ["scenario", "description", "runs", "seeds",
               *[f"{m.key}_{s}" for m in LEVELS for s in ("mean", "p05", "p95")]]
    return pd.DataFrame(rows, columns=columns)


def runs_table(res: Results) -> pd.DataFrame:
    """One row per run: identity, channels off, swept parameters and headline metrics."""
    levels = run_levels(res).drop(columns=["scenario", "seed"], errors="ignore")
    runs = res.main.merge(levels, on="run_id", how="left") if len(levels) else res.main.copy()
    other = res.runs[res.runs["channels_off"] != ""]
    runs = pd.concat([runs, other], ignore_index=True)
    cols = ["run_id", "scenario", "seed", *(["replicate"] if "replicate" in runs else []), "channels_off",
            *res.context, *[m.key for m in LEVELS if m.key in runs]]
    out = runs[cols].sort_values(["scenario", "channels_off", "seed", "run_id"]).reset_index(drop=True)
    out["channels_off"] = out["channels_off"].replace("", "none")
    return out


def fmt(value: float, decimals: int = 0, sign: bool = False) -> str:
    """A number for a reader: thousands separators, fixed decimals (one for small non-whole counts),
    no '-0', '–' for missing; ``sign`` adds '+' to positive numbers."""
    if value is None or not np.isfinite(value):
        return "–"
    if decimals == 0 and abs(value) < 10 and value != round(value):
        decimals = 1
    text = f"{value:{'+' if sign else ''},.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        text = text.lstrip("+-")
    return text


def span(values) -> str:
    """'8' when every value is 8, else '5–8' (counts of runs or pairs)."""
    values = pd.Series(values).dropna()
    if values.empty:
        return "0"
    lo, hi = int(values.min()), int(values.max())
    return f"{lo}" if lo == hi else f"{lo}–{hi}"


def fmt_interval(mean: float, lo: float, hi: float, decimals: int = 0) -> str:
    if not np.isfinite(mean):
        return "–"
    if lo == hi == mean:
        return fmt(mean, decimals)
    return f"{fmt(mean, decimals)} [{fmt(lo, decimals)}, {fmt(hi, decimals)}]"


SUMMARY_COLUMNS = 6  # scenarios per displayed summary table (with the label column: at most 7 columns)


def summary_display(summary: pd.DataFrame) -> list[pd.DataFrame]:
    """The summary table for a reader: one row per level (with its unit), one column per scenario, cells
    'mean [5%, 95%]' (shares shown in %); split into tables of at most :data:`SUMMARY_COLUMNS` scenarios."""
    out = []
    for i in range(0, len(summary), SUMMARY_COLUMNS):
        part = summary.iloc[i:i + SUMMARY_COLUMNS]
        table = {"Level (unit)": [f"{m.label} ({m.display_unit})" for m in LEVELS]}
        for _, r in part.iterrows():
            table[f"{r['scenario']} ({r['runs']} runs)"] = [
                fmt_interval(r[f"{m.key}_mean"] * m.shown, r[f"{m.key}_p05"] * m.shown, r[f"{m.key}_p95"] * m.shown,
                             m.decimals) for m in LEVELS]
        out.append(pd.DataFrame(table))
    return out


TABLE_DESCRIPTIONS = {
    "summary": "One row per scenario (runs with every channel on): mean, 5th and 95th percentile across runs of each "
               "run's own levels (columns <level>_mean, _p05, _p95; shares as fractions, counts as full-population "
               "equivalents).",
    "runs": "One row per run: scenario, seed, channels switched off, swept parameters and the run's own levels "
            "(the summary's columns, one value per run).",
    "timeseries_bands": "Figure 1 data: per scenario, indicator and day, the median and 10th/90th percentile across "
                        "runs (region-wide).",
    "paired_timeseries_bands": "Figure 2 data: per scenario, indicator and day, the median and 10th/90th "
                               "percentile of the difference from the baseline run with the same seed.",
    "findings": "Every paired effect: per scenario (variant), the scenario it is compared with, outcome and horizon, "
                "the mean over pairs with its 90% t-interval and the number of pairs, in the unit of column unit "
                "(counts as full-population equivalents). Page 1, figures 3 and 4, the findings in detail, "
                "mitigation_costs.csv and report.json all use these numbers.",
    "mitigation_costs": "Figure 4 data: per mitigation and outcome, the amount averted at the outcome's last horizon "
                        "(minus the finding: the same mean and interval), the extra spending over the run and the "
                        "cost per unit averted (full-population equivalents); undefined unless the amount averted "
                        "is detectable.",
    "districts": "Figure 5b data: per scenario and district, median cumulative recruits and the run-mean of the "
                 "schematic's colour metric.",
    "sweep_heatmap": "Figure 6 data: mean extra recruits vs baseline per cell of each pair of swept parameters.",
    "dose_response": "Figure 7 data: per dose value, scenario and outcome, the mean paired effect with a 90% "
                     "bootstrap interval that resamples seeds.",
    "channel_decomposition": "Figure 8 data: recruits attributable to each channel, the interaction residual and "
                             "the total, median and 90% interval over matched pairs.",
    "analysis_morris": "Figure 9 data: the Morris indices of every analysis given with --analysis (column analysis): "
                       "per factor, scenario, outcome and horizon, mu* with its 95% interval, mu and sigma.",
    "analysis_sobol": "Figure 9 data: the Sobol indices (S1, ST and their 95% intervals) per factor, scenario, "
                      "outcome and horizon.",
    "analysis_prim_boxes": "Figure 10 data: the limits of PRIM's chosen boxes, with the share of the plausible range "
                           "each keeps and its quasi-p value (significant: at most 0.05).",
    "analysis_ensemble": "Figure 11 data: per comparison and outcome, the median paired effect [10th, 90th "
                         "percentile] over the design's points and seeds, and P(effect > 0), at each horizon.",
}
