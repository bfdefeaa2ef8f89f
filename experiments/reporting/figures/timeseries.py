"""Figures 1 and 2: region-wide time series per scenario, and paired differences from the baseline."""

from __future__ import annotations

import pandas as pd

from ..data import BASELINE, HEADLINE_INDICATORS, Results
from ..palette import Style
from ..stats import BAND, paired_diff, spread
from .common import (FigureSpec, Output, Skip, closure_handles, closure_sentence, date_axis, figure_legend,
                     new_figure, require_main_runs, scale_note, scenario_handles, shade_closures)

COLUMNS = [i.column for i in HEADLINE_INDICATORS]


def _main_region_ts(res: Results) -> pd.DataFrame:
    """Region-wide series of the all-channels-on runs, with the pairing keys of each run."""
    keys = res.main[["run_id", *res.context]]
    return res.region_ts.merge(keys, on="run_id", how="inner")


def _band_panels(res: Results, frame: pd.DataFrame, styles: dict[str, Style], suffix: str, diff: bool):
    """A 3x2 grid, one panel per indicator: per scenario the median line and the 10-90% band."""
    scenarios = [s for s in res.scenarios if s in set(frame["scenario"])]
    fig = new_figure(11, 10.5)
    axes = fig.subplots(3, 2, sharex=True)
    rows = []
    alpha = 0.18 if len(scenarios) <= 4 else 0.09  # many overlapping bands stay readable
    for ax, ind in zip(axes.flat, HEADLINE_INDICATORS):
        col = ind.column + suffix
        for scen in scenarios:
            b = spread(frame[frame["scenario"] == scen], ["day"], col, BAND).sort_values("day")
            x = res.to_x(b["day"])
            st = styles[scen]
            ax.fill_between(x, b["lo"] * ind.factor, b["hi"] * ind.factor, color=st.color, alpha=alpha, lw=0)
            ax.plot(x, b["centre"] * ind.factor, lw=1.6, label=scen, **st.line())
            rows.append(b.assign(scenario=scen, indicator=ind.column, unit=ind.diff_unit if diff else ind.unit,
                                 factor=ind.factor))
        if diff:
            ax.axhline(0, color="black", lw=0.8)
        shade_closures(ax, res, scenarios, styles)
        ax.set_title(ind.label + (" — difference from baseline" if diff else ""))
        ax.set_ylabel(ind.diff_unit if diff else ind.unit)
        date_axis(ax, res)
    for ax in axes[-1]:
        ax.set_xlabel(res.x_label)
    figure_legend(fig, scenario_handles(scenarios, styles) + closure_handles(res, scenarios), ncol=4)
    table = pd.concat(rows, ignore_index=True).rename(columns={"centre": "median", "lo": "p10", "hi": "p90"})
    for c in ("median", "p10", "p90"):
        table[c] = table[c] * table["factor"]
    table = table.drop(columns="factor")[["scenario", "indicator", "unit", "day", "median", "p10", "p90", "n"]]
    return fig, scenarios, table


def scenario_timeseries(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 1: median and 10-90% band across replicates for each scenario."""
    require_main_runs(res)
    frame = _main_region_ts(res)
    fig, scenarios, table = _band_panels(res, frame, styles, "", diff=False)
    n = frame.groupby("scenario")["run_id"].nunique()
    fig.suptitle("How the region evolves under each scenario")
    what = ("Six region-wide indicators over time, one line per scenario. The line is the typical (median) run "
            f"and the shaded band holds the middle 80% of runs (10th to 90th percentile, {n.min()}–{n.max()} "
            "runs per scenario). " + closure_sentence(res, scenarios) + " " + scale_note(res))
    how = ("Compare each coloured line with the black baseline: where a line rises above it during the grey "
           "closure period, the closure is making that indicator worse. Narrow bands mean the runs agree; "
           "wide bands mean chance matters a lot. 'Recruits per 30 days' counts the people recruited in the 30 days "
           "up to each date (fewer days in the first month).")
    return Output([FigureSpec("fig1_scenario_timeseries", "Scenario time series", fig, what, how)],
                  {"timeseries_bands": table})


def paired_differences(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 2: each scenario minus the baseline run with the same seed, median and 10-90% band."""
    require_main_runs(res)
    frame = _main_region_ts(res)
    if not (frame["scenario"] == BASELINE).any():
        raise Skip("no baseline run to compare with (add scenario=baseline to the sweep)")
    keys = [*res.pair_keys, "day"]
    diff = paired_diff(frame[frame["scenario"] != BASELINE], frame[frame["scenario"] == BASELINE], keys, COLUMNS)
    if diff.empty:
        raise Skip("no scenario run shares a seed (and swept values) with a baseline run")
    fig, scenarios, table = _band_panels(res, diff, styles, "_diff", diff=True)
    pairs = diff.groupby("scenario")["run_id"].nunique()
    fig.suptitle("Effect of each scenario: difference from the baseline run with the same random seed")
    what = ("The same six indicators, shown as the difference between each scenario and the baseline run that "
            "used the same random numbers (same seed), so the line isolates the effect of the scenario itself. "
            f"Median and 10th–90th percentile band over {pairs.min()}–{pairs.max()} matched pairs per scenario. "
            + closure_sentence(res, scenarios))
    how = ("Zero (the black horizontal line) means no effect. A line above zero means the scenario raises the "
           "indicator compared with keeping the border open; shares are in percentage points. If the band stays "
           "clear of zero the effect is consistent across runs.")
    return Output([FigureSpec("fig2_paired_differences", "Paired differences from baseline", fig, what, how)],
                  {"paired_timeseries_bands": table})
