"""Figures 3 and 4: paired effects at fixed horizons for every outcome — closures against the baseline, and
mitigations against their own closure (with cost per unit averted)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..data import BASELINE, Results
from experiments.outcomes import BY_KEY, END_OF_RUN, HORIZON_LABELS, MIN_PAIRS, OUTCOMES, UNIT_ONE, excludes_zero
from ..palette import Style
from ..tables import span
from .common import FigureSpec, Output, Skip, figure_legend, new_figure, require_main_runs, scale_note

PER_PANEL = 4  # scenarios per figure (with the zero line, at most about five marks per horizon)
SHOWN = [o for o in OUTCOMES if o.key not in ("spending", "youth_unemployed_person_days", "trade_jobs_lost_peak")]  # 3 x 3
HORIZON_ORDER = list(HORIZON_LABELS)


def chunks(items: list, n: int = PER_PANEL) -> list[list]:
    k = max(1, math.ceil(len(items) / n))
    size = math.ceil(len(items) / k) if items else 0
    return [items[i:i + size] for i in range(0, len(items), size)] if items else []


def effect_panels(res: Results, variants: list[str], styles: dict[str, Style], title: str) -> tuple:
    """A 3 x 3 grid, one panel per outcome: per horizon, each variant's mean paired effect with its 90% t-interval
    interval (filled marker: the interval excludes zero; hollow: it includes zero)."""
    comps = res.comparisons
    e = comps.effects[comps.effects["variant"].isin(variants)]
    fig = new_figure(11, 9.6)
    axes = fig.subplots(3, 3).ravel()
    horizons = [h for h in HORIZON_ORDER if h in set(e["horizon"])]
    width = 0.7
    from ..palette import scenario_styles

    own = scenario_styles(variants)
    vstyles = {v: styles.get(v) or own[v] for v in variants}
    for ax, o in zip(axes, SHOWN):
        sub = e[e["outcome"] == o.key]
        for k, v in enumerate(variants):
            st = vstyles[v]
            for r in sub[sub["variant"] == v].itertuples():
                x = horizons.index(r.horizon) - width / 2 + width * (k + 0.5) / len(variants)
                if np.isfinite(r.ci_low):
                    ax.plot([x, x], [r.ci_low, r.ci_high], color=st.color, lw=2, solid_capstyle="butt")
                solid = r.n_pairs >= MIN_PAIRS and excludes_zero({"ci_low": r.ci_low, "ci_high": r.ci_high})
                ax.plot(x, r.mean, st.marker, color=st.color, ms=6.5, mec=st.color,
                        mfc=st.color if solid else "white", mew=1.3, zorder=3)
        ax.axhline(0, color="black", lw=0.8)
        ax.set_xticks(range(len(horizons)), [h.replace(" ", "\n", 1) if h.startswith("closure") else h
                                             for h in horizons])
        ax.set_xlim(-0.6, len(horizons) - 0.4)
        ax.set_title(o.label[0].upper() + o.label[1:].replace(" (cumulative to the horizon)", ", cumulative"),
                     fontsize=9)
        ax.set_ylabel(o.unit)
        ax.grid(axis="x", visible=False)
    from matplotlib.lines import Line2D

    handles = []
    for v in variants:
        scen = comps.effects.loc[comps.effects["variant"] == v, "scenario"].iloc[0]
        ref = res.compare_to.get(scen, BASELINE)
        handles.append(Line2D([], [], color=vstyles[v].color, marker=vstyles[v].marker, lw=2,
                              label=f"{v} − {ref}"))
    handles += [Line2D([], [], color="#555555", marker="o", mfc="#555555", linestyle="none",
                       label=f"filled: 90% interval excludes zero ({MIN_PAIRS}+ pairs)"),
                Line2D([], [], color="#555555", marker="o", mfc="white", linestyle="none",
                       label="hollow: cannot be told from zero")]
    figure_legend(fig, handles, ncol=3)
    fig.suptitle(title)
    return fig, horizons


def _horizon_days(res: Results, variants: list[str]) -> str:
    e = res.comparisons.effects
    parts = []
    for v in variants:
        d = e[e["variant"] == v].drop_duplicates("horizon")
        parts.append(f"{v}: " + ", ".join(f"{h} = day {int(day)}" for h, day in zip(d["horizon"], d["day"])))
    return "Horizons: " + "; ".join(parts) + "."


def _n_pairs(res: Results, variants: list[str]) -> str:
    n = res.comparisons.effects[res.comparisons.effects["variant"].isin(variants)]["n_pairs"]
    return span(n)


def _what(res: Results, variants: list[str], against: str) -> str:
    return (f"The effect of each scenario {against}, measured on pairs of runs that share their random seed, at "
            "four horizons: the end of the closure (its last restricted day), six months and one year after it, and "
            "the end of the run (horizons past the end of the run are not shown). One panel per outcome: "
            "recruits are cumulative from day 1 to the horizon; 'at the peak' and 'at the low point' are the "
            "highest (lowest) value from day 1 to the horizon; traders who exited is the net fall in active "
            "traders at the horizon. Mark = mean over " + _n_pairs(res, variants) + " pairs, bar = 90% t-interval "
            "over pairs (page 1 says what it covers). " + _horizon_days(res, variants) + " " + scale_note(res))


HOW = (f"A filled mark has a 90% interval that excludes zero, on at least {MIN_PAIRS} pairs: the effect has the same "
       "sign across the pairs. A hollow mark's interval includes zero, or rests on fewer pairs: with this many runs "
       "the model cannot tell that effect from chance. Read "
       "across a panel to see how an effect builds up and fades after the closure.")


def horizon_effects(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 3: scenarios compared with the baseline, every outcome at every horizon."""
    require_main_runs(res)
    comps = res.comparisons
    variants = comps.variants(reference=BASELINE)
    if not variants:
        raise Skip("no scenario run shares a seed (and swept values) with a baseline run")
    if len(variants) > 3 * PER_PANEL:
        raise Skip(f"{len(variants)} swept variants: too many to draw (see tables/findings.csv and figure 7)")
    specs = []
    groups = chunks(variants)
    for i, group in enumerate(groups):
        fig, _ = effect_panels(res, group, styles, "Effect of each scenario compared with an open border "
                                                   "(same seeds), at fixed horizons")
        suffix = "" if len(groups) == 1 else f"_{i + 1}"
        specs.append(FigureSpec(f"fig3_effects_at_horizons{suffix}", "Effects at fixed horizons" +
                                (f" ({i + 1} of {len(groups)})" if len(groups) > 1 else ""), fig,
                                _what(res, group, "compared with the open-border baseline"), HOW))
    return Output(specs, {"findings": findings_table(res)})


def findings_table(res: Results) -> pd.DataFrame:
    e = res.comparisons.effects.copy()
    e.insert(4, "unit", e["outcome"].map(lambda k: BY_KEY[k].unit))
    return e.rename(columns={"variant": "scenario_variant"})


def mitigation_costs(res: Results) -> pd.DataFrame:
    """Per mitigation and outcome: the amount averted (minus the paired effect, read from the findings: the same
    mean, interval and pairs, at the outcome's last horizon), the extra spending by the end of the run, and the
    cost per unit averted (ratio of means, 90% bootstrap interval over pairs). Counts and money are
    full-population equivalents (:mod:`..data`). Undefined when the amount averted is not detectably above zero
    (:func:`..methods.detectable`, which also asks for enough pairs); 'not modelled' when the mitigation spends
    nothing in the model."""
    from ..methods import detectable

    comps = res.comparisons
    e = comps.effects[comps.effects["compared_to"] != BASELINE]
    d = comps.diffs[(comps.diffs["compared_to"] != BASELINE) & (comps.diffs["horizon"] == END_OF_RUN.label)]
    rows = []
    for v, g in e.groupby("variant", sort=False):
        spend = d[(d["variant"] == v) & (d["outcome"] == "spending")].set_index("pair")["effect"]
        spend_mean = float(spend.mean()) if len(spend) else np.nan
        for o in SHOWN:
            last = g[g["outcome"] == o.key]
            if last.empty:
                continue
            r = last.iloc[-1]  # the last horizon it is measured at (the closure mean: the closure's end)
            averted = {"mean": -r["mean"], "ci_low": -r["ci_high"], "ci_high": -r["ci_low"], "n_pairs": r["n_pairs"]}
            row = {"scenario_variant": v, "compared_to": r["compared_to"], "outcome": o.key, "horizon": r["horizon"],
                   "averted_unit": o.unit, "averted_mean": averted["mean"], "averted_ci_low": averted["ci_low"],
                   "averted_ci_high": averted["ci_high"], "n_pairs": int(r["n_pairs"]),
                   "averted_detectably": bool(detectable(averted, o.decimals) and averted["mean"] > 0),
                   "extra_spending_pkr_m": spend_mean}
            if not np.isfinite(spend_mean) or spend_mean <= 0:
                row.update(cost_per_unit_pkr_m=np.nan, cost_ci_low=np.nan, cost_ci_high=np.nan,
                           cost_note="cost not modelled (no policy spending in the model)")
            elif not row["averted_detectably"]:
                row.update(cost_per_unit_pkr_m=np.nan, cost_ci_low=np.nan, cost_ci_high=np.nan,
                           cost_note="undefined: the amount averted cannot be told from zero, goes the wrong way, "
                                     "or rests on too few pairs")
            else:
                a = -comps.diffs[(comps.diffs["variant"] == v) & (comps.diffs["outcome"] == o.key)
                                 & (comps.diffs["horizon"] == r["horizon"])].set_index("pair")["effect"]
                both = pd.concat([spend.rename("s"), a.rename("a")], axis=1).dropna()
                ratio, rlo, rhi = _ratio_ci(both["s"].to_numpy(), both["a"].to_numpy())
                row.update(cost_per_unit_pkr_m=ratio, cost_ci_low=rlo, cost_ci_high=rhi,
                           cost_note=f"PKR million per {UNIT_ONE.get(o.unit, o.unit)} averted")
            rows.append(row)
    return pd.DataFrame(rows)


def _ratio_ci(s: np.ndarray, a: np.ndarray) -> tuple[float, float, float]:
    """Ratio of means with a 90% percentile bootstrap interval over pairs (resampled together)."""
    from scipy.stats import bootstrap

    from experiments.outcomes import BOOTSTRAP_SEED, CONFIDENCE

    ratio = float(s.mean() / a.mean())
    if len(s) < 2 or np.ptp(s) == 0 and np.ptp(a) == 0:
        return ratio, (np.nan if len(s) < 2 else ratio), (np.nan if len(s) < 2 else ratio)
    with np.errstate(divide="ignore", invalid="ignore"):
        res = bootstrap((s, a), lambda x, y, axis=-1: x.mean(axis=axis) / y.mean(axis=axis), paired=True,
                        confidence_level=CONFIDENCE, n_resamples=4999, method="percentile",
                        rng=np.random.default_rng(BOOTSTRAP_SEED), vectorized=True)
    return ratio, float(res.confidence_interval.low), float(res.confidence_interval.high)


def mitigations(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 4: mitigations against their own closure, every outcome at every horizon; the cost table."""
    require_main_runs(res)
    comps = res.comparisons
    variants = comps.variants(mitigations=True)
    if not variants:
        wanted = sorted({s for s, c in res.compare_to.items() if c != BASELINE})
        raise Skip("no mitigation run paired with a run of the closure it is compared with" +
                   (f" (scenarios compared with a closure: {', '.join(wanted)}; their reference runs are missing)"
                    if wanted else " (no scenario in the results names a closure in compare_to)"))
    if len(variants) > 3 * PER_PANEL:
        raise Skip(f"{len(variants)} swept mitigation variants: too many to draw (see tables/findings.csv)")
    costs = mitigation_costs(res)
    specs = []
    groups = chunks(variants)
    refs = sorted({res.compare_to[s] for s in comps.effects.loc[comps.effects["variant"].isin(variants), "scenario"]})
    for i, group in enumerate(groups):
        fig, _ = effect_panels(res, group, styles, f"Mitigations compared with their own closure "
                                                   f"({', '.join(refs)}; same seeds): negative = the policy helps")
        c = costs[costs["scenario_variant"].isin(group)]
        helped = c[c["averted_detectably"]]
        unclear = sorted(set(c["outcome"]) - set(helped["outcome"]))
        from ..methods import mitigation_finding

        what = (_what(res, group, "compared with the closure it mitigates (the scenario its file names in "
                                  "compare_to)") + " " + " ".join(mitigation_finding(comps, v, costs) for v in group))
        how = (HOW + " Every outcome here is a harm, so a mark below zero means the policy reduces it. No policy is "
               "named better than another where their intervals include zero"
               + (f" (here: {', '.join(BY_KEY[u].label for u in unclear)})" if unclear else "") + ".")
        suffix = "" if len(groups) == 1 else f"_{i + 1}"
        specs.append(FigureSpec(f"fig4_mitigations{suffix}", "Mitigations against their own closure" +
                                (f" ({i + 1} of {len(groups)})" if len(groups) > 1 else ""), fig, what, how))
    return Output(specs, {"mitigation_costs": costs})
