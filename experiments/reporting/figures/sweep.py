"""Figures 6 and 7: the sweep heatmap over two swept parameters, and the dose-response of recruitment."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from ..data import BASELINE, Results
from ..palette import DIVERGING, Style
from ..stats import fit_line, paired_runs
from ..tables import paired_scenario_runs
from .common import (FigureSpec, Output, Skip, figure_legend, new_figure, require_main_runs, scale_note,
                     scenario_handles)

MAX_PAIRS = 3  # parameter pairs drawn (the first ones, in column order)


def numeric_swept(res: Results) -> list[str]:
    """Swept parameters with numeric values that take at least two values."""
    out = []
    for c in res.context:
        v = pd.to_numeric(res.main[c], errors="coerce")
        if v.notna().sum() and v.dropna().nunique() >= 2 and res.main[c].dropna().map(
                lambda x: isinstance(x, (int, float, np.integer, np.floating)) and not isinstance(x, bool)).all():
            out.append(c)
    return out


def sweep_heatmap(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 6: mean paired effect on cumulative recruits over each pair of swept numeric parameters."""
    require_main_runs(res)
    params = numeric_swept(res)
    if len(params) < 2:
        found = ", ".join(params) or "none"
        raise Skip(f"needs two swept numeric parameters with at least two values each (found: {found})")
    if not (res.main["scenario"] == BASELINE).any():
        raise Skip("no baseline run to measure effects against")
    runs = paired_scenario_runs(res)
    figures, tables = [], []
    for p, q in list(itertools.combinations(params, 2))[:MAX_PAIRS]:
        grid = runs.dropna(subset=[p, q])
        scenarios = [s for s in res.scenarios if s in set(grid["scenario"])]
        if not scenarios:
            continue
        cells = (grid.groupby(["scenario", p, q])["extra_recruits"].agg(["mean", "count"]).reset_index())
        tables.append(cells.rename(columns={p: "x_value", q: "y_value", "mean": "mean_extra_recruits",
                                            "count": "pairs"}).assign(x_parameter=p, y_parameter=q))
        xs, ys = np.sort(cells[p].unique()), np.sort(cells[q].unique())
        lim = max(float(np.abs(cells["mean"]).max()), 1e-9)
        norm = TwoSlopeNorm(vcenter=0.0, vmin=-lim, vmax=lim)
        ncols = min(len(scenarios), 3)
        nrows = -(-len(scenarios) // ncols)
        fig = new_figure(max(7.0, 4.2 * ncols + 1.0), 3.6 * nrows + 1.0)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, squeeze=False)).ravel()
        mesh, contours = None, False
        for ax, scen in zip(axes, scenarios):
            c = cells[cells["scenario"] == scen]
            z = c.pivot_table(index=q, columns=p, values="mean").reindex(index=ys, columns=xs).to_numpy()
            mesh = ax.pcolormesh(np.arange(len(xs) + 1) - 0.5, np.arange(len(ys) + 1) - 0.5, z, cmap=DIVERGING,
                                 norm=norm, shading="flat", edgecolors="face", linewidth=0)
            if z.shape[0] >= 2 and z.shape[1] >= 2 and np.isfinite(z).all() and np.ptp(z) > 0:
                cs = ax.contour(np.arange(len(xs)), np.arange(len(ys)), z, levels=4, colors="black",
                                linewidths=0.8, alpha=0.7)
                ax.clabel(cs, fontsize=7, fmt="%.3g")
                contours = True
            for (i, j), v in np.ndenumerate(z):
                if np.isfinite(v):
                    ax.text(j, i, f"{v:+.3g}", ha="center", va="center", fontsize=7,
                            bbox={"boxstyle": "round,pad=0.15", "fc": "white", "alpha": 0.6, "lw": 0})
            ax.set_xticks(range(len(xs)), [f"{v:g}" for v in xs])
            ax.set_yticks(range(len(ys)), [f"{v:g}" for v in ys])
            ax.set_xlabel(f"{p} (swept value)")
            ax.set_ylabel(f"{q} (swept value)")
            ax.set_title(scen, color=styles[scen].color, fontweight="bold")
            ax.grid(False)
        for ax in axes[len(scenarios):]:
            ax.set_visible(False)
        fig.colorbar(mesh, ax=axes[:len(scenarios)].tolist(), shrink=0.85,
                     label="Mean extra recruits vs baseline (people)")
        fig.suptitle(f"Sensitivity of the effect on recruitment\nto {p} and {q}")
        others = [c for c in params if c not in (p, q)]
        what = (f"How the scenario's effect on recruitment (extra recruits compared with the baseline run with the "
                f"same seed and the same parameter values) changes when two model settings, {p} and {q}, are "
                "varied. Each cell is the mean over matched pairs; "
                + ("contour lines join equal effects. " if contours else
                   "there are no contour lines because the effect does not vary over the grid. ")
                + (f"Averaged over the other swept settings ({', '.join(others)}). " if others else "")
                + scale_note(res))
        how = ("Purple cells: the scenario adds recruits; orange cells: it reduces them; white: no effect. If the "
               "colour barely changes across the grid, the result does not depend on these settings; a strong "
               "gradient shows which assumption matters most.")
        slug = f"{p}__{q}".replace(".", "_")
        figures.append(FigureSpec(f"fig6_sweep_heatmap_{slug}", f"Sweep heatmap: {p} × {q}", fig, what, how))
    if not figures:
        raise Skip("no scenario run paired with a baseline run at the swept parameter values")
    return Output(figures, {"sweep_heatmap": pd.concat(tables, ignore_index=True)})


def dose_response(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 7: % change in recruits vs change in youth unemployment (pp), paired runs, with a fitted line."""
    require_main_runs(res)
    main = res.main
    if not (main["scenario"] == BASELINE).any():
        raise Skip("no baseline run to measure changes against")
    cols = ["cumulative_recruits", "mean_youth_unemployment_rate"]
    pairs = paired_runs(main, res.pair_keys, cols, BASELINE)
    zero = int((pairs["cumulative_recruits_ref"] <= 0).sum())
    pairs = pairs[pairs["cumulative_recruits_ref"] > 0].copy()
    pairs["d_youth_unemployment_pp"] = pairs["mean_youth_unemployment_rate_diff"] * 100.0
    pairs["d_recruits_pct"] = pairs["cumulative_recruits_diff"] / pairs["cumulative_recruits_ref"] * 100.0
    fit = fit_line(pairs["d_youth_unemployment_pp"], pairs["d_recruits_pct"])
    if fit is None:
        raise Skip("needs at least 3 paired runs with baseline recruits > 0 and differing youth unemployment"
                   + (f" ({zero} pair(s) dropped: the baseline run had no recruits)" if zero else ""))
    fig = new_figure(8, 6)
    ax = fig.subplots()
    scenarios = [s for s in res.scenarios if s in set(pairs["scenario"])]
    for scen in scenarios:
        p = pairs[pairs["scenario"] == scen]
        ax.plot(p["d_youth_unemployment_pp"], p["d_recruits_pct"], styles[scen].marker, color=styles[scen].color,
                ms=6, alpha=0.8, mec="white", mew=0.5)
    x = np.linspace(min(0.0, pairs["d_youth_unemployment_pp"].min()), pairs["d_youth_unemployment_pp"].max(), 100)
    y, lo, hi = fit.line(x)
    ax.fill_between(x, lo, hi, color="#999999", alpha=0.3, lw=0, label="95% confidence band of the line")
    ax.plot(x, y, color="black", lw=1.5,
            label=f"fit: {fit.slope:+.2f}% recruits per +1 pp (95% CI {fit.slope_lo:+.2f} to {fit.slope_hi:+.2f})")
    ax.axhline(0, color="black", lw=0.6)
    ax.axvline(0, color="black", lw=0.6)
    ax.set_xlabel("Change in mean youth unemployment rate vs baseline (percentage points)")
    ax.set_ylabel("Change in cumulative recruits vs baseline (%)")
    ax.set_title("Dose–response: more youth unemployment, more recruits?")
    handles = scenario_handles(scenarios, styles, marker=True) + ax.get_legend_handles_labels()[0]
    figure_legend(fig, handles, ncol=3)
    what = ("Each point is one scenario run compared with the baseline run that used the same random numbers: how "
            "much youth unemployment rose (across) and how much recruitment into militant groups changed, in per "
            f"cent (up). The black line is a straight-line fit over {fit.n} pairs: on average, each extra "
            f"percentage point of youth unemployment goes with {fit.slope:+.2f}% recruits (95% confidence "
            f"interval {fit.slope_lo:+.2f}% to {fit.slope_hi:+.2f}%; R² = {fit.r2:.2f})."
            + (f" {zero} pair(s) whose baseline run had no recruits are left out (a % change is undefined)."
               if zero else ""))
    how = ("A line sloping upward means that the scenarios that push youth unemployment up more also raise "
           "recruitment more. The grey band shows how sure the fit is: if it includes a flat line, the runs do not "
           "establish a link. Points far from the line are scenarios that act through other routes (prices, "
           "grievance, group finances).")
    points = pairs[["run_id", "scenario", *res.pair_keys, "d_youth_unemployment_pp", "d_recruits_pct"]]
    elasticity = pd.DataFrame([{"pairs": fit.n, "slope_pct_per_pp": fit.slope, "ci95_lo": fit.slope_lo,
                                "ci95_hi": fit.slope_hi, "intercept_pct": fit.intercept, "r2": fit.r2,
                                "pairs_dropped_zero_baseline": zero}])
    return Output([FigureSpec("fig7_dose_response", "Dose–response", fig, what, how)],
                  {"dose_response": points, "elasticity": elasticity})
