"""Figures 6 and 7: the sweep heatmap over two swept parameters, and the dose-response of recruitment."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
from matplotlib.colors import TwoSlopeNorm

from ..data import BASELINE, Results, defines_scenario
from experiments.outcomes import BOOTSTRAP_SEED, BY_KEY, CLOSURE_END, CONFIDENCE, END_OF_RUN
from ..palette import DIVERGING, Style
from .common import (MAX_LINES, FigureSpec, Output, Skip, figure_legend, new_figure, require_main_runs, scale_note,
                     scenario_handles)

DOSE_OUTCOMES = ["recruits", "members_peak", "youth_unemployment_peak", "food_insecure_peak"]

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
    runs, horizon = _pair_effects(res, "recruits")
    runs = runs[runs["compared_to"] == BASELINE].rename(columns={"effect": "extra_recruits"})
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
                     label=f"Mean extra recruits vs baseline, cumulative to {horizon} (people)")
        fig.suptitle(f"Sensitivity of the effect on recruitment\nto {p} and {q}")
        others = [c for c in params if c not in (p, q)]
        what = (f"How the scenario's effect on recruitment (extra recruits, cumulative from day 1 to {horizon}, "
                f"compared with the baseline run with the same seed and the same parameter values) changes when two model settings, {p} and {q}, are "
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


def _pair_effects(res: Results, outcome: str) -> tuple[pd.DataFrame, str]:
    """One row per pair: the paired effect on ``outcome`` at the closure's end (or the end of the run when some
    pair has no closure), with the run's swept values."""
    d = res.comparisons.diffs
    d = d[d["outcome"] == outcome]
    horizon = CLOSURE_END.label if len(d) and d.groupby("run_id")["horizon"].apply(
        lambda h: CLOSURE_END.label in set(h)).all() else END_OF_RUN.label
    d = d[d["horizon"] == horizon]
    ctx = res.main[["run_id", *res.context]]
    return d.merge(ctx, on="run_id", how="left"), horizon


def dose_parameters(res: Results) -> list[str]:
    """Swept scenario inputs and policy levers (the doses) with numeric values and at least two values in some
    scenario."""
    return [c for c in numeric_swept(res) if defines_scenario(c)]


def cluster_bootstrap(effect: np.ndarray, seed: np.ndarray, n: int = 4999) -> tuple[float, float, float]:
    """Mean of the pairs and a 90% percentile interval that resamples seeds (clusters), not pairs: pairs that share
    a seed share their reference run and are not independent."""
    seeds, inv = np.unique(seed, return_inverse=True)
    sums = np.bincount(inv, weights=effect)
    counts = np.bincount(inv).astype(float)
    mean = float(effect.mean())
    if len(seeds) < 2:
        return mean, np.nan, np.nan
    rng = np.random.default_rng(BOOTSTRAP_SEED)
    idx = rng.integers(0, len(seeds), size=(n, len(seeds)))
    boot = sums[idx].sum(axis=1) / counts[idx].sum(axis=1)
    a = (1 - CONFIDENCE) / 2
    return mean, float(np.quantile(boot, a)), float(np.quantile(boot, 1 - a))


def dose_response(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 7: the paired effect at each swept dose (closure length, transfer size, ...), per scenario, with a
    seed-clustered 90% interval; points joined only between observed doses (nothing is extrapolated)."""
    require_main_runs(res)
    doses = dose_parameters(res)
    if not doses:
        raise Skip("no dose was swept: needs a scenario input or policy lever (e.g. border.closure.duration_days, "
                   "policy.cash_transfer.amount) swept over at least two numeric values")
    figures, rows = [], []
    refs = list(dict.fromkeys(res.comparisons.diffs["compared_to"]))
    for dose, ref in [(d, r) for d in doses[:2] for r in refs]:
        fig = new_figure(11, 7.4)
        axes = fig.subplots(2, 2).ravel()
        shown: list[str] = []
        horizons = {}
        for ax, outcome in zip(axes, DOSE_OUTCOMES):
            pairs, horizon = _pair_effects(res, outcome)
            horizons[outcome] = horizon
            pairs = pairs[pairs["compared_to"] == ref].dropna(subset=[dose])
            scenarios = [s for s in res.scenarios if s in set(pairs["scenario"])
                         and pairs.loc[pairs["scenario"] == s, dose].nunique() >= 2][:MAX_LINES]
            o = BY_KEY[outcome]
            for scen in scenarios:
                p = pairs[pairs["scenario"] == scen]
                pts = []
                for x, g in p.groupby(dose):
                    m, lo, hi = cluster_bootstrap(g["effect"].to_numpy(float), g["seed"].to_numpy())
                    pts.append((float(x), m, lo, hi, len(g), g["seed"].nunique()))
                    rows.append({"dose": dose, "dose_value": float(x), "scenario": scen,
                                 "compared_to": p["compared_to"].iloc[0], "outcome": outcome, "horizon": horizon,
                                 "unit": o.unit, "mean": m, "ci_low": lo, "ci_high": hi, "n_pairs": len(g),
                                 "n_seeds": g["seed"].nunique()})
                pts = np.array(pts)
                st = styles[scen]
                ax.plot(pts[:, 0], pts[:, 1], marker=st.marker, **st.line(), lw=1.4, ms=6)
                ax.fill_between(pts[:, 0], pts[:, 2], pts[:, 3], color=st.color, alpha=0.15, lw=0)
                shown.append(scen)
            ax.axhline(0, color="black", lw=0.8)
            ax.set_title(f"{o.label[0].upper() + o.label[1:]}, to {horizon}", fontsize=9)
            ax.set_ylabel(o.unit)
            ax.set_xlabel(f"{dose} (swept value)")
        shown = list(dict.fromkeys(shown))
        if not shown:
            continue
        figure_legend(fig, scenario_handles(shown, styles), ncol=min(len(shown), 5))
        fig.suptitle(f"Dose–response: the effect at each swept value of {dose}, compared with {ref}")
        d = pd.DataFrame([r for r in rows if r["dose"] == dose and r["compared_to"] == ref])
        others = [c for c in res.context if c != dose]
        refs = sorted(set(d["compared_to"]))
        what = (f"Each point is the mean paired effect (scenario minus {', '.join(refs)}, same seed) at one swept value "
                f"of {dose}, over {int(d['n_pairs'].min())}–{int(d['n_pairs'].max())} pairs from "
                f"{int(d['n_seeds'].min())}–{int(d['n_seeds'].max())} seeds; the band is a 90% bootstrap interval "
                "that resamples seeds (pairs that share a seed are not independent). Lines join observed doses "
                "only: nothing is fitted or extrapolated beyond the swept values."
                + (f" Averaged over the other swept settings ({', '.join(others)})." if others else "")
                + " " + scale_note(res))
        how = ("Read along the x axis: a line that climbs means a larger dose gives a larger effect. Where the band "
               "includes zero the effect at that dose cannot be told from chance. Outside the swept range the model "
               "says nothing.")
        slug = dose.replace(".", "_") + ("" if ref == BASELINE else f"_vs_{ref}")
        figures.append(FigureSpec(f"fig7_dose_response_{slug}", f"Dose–response: {dose} vs {ref}", fig, what, how))
    if not figures:
        raise Skip("no scenario has paired runs at two or more values of the swept dose")
    return Output(figures, {"dose_response": pd.DataFrame(rows)})
