"""The report's analysis sections (sensitivity indices, ensembles, scenario discovery), read from analysis directories (``python -m experiments.analyze``
writes ``DIR/analysis/``; ``python -m experiments.report RUNS --analysis DIR`` adds them to a report):

- **Sensitivity**: Morris μ*/σ per horizon, and Sobol S1/ST bars with their intervals, for the effect on
  recruits of every scenario analysed;
- **Scenario discovery**: PRIM's peeling trajectories and the chosen boxes' limits, each with the share of its
  plausible range it keeps and its quasi-p value (Bryant and Lempert 2010);
- **The ensemble's answer**: per scenario (closures against the baseline, mitigations against their own
  closure), the distribution of each outcome's paired effect across the design's points and seeds, and
  P(effect > 0).

Nothing is re-run or re-estimated: the figures and tables are the analysis's own files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

import experiments.analysis.figures as drawing
from experiments.outcomes import BY_KEY

from .figures.common import FigureSpec, Output, Skip
from .data import BASELINE
from .tables import fmt, fmt_interval

DESIGNS = {"morris": "Morris trajectories", "sobol": "Saltelli sample", "lhs": "Latin hypercube"}
QP_SIGNIFICANT = 0.05  # a restriction with a larger quasi-p value is not told apart from chance


class AnalysisError(ValueError):
    """An analysis directory the report cannot read; the message is one line."""


@dataclass
class Analysis:
    """One complete analysis directory: its manifest and its files."""

    root: Path
    manifest: dict = field(repr=False)

    @property
    def dir(self) -> Path:
        return self.root / "analysis"

    @property
    def name(self) -> str:
        return self.root.name

    @property
    def method(self) -> str:
        return self.manifest["analysis"]["method"]

    def describe(self) -> str:
        """'morris_param: Morris trajectories, 990 points x 1 seed over 98 factors, scale 0.05, 730 days, model 0.8.0'."""
        m = self.manifest
        seeds = int(m.get("replicates", 1))
        group = m["analysis"].get("group_by", "parameter")
        factors = f"{len(m.get('parameters', []))} parameters" + (f" grouped by {group}" if group != "parameter" else "")
        return (f"{self.name}: {DESIGNS.get(self.method, self.method)}, {m['points']} points × {seeds} seed"
                f"{'s' if seeds != 1 else ''} over {factors}, scale {m.get('population_scale')}, {m.get('days')} days, "
                f"model {m.get('model_version')}")

    def read(self, name: str) -> pd.DataFrame | None:
        path = self.dir / name
        if not path.exists():
            return None
        return pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)


def load_analysis(path: Path | str) -> Analysis:
    """The complete analysis in ``path`` (its sweep directory, or the ``analysis/`` folder inside it)."""
    root = Path(path)
    if root.name == "analysis" and (root / "manifest.json").exists():
        root = root.parent
    manifest_path = root / "analysis" / "manifest.json"
    if not manifest_path.exists():
        raise AnalysisError(f"--analysis {path}: no analysis/manifest.json (a directory written by "
                            "python -m experiments.analyze ... hydra.sweep.dir=DIR)")
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as exc:
        raise AnalysisError(f"--analysis {path}: unreadable analysis/manifest.json ({exc})") from None
    if manifest.get("status") != "complete":
        raise AnalysisError(f"--analysis {path}: the analysis is not complete (status {manifest.get('status')!r}); "
                            "rerun its command to finish it")
    return Analysis(root, manifest)


# --------------------------------------------------------------------------- figures (report builders)


def _with_analysis(frames: list[tuple[Analysis, pd.DataFrame]]) -> pd.DataFrame:
    return pd.concat([f.assign(analysis=a.name) for a, f in frames], ignore_index=True) if frames else pd.DataFrame()


def sensitivity(analyses: list[Analysis]) -> Output:
    figures, morris, sobol = [], [], []
    for a in analyses:
        for kind, draw, store in (("morris", drawing.morris_figure, morris), ("sobol", drawing.sobol_figure, sobol)):
            table = a.read(f"{kind}_indices.csv")
            if table is None:
                continue
            store.append((a, table))
            for scenario in dict.fromkeys(table.scenario):
                fig = draw(table, scenario)
                if fig is not None:
                    figures.append(_caption(kind, a, scenario, fig, table))
    if not figures:
        raise Skip("no Morris or Sobol indices in the analysis directories")
    tables = {}
    if morris:
        tables["analysis_morris"] = _recruits_first(_with_analysis(morris), "mu_star")
    if sobol:
        tables["analysis_sobol"] = _recruits_first(_with_analysis(sobol), "ST")
    return Output(figures, tables)


def _caption(kind: str, a: Analysis, scenario: str, fig, table: pd.DataFrame) -> FigureSpec:
    top = _top_factors(table, scenario, "mu_star" if kind == "morris" else "ST")
    if kind == "morris":
        return FigureSpec(
            f"analysis_morris_{a.name}_{scenario}", f"Which assumptions move the effect of {scenario} on recruits "
            f"(Morris screening, {a.name})", fig,
            f"For each factor of the uncertainty space, how much the paired effect of {scenario} on cumulative "
            f"recruits changes when that factor moves across its plausible range (μ*, the mean absolute elementary "
            f"effect, with its 95% bootstrap interval) and how much that change depends on the other factors (σ), "
            f"at each horizon. Design: {a.describe()}. Largest μ* at the last horizon: {top}.",
            "Factors to the right matter; factors high up act through interactions or non-linearly. Factors near "
            "the origin can be fixed at any plausible value without changing the answer. μ* is in people at the "
            "simulated population's scale; one seed per point, so a μ* within its interval of the pack is noise.")
    return FigureSpec(
        f"analysis_sobol_{a.name}_{scenario}", f"How much of the effect's variance each assumption explains "
        f"(Sobol indices, {a.name})", fig,
        f"First-order (S1) and total (ST) Sobol indices of the paired effect of {scenario} on cumulative recruits, "
        f"with 95% bootstrap intervals, at each horizon. Design: {a.describe()}. Largest ST at the last horizon: "
        f"{top}.",
        "S1 is the share of the effect's variance a factor explains alone; ST adds its interactions. ST well above "
        "S1 means the factor matters through interactions; an interval that reaches zero means the sample cannot "
        "tell the factor from noise. The shares do not sum to one when factors interact or seeds add noise.")


def _top_factors(table: pd.DataFrame, scenario: str, column: str, n: int = 3) -> str:
    t = table[(table.scenario == scenario) & (table.outcome == "recruits")]
    hs = drawing.horizons_in(t)
    if not hs:
        return "none"
    last = t[t.horizon == hs[-1]].nlargest(n, column)
    return ", ".join(f"{r.parameter} ({getattr(r, column):.2f})" for r in last.itertuples())


def discovery(analyses: list[Analysis]) -> Output:
    figures, limits = [], []
    for a in analyses:
        boxes = a.read("prim_boxes.csv")
        if boxes is None:
            continue
        fig = drawing.prim_figure(boxes)
        if fig is None:
            continue
        p = a.manifest["analysis"]["prim"]
        chosen = boxes[(boxes.kind == "step") & boxes.chosen.astype(bool)]
        said = "; ".join(f"{r.direction}: coverage {r.coverage:.2f}, density {r.density:.2f}, {int(r.res_dim)} "
                         f"parameters restricted" for r in chosen.itertuples())
        figures.append(FigureSpec(
            f"analysis_prim_{a.name}", f"When does {p['scenario']} raise recruitment, and when lower it? (PRIM, "
            f"{a.name})", fig,
            f"PRIM looks for a box of parameter values in which the paired effect of {p['scenario']} on {p['outcome']} "
            f"at {p['horizon']} is {_beyond(p['threshold'])}. Each dot "
            f"is one step of peeling the box; the circled step is the chosen box ({said}). Design: {a.describe()}.",
            "Coverage is the share of all such cases that the box holds; density is the share of the box that are "
            "such cases. The chosen box's limits are in the table analysis_prim_boxes: a limit whose quasi-p value "
            f"is above {QP_SIGNIFICANT} cannot be told apart from chance, and one that keeps most of its plausible "
            "range says little."))
        limits.append((a, box_limits(boxes)))
    if not figures:
        raise Skip("no PRIM boxes in the analysis directories")
    return Output(figures, {"analysis_prim_boxes": _with_analysis(limits)})


def _beyond(threshold: float) -> str:
    if threshold == 0:
        return "above zero (raises) or below zero (lowers)"
    return f"above {threshold:g} (raises) or below −{threshold:g} (lowers)"


def _recruits_first(table: pd.DataFrame, by: str) -> pd.DataFrame:
    """Index rows for a reader: recruits first, horizons in time order, the largest ``by`` first."""
    order = {h: i for i, h in enumerate(drawing.HORIZONS)}
    keys = pd.DataFrame({"other": table["outcome"] != "recruits", "h": table["horizon"].map(order), "v": -table[by]})
    return table.loc[keys.sort_values(["other", "h", "v"], kind="stable").index].reset_index(drop=True)


def box_limits(boxes: pd.DataFrame) -> pd.DataFrame:
    """The chosen boxes' limits as a reader's table: direction, parameter, limits in its unit, the share of the
    plausible range kept, the quasi-p value (when the analysis recorded it) and whether it is significant."""
    lim = boxes[boxes.kind == "limit"].copy()
    if lim.empty:
        return pd.DataFrame(columns=["direction", "parameter", "unit", "limits", "share_of_range_kept", "qp",
                                     "significant"])
    for column in ("low", "high", "range_low", "range_high", "values", "qp_low", "qp_high"):
        if column not in lim:  # e.g. a box restricting only a categorical has no numeric limits
            lim[column] = np.nan
    span = lim["range_high"] - lim["range_low"]
    lim["share_of_range_kept"] = ((lim["high"] - lim["low"]) / span.where(span > 0)).round(2)
    lim["limits"] = [v if isinstance(v, str) else f"{lo:.4g} to {hi:.4g}"
                     for v, lo, hi in zip(lim["values"], lim["low"], lim["high"])]
    lim["qp"] = lim[["qp_low", "qp_high"]].min(axis=1)  # the stronger side
    lim["significant"] = np.where(lim["qp"].notna(), np.where(lim["qp"] <= QP_SIGNIFICANT, "yes", "no"), "")
    out = lim[["direction", "parameter", "unit", "limits", "share_of_range_kept", "qp", "significant", "coverage",
               "density"]]
    return out.sort_values(["direction", "qp"], ascending=[False, True], kind="stable").reset_index(drop=True)


def ensemble(analyses: list[Analysis]) -> Output:
    figures, tables = [], []
    for a in analyses:
        effects = a.read("effects.parquet")
        if effects is None or effects.empty:
            continue
        fig = drawing.ensemble_figure(effects)
        if fig is None:
            continue
        caveat = ("" if a.method == "lhs" else f" The points are a {DESIGNS.get(a.method, a.method)} design, not a "
                  "random sample of the space: read the shares as indicative; a Latin hypercube analysis "
                  "(+analysis=prim) gives the representative ensemble.")
        figures.append(FigureSpec(
            f"analysis_ensemble_{a.name}", f"The ensemble's answer: how often each effect is positive ({a.name})", fig,
            f"Each box is the distribution, over every point of the design and every seed, of a paired effect "
            f"(scenario minus what it is compared with, same parameters and seed) at each horizon; below each box, "
            f"'>0' and '<0' are the shares of pairs in which the effect is positive and negative (the rest have no "
            f"effect at all). Design: {a.describe()}.{caveat}",
            "A box wholly above zero means the effect has that sign whatever the assumptions within their plausible "
            "ranges; a box straddling zero means the sign depends on assumptions (the sensitivity and discovery "
            "figures say which). All outcomes are in the table analysis_ensemble."))
        tables.append((a, ensemble_table(effects)))
    if not figures:
        raise Skip("no paired effects in the analysis directories")
    return Output(figures, {"analysis_ensemble": _with_analysis(tables)})


def ensemble_table(effects: pd.DataFrame) -> pd.DataFrame:
    """One row per comparison and outcome, one column per horizon: 'median [10%, 90%] · P(>0) · P(<0)'."""
    rows = []
    for (scen, ref, outcome), g in effects.groupby(["scenario", "compared_to", "outcome"], sort=False):
        if outcome not in BY_KEY:
            continue
        o = BY_KEY[outcome]
        hs = drawing.horizons_in(g)
        row = {"Comparison": f"{scen} − {ref}", "Outcome": f"{o.label} ({o.unit})",
               "Pairs": int((g.horizon == hs[0]).sum()) if hs else 0}
        for h in hs:
            v = g[g.horizon == h]["effect"].to_numpy(dtype=float)
            v = v[np.isfinite(v)]
            if len(v):
                cell = fmt_interval(np.median(v), np.quantile(v, 0.1), np.quantile(v, 0.9), o.decimals)
                row[h] = f"{cell} · P(>0) = {np.mean(v > 0):.2f} · P(<0) = {np.mean(v < 0):.2f}"
        rows.append(row)
    return pd.DataFrame(rows)


BUILDERS = [("9", "sensitivity analysis", sensitivity), ("10", "scenario discovery", discovery),
            ("11", "the ensemble's answer", ensemble)]


def builders(analyses: list[Analysis]) -> list:
    """(number, name, builder(res, styles)) for the report's figure machinery."""
    return [(n, name, lambda _res, _styles, f=f: f(analyses)) for n, name, f in BUILDERS]


# --------------------------------------------------------------------------- key findings


def ensemble_findings(analyses: list[Analysis]) -> list[str]:
    """The ensemble's answer on recruits in words, for the key findings: per analysis and scenario, the share of
    pairs in which recruits rise at each horizon, and the median effect."""
    out = []
    for a in analyses:
        effects = a.read("effects.parquet")
        if effects is None or effects.empty:
            continue
        rec = effects[effects.outcome == "recruits"]
        design = "" if a.method == "lhs" else "; not a random sample of the space, so the shares are indicative"
        for (scen, ref), g in rec.groupby(["scenario", "compared_to"], sort=False):
            mitigation = ref != BASELINE  # a mitigation helps when it lowers recruits below its own closure's
            parts, unsettled = [], []
            for h in drawing.horizons_in(g):
                v = g[g.horizon == h]["effect"].to_numpy(dtype=float)
                share = float(np.mean(v < 0 if mitigation else v > 0))
                median = fmt(np.median(v), sign=True)
                parts.append(f"{share:.0%} of the pairs at {h} (median {median} people)" if not parts else
                             f"{share:.0%} at {h} ({median})")
                if 0.2 < share < 0.8:
                    unsettled.append(h)
            verb = f"lowers cumulative recruits below {ref} (its own closure)" if mitigation else \
                f"raises cumulative recruits above {ref}"
            text = (f"Across the uncertainty space ({a.describe()}{design}), {scen} {verb} in "
                    + ", ".join(parts[:-1]) + (" and " if len(parts) > 1 else "") + parts[-1] + ".")
            if unsettled:
                seeds = int(a.manifest.get("replicates", 1))
                text += (f" At {', '.join(unsettled)} the sign is not settled: it differs across the assumptions and "
                         f"the seeds ({seeds} seed{'s' if seeds != 1 else ''} per point)")
                text += "." if mitigation else "; figures 9 and 10 say which assumptions matter."
            out.append(text)
    return out
