"""The report's first page: what the answer is and what it rests on.

- **The answer**, two sentences per comparison: the direction, size and timing of the recruitment effect, then
  the livelihood effect (a closure against the open border; a mitigation against its own closure).
- **Structural choices**: every declared structural choice (``sim.params.STRUCTURAL``, e.g. the groups'
  allocation rule) with the value(s) in force, and the recruitment effect under each alternative that was run,
  side by side (one row per alternative); the command that runs the others when only one was.
- **What the intervals cover**: seed noise, posterior members of a calibration (when the runs drew them), and
  the plausible parameter space (only when an analysis directory was given; otherwise the command that explores it).

Every number comes from the comparisons' effects (:mod:`.effects`), the same rows as ``tables/findings.csv`` and
``report.json``; :func:`page_one` returns them as data (``report.json["page_one"]``) and the sentences quote them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from experiments.outcomes import (BY_KEY, CLOSURE_END, CONFIDENCE, END_OF_RUN, HORIZONS, MIN_PAIRS, ONE_YEAR_AFTER,
                                  SIX_MONTHS_AFTER, enough_pairs)

from .data import BASELINE, Results, structural_choices
from .effects import Comparisons
from .methods import TOO_FEW, _closure_words, detectable
from .tables import fmt, span

SHOWN = 2  # closures (against the open border) and mitigations (against their closure) answered on page 1
TABLE_OUTCOMES = ("recruits", "members")  # the structural table: recruitment at every post-closure horizon
TABLE_HORIZONS = (CLOSURE_END, SIX_MONTHS_AFTER, ONE_YEAR_AFTER)
ENSEMBLE_COMMAND = ("python -m experiments.analyze +analysis=ensemble population.scale=0.05 days=730 "
                    "hydra.sweep.dir=results/analysis/ensemble, then python -m experiments.report DIR "
                    "--analysis results/analysis/ensemble")


@dataclass
class PageOne:
    """What page 1 shows, as text and as data (``numbers``: every effect it quotes, for report.json)."""

    scope: str
    answers: list[tuple[str, list[str]]]  # (comparison, its sentences)
    choices: list[str]  # one line per structural choice in force
    tables: list[tuple[str, pd.DataFrame, str]]  # (comparison, one row per structural alternative, a note)
    missing_alternatives: str  # the command that runs the structural alternatives not in the results ("" if none)
    coverage: list[str]  # what the intervals cover, one line each
    numbers: list[dict] = field(default_factory=list)

    def record(self) -> dict:
        return {"scope": self.scope, "answers": [{"comparison": c, "sentences": s} for c, s in self.answers],
                "structural_choices": self.choices, "missing_alternatives": self.missing_alternatives,
                "structural_tables": [{"comparison": c, "rows": t.to_dict(orient="records"), "note": n}
                                      for c, t, n in self.tables],
                "intervals_cover": self.coverage, "numbers": self.numbers}


def shown(r, decimals: int = 0, sign: bool = True) -> str:
    """An effect as page 1 writes it: '+80 (+49 to +111)', the mean and its 90% interval ('no interval' with one
    pair)."""
    mean = fmt(r["mean"], decimals, sign=sign)
    if not np.isfinite(r["ci_low"]):
        return f"{mean} (no interval)"
    return f"{mean} ({fmt(r['ci_low'], decimals, sign=sign)} to {fmt(r['ci_high'], decimals, sign=sign)})"


def _quote(numbers: list[dict], comps: Comparisons, variant: str, outcome: str, horizon: str,
           choices: dict | None = None) -> tuple[str, object]:
    """The effect as page 1 shows it, noted in ``numbers`` (what report.json's page_one lists)."""
    r = comps.effect(variant, outcome, horizon)
    if r is None:
        return "–", None
    o = BY_KEY[outcome]
    unit = {"percentage points": " pp", "% of the open-border price": "%"}.get(o.unit, "")
    text = shown(r, o.decimals if abs(r["mean"]) < 100 else 0) + unit
    numbers.append({"comparison": f"{variant} − {r['compared_to']}", "outcome": outcome, "horizon": horizon,
                    "day": int(r["day"]), "unit": o.unit, "mean": float(r["mean"]), "ci_low": _f(r["ci_low"]),
                    "ci_high": _f(r["ci_high"]), "n_pairs": int(r["n_pairs"]), "shown": text,
                    **({"structural_choices": choices} if choices else {})})
    return text, r


def _f(v) -> float | None:
    return float(v) if v is not None and np.isfinite(v) else None


def verdict(r, more: str = "more", fewer: str = "fewer") -> str:
    """What an effect lets the reader say, as strong as the evidence: no direction below :data:`MIN_PAIRS` pairs
    or when the interval includes zero (:func:`.methods.detectable`)."""
    if r is None:
        return "not measured"
    if not enough_pairs(r):
        return TOO_FEW
    if not detectable(r, BY_KEY[r["outcome"]].decimals):
        return "cannot be told from zero"
    return more if r["mean"] > 0 else fewer


def _late_horizon(comps: Comparisons, variant: str) -> str:
    """The horizon that answers "after the closure": a year after it, else six months, else the end of the run."""
    have = set(comps.effects.loc[comps.effects["variant"] == variant, "horizon"])
    for h in (ONE_YEAR_AFTER, SIX_MONTHS_AFTER, END_OF_RUN):
        if h.label in have:
            return h.label
    return END_OF_RUN.label


def _closure_end(comps: Comparisons, variant: str) -> str:
    """The horizon that answers "by the closure's end": the closure's end when measured, else the end of the run."""
    return CLOSURE_END.label if comps.effect(variant, "recruits", CLOSURE_END.label) is not None else END_OF_RUN.label


PHRASE = {h.label: h.phrase for h in HORIZONS}


def _structures_say(alternatives: list[Results], variant: str, horizon: str) -> str:
    """When the verdict on recruits at ``horizon`` differs across the structural alternatives run: which says
    what ("" when they agree or only one was run)."""
    said: dict[str, list[str]] = {}
    for alt in alternatives:
        if alt.comparisons is None:
            continue
        r = alt.comparisons.effect(variant, "recruits", horizon)
        if r is not None:
            said.setdefault(verdict(r), []).append(", ".join(alt.choices.values()))
    if len(said) < 2:
        return ""
    return ("; the direction depends on the structure: " + "; ".join(f"{words} under {', '.join(names)}"
                                                                   for words, names in said.items())
            + " (table below)")


def _recruitment(res: Results, variant: str, numbers: list[dict], against: str,
                 alternatives: list[Results] = ()) -> str:
    """The recruitment sentence: the verdict after the closure (and whether the structures disagree on it), then
    cumulative recruits at the closure's end and at the late horizon, and members then."""
    comps = res.comparisons
    late = _late_horizon(comps, variant)
    end = _closure_end(comps, variant)
    at_end, r_end = _quote(numbers, comps, variant, "recruits", end)
    at_late, r_late = _quote(numbers, comps, variant, "recruits", late)
    members, r_m = _quote(numbers, comps, variant, "members", late)
    day_end, day_late = int(r_end["day"]), int(r_late["day"])
    words = verdict(r_late, f"more recruits than {against}", f"fewer recruits than {against}")
    if len(alternatives) > 1:
        words += " under the default structure" + _structures_say(alternatives, variant, late)
    return (f"Recruitment {PHRASE[late]}: {words}. Cumulative recruits {at_end} by the closure's end (day {day_end}; "
            f"{verdict(r_end)}) and {at_late} by day {day_late} ({verdict(r_late)}); militant members on day "
            f"{day_late}: {members} ({verdict(r_m)}).")


def closure_answer(res: Results, variant: str, numbers: list[dict], alternatives: list[Results] = ()) -> list[str]:
    comps = res.comparisons
    end = _closure_end(comps, variant)
    jobs, _ = _quote(numbers, comps, variant, "jobs_lost_peak", end)
    youth, _ = _quote(numbers, comps, variant, "youth_unemployment_peak", end)
    food, _ = _quote(numbers, comps, variant, "food_insecure_peak", end)
    return [_recruitment(res, variant, numbers, "with the border open", alternatives),
            f"Livelihoods by the closure's end: {jobs} jobs lost at the low point of employment; peak youth "
            f"unemployment {youth} and peak food-insecure households {food} against the open border."]


def mitigation_answer(res: Results, variant: str, numbers: list[dict], alternatives: list[Results] = ()
                      ) -> list[str]:
    comps = res.comparisons
    end = _closure_end(comps, variant)
    food, _ = _quote(numbers, comps, variant, "food_insecure_closure_mean", end)
    jobs, _ = _quote(numbers, comps, variant, "jobs_lost_peak", end)
    spend, _ = _quote(numbers, comps, variant, "spending", END_OF_RUN.label)
    return [_recruitment(res, variant, numbers, "the closure alone", alternatives),
            f"Livelihoods: change in food-insecure households over the closure {food}; change in jobs lost at "
            f"the low point {jobs}; extra policy spending over the run PKR {spend} million."]


def structural_table(alternatives: list[Results], variant: str, numbers: list[dict]) -> pd.DataFrame:
    """One row per structural alternative: the comparison's effect on cumulative recruits and members at each
    post-closure horizon (horizons no run reaches left out)."""
    swept = [k for k in structural_choices() if len({a.choices[k] for a in alternatives}) > 1] or \
        list(structural_choices())
    rows = []
    for alt in alternatives:
        comps = alt.comparisons
        if comps is None or variant not in set(comps.effects["variant"]):
            continue
        default = all(str(structural_choices()[k].default) == v for k, v in alt.choices.items())
        row = {"Structure": ", ".join(alt.choices[k] for k in swept) + (" (default)" if default else "")}
        for outcome in TABLE_OUTCOMES:
            for h in TABLE_HORIZONS:
                text, _ = _quote(numbers, comps, variant, outcome, h.label, choices=alt.choices)
                row[f"{BY_KEY[outcome].short.capitalize()}, {h.label}"] = text
        rows.append(row)
    table = pd.DataFrame(rows)
    empty = [c for c in table.columns[1:] if (table[c] == "–").all()]
    return table.drop(columns=empty)


def identical_rows(table: pd.DataFrame) -> str:
    """A note when two structures give the same numbers (so that a reader does not take it for a copying
    error)."""
    if len(table) < 2:
        return ""
    values = table.drop(columns=["Structure"]).astype(str).agg("|".join, axis=1)
    same = [" and ".join(table.loc[list(idx), "Structure"].str.replace(" (default)", "", regex=False))
            for idx in table.groupby(values).groups.values() if len(idx) > 1]
    if not same:
        return ""
    return (f"Identical rows ({'; '.join(sorted(same))}): those structures led to the same recruitment in every "
            "pair; they differ only in how a shortfall of the groups' funds is shared.")


def across_space(studies: list, variants: list[str]) -> str:
    """The analyses' answer for the comparisons page 1 shows, in one line each: the share of the space's points
    at which each raises recruits (a mitigation: lowers them), at each horizon."""
    lines = []
    for a in studies:
        effects = a.read("effects.parquet")
        if effects is None or effects.empty:
            continue
        rec = effects[(effects["outcome"] == "recruits") & effects["scenario"].isin(variants)]
        for (scen, ref), g in rec.groupby(["scenario", "compared_to"], sort=False):
            mitigation = ref != BASELINE
            shares = []
            for h in HORIZONS:
                v = g.loc[g["horizon"] == h.label, "effect"].to_numpy(dtype=float)
                if len(v):
                    share = f"{float(np.mean(v < 0 if mitigation else v > 0)):.0%}"
                    shares.append(f"{share} at {h.label}" if shares else f"{share} of the points at {h.label}")
            lines.append(f"{scen} {'lowers' if mitigation else 'raises'} recruits at " + ", ".join(shares))
        if lines:
            design = a.describe().split(": ", 1)[-1]
            return f"explored by an analysis, not in the intervals above — {design}: " + "; ".join(lines) + " (figure 11)."
    return ""


def coverage(res: Results, studies: list, variants: list[str]) -> list[str]:
    """What the intervals cover and what they do not."""
    n = res.comparisons.effects["n_pairs"]
    pairs = span(n)
    runs = res.main
    seeds = f"Seed noise: yes — {CONFIDENCE:.0%} t-intervals over {pairs} paired runs (each pair shares its seed)."
    if len(n) and n.min() < MIN_PAIRS:
        seeds += f" Below {MIN_PAIRS} pairs no direction is named."
    members = runs["calibration_member"].nunique() if "calibration_member" in runs else 0
    calibration = sorted({str(v) for v in runs["calibration"].dropna()}) if "calibration" in runs else []
    if members > 1:
        post = (f"Parameter uncertainty of the household economy: yes — the runs draw {members} members of the "
                f"{', '.join(calibration)} posterior (one per replicate), pooled with the seeds.")
    elif calibration:
        post = (f"Parameter uncertainty of the household economy: no — every run uses the best member of "
                f"{', '.join(calibration)}; add calibration.draw=posterior to draw one member per replicate.")
    else:
        post = ("Parameter uncertainty of the household economy: no — default parameters (no calibration overlay; "
                "+calibration=hies2019 calibration.draw=posterior draws posterior members).")
    space = across_space(studies, variants)
    if space:
        space = "The plausible parameter space (the uncalibrated parameters and structures): " + space
    else:
        space = ("The plausible parameter space (recruitment's own parameters, which are not calibrated): not explored "
                 f"in this report. Explore it with {ENSEMBLE_COMMAND}.")
    return [seeds, post, space]


def missing_alternatives(res: Results, alternatives: list[Results]) -> str:
    """The command that runs the structural alternatives the results lack ("" when every one was run)."""
    run = {tuple(a.choices.items()) for a in alternatives}
    lacking = {k: [c for c in e.spec.choices if not any(dict(r)[k] == str(c) for r in run)]
               for k, e in structural_choices().items()}
    lacking = {k: v for k, v in lacking.items() if v}
    if not lacking:
        return ""
    scenarios = ",".join(s for s in res.scenarios if s in set(res.main["scenario"]))
    n = int(res.comparisons.effects["n_pairs"].max()) if len(res.comparisons.effects) else MIN_PAIRS
    sweep = " ".join(f"{k}={','.join(map(str, structural_choices()[k].spec.choices))}" for k in lacking)
    return (f"Not run under {'; '.join(f'{k} = ' + ', '.join(map(str, v)) for k, v in lacking.items())}. Run them "
            f"with: python -m experiments.run -m scenario={scenarios} {sweep} replicates={max(n, MIN_PAIRS)} "
            f"population.scale={res.scale:g} days={int(res.runs['n_days'].max())} hydra.sweep.dir=DIR, and report DIR.")


def page_one(res: Results, alternatives: list[Results], studies: list = ()) -> PageOne:
    """Page 1 from the main results (the default structure) and every structural alternative (``res`` first)."""
    comps = res.comparisons
    numbers: list[dict] = []
    answers = []
    closures, mitigations = comps.variants(reference=BASELINE), comps.variants(mitigations=True)
    for v in closures[:SHOWN]:
        scen = comps.effects.loc[comps.effects["variant"] == v, "scenario"].iloc[0]
        answers.append((f"{v} against the open border ({_closure_words(res, res.window(scen))})",
                        closure_answer(res, v, numbers, alternatives)))
    for v in mitigations[:SHOWN]:
        ref = comps.effects.loc[comps.effects["variant"] == v, "compared_to"].iloc[0]
        answers.append((f"{v} against {ref} alone", mitigation_answer(res, v, numbers, alternatives)))
    choices = []
    for k, e in structural_choices().items():
        values = sorted({a.choices[k] for a in alternatives})
        what = e.spec.doc.split(" (")[0].split(". ")[0]
        choices.append(f"{k}: {what}. Run: {', '.join(values)} (default {e.default}; options "
                       f"{', '.join(map(str, e.spec.choices))}).")
    more = len(closures[SHOWN:]) + len(mitigations[SHOWN:])
    if more:
        answers.append((f"{more} more comparison(s)", ["Their effects are in the table of effects at fixed horizons "
                                                       "below and in tables/findings.csv."]))
    tables = []
    for v in closures[:SHOWN] + mitigations[:SHOWN]:
        table = structural_table(alternatives, v, numbers)
        if len(table):
            ref = comps.effects.loc[comps.effects["variant"] == v, "compared_to"].iloc[0]
            tables.append((f"{v} − {ref}", table, identical_rows(table)))
    if len(alternatives) == 1 and tables:  # one structure run: one row per comparison, in one table
        rows = [t.drop(columns="Structure").assign(Comparison=c) for c, t, _ in tables]
        table = pd.concat(rows, ignore_index=True)
        tables = [(f"Every comparison, under {', '.join(f'{k}={v}' for k, v in res.choices.items())} (the only "
                   "structure run)", table[["Comparison", *table.columns[:-1]]], "")]
    scope = (f"Population scale {res.scale:g} of the census; counts are full-population equivalents (÷ {res.scale:g}). "
             f"{int(res.runs['n_days'].max())} days; model {', '.join(sorted(set(map(str, res.runs['model_version']))))}."
             if res.scale != 1 else
             f"Full census population; {int(res.runs['n_days'].max())} days; model "
             f"{', '.join(sorted(set(map(str, res.runs['model_version']))))}.")
    return PageOne(scope, answers, choices, tables, missing_alternatives(res, alternatives),
                   coverage(res, studies, closures[:SHOWN] + mitigations[:SHOWN]), numbers)
