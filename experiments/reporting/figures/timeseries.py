"""Figures 1 and 2: region-wide time series per scenario, and paired differences from the baseline."""

from __future__ import annotations

import pandas as pd

from ..data import HEADLINE_INDICATORS, Results, defines_scenario
from ..palette import Style
from ..stats import BAND, paired_diff, spread
from ..tables import span
from .common import (FigureSpec, Output, Skip, closure_handles, closure_sentence, date_axis, figure_legend,
                     new_figure, require_main_runs, scale_note, scenario_groups, scenario_handles,
                     shade_closures)

COLUMNS = [i.column for i in HEADLINE_INDICATORS]


def _main_region_ts(res: Results) -> pd.DataFrame:
    """Region-wide series of the all-channels-on runs, with the pairing keys of each run."""
    keys = res.main[["run_id", *res.pairing_columns]].assign(variant=res.variant(res.main))
    return res.region_ts.merge(keys, on="run_id", how="inner")


MAX_VARIANTS = 15


def _by_variant(res: Results, frame: pd.DataFrame, styles: dict[str, Style]) -> tuple[pd.DataFrame, dict, str]:
    """Lines per scenario variant when scenario keys were swept (different closures are never pooled in one band):
    the frame with ``scenario`` = the variant label, styles for the labels, and a note. With more than
    MAX_VARIANTS variants only the unswept ones are drawn (or none: Skip)."""
    from ..palette import scenario_styles

    if (frame["variant"] == frame["scenario"]).all():
        return frame, styles, ""
    names = list(dict.fromkeys(frame["variant"]))
    note = ""
    if len(names) > MAX_VARIANTS:
        keep = [n for n in names if n in res.scenarios]
        if len(keep) < 1:
            raise Skip(f"{len(names)} swept scenario variants: too many lines (see figures 3, 6, 7 and "
                       "tables/findings.csv)")
        note = f" The {len(names) - len(keep)} swept scenario variants are not drawn here (see figure 7)."
        frame = frame[frame["variant"].isin(keep)]
        names = keep
    order = [n for s in res.scenarios for n in names if n == s or n.startswith(s + " [")]
    new = scenario_styles(order)
    return frame.assign(scenario=frame["variant"]), {**new, **styles}, note


def _band_panels(res: Results, frame: pd.DataFrame, styles: dict[str, Style], suffix: str, diff: bool,
                 scenarios: list[str] | None = None):
    """A 3x2 grid, one panel per indicator: per scenario the median line and the 10-90% band."""
    scenarios = [s for s in (scenarios or res.scenarios) if s in set(frame["scenario"])]
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
        elif not ind.unit.startswith("index"):  # counts and shares from zero: a 7% rise looks like one
            ax.set_ylim(bottom=0)
        shade_closures(ax, res, scenarios, styles)
        refs = sorted(set(frame.loc[frame["scenario"].isin(scenarios), "compared_to"])) if diff else []
        ax.set_title(ind.title + ((f" — difference from {refs[0]}" if len(refs) == 1 else
                                   " — difference from its reference") if diff else ""))
        ax.set_ylabel(ind.diff_unit if diff else ind.unit)
        date_axis(ax, res)
    for ax in axes[-1]:
        ax.set_xlabel(res.x_label)
    handles = scenario_handles(scenarios, styles)
    if diff:  # say what each line is the difference from
        refs = frame.drop_duplicates("scenario").set_index("scenario")["compared_to"]
        for h in handles:
            h.set_label(f"{h.get_label()} − {refs.get(h.get_label(), '?')}")
    long = max(len(h.get_label()) for h in handles) > 30
    figure_legend(fig, handles + closure_handles(res, scenarios), ncol=2 if long else 4)
    table = pd.concat(rows, ignore_index=True).rename(columns={"centre": "median", "lo": "p10", "hi": "p90"})
    for c in ("median", "p10", "p90"):
        table[c] = table[c] * table["factor"]
    table = table.drop(columns="factor")[["scenario", "indicator", "unit", "day", "median", "p10", "p90", "n"]]
    return fig, scenarios, table


def _swept_note(res: Results) -> str:
    swept = [k for k in res.context if not defines_scenario(k)]
    return (f" Runs at different values of the swept parameters ({', '.join(swept)}) are pooled in these bands; "
            "figures 6 and 7 and tables/findings.csv separate them." if swept else "")


def scenario_timeseries(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 1: median and 10-90% band across replicates for each scenario, at most five scenarios a figure."""
    require_main_runs(res)
    frame, styles, vnote = _by_variant(res, _main_region_ts(res), styles)
    names = list(dict.fromkeys(frame["scenario"]))
    groups = scenario_groups(res, [n for s in res.scenarios for n in names if n == s or n.startswith(s + " [")])
    specs, tables = [], []
    for title, members in groups:
        fig, scenarios, table = _band_panels(res, frame, styles, "", diff=False, scenarios=members)
        tables.append(table)
        n = frame[frame["scenario"].isin(scenarios)].groupby("scenario")["run_id"].nunique()
        fig.suptitle("How the region evolves under each scenario" + (f": {title}" if title else ""))
        what = ("Six region-wide indicators over time, one line per scenario. The line is the typical (median) run "
                f"and the shaded band holds the middle 80% of runs (10th to 90th percentile, {span(n)} "
                "runs per scenario). " + closure_sentence(res, scenarios) + " " + scale_note(res) + _swept_note(res)
                + vnote)
        how = ("Compare each coloured line with the black baseline: where a line leaves it during the shaded "
               "closure period, the closure is changing that indicator. Narrow bands mean the runs agree; "
               "wide bands mean chance matters a lot. 'Recruits per 30 days' counts the people recruited in the 30 "
               "days up to each date (fewer days in the first month).")
        key = "fig1_scenario_timeseries" + (f"_{title}_{len(specs) + 1}" if len(groups) > 1 else "")
        specs.append(FigureSpec(key, "Scenario time series" + (f": {title}" if title else ""), fig, what, how))
    return Output(specs, {"timeseries_bands": pd.concat(tables, ignore_index=True)})


def paired_differences(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 2: each scenario minus the run of the scenario it is compared with (same seed), median and band."""
    require_main_runs(res)
    frame = _main_region_ts(res)
    diffs = []
    for scen in res.scenarios:
        ref = res.compare_to.get(scen)
        if not ref or not (frame["scenario"] == ref).any():
            continue
        ref_runs = res.main[res.main["scenario"] == ref]
        keys = [*res.reference_keys(ref_runs), "day"]
        d = paired_diff(frame[frame["scenario"] == scen], frame[frame["scenario"] == ref], keys, COLUMNS)
        diffs.append(d.assign(compared_to=ref))
    diffs = [d for d in diffs if len(d)]
    if not diffs or all(d.empty for d in diffs):
        raise Skip("no scenario run shares a seed (and swept values) with a run of the scenario it is compared with "
                   "(add scenario=baseline, or the compare_to scenario, to the sweep)")
    diff, styles, vnote = _by_variant(res, pd.concat(diffs, ignore_index=True), styles)
    names = list(dict.fromkeys(diff["scenario"]))
    groups = scenario_groups(res, [n for s in res.scenarios for n in names if n == s or n.startswith(s + " [")],
                             with_reference=False)
    specs, tables = [], []
    for title, members in groups:
        fig, scenarios, table = _band_panels(res, diff, styles, "_diff", diff=True, scenarios=members)
        refs = diff[diff["scenario"].isin(scenarios)].drop_duplicates("scenario").set_index("scenario")["compared_to"]
        tables.append(table.assign(compared_to=table["scenario"].map(refs)))
        pairs = diff[diff["scenario"].isin(scenarios)].groupby("scenario")["run_id"].nunique()
        fig.suptitle("Effect of each scenario: difference from the scenario it is compared with, same random seed"
                     + (f" ({title})" if title else ""))
        what = ("The same six indicators, shown as the difference between each scenario and the run of the "
                "scenario it is compared with that used the same random numbers (same seed): "
                + "; ".join(f"{s} − {r}" for s, r in refs.items()) + ". "
                f"Median and 10th–90th percentile band over {span(pairs)} matched pairs per scenario. "
                + closure_sentence(res, scenarios) + _swept_note(res) + vnote)
        how = ("Zero (the black horizontal line) means no effect. A line above zero means the scenario raises the "
               "indicator compared with its reference (the open border for a closure, the plain closure for a "
               "mitigation); shares are in percentage points. If the band stays clear of zero the effect is "
               "consistent across runs.")
        key = "fig2_paired_differences" + (f"_{title}_{len(specs) + 1}" if len(groups) > 1 else "")
        specs.append(FigureSpec(key, "Paired differences" + (f": {title}" if title else ""), fig, what, how))
    return Output(specs, {"paired_timeseries_bands": pd.concat(tables, ignore_index=True)})
