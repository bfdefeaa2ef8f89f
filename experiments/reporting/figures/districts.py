"""Figure 5: districts — small multiples of youth unemployment and recruits, and a bubble map."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.lines import Line2D

from sim.config import ConfigError
from sim.readouts import Indicator
from sim.region import load_region

from ..data import BASELINE, REGION, Results
from ..palette import GREY, SEQUENTIAL, Style
from ..stats import BAND, spread
from .common import (FigureSpec, Output, Skip, closure_handles, date_axis, figure_legend, new_figure,
                     require_main_runs, scale_note, scenario_groups, scenario_handles, shade_closures)

PANELS = [Indicator("youth_unemployment_rate", "Youth unemployment rate"),
          Indicator("recruits", "Recruits per 30 days per 100,000 people", window=30, per_100k=True)]
MAP_SIZE = "cumulative_recruits"


def _district_ts(res: Results) -> pd.DataFrame:
    """District rows of the main runs, with recruits per 30 days as a rate per 100,000 people (full-population
    recruits over the district's census population)."""
    ids = res.main["run_id"]
    ts = res.ts
    ts = ts[(ts["district"] != REGION) & ts["run_id"].isin(ids)]
    first = res.main.iloc[0]
    try:
        pop = load_region(first["region_file"], first["crossings_file"], bool(first["include_iran"])).districts
        pop = pop.set_index("district")["population"].astype(float)
    except (ConfigError, OSError):
        return ts.assign(recruits_30d_per_100k=np.nan)
    return ts.assign(recruits_30d_per_100k=ts["recruits_30d"] / ts["district"].map(pop) * 1e5)


def district_small_multiples(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 5a: per district, median and 10-90% band of youth unemployment and recruits per scenario."""
    require_main_runs(res)
    ts = _district_ts(res)
    districts = list(dict.fromkeys(ts["district"]))
    if not districts:
        raise Skip("the time series hold no district rows")
    every = [s for s in res.scenarios if s in set(ts["scenario"])]
    scenarios = scenario_groups(res, every)[0][1]
    left_out = [s for s in every if s not in scenarios]
    ncols = min(len(districts), 5)
    blocks = math.ceil(len(districts) / ncols)
    fig = new_figure(2.5 * ncols + 0.6, 2.3 * blocks * len(PANELS) + 1.2)
    axes = np.atleast_2d(fig.subplots(blocks * len(PANELS), ncols, sharex=True, squeeze=False))
    for p, ind in enumerate(PANELS):
        ymax = 0.0
        for k in range(blocks * ncols):
            ax = axes[p * blocks + k // ncols, k % ncols]
            if k >= len(districts):
                ax.set_visible(False)
                continue
            d = districts[k]
            sub = ts[ts["district"] == d]
            for scen in scenarios:
                b = spread(sub[sub["scenario"] == scen], ["day"], ind.column, BAND).sort_values("day")
                x = res.to_x(b["day"])
                ax.fill_between(x, b["lo"] * ind.factor, b["hi"] * ind.factor, color=styles[scen].color,
                                alpha=0.15, lw=0)
                ax.plot(x, b["centre"] * ind.factor, lw=1.3, **styles[scen].line())
                ymax = max(ymax, float(np.nanmax(b["hi"] * ind.factor)) if len(b) else 0.0)
            shade_closures(ax, res, scenarios, styles)
            ax.set_title(d.capitalize() if p == 0 else "", fontsize=9, fontweight="bold")
            if k % ncols == 0:
                ax.set_ylabel(ind.unit.replace(" (", "\n(").replace(" per 100,000", "\nper 100,000"))
            date_axis(ax, res)
        for ax in axes[p * blocks:(p + 1) * blocks].flat:
            if ax.get_visible():
                ax.set_ylim(0, ymax * 1.25 if ymax > 0 else 1)
    for ax in axes[-1]:
        ax.set_xlabel(res.x_label)
    figure_legend(fig, scenario_handles(scenarios, styles) + closure_handles(res, scenarios), ncol=5)
    fig.suptitle("District by district: youth unemployment and recruitment")
    what = ("The same story district by district: the top row(s) show the youth unemployment rate, the bottom "
            "row(s) the number of people recruited into militant groups in the last 30 days per 100,000 people "
            "(a rate, so districts of different size and runs at different population scales compare). Lines are "
            "medians across runs, bands the 10th–90th percentile."
            + (f" Scenarios shown: {', '.join(scenarios)} (at most five a panel; not shown here: "
               f"{', '.join(left_out)})." if left_out else ""))
    how = ("Read each column as one district. Districts whose lines jump most during the shaded closure depend "
           "most on cross-border trade. Panels in a row share the same vertical scale, so heights can be "
           "compared between districts.")
    return Output([FigureSpec("fig5a_district_small_multiples", "Districts: small multiples", fig, what, how)])


def district_metrics(res: Results, colour_metric: str) -> pd.DataFrame:
    """Per scenario and district: median over runs of cumulative recruits and of the colour metric's mean."""
    ts = _district_ts(res)
    ts = ts[ts["day"] >= 1]
    per_run = ts.groupby(["scenario", "run_id", "district"], sort=False).agg(
        cumulative_recruits=("recruits", "sum"), metric=(colour_metric, "mean")).reset_index()
    out = per_run.groupby(["scenario", "district"], sort=False).agg(
        runs=("run_id", "nunique"), cumulative_recruits=("cumulative_recruits", "median"),
        metric=("metric", "median")).reset_index()
    return out.rename(columns={"metric": f"mean_{colour_metric}"})


def district_map(res: Results, styles: dict[str, Style], colour_metric: str = "youth_unemployment_rate") -> Output:
    """Figure 5b: district centroids on lon/lat, sized by cumulative recruits and coloured by a metric."""
    require_main_runs(res)
    first = res.main.iloc[0]
    try:
        region = load_region(first["region_file"], first["crossings_file"], bool(first["include_iran"]))
    except (ConfigError, OSError) as exc:
        raise Skip(f"cannot read the region geography: {exc}") from None
    table = district_metrics(res, colour_metric)
    geo = region.districts[["district", "lon", "lat"]]
    table = table.merge(geo, on="district", how="inner")
    if table.empty:
        raise Skip("no district of the results appears in the region file")
    ind = Indicator(colour_metric, colour_metric.replace("_", " ").capitalize())
    scenarios = [s for s in res.scenarios if s in set(table["scenario"])]
    ncols = min(len(scenarios), 4)
    nrows = math.ceil(len(scenarios) / ncols)
    fig = new_figure(3.4 * ncols + 1.2, 3.6 * nrows + 1.0)
    axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
    colour = table[f"mean_{colour_metric}"] * ind.factor
    norm = Normalize(float(colour.min()), float(colour.max()) if colour.max() > colour.min() else colour.min() + 1)
    top = max(float(table["cumulative_recruits"].max()), 1.0)

    def size(v):  # circle area (points²) proportional to recruits: 900 for the largest
        return 900 * np.maximum(np.asarray(v, dtype=float), 0.0) / top

    base = table[table["scenario"] == BASELINE].set_index("district")["cumulative_recruits"]

    cross = region.crossings
    lon_pad, lat_pad = 0.6, 0.5
    xlim = (min(geo["lon"].min(), cross["lon"].min()) - lon_pad, max(geo["lon"].max(), cross["lon"].max()) + lon_pad)
    ylim = (min(geo["lat"].min(), cross["lat"].min()) - lat_pad, max(geo["lat"].max(), cross["lat"].max()) + lat_pad)
    sc = None
    for ax, scen in zip(axes, scenarios):
        t = table[table["scenario"] == scen]
        sc = ax.scatter(t["lon"], t["lat"], s=size(t["cumulative_recruits"]), c=t[f"mean_{colour_metric}"] * ind.factor,
                        cmap=SEQUENTIAL, norm=norm, edgecolors="black", linewidths=0.6, alpha=0.9, zorder=2)
        for r in t.itertuples():  # name and number below the circle; the difference from the baseline
            label = f"{r.district}\n{r.cumulative_recruits:,.0f}"
            if scen != BASELINE and r.district in base.index:
                label += f" ({r.cumulative_recruits - base[r.district]:+,.0f})"
            ax.annotate(label, (r.lon, r.lat), xytext=(0, -math.sqrt(size(r.cumulative_recruits)) / 2 - 2),
                        textcoords="offset points", ha="center", va="top", fontsize=7)
        off = cross[cross["kind"] == "official"]
        inf = cross[cross["kind"] == "informal"]
        ax.scatter(off["lon"], off["lat"], marker="s", s=30, color="black", zorder=3)
        ax.scatter(inf["lon"], inf["lat"], marker="^", s=30, facecolors="white", edgecolors=GREY, zorder=3)
        ax.set_xlim(xlim)
        ax.set_ylim(ylim)
        ax.set_aspect(1.0 / math.cos(math.radians(float(geo["lat"].mean()))))
        ax.set_title(scen, color=styles[scen].color, fontweight="bold")
        ax.text(0.02, 0.98, "← Iran (west)\nschematic: no boundaries drawn", transform=ax.transAxes, ha="left",
                va="top", fontsize=7, color=GREY)
        ax.set_xlabel("Longitude (°E)")
        ax.set_ylabel("Latitude (°N)")
    for ax in axes[len(scenarios):]:
        ax.set_visible(False)
    fig.colorbar(sc, ax=axes[:len(scenarios)].tolist(), shrink=0.8,
                 label=f"{ind.title}, mean over the run\n({ind.unit})")
    refs = sorted({max(1, round(v)) for v in (top / 4, top / 2, top)})
    handles = [Line2D([], [], marker="s", color="black", linestyle="none", label="official crossing"),
               Line2D([], [], marker="^", mfc="white", mec=GREY, linestyle="none", label="informal route"),
               *[Line2D([], [], marker="o", linestyle="none", mfc="#dddddd", mec="black",
                        ms=math.sqrt(size(v)), label=f"{v:,} recruit{'s' if v != 1 else ''}") for v in refs]]
    figure_legend(fig, handles, ncol=len(handles), handletextpad=1.5, columnspacing=2.5, borderpad=1.0)
    fig.suptitle("SCHEMATIC — not a map: district centres sized by cumulative recruits, coloured by "
                 f"{ind.title.lower()}")
    what = ("A schematic of the border districts, not a map: circles at approximate district centres "
            "(longitude/latitude from the region file); no district or international boundaries are drawn, because "
            "no boundary data under an open licence ships with an installed package. Iran lies to the west. "
            "Circle area is proportional to the number of people recruited into militant groups over the run (median "
            "across runs; the legend's circles are a quarter, half and all of the largest); the number under each "
            "district is that count, and in brackets its difference from the baseline's, because differences of a "
            "few per cent do not show in circle sizes; "
            f"circle colour is the average {ind.title.lower()} over the run. Black squares are official border "
            "crossings, white triangles informal (smuggling) routes. One map per scenario. " + scale_note(res))
    how = ("Compare maps left to right: circles that grow or turn lighter under a closure show where the closure "
           "hurts most. All maps share the same size and colour scales.")
    return Output([FigureSpec("fig5b_district_map", "Districts: bubble map", fig, what, how)],
                  {"districts": table})
