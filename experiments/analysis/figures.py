"""Figures and tables of an analysis directory (``DIR/analysis/``), for docs and the report (issue 11 §6).

    python -m experiments.analysis.figures DIR          # writes DIR/analysis/figures/*.png and *.csv

Each function reads the CSVs ``python -m experiments.analyze`` wrote, draws one PNG (units on the axes)
and writes the table it plotted next to it, and returns the paths; a figure whose input is missing is
skipped (returns an empty list):

- :func:`morris_figure`: mu* against sigma per horizon for one scenario and outcome (Morris screening);
- :func:`sobol_figure`: S1 and ST bars with their confidence intervals;
- :func:`prim_figure`: PRIM's peeling trajectory (coverage against density, the chosen box marked) and the
  chosen box's limits as a table;
- :func:`ensemble_figure`: the distribution of each paired effect over the space and seeds at each horizon,
  with P(effect > 0).

Hook into the report (experiments/reporting, owned by the report engineer): call :func:`all_figures` with
the analysis directory and copy the returned PNG/CSV paths into the report's figures and tables.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

from experiments.rundir import atomic_write

HORIZONS = ["closure end", "+6 months", "+1 year", "end of run"]
UNITS = {"recruits": "people", "members": "people", "members_peak": "people", "youth_unemployment_peak": "pp",
         "food_insecure_peak": "pp", "food_insecure_closure_mean": "pp", "food_price_peak": "% of price",
         "jobs_lost_peak": "jobs", "traders_exited": "traders", "spending": "PKR million",
         "youth_unemployed_person_days": "person-days"}


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _save(fig, frame: pd.DataFrame, out: Path, name: str) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    png, csv = out / f"{name}.png", out / f"{name}.csv"
    atomic_write(png, lambda tmp: fig.savefig(tmp, format="png", dpi=130, bbox_inches="tight"))
    atomic_write(csv, lambda tmp: frame.to_csv(tmp, index=False))
    _plt().close(fig)
    return [png, csv]


def _horizons(frame: pd.DataFrame) -> list[str]:
    return [h for h in HORIZONS if h in set(frame["horizon"])]


def morris_figure(analysis: Path, out: Path, scenario: str = "closure_90d", outcome: str = "recruits",
                  label_top: int = 6) -> list[Path]:
    path = Path(analysis) / "morris_indices.csv"
    if not path.exists():
        return []
    m = pd.read_csv(path)
    m = m[(m.scenario == scenario) & (m.outcome == outcome)]
    if m.empty:
        return []
    plt = _plt()
    hs = _horizons(m)
    fig, axes = plt.subplots(1, len(hs), figsize=(4.2 * len(hs), 4), squeeze=False)
    unit = UNITS.get(outcome, "")
    for ax, h in zip(axes[0], hs):
        g = m[m.horizon == h]
        if g.sigma.isna().any():  # SALib gives no sigma for groups of parameters: mu* bars, mu as dots
            g = g.sort_values("mu_star")
            y = np.arange(len(g))
            ax.barh(y, g.mu_star, xerr=g.mu_star_conf, alpha=0.7, label="mu* (95% CI)")
            ax.plot(g.mu, y, "k.", label="mu (signed)")
            ax.axvline(0, color="grey", lw=0.8)
            ax.set_yticks(y, g.parameter, fontsize=7)
            ax.set_xlabel(f"mu*, mu ({unit} per plausible range)")
            ax.legend(fontsize=7)
        else:
            ax.errorbar(g.mu_star, g.sigma, xerr=g.mu_star_conf, fmt="o", ms=4, alpha=0.8, elinewidth=0.6)
            for r in g.nlargest(label_top, "mu_star").itertuples():
                ax.annotate(r.parameter, (r.mu_star, r.sigma), fontsize=7, xytext=(3, 3), textcoords="offset points")
            ax.set_xlabel(f"mu* ({unit} per plausible range)")
            ax.set_ylabel(f"sigma ({unit})")
        ax.set_title(f"{h}")
        ax.grid(alpha=0.3)
    fig.suptitle(f"Morris screening: {outcome} effect of {scenario}")
    return _save(fig, m, Path(out), f"morris_{scenario}_{outcome}")


def sobol_figure(analysis: Path, out: Path, scenario: str = "closure_90d", outcome: str = "recruits") -> list[Path]:
    path = Path(analysis) / "sobol_indices.csv"
    if not path.exists():
        return []
    s = pd.read_csv(path)
    s = s[(s.scenario == scenario) & (s.outcome == outcome)]
    if s.empty:
        return []
    plt = _plt()
    hs = _horizons(s)
    fig, axes = plt.subplots(1, len(hs), figsize=(4.5 * len(hs), 0.35 * s.parameter.nunique() + 1.5), squeeze=False)
    for ax, h in zip(axes[0], hs):
        g = s[s.horizon == h].sort_values("ST")
        y = np.arange(len(g))
        ax.barh(y - 0.2, g.S1, 0.4, xerr=g.S1_conf, label="S1 (first order)")
        ax.barh(y + 0.2, g.ST, 0.4, xerr=g.ST_conf, label="ST (total)")
        ax.set_yticks(y, g.parameter, fontsize=7)
        ax.set_xlabel("share of the effect's variance")
        ax.set_title(h)
        ax.grid(alpha=0.3, axis="x")
    axes[0][0].legend(fontsize=7)
    fig.suptitle(f"Sobol indices: {outcome} effect of {scenario}")
    return _save(fig, s, Path(out), f"sobol_{scenario}_{outcome}")


def prim_figure(analysis: Path, out: Path) -> list[Path]:
    path = Path(analysis) / "prim_boxes.csv"
    if not path.exists():
        return []
    b = pd.read_csv(path)
    steps = b[b.kind == "step"]
    if steps.empty:
        return []
    plt = _plt()
    fig, ax = plt.subplots(figsize=(5, 4))
    for d, g in steps.groupby("direction"):
        sc = ax.scatter(g.coverage, g.density, c=g.res_dim, cmap="viridis", s=14, label=d)
        ch = g[g.chosen.astype(bool)]
        ax.scatter(ch.coverage, ch.density, s=90, facecolors="none", edgecolors="red")
        ax.annotate(d, (g.coverage.iloc[-1], g.density.iloc[-1]), fontsize=8)
    fig.colorbar(sc, ax=ax, label="restricted parameters")
    ax.set_xlabel("coverage (share of cases of interest in the box)")
    ax.set_ylabel("density (share of the box that is of interest)")
    ax.set_title("PRIM peeling trajectory (chosen box circled)")
    ax.grid(alpha=0.3)
    paths = _save(fig, steps, Path(out), "prim_tradeoff")
    limits = b[b.kind == "limit"]
    atomic_write(Path(out) / "prim_box_limits.csv", lambda tmp: limits.to_csv(tmp, index=False))
    return [*paths, Path(out) / "prim_box_limits.csv"]


def ensemble_figure(analysis: Path, out: Path, outcomes: tuple[str, ...] = ("recruits", "members",
                                                                            "youth_unemployment_peak")) -> list[Path]:
    path = Path(analysis) / "effects.parquet"
    if not path.exists():
        return []
    e = pd.read_parquet(path)
    e = e[e.outcome.isin(outcomes)]
    if e.empty:
        return []
    plt = _plt()
    scen = list(dict.fromkeys(e.scenario))
    fig, axes = plt.subplots(len(outcomes), len(scen), figsize=(4.5 * len(scen), 3 * len(outcomes)), squeeze=False)
    rows = []
    for i, o in enumerate(outcomes):
        for j, s in enumerate(scen):
            g = e[(e.outcome == o) & (e.scenario == s)]
            hs = _horizons(g)
            data = [g[g.horizon == h].effect.to_numpy() for h in hs]
            ax = axes[i][j]
            if data:
                ax.boxplot(data, whis=(10, 90), showfliers=False)
                ax.set_xticks(range(1, len(hs) + 1), [f"{h}\nP(>0)={np.mean(d > 0):.2f}" for h, d in zip(hs, data)],
                              fontsize=7)
            ax.axhline(0, color="grey", lw=0.8)
            ax.set_ylabel(f"{o} ({UNITS.get(o, '')})", fontsize=8)
            ax.set_title(f"{s} vs {g.compared_to.iloc[0] if len(g) else ''}", fontsize=9)
            for h, d in zip(hs, data):
                rows.append({"scenario": s, "outcome": o, "horizon": h, "n": len(d), "p_positive": float(np.mean(d > 0)),
                             "q10": float(np.quantile(d, 0.1)), "median": float(np.median(d)),
                             "q90": float(np.quantile(d, 0.9))})
    fig.suptitle("Paired effects across the uncertainty space and seeds (box 25-75%, whiskers 10-90%)")
    fig.tight_layout()
    return _save(fig, pd.DataFrame(rows), Path(out), "ensemble_effects")


def all_figures(sweep_dir: Path) -> list[Path]:
    a = Path(sweep_dir) / "analysis"
    out = a / "figures"
    paths: list[Path] = []
    scenarios = []
    for name in ("morris_indices.csv", "sobol_indices.csv"):
        if (a / name).exists():
            scenarios += list(pd.read_csv(a / name, usecols=["scenario"]).scenario.unique())
    for s in dict.fromkeys(scenarios):
        paths += morris_figure(a, out, s) + sobol_figure(a, out, s)
    return paths + prim_figure(a, out) + ensemble_figure(a, out)


if __name__ == "__main__":
    from experiments.errors import fail

    if len(sys.argv) != 2 or not (Path(sys.argv[1]) / "analysis").is_dir():
        fail("usage: python -m experiments.analysis.figures DIR (an analysis directory with DIR/analysis/)")
    for p in all_figures(Path(sys.argv[1])):
        print(p)


def morris_markdown(morris_csv: Path, scenario: str = "closure_90d", outcome: str = "recruits",
                    top: int | None = None) -> str:
    """A Markdown table of a Morris screening for one scenario and outcome: one row per factor (sorted by
    mu* at the last horizon), mu* ± its half-width and mu at each horizon (docs/analysis.md)."""
    m = pd.read_csv(morris_csv)
    m = m[(m.scenario == scenario) & (m.outcome == outcome)]
    hs = _horizons(m)
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
