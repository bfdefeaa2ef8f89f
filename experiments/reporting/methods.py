"""Text generated from the results: key findings and the methods section (shared by HTML and PDF)."""

from __future__ import annotations

import functools
import json
from pathlib import Path

import numpy as np
import pandas as pd

from sim.config import CHANNELS

from .data import BASELINE, Results
from experiments.outcomes import (BY_KEY, CLOSURE_END, CONFIDENCE, END_OF_RUN, HORIZONS, MIN_PAIRS, ONE_YEAR_AFTER,
                                  OUTCOMES, SIX_MONTHS_AFTER, UNIT_ONE, enough_pairs, excludes_zero)
from .stats import BAND, INTERVAL
from .tables import fmt


def _values(series: pd.Series) -> str:
    vals = sorted({str(v) for v in series.dropna()})
    return ", ".join(vals) if vals else "–"


def _seeds(seeds) -> str:
    s = sorted(int(x) for x in set(seeds))  # unique, so consecutive iff the span equals the count
    if len(s) > 2 and s[-1] - s[0] == len(s) - 1:
        return f"{s[0]}–{s[-1]}"
    return ", ".join(map(str, s))


def _date(res: Results, day: float) -> str:
    x = res.to_x([day])[0]
    if isinstance(x, np.datetime64):
        d = pd.Timestamp(x)
        return f"{d.day} {d:%b %Y}"
    return f"day {int(day)}"


def _ci(r, decimals: int = 0, unit: str = "", sign: bool = True) -> str:
    """'+12 (90% interval +5 to +20)'; no interval with one pair; 'in every pair' when all pairs agree."""
    u = ("" if unit.startswith("%") else " ") + unit if unit else ""
    mean = fmt(r["mean"], decimals, sign=sign)
    if not np.isfinite(r["ci_low"]):
        return f"{mean}{u} (one pair: no interval)"
    if r["ci_low"] == r["ci_high"]:
        return f"{mean}{u} (the same in every pair)"
    return (f"{mean}{u} (90% interval {fmt(r['ci_low'], decimals, sign=sign)} to "
            f"{fmt(r['ci_high'], decimals, sign=sign)})")


def detectable(r, decimals: int = 0) -> bool:
    """Enough pairs (:data:`MIN_PAIRS`), a 90% interval that excludes zero, and an effect that does not round to
    zero where it is shown: only then does the report name a direction ("raises", "reduces", "detectable")."""
    return (enough_pairs(r) and excludes_zero(r) and fmt(r["mean"], decimals) != "0"
            and float(fmt(abs(r["mean"]), decimals).replace(",", "")) > 0)


TOO_FEW = f"too few pairs to tell (fewer than {MIN_PAIRS})"


def _zero_note(r) -> str:
    if not enough_pairs(r):
        return f", {TOO_FEW}"
    return "" if excludes_zero(r) else ", which cannot be told apart from zero"


def shape_of_members(comps, variant: str, window) -> str:
    """Membership's paired difference over time, in words: when it peaks (day of the largest mean paired
    difference) and whether and when it returns; the sizes quoted are the findings' (members at each horizon)."""
    res = comps.res
    d = comps.difference_series(variant, "militants")
    if d.empty or not window.closed:
        return ""
    e = comps.effects[(comps.effects["variant"] == variant) & (comps.effects["outcome"] == "members")]
    at = {r["horizon"]: r for _, r in e.iterrows()}
    d = d[d["day"] >= window.start].reset_index(drop=True)
    end = window.last_restricted_day
    i = int(d["mean"].abs().idxmax())
    peak_day, peak = int(d.loc[i, "day"]), float(d.loc[i, "mean"])
    if abs(peak) < 1:
        return "membership stays within one member of the baseline throughout"
    word = "rises" if peak > 0 else "falls"
    when = (f"{peak_day - end} days after the closure ends" if peak_day > end else
            "on the closure's last day" if peak_day == end else f"{end - peak_day} days before the closure ends")
    text = f"membership {word} during the closure"
    if CLOSURE_END.label in at:
        text += f" ({_ci(at[CLOSURE_END.label], unit='members')} by its end)"
    text += f"; the difference is largest on day {peak_day} ({_date(res, peak_day)}, {when})"
    later = [f"{_ci(at[h.label])} {h.phrase}" for h in HORIZONS if h.label in at and h != CLOSURE_END]
    after = d[d["day"] > peak_day]
    back = after[(after["mean"] * np.sign(peak)) <= 0.1 * abs(peak)]
    if back.empty:
        text += " and has not returned to the baseline by the end of the run"
    else:
        day = int(back["day"].iloc[0])
        text += (f", and by day {day} ({_date(res, day)}, {day - end} days after the closure ends) it has shrunk to "
                 f"a tenth of that largest difference or less")
        rest = d[d["day"] >= day]
        low = rest.loc[(rest["mean"] * np.sign(peak)).idxmin()]
        if float(low["mean"]) * np.sign(peak) < -0.1 * abs(peak):
            text += (f"; it then swings {'below' if peak > 0 else 'above'} the baseline (largest on day "
                     f"{int(low['day'])})")
    if later:
        text += ": " + ", ".join(later)
    return text


def _closure_words(res: Results, window) -> str:
    if not window.closed:
        return "no closure"
    end = window.last_restricted_day
    return f"border closed on days {int(window.start)}–{end}, {_date(res, window.start)} – {_date(res, end)}"


def closure_finding(comps, variant: str) -> str:
    """One paragraph for a scenario compared with the baseline: recruitment (size and shape), food, jobs."""
    res = comps.res
    e = comps.effects[comps.effects["variant"] == variant]
    run_id = comps.pairs.loc[comps.pairs["variant"] == variant, "run_id"].iloc[0]
    window = res.window(res.main.loc[res.main["run_id"] == run_id].iloc[0])  # this variant's own closure
    n = int(e["n_pairs"].max())
    ce = CLOSURE_END.label if (e["horizon"] == CLOSURE_END.label).any() else END_OF_RUN.label
    parts = [f"{variant} ({_closure_words(res, window)}) compared with the open border, {n} paired runs."]
    get = functools.partial(comps.effect, variant)  # this variant's effect on an outcome at a horizon
    rec, rec_end = get("recruits", ce), get("recruits", END_OF_RUN.label)
    text = f"Recruitment: {_ci(rec)} recruits cumulative to the {ce}{_zero_note(rec)}"
    shape = shape_of_members(comps, variant, window)
    if shape:
        text += f"; {shape}"
    if rec_end is not None and ce != END_OF_RUN.label:
        text += (f". Cumulative to the end of the run: {_ci(rec_end)}{_zero_note(rec_end)} — a total whose size and "
                 "sign depend on the run length, so read it with the horizons above")
    parts.append(text + ".")
    fi, fm, fp = get("food_insecure_peak", ce), get("food_insecure_closure_mean", ce), get("food_price_peak", ce)
    if fi is not None:
        d = comps.diffs[(comps.diffs["variant"] == variant) & (comps.diffs["outcome"] == "food_insecure_peak")
                        & (comps.diffs["horizon"] == ce)]
        text = (f"Food: food-insecure households peak at {fmt(d['value'].mean() * 100, 1)}% against "
                f"{fmt(d['reference'].mean() * 100, 1)}% with the border open, {_ci(fi, 1, 'pp')}{_zero_note(fi)}")
        if fm is not None:
            text += f"; over the closure they average {_ci(fm, 1, 'pp')} higher"
        if fp is not None:
            text += f"; food prices peak {_ci(fp, 1, '%')} above the open-border level"
        parts.append(text + ".")
    jl, tx, yu = get("jobs_lost_peak", ce), get("traders_exited", ce), get("youth_unemployment_peak", ce)
    if jl is not None:
        text = f"Jobs: {_ci(jl, sign=False)} jobs lost at the low point of employment{_zero_note(jl)}"
        trade = get("trade_jobs_lost_peak", ce)
        if trade is not None:  # the rest: services employment follows the local demand index (ODD §7.7)
            text += (f" (direct trade jobs fall by up to {fmt(trade['mean'])}; the rest are local jobs that lose "
                     "demand as households spend less: one local multiplier, ODD §7.7.3)")
        if tx is not None:
            tx_end = get("traders_exited", END_OF_RUN.label)
            text += f"; {_ci(tx, sign=False)} traders exited (net) by the {ce}"
            if tx_end is not None and ce != END_OF_RUN.label:
                text += f" and {fmt(tx_end['mean'])} (net of re-entry) by the end of the run"
        if yu is not None:
            text += f"; youth unemployment peaks {_ci(yu, 1, 'pp')} higher"
        parts.append(text + ".")
    return " ".join(parts)


COST_OUTCOMES = ("recruits", "youth_unemployment_peak", "food_insecure_peak", "jobs_lost_peak")


def _sig3(v: float) -> str:
    if not np.isfinite(v):
        return "–"
    if abs(v) >= 100:
        return f"{v:,.0f}"
    return f"{float(f'{v:.3g}'):,g}"


def mitigation_finding(comps, variant: str, costs: pd.DataFrame) -> str:
    """One paragraph for a mitigation against its own closure: what it detectably changes (first horizon at which
    the interval excludes zero), what it does not, and the cost per unit averted."""
    e = comps.effects[comps.effects["variant"] == variant]
    ref = e["compared_to"].iloc[0]
    n = int(e["n_pairs"].max())
    helps, harms, unclear = [], [], []
    for o in OUTCOMES:
        if o.key in ("spending", "members"):
            continue
        rows = e[e["outcome"] == o.key]
        if rows.empty:
            continue
        sig = rows[[detectable(r, o.decimals) for _, r in rows.iterrows()]]
        if sig.empty:
            unclear.append(o.name)
            continue
        r = sig.iloc[0]
        unit = {"people": "", "jobs": "", "traders": "", "percentage points": "pp"}.get(o.unit, o.unit)
        unit = "%" if unit.startswith("%") else unit
        k = -1.0 if r["mean"] < 0 else 1.0  # said as "reduces ... by" / "raises ... by"
        shown = {"mean": k * r["mean"], "ci_low": min(k * r["ci_low"], k * r["ci_high"]),
                 "ci_high": max(k * r["ci_low"], k * r["ci_high"])}
        item = f"{o.name} by {_ci(shown, o.decimals, unit, sign=False)} by the {r['horizon']}"
        (helps if r["mean"] < 0 else harms).append(item)
    text = f"{variant} compared with its own closure ({ref}), {n} paired runs: "
    if n < MIN_PAIRS:
        text += f"{TOO_FEW}: no reduction or rise is named"
        helps, harms, unclear = [], [], []
    else:
        text += ("it reduces " + "; ".join(helps)) if helps else "it reduces no outcome detectably"
    if harms:
        text += "; it raises " + "; ".join(harms)
    if unclear:
        text += ". No detectable change (every 90% interval includes zero): " + ", ".join(unclear)
    c = costs[costs["scenario_variant"] == variant] if len(costs) else costs
    if len(c) and c["cost_note"].str.startswith("cost not modelled").all():
        text += ". Its cost is not modelled"
    elif len(c):
        text += (f". It costs PKR {_sig3(c['extra_spending_pkr_m'].iloc[0])} million more over the "
                 "run (full-population equivalent)")
        priced = c[np.isfinite(c["cost_per_unit_pkr_m"]) & c["outcome"].isin(COST_OUTCOMES)]
        items = []
        for r in priced.itertuples():
            o = BY_KEY[r.outcome]
            items.append(f"PKR {_sig3(r.cost_per_unit_pkr_m)} million per {UNIT_ONE.get(o.unit, o.unit)} of "
                         f"{o.name} averted (90% interval {_sig3(r.cost_ci_low)} to {_sig3(r.cost_ci_high)})")
        if items:
            text += ", by the end of the run " + "; ".join(items)
    return text + "."


def which_mitigation(comps) -> list[str]:
    """Across mitigations: per outcome, which detectably help; never a winner among intervals that include zero."""
    variants = comps.variants(mitigations=True)
    if len(variants) < 2:
        return []
    e = comps.effects[comps.effects["variant"].isin(variants)]
    helped, none = [], []
    for o in OUTCOMES:
        if o.key in ("spending", "members"):
            continue
        rows = e[e["outcome"] == o.key]
        helping = [v for v in variants if any(detectable(r, o.decimals) and r["mean"] < 0
                                              for _, r in rows[rows["variant"] == v].iterrows())]
        if helping:
            helped.append(f"{o.name}: {', '.join(helping)}")
        else:
            none.append(o.name)
    if int(e["n_pairs"].min()) < MIN_PAIRS:
        return [f"Which mitigation helps? {TOO_FEW[0].upper() + TOO_FEW[1:]} for some mitigation: none is named."]
    text = "Which mitigation helps? Detectable reductions — " + ("; ".join(helped) if helped else "none")
    if none:
        text += (f". On {', '.join(none)} no mitigation differs detectably from its closure, so the options cannot "
                 "be told apart there")
    return [text + ". Mitigations that help on the same outcome are not ranked against each other here."]


def key_findings(res: Results, summary: pd.DataFrame, costs: pd.DataFrame | None = None,
                 across_space: list[str] = ()) -> list[str]:
    """Generated from the paired effects: closures against the baseline (size and shape over time, food, jobs),
    mitigations against their own closure, whether the mitigations can be told apart, and (``across_space``)
    the analyses' answer across the uncertainty space."""
    comps = res.comparisons
    out = []
    closures = comps.variants(reference=BASELINE)
    many = len(closures) > 6
    for v in closures[:6]:
        out.append(closure_finding(comps, v))
    if many:
        out.append(f"{len(closures) - 6} more scenario variants compared with the baseline: see tables/findings.csv "
                   "and report.json.")
    mitig = comps.variants(mitigations=True)
    for v in mitig[:6]:
        out.append(mitigation_finding(comps, v, costs if costs is not None else pd.DataFrame()))
    out += which_mitigation(comps) if len(mitig) <= 6 else []
    if not out and not across_space:
        base = summary[summary["scenario"] == BASELINE]
        if len(base):
            r = base.iloc[0]
            out.append(f"baseline only: {fmt(r['recruits_whole_run_mean'])} recruits over the run on average; no scenario "
                       "to compare with.")
        else:
            out.append("No scenario could be paired with the scenario it is compared with (same seed): no effects.")
    out += across_space
    return out


def failed_jobs(root) -> list[dict]:
    """Jobs that sweeps under ``root`` recorded as failed (their ``sweep.json``): they have no results."""
    jobs = []
    for record in sorted(Path(root).rglob("sweep.json")):
        try:
            jobs += [j for j in json.loads(record.read_text()).get("jobs", []) if j.get("status") == "failed"]
        except (OSError, ValueError, AttributeError):
            continue  # not a sweep record
    return jobs


def methods(res: Results, launched: int = 0) -> list[tuple[str, list[str]]]:
    """Sections (heading, paragraphs) describing the data, scenarios, model and statistics."""
    runs, main = res.runs, res.main
    created = pd.to_datetime(runs["created"], errors="coerce", utc=True).dropna()
    dates = (f"{created.min():%Y-%m-%d}" + ("" if created.min().date() == created.max().date()
                                             else f" to {created.max():%Y-%m-%d}")) if len(created) else "unknown"
    data = [f"This report summarises {len(runs)} complete model run(s) found under {res.root} "
            f"({len(main)} with every channel switched on), run on {dates}. It reads saved results only"
            + (f"; {launched} extra run(s) with a channel switched off were launched for it (--run-missing)."
               if launched else "; the model was not re-run.")]
    failed = failed_jobs(res.root)
    if failed:
        shown = "; ".join(f"{' '.join(j.get('overrides') or [])} ({j.get('error') or 'no error line'})"
                          for j in failed[:3])
        data.append(f"{len(failed)} job(s) of the sweep(s) failed and have no results here, so some comparisons "
                    f"rest on fewer runs (see sweep.json): {shown}" + (f"; and {len(failed) - 3} more." if
                                                                       len(failed) > 3 else "."))
    scen = []
    for s in res.scenarios:
        r = main[main["scenario"] == s]
        if r.empty:
            continue
        line = f"{s} — {res.descriptions.get(s) or 'no description'} {len(r)} run(s), seeds {_seeds(r['seed'])}"
        if s in res.compare_to:
            line += f"; compared with {res.compare_to[s]}"
        if "replicate" in r:
            line += f" (replicates {_seeds(r['replicate'].dropna())})"
        c = r.iloc[0]
        if np.isfinite(c.closure_start):
            line += f". Border closed days {int(c.closure_start)}–{int(c.closure_end) - 1}"
            if c.reopening_end > c.closure_end:
                line += f", phased reopening to day {int(c.reopening_end) - 1}"
        scen.append(line + ".")
    commits = runs[["commit", "dirty"]].drop_duplicates()
    commit_txt = "; ".join(f"{str(c.commit)[:12]}{' (uncommitted changes)' if c.dirty else ''}"
                           for c in commits.itertuples()) or "unknown"
    versions = json.loads(runs["versions"].iloc[0]) if len(runs) else {}
    model = [
        f"Model: border-closure-sim version {_values(runs['model_version'])}, git commit {commit_txt}; "
        f"Python {versions.get('python', '?')}, Mesa {versions.get('mesa', '?')}.",
        f"Population scale: {_values(runs['scale'])} of the census population. Run length: "
        f"{_values(runs['n_days'])} days. Day 1 = {_values(runs['start_date'])}.",
    ]
    if res.context:
        model.append("Swept parameters (pooled in figures 1, 2 and the summary table; effects are paired with runs of "
                     "the same values, and scenario variants are labelled with their swept values): "
                     + "; ".join(f"{c} = {_values(main[c])}" for c in res.context) + ".")
    off = runs.loc[runs["channels_off"] != "", "channels_off"].value_counts()
    if len(off):
        model.append("Runs with causal channels switched off (used only in the channel decomposition): "
                     + ", ".join(f"{k} ({v})" for k, v in off.items()) + f". Channels: {', '.join(CHANNELS)}.")
    stats = [
        f"Effects are paired: each scenario run is compared with the run of the scenario its file names in compare_to "
        "(the open-border baseline for closures and events, the plain closure for a mitigation) that used the same "
        "seed and the same values of any swept parameter that does not define a scenario. Runs with the same seed "
        "draw the same population and the same random numbers (common random numbers), so their difference isolates "
        "the scenario's effect.",
        "Horizons: the end of the closure (its last restricted day, a phased reopening included), 6 months "
        f"({SIX_MONTHS_AFTER.after_closure} days) and 1 year ({ONE_YEAR_AFTER.after_closure} days) after it, and the "
        "end of the run; a horizon past the end of the run is left out. "
        "Cumulative outcomes count from day 1 to the horizon; peaks and low points are taken over days 1 to the "
        "horizon; both runs of a pair are measured on the same days.",
        f"Every effect in the text, the tables and figures 3 and 4 is the mean over pairs with a {CONFIDENCE:.0%} "
        "Student-t interval over pairs (mean ± t · sd / √n: honest at the few pairs a report has, where a "
        f"percentile bootstrap is too narrow). With fewer than {MIN_PAIRS} pairs the report names no direction "
        "(\"too few pairs to tell\"); an effect whose interval includes zero is called undetectable; and no "
        "mitigation is named better than another on such an outcome. The dose–response interval resamples "
        "seeds, not pairs (pairs sharing a seed share their reference run). Cost per unit averted is a ratio of "
        "means with a paired bootstrap interval, given only when the amount averted is detectable.",
        f"Time-series bands show the median and the {BAND[0]:.0%}–{BAND[1]:.0%} percentiles across runs; the "
        f"summary table gives levels with the {INTERVAL[0]:.0%}–{INTERVAL[1]:.0%} percentiles across runs.",
        "What the bands and intervals cover is stated on page 1: seed noise (one random draw of the synthetic "
        "population and its events against another) always; the household economy's parameter uncertainty only "
        "when the runs drew posterior members of a calibration; the plausible space of the uncalibrated "
        "parameters only through an analysis given with --analysis. Runs under different structural choices are "
        "never pooled: page 1 shows the answer under each one run, and the figures and tables the defaults'.",
    ]
    calibrations = sorted({str(v) for v in res.runs["calibration"].dropna()}) if "calibration" in res.runs else []
    if calibrations:
        household = (f"These runs use the calibration overlay {', '.join(calibrations)}: household income, the food "
                     "share of spending, LFS-basis unemployment and food insecurity are fitted to sourced figures "
                     "with ABC-SMC, and checked on validation targets it was not fitted to (docs/calibration.md). ")
    else:
        household = ("These runs use the default parameters: the household economy is not calibrated (a fitted "
                     "overlay exists, +calibration=hies2019; docs/calibration.md). ")
    caveats = [
        "Calibration status: " + household + "Recruitment and violence are not calibrated. No recruitment or "
        "violence data were used to set or check the model's parameters; the recruitment intercept is set so "
        "that the open-border baseline holds membership steady, and group revenue, pay, reach, the weights of the join decision and the "
        "groups' allocation rule (finance.allocation_rule, a structural choice) are assumptions. The sign of a long "
        "closure's effect on recruitment depends on that allocation rule. Read recruitment effects as directions under "
        "stated assumptions, not forecasts.",
        "Main assumptions: a closure cuts official trade at the crossings to the scenario's throughput and "
        "informal routes to their share; food prices rise with lost imports until up-country supply substitutes "
        "for them, at a transport premium; traders lay off workers as their volume falls and exit when their "
        "capital runs out; households draw down savings, cut consumption and send men abroad; recruitment answers "
        "opportunity cost, grievance, social ties, group finance and deterrence. Every parameter, with its unit, "
        "value and source or 'assumption', is in the model description (ODD protocol): docs/ODD.md.",
        f"Counts (people, traders, money) are full-population equivalents: the simulated population at scale "
        f"{res.scale:g} divided by {res.scale:g}; rates and percentage points need no scaling. Compare scenarios "
        "with each other rather than reading absolute numbers literally.",
    ]
    if res.setting_note:
        data.append(res.setting_note)
    shared = {k: v for k, v in res.setting.items() if k in ("population.scale", "days", "start_date",
                                                             "model_version")}
    if shared:
        data.append("Every run compared here shares its settings (runs of other settings are never pooled): "
                    + ", ".join(f"{k}={v}" for k, v in shared.items()) + ".")
    return [("Data", data), ("Scenarios", scen), ("Model and settings", model), ("Statistics", stats),
            ("Assumptions and calibration", caveats)]
