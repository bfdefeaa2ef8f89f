"""Tables: the per-scenario summary (mean and 90% interval) and the per-run table, plus formatting."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .data import BASELINE, Results
from .stats import INTERVAL, paired_runs


@dataclass(frozen=True)
class Metric:
    """A headline scalar as shown in tables: summary key, label, unit, multiplier, decimals."""

    key: str
    label: str
    unit: str
    factor: float = 1.0
    decimals: int = 0


HEADLINE_METRICS = [
    Metric("cumulative_recruits", "Cumulative recruits", "people"),
    Metric("extra_recruits", "Extra recruits vs baseline", "people"),
    Metric("peak_youth_unemployment_rate", "Peak youth unemployment", "% of youth labour force", 100, 1),
    Metric("youth_unemployed_person_days", "Youth-unemployed person-days", "person-days"),
    Metric("extra_youth_unemployed_person_days", "Extra youth-unemployed person-days vs baseline", "person-days"),
    Metric("mean_food_price_index", "Mean food price index", "index, baseline = 1", 1, 3),
    Metric("mean_food_insecure_share", "Mean food-insecure households", "% of households", 100, 1),
    Metric("final_militants", "Militants at end of run", "people"),
    Metric("policy_spending_pkr_m", "Policy spending", "PKR million", 1, 1),
]
SUMMARY_NOTE = ('Mean over runs [5th, 95th percentile]. "Extra" is the paired difference from the baseline run '
                'with the same seed.')
EXTRA = {"extra_recruits": "cumulative_recruits", "extra_youth_unemployed_person_days": "youth_unemployed_person_days"}


def with_paired_extras(res: Results) -> pd.DataFrame:
    """Main runs with the paired extra recruits and person-days vs baseline (NaN where unpaired)."""
    runs = res.main.copy()
    for extra in EXTRA:
        runs[extra] = np.nan
    if (runs["scenario"] == BASELINE).any():
        paired = paired_runs(runs.drop(columns=list(EXTRA)), res.pair_keys, list(EXTRA.values()), BASELINE)
        diffs = paired.set_index("run_id")[[v + "_diff" for v in EXTRA.values()]]
        for extra, base in EXTRA.items():
            runs[extra] = runs["run_id"].map(diffs[base + "_diff"])
    return runs


def paired_scenario_runs(res: Results) -> pd.DataFrame:
    """Main runs other than the baseline that have a baseline run to pair with, with their extras."""
    runs = with_paired_extras(res)
    return runs[(runs["scenario"] != BASELINE) & runs["extra_recruits"].notna()]


def summary_table(res: Results) -> pd.DataFrame:
    """One row per scenario: runs, seeds, and mean / 5th / 95th percentile of each headline metric."""
    runs = with_paired_extras(res)
    rows = []
    for scen in res.scenarios:
        r = runs[runs["scenario"] == scen]
        if r.empty:
            continue
        row = {"scenario": scen, "description": res.descriptions.get(scen, ""), "runs": len(r),
               "seeds": " ".join(str(s) for s in sorted(r["seed"].unique()))}
        for m in HEADLINE_METRICS:
            v = pd.to_numeric(r[m.key], errors="coerce").dropna() * m.factor if m.key in r else pd.Series(dtype=float)
            row[f"{m.key}_mean"] = v.mean() if len(v) else np.nan
            row[f"{m.key}_p05"] = v.quantile(INTERVAL[0]) if len(v) else np.nan
            row[f"{m.key}_p95"] = v.quantile(INTERVAL[1]) if len(v) else np.nan
        rows.append(row)
    columns = ["scenario", "description", "runs", "seeds",
               *[f"{m.key}_{s}" for m in HEADLINE_METRICS for s in ("mean", "p05", "p95")]]
    return pd.DataFrame(rows, columns=columns)


def runs_table(res: Results) -> pd.DataFrame:
    """One row per run: identity, channels off, swept parameters and headline metrics."""
    runs = with_paired_extras(res)
    other = res.runs[res.runs["channels_off"] != ""]
    runs = pd.concat([runs, other], ignore_index=True)
    cols = ["run_id", "scenario", "seed", *(["replicate"] if "replicate" in runs else []), "channels_off",
            *res.context, *[m.key for m in HEADLINE_METRICS if m.key in runs]]
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


def fmt_interval(mean: float, lo: float, hi: float, decimals: int = 0) -> str:
    if not np.isfinite(mean):
        return "–"
    if lo == hi == mean:
        return fmt(mean, decimals)
    return f"{fmt(mean, decimals)} [{fmt(lo, decimals)}, {fmt(hi, decimals)}]"


def summary_display(summary: pd.DataFrame) -> pd.DataFrame:
    """The summary table as text cells 'mean [5%, 95%]' with labelled columns, for HTML and PDF."""
    out = pd.DataFrame({"Scenario": summary["scenario"], "Runs": summary["runs"].astype(str)})
    for m in HEADLINE_METRICS:
        out[f"{m.label} ({m.unit})"] = [fmt_interval(a, b, c, m.decimals) for a, b, c in
                                        zip(summary[f"{m.key}_mean"], summary[f"{m.key}_p05"],
                                            summary[f"{m.key}_p95"])]
    return out


TABLE_DESCRIPTIONS = {
    "summary": "One row per scenario (runs with every channel on): mean, 5th and 95th percentile of the headline "
               "metrics across runs.",
    "runs": "One row per run: scenario, seed, channels switched off, swept parameters and headline metrics.",
    "timeseries_bands": "Figure 1 data: per scenario, indicator and day, the median and 10th/90th percentile across "
                        "runs (region-wide).",
    "paired_timeseries_bands": "Figure 2 data: per scenario, indicator and day, the median and 10th/90th "
                               "percentile of the difference from the baseline run with the same seed.",
    "headline_effects": "Figure 3 data: extra recruits and extra youth-unemployed person-days vs baseline, median "
                        "and 90% interval over matched pairs.",
    "cost_effectiveness": "Figure 4 data: recruits averted vs the plain closure, extra spending and recruits "
                          "averted per PKR million (median and 90% interval over matched pairs).",
    "districts": "Figure 5 data: per scenario and district, median cumulative recruits and the run-mean of the "
                 "map's colour metric.",
    "sweep_heatmap": "Figure 6 data: mean extra recruits vs baseline per cell of each pair of swept parameters.",
    "dose_response": "Figure 7 data: one row per paired run, change in youth unemployment (pp) and in recruits (%).",
    "elasticity": "Figure 7 fit: % change in recruits per percentage point of youth unemployment, with 95% CI.",
    "channel_decomposition": "Figure 8 data: recruits attributable to each channel, the interaction residual and "
                             "the total, median and 90% interval over matched pairs.",
}
