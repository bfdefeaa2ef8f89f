"""Figures of an analysis directory (``DIR/analysis/``), for the report's analysis sections and the docs.

    python -m experiments.analysis.figures DIR          # writes DIR/analysis/figures/*.png and *.csv

Each ``*_figure`` function takes the frame ``python -m experiments.analyze`` wrote and returns a matplotlib
:class:`~matplotlib.figure.Figure` with units on its axes, or None when the frame has nothing to draw:

- :func:`morris_figure`: mu* against sigma per horizon for one scenario and outcome (Morris screening), the
  largest mu* numbered on each panel and named in a key below it; mu* bars when the factors are groups
  (SALib gives groups no sigma);
- :func:`sobol_figure`: S1 and ST bars with their confidence intervals;
- :func:`prim_figure`: PRIM's peeling trajectories (coverage against density, the chosen boxes circled);
- :func:`ensemble_figure`: the distribution of each paired effect over the space and seeds at each horizon,
  with P(effect > 0) and P(effect < 0) (the rest are pairs with no effect at all).

The report (:mod:`experiments.reporting.analysis`) captions them; :func:`all_figures` saves them for the docs.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from experiments.outcomes import BY_KEY, HORIZON_LABELS
from experiments.rundir import atomic_write

HORIZONS = list(HORIZON_LABELS)
ENSEMBLE_OUTCOMES = ("recruits", "members", "youth_unemployment_peak")


def unit_of(outcome: str) -> str:
    return BY_KEY[outcome].unit if outcome in BY_KEY else ""


def horizons_in(frame: pd.DataFrame) -> list[str]:
    return [h for h in HORIZONS if h in set(frame["horizon"])]


def _figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def morris_figure(morris: pd.DataFrame, scenario: str, outcome: str = "recruits", label_top: int = 6) -> Figure | None:
    m = morris[(morris.scenario == scenario) & (morris.outcome == outcome)]
    if m.empty:
        return None
    hs = horizons_in(m)
    grouped = m.sigma.isna().any()  # SALib gives groups of parameters no sigma
    if grouped:
        fig = _figure(4.2 * len(hs), 0.25 * m.parameter.nunique() + 1.6)
        axes, keys = fig.subplots(1, len(hs), squeeze=False)[0], [None] * len(hs)
    else:  # each panel over the key naming its numbered points
        key_height = 0.14 * (label_top + 1)
        fig = _figure(4.2 * len(hs), 4.0 + key_height)
        grid = fig.subplots(2, len(hs), squeeze=False, gridspec_kw={"height_ratios": [4.0, key_height]})
        axes, keys = grid[0], grid[1]
    unit = unit_of(outcome)
    for ax, key, h in zip(axes, keys, hs):
        g = m[m.horizon == h]
        if grouped:  # mu* bars with their intervals, the signed mu as dots
            g = g.sort_values("mu_star")
            y = np.arange(len(g))
            ax.barh(y, g.mu_star, xerr=g.mu_star_conf, alpha=0.7, label="μ* (95% CI)")
            ax.plot(g.mu, y, "k.", label="μ (signed)")
            ax.axvline(0, color="grey", lw=0.8)
            ax.set_yticks(y, g.parameter, fontsize=7)
            ax.set_xlabel(f"μ*, μ ({unit} per plausible range)")
            ax.legend(fontsize=7)
        else:
            ax.errorbar(g.mu_star, g.sigma, xerr=g.mu_star_conf, fmt="o", ms=4, alpha=0.8, elinewidth=0.6)
            label_largest(ax, key, g.nlargest(label_top, "mu_star"))
            ax.set_xlabel(f"μ* ({unit} per plausible range)")
            ax.set_ylabel(f"σ ({unit})")
        ax.set_title(h)
        ax.grid(alpha=0.3)
    fig.suptitle(f"Morris screening: effect of {scenario} on {BY_KEY[outcome].name if outcome in BY_KEY else outcome}")
    return fig


def label_largest(ax, key, top: pd.DataFrame) -> None:
    """Number the ``top`` factors' points 1, 2, ... (by μ*) on ``ax`` and name them on ``key`` (an axes of
    its own below), so no name lies over another or over the points; points too close to tell apart share
    one label ("2, 5")."""
    x, y = top.mu_star.to_numpy(float), top.sigma.to_numpy(float)
    span_x, span_y = (max(np.ptp(lim), 1e-12) for lim in (ax.get_xlim(), ax.get_ylim()))
    groups: list[list[int]] = []  # ranks whose points lie within 4% of the axes of the group's first
    for i in range(len(top)):
        near = [g for g in groups if abs(x[i] - x[g[0]]) < 0.04 * span_x and abs(y[i] - y[g[0]]) < 0.04 * span_y]
        if near:
            near[0].append(i)
        else:
            groups.append([i])
    for g in groups:
        ax.annotate(", ".join(str(i + 1) for i in g), (x[g[0]], y[g[0]]), fontsize=7, fontweight="bold",
                    xytext=(3, 3), textcoords="offset points")
    key.axis("off")
    key.text(0.0, 1.0, "largest μ*\n" + "\n".join(f"{i + 1}  {name}" for i, name in enumerate(top.parameter)),
             transform=key.transAxes, va="top", ha="left", fontsize=7, linespacing=1.3)


def sobol_figure(sobol: pd.DataFrame, scenario: str, outcome: str = "recruits") -> Figure | None:
    s = sobol[(sobol.scenario == scenario) & (sobol.outcome == outcome)]
    if s.empty:
        return None
    hs = horizons_in(s)
    fig = _figure(4.5 * len(hs), 0.35 * s.parameter.nunique() + 1.8)
    axes = fig.subplots(1, len(hs), squeeze=False)[0]
    for ax, h in zip(axes, hs):
        g = s[s.horizon == h].sort_values("ST")
        y = np.arange(len(g))
        ax.barh(y - 0.2, g.S1, 0.4, xerr=g.S1_conf, label="S1 (first order)")
        ax.barh(y + 0.2, g.ST, 0.4, xerr=g.ST_conf, label="ST (total)")
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_yticks(y, g.parameter, fontsize=7)
        ax.set_xlabel("share of the effect's variance (95% CI)")
        ax.set_title(h)
        ax.grid(alpha=0.3, axis="x")
    axes[0].legend(fontsize=7)
    fig.suptitle(f"Sobol indices: effect of {scenario} on {BY_KEY[outcome].name if outcome in BY_KEY else outcome}")
    return fig


def prim_figure(boxes: pd.DataFrame) -> Figure | None:
    steps = boxes[boxes.kind == "step"]
    if steps.empty:
        return None
    fig = _figure(5.6, 4.2)
    ax = fig.subplots()
    colours = {"raises": "tab:red", "lowers": "tab:blue"}
    for d, g in steps.groupby("direction", sort=False):
        ax.plot(g.coverage, g.density, "-o", ms=3.5, color=colours.get(d, "grey"),
                label=f"{d} recruits ({int(g.cases.iloc[0])} of {int(g.n_points.iloc[0])} points)")
        ch = g[g.chosen.astype(bool)]
        ax.scatter(ch.coverage, ch.density, s=110, facecolors="none", edgecolors="black", zorder=3)
        for r in ch.itertuples():
            ax.annotate(f"{int(r.res_dim)} restricted", (r.coverage, r.density), fontsize=7,
                        xytext=(-62, 6) if d == "raises" else (6, -12), textcoords="offset points")
    ax.set_xlabel("coverage (share of the cases of interest inside the box)")
    ax.set_ylabel("density (share of the box that is of interest)")
    ax.set_xlim(0, 1.02)
    ax.set_ylim(0, 1.02)
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title("PRIM peeling trajectories (chosen boxes circled)")
    ax.grid(alpha=0.3)
    return fig


def ensemble_figure(effects: pd.DataFrame, outcomes: tuple[str, ...] = ENSEMBLE_OUTCOMES) -> Figure | None:
    e = effects[effects.outcome.isin(outcomes)]
    if e.empty:
        return None
    outcomes = tuple(o for o in outcomes if o in set(e.outcome))
    scen = list(dict.fromkeys(e.scenario))
    fig = _figure(4.2 * len(outcomes), max(2.7 * len(scen), 3.6))  # a row per comparison: long, not wide
    axes = fig.subplots(len(scen), len(outcomes), squeeze=False)
    for i, s in enumerate(scen):
        for j, o in enumerate(outcomes):
            g = e[(e.outcome == o) & (e.scenario == s)]
            hs = horizons_in(g)
            data = [g[g.horizon == h].effect.to_numpy(dtype=float) for h in hs]
            ax = axes[i][j]
            if data:
                ax.boxplot(data, whis=(10, 90), showfliers=False)
                ax.set_xticks(range(1, len(hs) + 1), [f"{h}\n>0: {np.mean(d > 0):.2f}\n<0: {np.mean(d < 0):.2f}"
                                                      for h, d in zip(hs, data)], fontsize=7)
            ax.axhline(0, color="grey", lw=0.8)
            ax.set_ylabel(f"{BY_KEY[o].name} ({unit_of(o)})", fontsize=8)
            ax.set_title(f"{s} − {g.compared_to.iloc[0] if len(g) else ''}", fontsize=9)
    fig.suptitle("Paired effects across the uncertainty space and seeds\n(box: 25–75% of pairs, whiskers: 10–90%)")
    return fig


def all_figures(sweep_dir: Path) -> list[Path]:
    """Save every figure an analysis directory supports as ``DIR/analysis/figures/*.png``; return the paths."""
    a = Path(sweep_dir) / "analysis"
    out = a / "figures"
    figures: dict[str, Figure | None] = {}
    for name, draw in (("morris", morris_figure), ("sobol", sobol_figure)):
        if (a / f"{name}_indices.csv").exists():
            table = pd.read_csv(a / f"{name}_indices.csv")
            for s in dict.fromkeys(table.scenario):
                figures[f"{name}_{s}_recruits"] = draw(table, s)
    if (a / "prim_boxes.csv").exists():
        figures["prim_tradeoff"] = prim_figure(pd.read_csv(a / "prim_boxes.csv"))
    if (a / "effects.parquet").exists():
        figures["ensemble_effects"] = ensemble_figure(pd.read_parquet(a / "effects.parquet"))
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, fig in figures.items():
        if fig is not None:
            path = out / f"{name}.png"
            atomic_write(path, lambda tmp, fig=fig: fig.savefig(tmp, format="png", dpi=130))
            paths.append(path)
    return paths


def morris_markdown(morris_csv: Path, scenario: str = "closure_90d", outcome: str = "recruits",
                    top: int | None = None) -> str:
    """A Markdown table of a Morris screening for one scenario and outcome: one row per factor (sorted by
    mu* at the last horizon), mu* ± its half-width and mu at each horizon (docs/analysis.md)."""
    m = pd.read_csv(morris_csv)
    m = m[(m.scenario == scenario) & (m.outcome == outcome)]
    hs = horizons_in(m)
    order = m[m.horizon == hs[-1]].sort_values("mu_star", ascending=False).parameter.tolist()
    lines = ["| factor | " + " | ".join(f"{h}: μ* ± ci (μ, σ)" for h in hs) + " |",
             "|---|" + "---|" * len(hs)]
    for p in order[:top] if top else order:
        cells = []
        for h in hs:
            r = m[(m.parameter == p) & (m.horizon == h)].iloc[0]
            cells.append(f"{r.mu_star:.1f} ± {r.mu_star_conf:.1f} ({r.mu:+.1f}, {r.sigma:.1f})")
        lines.append(f"| `{p}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


def sobol_markdown(sobol_csv: Path, outcome: str = "recruits", scenarios: list[str] | None = None) -> str:
    """A Markdown table of Sobol indices for one outcome: one row per factor (sorted by its largest ST), one
    column per scenario (``scenarios``, in that order; default: all, as the file lists them) and horizon, each
    cell ``S1 ± ci / ST ± ci`` (docs/analysis.md)."""
    s = pd.read_csv(sobol_csv)
    s = s[s.outcome == outcome]
    if scenarios is not None:
        s = s[s.scenario.isin(scenarios)]
    columns = [(sc, h) for sc in (scenarios or s.scenario.drop_duplicates()) for h in horizons_in(s[s.scenario == sc])]
    order = s.groupby("parameter").ST.max().sort_values(ascending=False).index
    lines = ["| factor | " + " | ".join(f"{sc}: {h}" for sc, h in columns) + " |", "|---|" + "---|" * len(columns)]
    cell = s.set_index(["parameter", "scenario", "horizon"])
    for p in order:
        cells = []
        for sc, h in columns:
            r = cell.loc[(p, sc, h)]
            cells.append(f"{r.S1:.2f} ± {r.S1_conf:.2f} / {r.ST:.2f} ± {r.ST_conf:.2f}")
        lines.append(f"| `{p}` | " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from experiments.errors import fail

    args = sys.argv[1:]
    if args in (["-h"], ["--help"]):
        print(__doc__.split("\n\n")[0] + "\n\nusage: python -m experiments.analysis.figures DIR")
        raise SystemExit(0)
    if len(args) != 1 or not (Path(args[0]) / "analysis").is_dir():
        fail("usage: python -m experiments.analysis.figures DIR (an analysis directory with DIR/analysis/)")
    for p in all_figures(Path(args[0])):
        print(p)
