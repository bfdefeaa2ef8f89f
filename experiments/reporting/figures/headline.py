"""Figures 3 and 4: headline effects per scenario, and the cost-effectiveness of mitigation policies."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..data import BASELINE, PLAIN_CLOSURE, Results
from ..palette import Style
from ..stats import INTERVAL, paired_runs, spread
from ..tables import fmt, paired_scenario_runs
from .common import FigureSpec, Output, Skip, new_figure, require_main_runs, scale_note, thousands


def dot_whisker(ax, table: pd.DataFrame, styles: dict[str, Style], points: pd.DataFrame | None = None,
                value: str | None = None) -> None:
    """One row per scenario: the median dot, a 90% whisker and (optionally) each pair as a faint point."""
    for y, row in enumerate(table.itertuples()):
        st = styles[row.scenario]
        ax.plot([row.lo, row.hi], [y, y], color=st.color, lw=2.2, solid_capstyle="butt")
        ax.plot(row.centre, y, marker=st.marker, color=st.color, ms=8, mec="white", mew=0.8, zorder=3)
        if points is not None:
            v = points.loc[points["scenario"] == row.scenario, value]
            jitter = np.linspace(-0.18, 0.18, len(v)) if len(v) > 1 else np.zeros(len(v))
            ax.plot(v, y + jitter, "o", ms=3, mfc="none", mec=st.color, alpha=0.6, zorder=2)
    ax.set_yticks(range(len(table)), table["scenario"])
    ax.set_ylim(len(table) - 0.5, -0.5)
    ax.axvline(0, color="black", lw=0.8)
    ax.grid(axis="y", visible=False)


def headline_comparison(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 3: extra cumulative recruits and extra youth-unemployed person-days vs baseline, sorted."""
    require_main_runs(res)
    if not (res.main["scenario"] == BASELINE).any():
        raise Skip("no baseline run to compare with (add scenario=baseline to the sweep)")
    runs = paired_scenario_runs(res)
    if runs.empty:
        raise Skip("no scenario run shares a seed (and swept values) with a baseline run")
    rec = spread(runs, ["scenario"], "extra_recruits", INTERVAL).sort_values("centre", ascending=False)
    yud = spread(runs, ["scenario"], "extra_youth_unemployed_person_days", INTERVAL).set_index("scenario")
    yud = yud.loc[rec["scenario"]].reset_index()
    fig = new_figure(11, 1.6 + 0.45 * len(rec))
    ax1, ax2 = fig.subplots(1, 2, sharey=True)
    dot_whisker(ax1, rec, styles, runs, "extra_recruits")
    dot_whisker(ax2, yud, styles, runs, "extra_youth_unemployed_person_days")
    thousands(ax1.xaxis)
    thousands(ax2.xaxis)
    ax1.set_xlabel("Extra cumulative recruits vs baseline (people)")
    ax2.set_xlabel("Extra youth-unemployed person-days vs baseline (person-days)")
    ax1.set_title("Recruitment into militant groups")
    ax2.set_title("Youth unemployment")
    ax1.set_ylabel("Scenario")
    fig.suptitle("Headline effects of each scenario compared with an open border")
    top = rec.iloc[0]
    what = ("For each scenario, how many more people join militant groups over the whole run (left) and how many "
            "more days young people spend unemployed (right) than in the matched baseline run. The dot is the "
            "median over matched pairs, the bar the 90% interval (5th to 95th percentile) and the small circles "
            f"the individual pairs. Largest recruitment effect: {top.scenario} (median {fmt(top.centre, sign=True)}). "
            + scale_note(res))
    how = ("Scenarios are sorted from the largest to the smallest effect on recruitment. A bar that does not "
           "cross the zero line means the effect has the same sign in (almost) every run; a bar that straddles "
           "zero means the model cannot tell the effect apart from chance with this many runs.")
    table = rec.assign(metric="extra_recruits")
    table = pd.concat([table, yud.assign(metric="extra_youth_unemployed_person_days")], ignore_index=True)
    table = table.rename(columns={"centre": "median", "lo": "p05", "hi": "p95", "n": "pairs"})
    return Output([FigureSpec("fig3_headline_comparison", "Headline comparison", fig, what, how)],
                  {"headline_effects": table[["scenario", "metric", "median", "p05", "p95", "pairs"]]})


def mitigation_scenarios(res: Results) -> list[str]:
    """Scenarios that add a policy to the plain closure: named closure_with_*, or with the same closure
    window as the plain closure and some policy spending."""
    main = res.main
    window = ["closure_start", "closure_end", "reopening_end"]
    ref = main.loc[main["scenario"] == PLAIN_CLOSURE, window]
    ref_window = tuple(ref.iloc[0]) if len(ref) else None
    out = []
    for scen in res.scenarios:
        r = main[main["scenario"] == scen]
        if scen in (BASELINE, PLAIN_CLOSURE) or r.empty:
            continue
        same = ref_window is not None and tuple(r[window].iloc[0]) == ref_window
        if scen.startswith("closure_with_") or (same and r["policy_spending_pkr_m"].mean() > 0):
            out.append(scen)
    return out


def cost_effectiveness(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 4: recruits averted vs the plain closure per million PKR of extra policy spending."""
    require_main_runs(res)
    main = res.main
    if not (main["scenario"] == PLAIN_CLOSURE).any():
        raise Skip(f"no {PLAIN_CLOSURE} runs (the plain closure that mitigation scenarios are compared with)")
    mitig = mitigation_scenarios(res)
    if not mitig:
        raise Skip(f"no mitigation scenario (a policy added to the {PLAIN_CLOSURE} closure) in the results")
    cols = ["cumulative_recruits", "policy_spending_pkr_m"]
    pairs = paired_runs(main[main["scenario"].isin([PLAIN_CLOSURE, *mitig])], res.pair_keys, cols, PLAIN_CLOSURE)
    pairs["averted"] = -pairs["cumulative_recruits_diff"]
    pairs["extra_spending"] = pairs["policy_spending_pkr_m_diff"]
    no_spend = sorted(set(pairs.loc[pairs["extra_spending"] <= 0, "scenario"]))
    pairs = pairs[pairs["extra_spending"] > 0].copy()
    if pairs.empty:
        raise Skip("zero extra policy spending in every mitigation scenario: cost-effectiveness is undefined"
                   + (f" ({', '.join(no_spend)})" if no_spend else ""))
    pairs["averted_per_pkr_m"] = pairs["averted"] / pairs["extra_spending"]
    per = spread(pairs, ["scenario"], "averted_per_pkr_m", INTERVAL).sort_values("centre", ascending=False)
    avt = spread(pairs, ["scenario"], "averted", INTERVAL).set_index("scenario")
    spd = spread(pairs, ["scenario"], "extra_spending", INTERVAL).set_index("scenario")
    sums = pairs.groupby("scenario")[["averted", "extra_spending"]].sum()

    fig = new_figure(11, max(3.4, 2.4 + 0.5 * len(per)))
    ax1, ax2 = fig.subplots(1, 2)
    for scen in per["scenario"]:
        st, a, s = styles[scen], avt.loc[scen], spd.loc[scen]
        p = pairs[pairs["scenario"] == scen]
        ax1.plot(p["extra_spending"], p["averted"], "o", ms=3, mfc="none", mec=st.color, alpha=0.6)
        ax1.errorbar(s.centre, a.centre, xerr=[[s.centre - s.lo], [s.hi - s.centre]],
                     yerr=[[a.centre - a.lo], [a.hi - a.centre]], fmt=st.marker, color=st.color, ms=8,
                     capsize=3, label=scen)
    ax1.axhline(0, color="black", lw=0.8)
    ax1.set_xlim(0, float(pairs["extra_spending"].max()) * 1.12)
    thousands(ax1.xaxis)
    ax1.set_xlabel("Extra policy spending vs plain closure (PKR million, whole run)")
    ax1.set_ylabel(f"Recruits averted vs {PLAIN_CLOSURE} (people)")
    ax1.set_title("What each policy buys")
    ax1.legend(loc="best")
    dot_whisker(ax2, per, styles, pairs, "averted_per_pkr_m")
    ax2.set_xlabel("Recruits averted per PKR million of extra spending (people)")
    ax2.set_title("Cost-effectiveness")
    fig.suptitle(f"Mitigation policies: recruits averted compared with the plain closure ({PLAIN_CLOSURE})")
    best = per.iloc[0]
    what = (f"Each mitigation scenario adds a policy to the same closure as {PLAIN_CLOSURE}. Left: the extra money "
            "spent and the number of people who did not join a militant group as a result, per matched pair of "
            "runs (same seed). Right: recruits averted per PKR million, median and 90% interval. Most "
            f"cost-effective here: {best.scenario} ({best.centre:.3g} recruits averted per PKR million). "
            + scale_note(res)
            + (f" Not shown (no extra spending): {', '.join(no_spend)}." if no_spend else ""))
    how = ("Further right on the right-hand panel is better value for money. A value below zero means the policy, "
           "in these runs, went with more recruitment than the plain closure. Spending (transfers, public-works "
           "wages, market running costs) and recruits both scale with the simulated population, so the ratio "
           "is comparable across population scales.")
    table = pd.DataFrame({
        "scenario": per["scenario"], "pairs": per["n"].to_numpy(),
        "averted_median": avt.loc[per["scenario"], "centre"].to_numpy(),
        "averted_p05": avt.loc[per["scenario"], "lo"].to_numpy(),
        "averted_p95": avt.loc[per["scenario"], "hi"].to_numpy(),
        "extra_spending_pkr_m_median": spd.loc[per["scenario"], "centre"].to_numpy(),
        "averted_per_pkr_m_median": per["centre"].to_numpy(), "averted_per_pkr_m_p05": per["lo"].to_numpy(),
        "averted_per_pkr_m_p95": per["hi"].to_numpy(),
        "pkr_m_per_recruit_averted": [(sums.loc[s, "extra_spending"] / sums.loc[s, "averted"])
                                      if sums.loc[s, "averted"] > 0 else np.nan for s in per["scenario"]],
    })
    return Output([FigureSpec("fig4_cost_effectiveness", "Mitigation cost-effectiveness", fig, what, how)],
                  {"cost_effectiveness": table})
