"""Colour-blind-safe colours: one fixed colour (and line style) per scenario in every figure.

Okabe & Ito (2008) colours first, then Paul Tol's "muted" colours for the
scenarios beyond eight. Known scenarios always get the same colour, in every
report; other scenarios take the unused colours in name order, and when the
colours run out the line style changes so that every scenario stays distinct.
"""

from __future__ import annotations

from dataclasses import dataclass

OKABE_ITO = {
    "black": "#000000", "orange": "#E69F00", "sky_blue": "#56B4E9", "bluish_green": "#009E73",
    "yellow": "#F0E442", "blue": "#0072B2", "vermillion": "#D55E00", "reddish_purple": "#CC79A7",
}
TOL_MUTED = {"wine": "#882255", "olive": "#999933", "indigo": "#332288", "teal": "#44AA99", "sand": "#DDCC77",
             "rose": "#CC6677", "cyan": "#88CCEE"}

FIXED = {
    "baseline": OKABE_ITO["black"],
    "closure_30d": OKABE_ITO["sky_blue"],
    "closure_90d": OKABE_ITO["vermillion"],
    "closure_1y": OKABE_ITO["reddish_purple"],
    "partial_closure": OKABE_ITO["orange"],
    "closure_with_border_markets": OKABE_ITO["bluish_green"],
    "closure_with_cash_transfer": OKABE_ITO["blue"],
    "closure_with_public_works": TOL_MUTED["wine"],
    "closure_with_ct_cooperation": TOL_MUTED["olive"],
    "strikes_jan2024": TOL_MUTED["indigo"],
    "deescalation_reopening": TOL_MUTED["teal"],
}
SPARE = [TOL_MUTED["rose"], TOL_MUTED["sand"], TOL_MUTED["cyan"], OKABE_ITO["yellow"]]
LINESTYLES = ["-", "--", ":", "-."]
MARKERS = ["o", "s", "D", "^", "v", "P", "X"]

GREY = "#777777"
SHADE_CLOSED = "#BBBBBB"
SEQUENTIAL = "cividis"  # colour-blind-safe sequential map (bubble map)
DIVERGING = "PuOr"  # colour-blind-safe diverging map (sweep heatmap): orange below zero, purple above
COMPONENT_REMAINDER = "#999999"


@dataclass(frozen=True)
class Style:
    """How one scenario is drawn."""

    color: str
    linestyle: str
    marker: str

    def line(self) -> dict:
        return {"color": self.color, "linestyle": self.linestyle}


def scenario_styles(names: list[str]) -> dict[str, Style]:
    """A fixed, distinct style per scenario name (stable for the known scenarios)."""
    styles: dict[str, Style] = {}
    used = {FIXED[n] for n in names if n in FIXED}
    spare = [c for c in list(OKABE_ITO.values()) + list(TOL_MUTED.values()) + SPARE
             if c not in used and c != OKABE_ITO["yellow"]] + [OKABE_ITO["yellow"]]
    spare = list(dict.fromkeys(spare))
    extra = 0
    for i, name in enumerate(names):
        if name in FIXED:
            color, style = FIXED[name], "--" if name.startswith("closure_with_") else "-"
        else:
            color = spare[extra % len(spare)]
            style = LINESTYLES[(extra // len(spare) + (1 if "_with_" in name else 0)) % len(LINESTYLES)]
            extra += 1
        styles[name] = Style(color, style, MARKERS[i % len(MARKERS)])
    return styles
