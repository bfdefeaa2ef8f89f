"""The dashboard end to end in a real browser (Playwright driving Debian's chromium), and its paired model.

The browser test starts ``solara run dashboard/app.py`` on a free port of 127.0.0.1, loads the page,
shortens the closure from 90 to 60 days, applies it, steps, and checks that the step counter, the closure
status and a chart changed, with no error in the browser console. It saves a screenshot in
``results/dashboard/screenshot.png``. A missing chromium or Playwright is a failure, not a skip.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent
SHOTS = ROOT / "results" / "dashboard"


# --------------------------------------------------------------------------- the paired model (fast)


def test_paired_runs_share_the_seed_and_differ_only_after_the_closure_starts():
    from dashboard.paired import INDICATORS, PairedBorderModel

    m = PairedBorderModel("closure_30d", rng=3, population_scale=0.005, days=60)
    start = int(m.scenario_model.cfg.border.closure.start_day)
    for _ in range(start + 10):
        m.step()
    assert m.day == start + 10 and m.time == start + 10
    youth = m.series(INDICATORS[0])
    np.testing.assert_array_equal(youth["scenario"][:start], youth["baseline"][:start])
    trade = m.series(next(i for i in INDICATORS if i.name == "trade_volume"))
    assert trade["scenario"][-1] < trade["baseline"][-1]
    assert m.closure_periods()[0][:2] == (start, start + 30)
    assert len(m.inspected) > 0 and all(h.idx == hb.idx for h, hb in m.inspected)


def test_controls_come_from_the_parameter_declarations():
    from dashboard.controls import panels, uncertain_parameters
    from sim.config import CHANNELS

    p = panels(365)
    duration = next(c for c in p["Closure"] if c.key == "border.closure.duration_days")
    assert (duration.kind, duration.low, duration.high, duration.unit) == ("int", 0, 365, "days")
    assert {c.key for c in p["Mechanisms (both runs)"]} == {f"channels.{c}" for c in CHANNELS}
    u = uncertain_parameters()["recruitment.weight_opportunity"]
    assert (u.low, u.high) == (-1, 4.5)


# --------------------------------------------------------------------------- the browser test


@pytest.fixture
def server(tmp_path):
    from dashboard.serve import ServerError, running_server

    try:
        with running_server(log_path=tmp_path / "solara.log") as url:  # 127.0.0.1, a free port; stopped after
            yield url
    except ServerError as exc:
        pytest.fail(str(exc))


def _chromium() -> str:
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if path is None:
        pytest.fail("chromium not found: install Debian's chromium package (scripts/ensure-chromium does it); "
                    "this test drives the dashboard in a real browser")
    return path


def _counter(page) -> str:
    return page.locator(".step-counter").inner_text()


@pytest.mark.slow
def test_dashboard_in_a_real_browser(server):
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:
        pytest.fail("playwright is not installed: pip install -e '.[dashboard]'")

    chromium = _chromium()
    problems: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(viewport={"width": 1500, "height": 2700})
            page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
            page.goto(server)
            expect(page.locator(".step-counter")).to_have_text("Day 0 of 365", timeout=60_000)
            chart = page.locator(".chart-youth_unemployment_rate")
            expect(chart.locator("canvas")).to_have_count(1, timeout=30_000)
            page.wait_for_timeout(500)
            before = chart.screenshot()

            # the closure duration: 90 -> 60 days (the slider moves a day per arrow key), then apply
            duration = page.locator(".control-border-closure-duration_days")
            expect(duration).to_contain_text("Closure duration (days): 90")
            duration.get_by_role("slider").focus()
            for _ in range(30):
                page.keyboard.press("ArrowLeft")
            expect(duration).to_contain_text("Closure duration (days): 60")
            apply = page.locator(".apply-button")
            expect(apply).to_be_enabled()
            apply.click()
            expect(page.locator(".closure-status")).to_have_text("border open; a 60-day closure starts on day 30",
                                                                  timeout=30_000)
            expect(apply).to_be_disabled()

            # step several times (python -m dashboard.bench --browser times a step; this test does not)
            step = page.get_by_role("button", name="Step")
            for day in range(1, 6):
                step.click()
                expect(page.locator(".step-counter")).to_have_text(f"Day {day} of 365", timeout=10_000)

            # into the closure, 30 days a click, for the screenshot
            page.locator(".control-days-per-step").get_by_role("slider").focus()
            page.keyboard.press("End")
            for day in (35, 65):
                step.click()
                expect(page.locator(".step-counter")).to_have_text(f"Day {day} of 365", timeout=20_000)
            expect(page.locator(".closure-status")).to_have_text("border closed: day 36 of 60")
            page.wait_for_timeout(800)  # let the charts draw
            after = chart.screenshot()
            assert after != before, "the youth-unemployment chart did not change after stepping"
            SHOTS.mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(SHOTS / "screenshot.png"), full_page=True)
        finally:
            browser.close()
    assert problems == [], "\n".join(problems)
