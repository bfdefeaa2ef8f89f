"""Interactive dashboard: a closure scenario and its same-seed baseline, stepping together in the browser.

Run with ``solara run dashboard/app.py`` (``make dashboard`` binds 127.0.0.1 and prints the address).

Built from Mesa 3.5's visualization pieces: Mesa's ``ModelController`` (Reset / Play / Step, with its
play loop and render interval) drives a :class:`~dashboard.paired.PairedBorderModel` (a ``mesa.Model``)
and Mesa's ``update_counter`` tells the views to redraw; the views are custom Solara components
(ECharts through ``solara.FigureEcharts``, bundled with Solara). The page is laid out as
``SolaraViz`` lays out a model (app bar, controls in the sidebar, views in the main area) but is
composed here because its parameter panel applies settings to one model: this one sends each setting
to the scenario run, the baseline or both, and its uncertainty chooser's slider follows the chosen
parameter's plausible range.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

if __package__ in (None, ""):  # `solara run dashboard/app.py` loads this file by path
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import solara
from mesa.visualization.solara_viz import ModelController
from solara.components.echarts import EchartsWidget
from mesa.visualization.utils import update_counter

from dashboard import views
from dashboard.controls import (Control, crossing_names, format_value, panels, scenario_description,
                                scenario_value, uncertain_parameters)
from dashboard.paired import (DEFAULT_DAYS, DEFAULT_SCALE, DEFAULT_SCENARIO, FULL_POPULATION_NOTE, INDICATORS,
                              PairedBorderModel)
from sim.config import available_scenarios, load_config
from sim.indicators import METRICS, UNITS

SCALES = [0.005, 0.01, 0.02, 0.05, 0.1, 0.2]
CSS = """
.sidebar-label { font-size: 13px; color: #333; margin-bottom: -6px; line-height: 1.25; }
.sidebar-label .val { font-weight: 600; color: #000; }
.panel-note { font-size: 12px; color: #666; line-height: 1.3; }
.intro { font-size: 14px; margin: 4px 0 8px 0; }
.step-counter { font-size: 18px; font-weight: 600; }
.closure-status { font-size: 14px; color: #a04000; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(440px, 1fr)); gap: 10px; width: 100%; }
.chart-box { border: 1px solid #e0e0e0; border-radius: 4px; background: white; }
.inspector-box { overflow-x: auto; }
table.summary, table.inspector { border-collapse: collapse; font-size: 13px; }
table.summary td, table.summary th, table.inspector td, table.inspector th {
  border-bottom: 1px solid #e5e5e5; padding: 3px 8px; text-align: left; vertical-align: top; }
table.summary td.num, table.inspector td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.summary th, table.inspector th { background: #f4f6f7; font-weight: 600; }
.v-slider { margin-top: 0px !important; }
"""


def default_params() -> dict:
    return {"scenario_name": DEFAULT_SCENARIO, "rng": 0, "population_scale": DEFAULT_SCALE, "days": DEFAULT_DAYS,
            "scenario_overrides": {}, "shared_overrides": {}}


def check(params: dict) -> str | None:
    """None if both runs' configs compose and validate, else the one-line error."""
    run = {"population.scale": params["population_scale"], "days": params["days"]}
    try:
        load_config(params["scenario_name"], {**params["shared_overrides"], **params["scenario_overrides"], **run})
        load_config("baseline", {**params["shared_overrides"], **run})
    except Exception as exc:  # ConfigError: one line naming key, value and what is allowed
        return str(exc)
    return None


def changed_settings(m: PairedBorderModel) -> str:
    parts = []
    if m.scenario_overrides:
        parts.append("<br>Changed in the scenario run: " + "; ".join(
            f"<code>{k}</code> = {format_value(v)}" for k, v in m.scenario_overrides.items()))
    if m.shared_overrides:
        parts.append("<br>Changed in both runs: " + "; ".join(
            f"<code>{k}</code> = {format_value(v)}" for k, v in m.shared_overrides.items()))
    return "".join(parts)


# --------------------------------------------------------------------------- controls


@solara.component
def Labelled(label: str, value_text: str, help: str = ""):
    # the help shows as the browser's own tooltip (a title attribute): no extra widgets to re-render
    solara.HTML(tag="div", classes=["sidebar-label"], unsafe_innerHTML=(
        f"<span title='{html.escape(help or label, quote=True)}'>{html.escape(label)}: "
        f"<span class='val'>{html.escape(value_text)}</span></span>"))


@solara.component
def ControlWidget(c: Control, value, on_value):
    if c.kind == "bool":
        solara.Checkbox(label=c.label, value=bool(value), on_value=on_value)
    elif c.kind == "choices":
        Labelled(c.label, format_value(value), c.help)
        solara.SelectMultiple("", values=list(value), all_values=crossing_names(), on_value=on_value, dense=True)
    elif c.kind == "int":
        Labelled(c.label, format_value(int(value)), c.help)
        solara.SliderInt("", value=int(value), min=int(c.low), max=int(c.high), step=1, on_value=on_value)
    else:
        Labelled(c.label, format_value(float(value)), c.help)
        solara.SliderFloat("", value=float(value), min=c.low, max=c.high, step=c.step, on_value=on_value)


@solara.component
def UncertaintyChooser(draft: solara.Reactive[dict]):
    """Any empirical parameter, with a slider over its plausible range; applied to both runs."""
    params = uncertain_parameters()
    key, set_key = solara.use_state("recruitment.weight_opportunity")
    u = params[key]
    shared = draft.value["shared_overrides"]
    current = shared.get(key, scenario_value("baseline", key))

    def set_value(v):
        draft.value = {**draft.value, "shared_overrides": {**shared, key: int(v) if u.integer else float(v)}}

    solara.Select("Parameter", value=key, values=list(params), on_value=set_key, dense=True)
    solara.HTML(tag="div", unsafe_innerHTML=u.help.split(" Unit:")[0], classes=["panel-note"])
    Labelled(f"Value ({u.unit}; plausible {u.low:g} to {u.high:g})", format_value(current), u.help)
    if u.integer:
        solara.SliderInt("", value=int(current), min=int(u.low), max=int(u.high), step=1, on_value=set_value)
    else:
        lo, hi = min(u.low, float(current)), max(u.high, float(current))
        solara.SliderFloat("", value=float(current), min=lo, max=hi, step=u.step, on_value=set_value)
    changed = {k: v for k, v in shared.items() if not k.startswith("channels.")}
    if changed:
        solara.HTML(tag="div", classes=["panel-note"], unsafe_innerHTML="Changed (both runs): " + "; ".join(
            f"{k} = {format_value(v)}" for k, v in changed.items()))
        solara.Button("Restore defaults", text=True, small=True, on_click=lambda: draft.set(
            {**draft.value, "shared_overrides": {k: v for k, v in shared.items() if k.startswith("channels.")}}))


@solara.component
def SettingsPanels(draft: solara.Reactive[dict]):
    d = draft.value

    def set_scenario(name):  # a new scenario starts from its own file's settings
        draft.value = {**d, "scenario_name": name, "scenario_overrides": {}}

    with solara.Card("Scenario", margin=0):
        solara.Select("Scenario", value=d["scenario_name"], values=[s for s in available_scenarios() if s != "baseline"],
                      on_value=set_scenario, dense=True)
        solara.HTML(tag="div", unsafe_innerHTML=scenario_description(d["scenario_name"]), classes=["panel-note"])
    for title, controls in panels(d["days"]).items():
        with solara.Card(title, margin=0):
            if controls[0].target == "scenario":
                solara.HTML(tag="div", unsafe_innerHTML="Scenario run only.", classes=["panel-note"])
            for c in controls:
                bucket = "scenario_overrides" if c.target == "scenario" else "shared_overrides"
                base = d["scenario_name"] if c.target == "scenario" else "baseline"
                value = d[bucket].get(c.key, scenario_value(base, c.key))

                def on_value(v, c=c, bucket=bucket):
                    if c.kind == "int":
                        v = int(v)
                    elif c.kind == "float":
                        v = float(v)
                    elif c.kind == "choices":
                        v = list(v)
                    draft.value = {**draft.value, bucket: {**draft.value[bucket], c.key: v}}

                with solara.Div(classes=["control", "control-" + c.key.replace(".", "-")]):
                    ControlWidget(c, value, on_value)
    with solara.Card("Uncertain parameter (both runs)", margin=0):
        UncertaintyChooser(draft)
    with solara.Card("Run set-up (both runs)", margin=0):
        Labelled("Seed (both runs draw the same random numbers)", str(d["rng"]))
        solara.InputInt("", value=d["rng"], on_value=lambda v: draft.set({**draft.value, "rng": max(0, int(v or 0))}))
        Labelled("Population scale (share of the 2.32 million people)", f"{d['population_scale']:g}",
                 "Larger scales are less noisy and slower to build and step.")
        solara.ToggleButtonsSingle(value=d["population_scale"], values=SCALES,
                                   on_value=lambda v: draft.set({**draft.value, "population_scale": v}), dense=True)
        Labelled("Days simulated", str(d["days"]))
        solara.SliderInt("", value=d["days"], min=60, max=730, step=5,
                         on_value=lambda v: draft.set({**draft.value, "days": int(v)}))


# --------------------------------------------------------------------------- views


def use_live(element, trait: str, build, dependencies: list) -> None:
    """Set ``trait`` of ``element``'s widget to ``build()`` now and after every step, without re-rendering.

    Mesa's ``ModelController`` signals a step with ``force_update()`` (its ``update_counter``). The live
    views subscribe to that signal and set their widget's value directly: a step then costs the model,
    the numbers and the messages, but no render of the page's few hundred elements."""

    def subscribe():
        widget = solara.get_widget(element)

        def update(_=None):
            setattr(widget, trait, build())

        update()
        return update_counter.subscribe(update)

    solara.use_effect(subscribe, dependencies)


@solara.component
def LiveHTML(model: PairedBorderModel, build, key: tuple, classes: str = ""):
    """An HTML block whose content ``build(model)`` is refreshed after each step."""
    el = solara.widgets.HTML.element(tag="div", attributes={"class": classes})
    use_live(el, "unsafe_innerHTML", lambda: build(model), [model, *key])


@solara.component
def LiveChart(model: PairedBorderModel, build, key: tuple, css_class: str, height: int):
    """An ECharts figure whose option ``build(model)`` is refreshed after each step.

    The widget is ``solara.FigureEcharts``'s, made without an ``option`` argument: the option (hundreds
    of numbers) is set on the widget directly, so reacton neither walks through it on each render nor
    resets it."""
    el = EchartsWidget.element(responsive=True,
                               attributes={"style": f"height: {height}px; width: 100%;", "class": css_class})
    use_live(el, "option", lambda: build(model), [model, *key])


def headline_html(model: PairedBorderModel) -> str:
    rows = "".join(f"<tr><td>{t}</td><td class='num'>{a}</td><td class='num'>{b}</td><td class='num'>{d}</td>"
                   f"<td>{u}</td></tr>" for t, u, a, b, d in views.headline_rows(model))
    return (f"<table class='summary'><thead><tr><th>today (day {model.day})</th><th>{model.scenario_name}</th>"
            f"<th>baseline</th><th>difference</th><th>unit</th></tr></thead><tbody>{rows}</tbody></table>")


@solara.component
def Charts(model: PairedBorderModel, mode: str):
    with solara.Div(classes=["chart-grid"]):
        for ind in INDICATORS:
            with solara.Div(classes=["chart-box"]):
                LiveChart(model, lambda m, ind=ind: views.series_option(m, ind, mode), (ind.name, mode),
                          f"chart chart-{ind.name}", 270)


@solara.component
def DistrictView(model: PairedBorderModel):
    indicator, set_indicator = solara.use_state("youth_unemployment_rate")
    mode, set_mode = solara.use_state("scenario")
    with solara.Row(style={"align-items": "center", "flex-wrap": "wrap"}):
        solara.Select("Colour districts by", value=indicator, values=METRICS, on_value=set_indicator,
                      dense=True, style={"max-width": "320px"})
        solara.ToggleButtonsSingle(value=mode, values=["scenario", "difference"], on_value=set_mode, dense=True)
    solara.Text(f"unit: {UNITS[indicator]}", classes=["panel-note"])
    LiveChart(model, lambda m: views.district_option(m, indicator, mode), (indicator, mode), "chart district-map", 430)
    solara.HTML(tag="div", classes=["panel-note"], unsafe_innerHTML=(
        "Schematic: districts at their centres (circle area ∝ population), crossings at their positions, "
        "coloured by today's status in the scenario (green open, amber restricted, red closed)."))


@solara.component
def Inspector(model: PairedBorderModel):
    solara.HTML(tag="div", classes=["panel-note"], unsafe_innerHTML=(
        "The same households in both runs, read from each run's Mesa <code>Household</code> agents. "
        "Paired cells read <i>scenario / baseline</i>; bold where they differ. Members: working-age people "
        "and their status (sector if employed)."))
    # the last view a step updates; "as of day N" tells the browser bench the step is drawn
    LiveHTML(model, lambda m: views.inspector_html(m) + f"<div class='panel-note inspector-day'>as of day {m.day}</div>",
             (), "inspector-box")


# --------------------------------------------------------------------------- page


@solara.component
def Page():
    solara.Style(CSS)
    initial = solara.use_memo(lambda: PairedBorderModel(**default_params()), [])
    model = solara.use_reactive(initial)
    draft = solara.use_reactive(default_params())  # what the controls show
    applied = solara.use_reactive(default_params())  # what the running pair was built with (Mesa's Reset uses it)
    error = solara.use_reactive(None)
    play_interval = solara.use_reactive(150)
    render_interval = solara.use_reactive(1)
    use_threads = solara.use_reactive(False)
    chart_mode = solara.use_reactive("both")

    problem = check(draft.value)
    pending = draft.value != applied.value

    def apply():
        if problem:
            return
        try:
            new = PairedBorderModel(**draft.value)
        except Exception as exc:
            error.set(str(exc))
            return
        error.set(None)
        applied.set(dict(draft.value))
        model.set(new)

    with solara.AppBar():
        solara.AppBarTitle("Border closure: scenario against its same-seed baseline")

    with solara.Sidebar():
        with solara.Card("Run", margin=0):
            LiveHTML(model.value, lambda m: (f"<div class='step-counter'>Day {m.day} of {m.days}</div>"
                                             f"<div class='closure-status'>{m.status_text()}</div>"), ())
            ModelController(model, model_parameters=applied, play_interval=play_interval,
                            render_interval=render_interval, use_threads=use_threads)
            solara.SliderInt("Play interval (ms)", value=play_interval, min=20, max=1000, step=10)
            with solara.Div(classes=["control-days-per-step"]):
                solara.SliderInt("Days per step", value=render_interval, min=1, max=30, step=1)
            if pending:
                solara.Warning("Settings changed: apply them to restart both runs from day 0.", dense=True)
            solara.Button("Apply settings and restart", color="primary" if pending else None, block=True,
                          on_click=apply, disabled=bool(problem) or not pending, classes=["apply-button"])
            if problem:
                solara.Error(problem, dense=True)
            if error.value:
                solara.Error(error.value, dense=True)
        SettingsPanels(draft)

    m = model.value
    with solara.Column(style={"padding": "8px 16px", "width": "100%"}):
        solara.HTML(tag="div", classes=["intro"], unsafe_innerHTML=(
            f"<b>{m.scenario_name}</b> ({scenario_description(m.scenario_name)}) against the <b>baseline</b>, "
            f"both with seed {m.seed} at population scale {m.population_scale:g}. Same seed, same random "
            "numbers: every difference is the scenario's effect. Orange bands: border closed."
            + changed_settings(m)))
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "wrap", "gap": "24px"}):
            LiveHTML(m, headline_html, (), "summary-box")
            with solara.Column(style={"max-width": "360px"}):
                solara.Text("Charts show", classes=["panel-note"])
                solara.ToggleButtonsSingle(value=chart_mode, values=["both", "difference"])
                solara.HTML(tag="div", classes=["panel-note"], unsafe_innerHTML=(
                    "<b>both</b>: scenario (red) and baseline (grey, dashed); <b>difference</b>: scenario − "
                    "baseline. " + FULL_POPULATION_NOTE))
        Charts(m, chart_mode.value)
        with solara.Row(style={"align-items": "flex-start", "flex-wrap": "wrap", "gap": "16px"}):
            with solara.Card("District view", style={"flex": "1 1 480px", "min-width": "420px"}):
                DistrictView(m)
            with solara.Card("Agent inspector: sampled households", style={"flex": "1 1 520px", "min-width": "420px"}):
                Inspector(m)
