"""How long one paired step plus a redraw takes (target: under 200 ms at the default scale).

``python -m dashboard.bench`` times, on the server, a step of both runs plus everything a redraw computes
and sends (the seven charts' and the district view's ECharts options, the summary and inspector tables,
serialised to JSON). ``--browser`` also times it end to end in Debian's chromium: a click on Step until the
page shows the new day in its last-drawn view, plus two animation frames for the canvas to paint.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time

from dashboard import views
from dashboard.paired import DEFAULT_SCALE, DEFAULT_SCENARIO, PairedBorderModel


def server_side(scale: float = DEFAULT_SCALE, steps: int = 60, warm: int = 30, seed: int = 0) -> dict:
    t0 = time.perf_counter()
    m = PairedBorderModel(DEFAULT_SCENARIO, rng=seed, population_scale=scale)
    build = time.perf_counter() - t0
    for _ in range(warm):  # into the closure (day 30), where every series moves
        m.step()
    step_ms, redraw_ms = [], []
    for _ in range(steps):
        t0 = time.perf_counter()
        m.step()
        t1 = time.perf_counter()
        json.dumps(views.redraw(m), default=float)
        t2 = time.perf_counter()
        step_ms.append(1000 * (t1 - t0))
        redraw_ms.append(1000 * (t2 - t1))
    total = [a + b for a, b in zip(step_ms, redraw_ms)]
    return {"scale": scale, "build_s": build, "step_ms": statistics.median(step_ms),
            "redraw_ms": statistics.median(redraw_ms), "total_ms": statistics.median(total),
            "total_p90_ms": sorted(total)[int(0.9 * len(total))]}


ROUND_TRIP_JS = """
async () => {
  const marker = () => document.querySelector('.inspector-day')?.innerText;
  const button = [...document.querySelectorAll('button')].find(b => b.innerText.trim().toUpperCase() === 'STEP');
  const before = marker();
  const t0 = performance.now();
  await new Promise(resolve => {
    const obs = new MutationObserver(() => { if (marker() !== before) { obs.disconnect(); resolve(); } });
    obs.observe(document.body, {subtree: true, childList: true, characterData: true});
    button.click();
  });
  await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r)));
  return performance.now() - t0;
}
"""


def browser(steps: int = 30) -> dict:
    """Click-to-painted time of a paired step in chromium (default scale: the page's default)."""
    from playwright.sync_api import sync_playwright

    from dashboard.serve import running_server

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with running_server() as url, sync_playwright() as p:
        b = p.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu"])
        try:
            page = b.new_page(viewport={"width": 1500, "height": 2700})
            page.goto(url)
            page.locator(".inspector-day").wait_for(timeout=60_000)
            page.locator(".chart-youth_unemployment_rate canvas").wait_for(timeout=30_000)
            page.wait_for_timeout(1000)
            times = [page.evaluate(ROUND_TRIP_JS) for _ in range(steps)]
        finally:
            b.close()
    times = times[5:]  # the first clicks warm up the page
    return {"round_trip_ms": statistics.median(times), "round_trip_p90_ms": sorted(times)[int(0.9 * len(times))]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard.bench", description=__doc__.splitlines()[0])
    ap.add_argument("--scale", type=float, action="append", help=f"population scale (default {DEFAULT_SCALE}); repeatable")
    ap.add_argument("--steps", type=int, default=60)
    ap.add_argument("--browser", action="store_true", help="also time click-to-paint in chromium")
    args = ap.parse_args(argv)
    print("dashboard: one paired step plus redraw (median over steps 31.., closure_90d against baseline)")
    print(f"{'scale':>6} {'build s':>8} {'step ms':>8} {'redraw ms':>10} {'total ms':>9} {'p90 ms':>7}")
    for scale in args.scale or [DEFAULT_SCALE]:
        r = server_side(scale, args.steps)
        print(f"{r['scale']:>6g} {r['build_s']:>8.2f} {r['step_ms']:>8.1f} {r['redraw_ms']:>10.1f} "
              f"{r['total_ms']:>9.1f} {r['total_p90_ms']:>7.1f}")
    if args.browser:
        r = browser()
        print(f"browser (chromium, scale {DEFAULT_SCALE:g}): click Step to painted page: median "
              f"{r['round_trip_ms']:.0f} ms, p90 {r['round_trip_p90_ms']:.0f} ms (target < 200 ms)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
