"""Figure 8: recruits attributable to each causal channel, from paired runs with that channel switched off.

For a scenario S and channel X, the contribution of X is what S's recruits lose when
only X is switched off, with the same seed (and swept values): R(S) - R(S without X).
When the baseline was also run without X, the same is done for the closure's *effect*
(S minus baseline), which answers "through which channel does the closure work?".
The interaction residual is the total minus the sum of single-channel contributions:
it is what channels achieve only together (or, without an all-channels-off run, also
the recruitment that no single channel accounts for).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.patches import Patch

from sim.config import CHANNELS

from ..data import BASELINE, Results
from ..palette import Style
from ..stats import INTERVAL, pair_ids, spread
from .common import FigureSpec, Output, Skip, figure_legend, new_figure, scale_note

REMAINDER = "interaction & remainder"
TOTAL = "total"
VALUE = "cumulative_recruits"


def _wide(runs: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Cumulative recruits per pair (rows) and channel switched off (columns; '' = all on)."""
    r = runs.assign(pair=pair_ids(runs, keys))
    return r.pivot_table(index="pair", columns="channels_off", values=VALUE, aggfunc="mean")


def decompose(res: Results) -> pd.DataFrame:
    """Long table: scenario, mode, pair, component, recruits attributable (one row per pair and component)."""
    keys = res.reference_keys(res.runs[res.runs["scenario"] == BASELINE])
    wides = {s: _wide(res.runs[res.runs["scenario"] == s], keys) for s in res.scenarios}
    rows = []
    for scen, w in wides.items():
        chans = [c for c in CHANNELS if c in w.columns]
        if "" not in w.columns or not chans:
            continue
        base = wides.get(BASELINE)
        effect = (scen != BASELINE and base is not None and "" in base.columns
                  and all(c in base.columns for c in chans))
        cols = ["", *chans, *(["all"] if "all" in w.columns else [])]
        if effect:
            cols = [c for c in cols if c in base.columns]
            w = (w[cols] - base[cols]).dropna()
        else:
            w = w[cols].dropna()
        mode = "effect vs baseline" if effect else "recruits"
        for pair, r in w.iterrows():
            contrib = {c: r[""] - r[c] for c in chans}
            total = r[""] - (r["all"] if "all" in cols else 0.0)
            for comp, v in [*contrib.items(), (REMAINDER, total - sum(contrib.values())), (TOTAL, total)]:
                rows.append({"scenario": scen, "mode": mode, "pair": pair, "component": comp, "recruits": v})
    return pd.DataFrame(rows, columns=["scenario", "mode", "pair", "component", "recruits"])


def channel_decomposition(res: Results, styles: dict[str, Style]) -> Output:
    """Figure 8: grouped bars per channel (median and 90% interval over pairs), residual shown apart."""
    if not (res.runs["channels_off"] != "").any():
        raise Skip("no runs with a channel switched off (sweep channels.<name>=false with the same seeds, "
                   "or run the report with --run-missing)")
    long = decompose(res)
    if long.empty:
        raise Skip("no channel-off run shares a scenario and seed with an all-channels-on run")
    summary = spread(long, ["scenario", "mode", "component"], "recruits", INTERVAL)
    scenarios = [s for s in res.scenarios if s in set(summary["scenario"])]
    comps = [c for c in CHANNELS if c in set(summary["component"])] + [REMAINDER, TOTAL]
    fig = new_figure(max(8.0, 1.3 * len(comps) + 2), 5.6)
    ax = fig.subplots()
    width = 0.8 / len(scenarios)
    for k, scen in enumerate(scenarios):
        s = summary[summary["scenario"] == scen].set_index("component").reindex(comps)
        x = np.arange(len(comps)) - 0.4 + width * (k + 0.5)
        st = styles[scen]
        hatches = ["" if c in CHANNELS else ("///" if c == REMAINDER else "..") for c in comps]
        for xi, c, h in zip(x, comps, hatches):
            if np.isfinite(s.loc[c, "centre"]):
                ax.bar(xi, s.loc[c, "centre"], width * 0.92, color=st.color if c in CHANNELS else "white",
                       edgecolor=st.color, hatch=h, lw=1.2)
                ax.errorbar(xi, s.loc[c, "centre"], yerr=[[s.loc[c, "centre"] - s.loc[c, "lo"]],
                                                          [s.loc[c, "hi"] - s.loc[c, "centre"]]],
                            color="black", lw=0.9, capsize=2)
    ax.axhline(0, color="black", lw=0.8)
    ax.axvline(len(comps) - 2.5, color="black", lw=0.8, linestyle="--")
    ax.set_xticks(range(len(comps)), [c.replace("_", " ") for c in comps])
    ax.set_xlabel("Causal channel switched off (left of the dashed line); residual and total (right)")
    ax.set_ylabel("Recruits attributable (people, whole run)")
    ax.set_title("Through which channels does recruitment happen?")
    modes = summary.drop_duplicates("scenario").set_index("scenario")["mode"]
    handles = [Patch(facecolor=styles[s].color, edgecolor=styles[s].color, label=f"{s} ({modes[s]})")
               for s in scenarios]
    handles += [Patch(facecolor="white", edgecolor="black", hatch="///", label=REMAINDER),
                Patch(facecolor="white", edgecolor="black", hatch="..", label="total (all channels on)")]
    figure_legend(fig, handles, ncol=3)
    missing = [c for c in CHANNELS if c not in comps]
    n = long.groupby("scenario")["pair"].nunique()
    what = ("How many recruits each mechanism of the model accounts for: for every channel (lost income, "
            "grievance, social ties, group finances, deterrence, migration) the model was run again with only that "
            "channel switched off and the same random numbers; the bar is how many fewer people were recruited. "
            "'effect vs baseline' bars decompose the scenario's extra recruits compared with the open border; "
            "'recruits' bars decompose the total number of recruits. The hatched bar is the part that no single "
            f"channel explains on its own (channels acting together). Median and 90% interval over {n.min()}–"
            f"{n.max()} matched pairs per scenario."
            + (f" Channels without switched-off runs (not shown): {', '.join(missing)}." if missing else "")
            + " " + scale_note(res))
    how = ("A tall bar is a channel that matters: switching it off removes many recruits. A bar below zero means "
           "the channel holds recruitment down (e.g. deterrence). The channel bars need not add up to the total; "
           "the hatched residual is the difference.")
    table = summary.rename(columns={"centre": "median", "lo": "p05", "hi": "p95", "n": "pairs"})
    return Output([FigureSpec("fig8_channel_decomposition", "Channel decomposition", fig, what, how)],
                  {"channel_decomposition": table})
