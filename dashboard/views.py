"""What the dashboard draws, as plain data: ECharts options for the paired charts and the district view,
and the agent inspector's table. Pure functions of a :class:`~dashboard.paired.PairedBorderModel`, so
``python -m dashboard.bench`` times exactly what a redraw computes.

ECharts (bundled with Solara as ``solara.FigureEcharts``) draws on the browser's canvas and updates a
chart in place, so a redraw sends a few kilobytes of numbers and no image.
"""

from __future__ import annotations

import html
import math

import numpy as np

from sim.border import STATUS_NAMES
from sim.indicators import UNITS

from .paired import INDICATORS, Indicator, PairedBorderModel

SCENARIO_COLOUR = "#c0392b"
BASELINE_COLOUR = "#34495e"
DIFF_COLOUR = "#1f618d"
SHADE = {"border closed": "rgba(230, 126, 34, 0.18)", "phased reopening": "rgba(230, 126, 34, 0.08)"}
STATUS_COLOUR = {"open": "#27ae60", "restricted": "#f39c12", "closed": "#c0392b"}
DAY_AXIS = "day of simulation (day 0 = start)"


def _round(values: np.ndarray, digits: int = 4) -> list:
    """Values rounded to ``digits`` significant figures (NaN as None): a smaller message, same picture."""
    out = []
    for v in values.tolist():
        if v is None or not math.isfinite(v):
            out.append(None)
        elif v == 0:
            out.append(0)
        else:
            out.append(round(v, digits - 1 - int(math.floor(math.log10(abs(v))))))
    return out


def _shading(model: PairedBorderModel) -> dict:
    return {"silent": True, "label": {"show": False},
            "data": [[{"xAxis": a, "itemStyle": {"color": SHADE[kind]}, "name": kind}, {"xAxis": b}]
                     for a, b, kind in model.closure_periods()]}


def series_option(model: PairedBorderModel, ind: Indicator, mode: str = "both") -> dict:
    """ECharts option of one indicator: scenario and baseline lines (``mode="both"``) or their
    difference (``"difference"``), with the scenario's closure shaded."""
    s = model.series(ind)
    days = np.arange(len(s["scenario"]))
    unit = ind.unit
    if mode == "difference":
        unit = ("percentage points" if ind.percent else ind.unit) + ", scenario − baseline"
        series = [{"name": "scenario − baseline", "type": "line", "showSymbol": False, "color": DIFF_COLOUR,
                   "data": list(zip(days.tolist(), _round(s["scenario"] - s["baseline"]))),
                   "markArea": _shading(model),
                   "markLine": {"silent": True, "symbol": "none", "label": {"show": False},
                                "lineStyle": {"color": "#999", "type": "solid"}, "data": [{"yAxis": 0}]}}]
    else:
        series = [
            {"name": "baseline", "type": "line", "showSymbol": False, "color": BASELINE_COLOUR,
             "lineStyle": {"type": "dashed", "width": 2}, "z": 3,
             "data": list(zip(days.tolist(), _round(s["baseline"]))), "markArea": _shading(model)},
            {"name": model.scenario_name, "type": "line", "showSymbol": False, "color": SCENARIO_COLOUR,
             "lineStyle": {"width": 2}, "z": 2, "data": list(zip(days.tolist(), _round(s["scenario"])))},
        ]
    return {
        "animation": False,
        "title": {"text": ind.title, "left": 8, "top": 4, "textStyle": {"fontSize": 14}},
        "legend": {"top": 6, "right": 8, "textStyle": {"fontSize": 11}},
        "tooltip": {"trigger": "axis"},
        "grid": {"left": 76, "right": 18, "top": 40, "bottom": 46},
        "xAxis": {"type": "value", "min": 0, "max": model.days, "name": DAY_AXIS, "nameLocation": "middle",
                  "nameGap": 26},
        "yAxis": {"type": "value", "scale": True, "name": unit, "nameLocation": "middle", "nameGap": 58,
                  "nameTextStyle": {"fontSize": 11}},
        "series": series,
    }


def all_series_options(model: PairedBorderModel, mode: str = "both") -> list[dict]:
    return [series_option(model, ind, mode) for ind in INDICATORS]


def headline_rows(model: PairedBorderModel) -> list[tuple[str, str, str, str, str]]:
    """(indicator, unit, scenario today, baseline today, difference) for the summary table."""
    rows = []
    for ind in INDICATORS:
        s = model.series(ind)
        a, b = s["scenario"][-1], s["baseline"][-1]
        unit = ind.unit
        diff_unit = " pp" if ind.percent else ""
        diff = a - b
        rows.append((ind.title, unit, _fmt(a), _fmt(b),
                     ("+" if diff > 0 else "") + _fmt(diff) + diff_unit if abs(diff) >= 1e-9 else "0"))
    return rows


def _fmt(v: float) -> str:
    if not math.isfinite(v):
        return "–"
    if abs(v) >= 1000:
        return f"{v:,.0f}"
    return f"{v:,.3g}" if abs(v) >= 1 else f"{v:.3g}"


def _fmt_unit(v: float, unit: str, diff: bool = False) -> str:
    """A district label: shares in percent (differences in percentage points)."""
    if unit.startswith("share") and math.isfinite(v):
        return f"{v * 100:+.1f} pp" if diff else f"{v * 100:.1f}%"
    return ("+" if diff and v > 0 else "") + _fmt(v)


def district_option(model: PairedBorderModel, indicator: str, mode: str = "scenario") -> dict:
    """A labelled schematic of the districts (circles sized by population, placed at their lon/lat and
    coloured by today's value of ``indicator`` in the scenario run, or its difference from the baseline)
    and the crossings (triangles coloured by today's status in the scenario run)."""
    scen = model.scenario_model
    d = scen.region.districts
    a = model.district_values(indicator, "scenario")
    b = model.district_values(indicator, "baseline")
    values = a - b if mode == "difference" else a
    unit = UNITS[indicator] + (" (scenario − baseline)" if mode == "difference" else " (scenario)")
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if len(finite) else (0.0, 1.0)
    if mode == "difference":
        m = max(abs(lo), abs(hi), 1e-12)
        lo, hi = -m, m
    elif hi - lo < 1e-12:
        lo, hi = lo - 1e-6, hi + 1e-6
    pop = d["population"].to_numpy(dtype=float)
    size = 18 + 42 * np.sqrt(pop / pop.max())
    districts = [{"name": str(n).capitalize(), "value": [float(x), float(y), _round(np.array([v]))[0]],
                  "symbolSize": float(sz),
                  "label": {"formatter": f"{str(n).capitalize()}\n{_fmt_unit(v, UNITS[indicator], mode == 'difference')}"
                            + (f" (base {_fmt_unit(bv, UNITS[indicator])})" if mode != "difference" else "")}}
                 for n, x, y, v, bv, sz in zip(d["district"], d["lon"], d["lat"], values, b, size)]
    c = scen.region.crossings
    status = scen.border.schedule["status"][model.day]
    crossings = [{"name": str(n).replace("_", " "), "value": [float(x), float(y)],
                  "symbol": "triangle" if k == "official" else "diamond",
                  "itemStyle": {"color": STATUS_COLOUR[STATUS_NAMES[s]], "borderColor": "#333", "borderWidth": 0.5},
                  "label": {"formatter": f"{str(n).replace('_', ' ')}: {STATUS_NAMES[s]}"}}
                 for n, k, x, y, s in zip(c["crossing"], c["kind"], c["lon"], c["lat"], status)]
    return {
        "animation": False,
        "title": {"text": f"Districts: {indicator.replace('_', ' ')}", "subtext": unit, "left": 8, "top": 2,
                  "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "item"},
        "grid": {"left": 56, "right": 120, "top": 62, "bottom": 44},
        "xAxis": {"type": "value", "min": 61, "max": 65, "name": "longitude (°E)", "nameLocation": "middle",
                  "nameGap": 26},
        "yAxis": {"type": "value", "min": 24.8, "max": 29.8, "name": "latitude (°N)", "nameLocation": "middle",
                  "nameGap": 36},
        "visualMap": {"type": "continuous", "seriesIndex": 0, "dimension": 2, "min": lo, "max": hi, "calculable": False,
                      "right": 8, "top": "middle", "itemHeight": 140, "text": [_fmt_unit(hi, UNITS[indicator], mode == "difference"),
                               _fmt_unit(lo, UNITS[indicator], mode == "difference")],
                      "inRange": {"color": ["#2166ac", "#f7f7f7", "#b2182b"] if mode == "difference"
                                  else ["#fff5eb", "#fd8d3c", "#7f2704"]}},
        "series": [
            {"name": "districts", "type": "scatter", "data": districts,
             "itemStyle": {"borderColor": "#333", "borderWidth": 1},
             "label": {"show": True, "position": "right", "distance": 10, "fontSize": 11, "lineHeight": 15, "color": "#222",
                       "backgroundColor": "rgba(255,255,255,0.75)", "padding": [1, 3]}},
            {"name": "crossings (▲ official, ◆ informal)", "type": "scatter", "data": crossings, "symbolSize": 13,
             "label": {"show": True, "position": "left", "fontSize": 9, "color": "#555"},
             "labelLayout": {"hideOverlap": True}},
        ],
    }


def inspector_rows(model: PairedBorderModel) -> list[dict]:
    """The sampled households, read from each run's own Mesa ``Household`` agents (same households in both)."""
    rows = []
    for h, hb in model.inspected:
        rows.append({
            "household": h.idx, "district": h.district.capitalize(), "people": h.size,
            "members (scenario)": _members(h), "members (baseline)": _members(hb),
            "income PKR/day": (h.income, hb.income), "savings PKR": (h.savings, hb.savings),
            "hardship index": (h.hardship, hb.hardship), "food spending / need": (h.food_ratio, hb.food_ratio),
        })
    return rows


def _members(h) -> str:
    parts = []
    for status, sector in zip(h.member_states, h.member_sectors):
        parts.append(f"{status} ({sector})" if sector and status == "employed" else status)
    return ", ".join(parts)


def inspector_html(model: PairedBorderModel) -> str:
    """The inspector as an HTML table; paired cells read "scenario / baseline", a changed value in bold."""
    rows = inspector_rows(model)
    if not rows:
        return "<p>No households sampled.</p>"
    cols = list(rows[0])
    head = "".join(f"<th>{html.escape(c)}</th>" for c in cols)
    body = []
    for r in rows:
        cells = []
        for c in cols:
            v = r[c]
            if isinstance(v, tuple):
                a, b = v
                txt = f"{_fmt(a)} / {_fmt(b)}"
                cells.append(f"<td class='num'>{'<b>' + txt + '</b>' if abs(a - b) > 1e-9 else txt}</td>")
            else:
                cells.append(f"<td>{html.escape(str(v))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    return f"<table class='inspector'><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def redraw(model: PairedBorderModel, mode: str = "both", indicator: str = "youth_unemployment_rate",
           map_mode: str = "scenario") -> tuple:
    """Everything one redraw computes (what the bench times)."""
    return (all_series_options(model, mode), headline_rows(model), district_option(model, indicator, map_mode),
            inspector_html(model), model.status_text())
