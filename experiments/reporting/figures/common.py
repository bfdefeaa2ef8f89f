"""What every figure builder shares: the output record, the skip signal, layout and closure shading."""

from __future__ import annotations

from dataclasses import dataclass, field

import matplotlib.dates as mdates
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch
from matplotlib.ticker import FuncFormatter

from ..data import Results
from ..palette import SHADE_CLOSED, Style

RC = {
    "font.size": 9, "axes.titlesize": 10, "axes.labelsize": 9, "legend.fontsize": 8, "xtick.labelsize": 8,
    "ytick.labelsize": 8, "figure.titlesize": 12, "axes.spines.top": False, "axes.spines.right": False,
    "axes.grid": True, "grid.alpha": 0.3, "svg.hashsalt": "border-closure-report", "svg.fonttype": "none",
}


class Skip(Exception):
    """A figure the results cannot support; the message says why."""


@dataclass
class FigureSpec:
    """One finished figure: file stem, title, the matplotlib figure and its plain-language captions."""

    key: str
    title: str
    fig: Figure
    what: str  # what this shows
    how: str  # how to read it


@dataclass
class Output:
    """What a figure builder returns: figures and the tables behind them (name -> DataFrame)."""

    figures: list[FigureSpec]
    tables: dict[str, pd.DataFrame] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)  # printed as progress lines (e.g. partial skips)


def require_main_runs(res: Results) -> None:
    """Skip unless some run has every channel switched on (the scenario runs proper)."""
    if res.main.empty:
        raise Skip("no run with every channel switched on (only channel-off runs)")


def new_figure(width: float, height: float) -> Figure:
    return Figure(figsize=(width, height), layout="constrained")


def date_axis(ax, res: Results) -> None:
    """Concise date ticks when the x axis holds dates."""
    if res.start_date is not None:
        locator = mdates.AutoDateLocator(minticks=3, maxticks=7)
        formatter = mdates.ConciseDateFormatter(locator, offset_formats=[""] * 6)  # the x label has the year
        ax.xaxis.set_major_locator(locator)
        ax.xaxis.set_major_formatter(formatter)


def thousands(axis) -> None:
    """Tick labels with thousands separators (e.g. 12,000)."""
    axis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}" if abs(v) >= 1000 else f"{v:g}"))


def run_end(res: Results) -> float:
    """The first day after the longest run."""
    return float(res.runs["n_days"].max()) + 1


def closure_windows(res: Results, scenarios: list[str]) -> dict[str, tuple[float, float, float]]:
    """Each scenario's closure window (first closed day, first open day, end of reopening), if any."""
    runs = res.main.assign(label=res.variant(res.main))
    runs["label"] = runs["label"].where(runs["label"].isin(scenarios), runs["scenario"])
    runs = runs[runs["label"].isin(scenarios)].dropna(subset=["closure_start"])
    first = runs.drop_duplicates("label").set_index("label")
    last = run_end(res)  # windows are clipped to the end of the runs
    return {s: (r.closure_start, min(r.closure_end, last), min(r.reopening_end, last)) for s, r in first.iterrows()
            if r.closure_start < last}


def shade_closures(ax, res: Results, scenarios: list[str], styles: dict[str, Style]) -> bool:
    """Grey shading while the border is closed, hatching while it reopens, and one coloured bar per
    scenario along the top edge marking its own closure. Returns True when anything was drawn."""
    windows = closure_windows(res, scenarios)
    for start, end, reopen in set(windows.values()):
        ax.axvspan(*res.to_x([start, end]), color=SHADE_CLOSED, alpha=0.25, lw=0, zorder=0)
        if reopen > end:
            ax.axvspan(*res.to_x([end, reopen]), facecolor="none", edgecolor=SHADE_CLOSED, hatch="///", lw=0,
                       zorder=0)
    height = min(0.025, 0.2 / max(len(windows), 1))
    for i, (scen, (start, end, reopen)) in enumerate(w for w in windows.items()):
        ax.axvspan(*res.to_x([start, end]), ymin=1 - (i + 1) * height, ymax=1 - i * height - 0.004,
                   color=styles[scen].color, lw=0, zorder=3)
    if windows:
        ax.margins(y=0.05 + height * len(windows))
    return bool(windows)


def closure_handles(res: Results, scenarios: list[str]) -> list:
    """Legend entries for the closure shading (empty when no scenario closes the border)."""
    windows = closure_windows(res, scenarios)
    if not windows:
        return []
    out = [Patch(facecolor=SHADE_CLOSED, alpha=0.5, label="border closed (bar on top: which scenario)")]
    if any(r > e for _, e, r in windows.values()):
        out.append(Patch(facecolor="white", edgecolor=SHADE_CLOSED, hatch="///", label="phased reopening"))
    return out


def scenario_handles(scenarios: list[str], styles: dict[str, Style], marker: bool = False) -> list:
    return [Line2D([], [], color=styles[s].color, linestyle="none" if marker else styles[s].linestyle,
                   marker=styles[s].marker if marker else None, lw=2, label=s) for s in scenarios]


def figure_legend(fig: Figure, handles: list, ncol: int | None = None, **kwargs) -> None:
    """One legend for the whole figure, below the panels."""
    fig.legend(handles=handles, loc="outside lower center", ncol=ncol or min(len(handles), 4), frameon=False,
               **kwargs)


def closure_sentence(res: Results, scenarios: list[str]) -> str:
    """Plain-language list of when each scenario closes the border."""
    windows = closure_windows(res, scenarios)
    if not windows:
        return "No scenario shown closes the border."
    parts = []
    for scen, (start, end, reopen) in windows.items():
        text = f"{scen}: closed from day {int(start)} to " + (
            "the end of the run" if end >= run_end(res) else f"{int(end) - 1}")
        if reopen > end:
            text += f", reopening gradually until day {int(reopen) - 1}"
        parts.append(text)
    return "Closures (shaded): " + "; ".join(parts) + "."


def scale_note(res: Results) -> str:
    """Counts are full-population equivalents (:mod:`..data`); say so, and from what scale."""
    if res.scale == 1:
        return "Counts are for the full census population."
    return (f"Counts (people, traders, money) are full-population equivalents: the simulated population (scale "
            f"{res.scale:g} of the census) divided by {res.scale:g}, so they move in steps of {1 / res.scale:,.0f}.")


def finite(values) -> np.ndarray:
    v = np.asarray(values, dtype=float)
    return v[np.isfinite(v)]


MAX_LINES = 5  # scenarios per panel


def scenario_groups(res: Results, scenarios: list[str], with_reference: bool = True) -> list[tuple[str, list[str]]]:
    """Scenarios split into readable groups of at most MAX_LINES: all together when they fit, else the closures
    (with the baseline), the mitigations (with the closure they are compared with) and other events (with the
    baseline), each cut into chunks. ``with_reference=False`` leaves the reference lines out (difference plots)."""
    from ..data import BASELINE

    if len(scenarios) <= MAX_LINES:
        return [("", list(scenarios))]
    base = [BASELINE] if BASELINE in scenarios and with_reference else []
    mitig = [s for s in scenarios if res.compare_to.get(s, BASELINE) not in (BASELINE, "")]
    windows = closure_windows(res, scenarios)
    closures = [s for s in scenarios if s != BASELINE and s not in mitig and s in windows
                and not s.startswith(("strikes", "deescalation"))]
    events = [s for s in scenarios if s != BASELINE and s not in mitig and s not in closures]
    out = []
    room = MAX_LINES - len(base)
    for title, members, ref in (("closures", closures, base), ("events", events, base)):
        for i in range(0, len(members), room):
            out.append((title, ref + members[i:i + room]))
    refs = sorted({res.compare_to[s] for s in mitig}) if with_reference else []
    refs = [r for r in refs if r in scenarios]
    room_m = max(1, MAX_LINES - len(refs))
    for i in range(0, len(mitig), room_m):
        out.append(("mitigations", refs + mitig[i:i + room_m]))
    return [(t, g) for t, g in out if g]
