"""The report command end to end on a tiny sweep: figures, tables, HTML (opened in headless Chromium), PDF,
the numbers behind the figures, and one-line errors.

The session fixture runs three small multiruns through the real CLI: baseline, the plain 90-day closure and
a mitigation scenario (3 seeds); baseline and closure with ``channels.opportunity_cost=false`` (3 seeds);
and a 2 x 2 grid over two parameters (1 seed). Together they support every figure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from matplotlib import image as mpimg

ROOT = Path(__file__).resolve().parent.parent
COMMON = ["population.scale=0.01", "days=130", "progress=false"]  # big enough for baseline recruits > 0
SWEEPS = {
    "main": ["scenario=baseline,closure_90d,closure_with_cash_transfer", "seed=0,1,2"],
    "channels": ["scenario=baseline,closure_90d", "channels.opportunity_cost=false", "seed=0,1,2"],
    "grid": ["scenario=baseline,closure_90d", "border.enforcement=0.1,0.4", "trade.layoff_rate=0.02,0.08", "seed=0"],
}
EXPECTED_FIGURES = {
    "fig1_scenario_timeseries", "fig2_paired_differences", "fig3_headline_comparison", "fig4_cost_effectiveness",
    "fig5a_district_small_multiples", "fig5b_district_map", "fig6_sweep_heatmap_border_enforcement__trade_layoff_rate",
    "fig7_dose_response", "fig8_channel_decomposition",
}
EXPECTED_TABLES = {
    "summary", "runs", "timeseries_bands", "paired_timeseries_bands", "headline_effects", "cost_effectiveness",
    "districts", "sweep_heatmap", "dose_response", "elasticity", "channel_decomposition",
}
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--enable-logging=stderr", "--v=0", "--window-size=1280,2000"]


def cli(module: str, *args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout)


@pytest.fixture(scope="session")
def sweep(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report") / "sweep"
    for name, args in SWEEPS.items():
        r = cli("experiments.run", "-m", *args, *COMMON, f"hydra.sweep.dir={root / name}")
        assert r.returncode == 0, r.stderr[-2000:]
    return root


@pytest.fixture(scope="session")
def report(sweep) -> tuple[Path, subprocess.CompletedProcess]:
    r = cli("experiments.report", str(sweep))
    assert r.returncode == 0, r.stderr[-3000:]
    return sweep / "report", r


def assert_non_blank(path: Path, min_colours: int = 8) -> None:
    """An image with real content: pixel variance above a threshold and more than a few colours."""
    img = mpimg.imread(path)
    rgb = img[..., :3].reshape(-1, 3)
    assert float(rgb.var()) > 1e-3, f"{path.name}: blank (variance {rgb.var():.2e})"
    rgb8 = (rgb * 255).astype(np.uint32)
    colours = np.unique(rgb8[:, 0] << 16 | rgb8[:, 1] << 8 | rgb8[:, 2])
    assert len(colours) >= min_colours, f"{path.name}: only {len(colours)} colours"


def png_dpi(path: Path) -> float:
    """Resolution stored in a PNG's pHYs chunk (dots per inch)."""
    data = path.read_bytes()
    i = data.index(b"pHYs")
    ppm_x, _ppm_y, unit = struct.unpack(">IIB", data[i + 4:i + 13])
    assert unit == 1, "pHYs unit is not metres"
    return ppm_x * 0.0254


def one_line_error(r: subprocess.CompletedProcess) -> str:
    assert r.returncode == 2, (r.returncode, r.stdout, r.stderr)
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), r.stderr
    assert "Traceback" not in r.stderr
    return lines[0]


def summaries(sweep: Path) -> list[dict]:
    """Every run of the fixture sweep from its own files (independent of the report): which sub-sweep, scenario,
    seed, the parameters that differ between runs, and the summary."""
    out = []
    for man_path in sweep.rglob("manifest.json"):
        sub = man_path.relative_to(sweep).parts[0]
        man = json.loads(man_path.read_text())
        cfg = man["config"]
        out.append({"sub": sub, "scenario": man["scenario"], "seed": man["seed"],
                    "params": (cfg["border"]["enforcement"], cfg["trade"]["layoff_rate"],
                               cfg["channels"]["opportunity_cost"]),
                    "summary": json.loads((man_path.parent / "summary.json").read_text()), "manifest": man})
    return out


def find(runs: list[dict], sub: str, scenario: str, seed: int, params: tuple | None = None) -> dict:
    """The one run of a sub-sweep with this scenario and seed (and parameters)."""
    hits = [r for r in runs if r["sub"] == sub and r["scenario"] == scenario and r["seed"] == seed
            and (params is None or r["params"] == params)]
    assert len(hits) == 1, (sub, scenario, seed, params, len(hits))
    return hits[0]


# --------------------------------------------------------------------------- outputs


def test_prints_progress_and_the_path_last(report):
    out, r = report
    lines = r.stdout.strip().splitlines()
    assert lines[-1] == str(out / "report.html")
    assert any(ln.startswith("report: figure 1 (scenario time series)") for ln in lines)
    assert not any("skipped figure" in ln for ln in lines), r.stdout


def test_every_supported_figure_is_produced(report):
    out, _ = report
    meta = json.loads((out / "report.json").read_text())
    assert meta["skipped"] == []
    assert {f["key"] for f in meta["figures"]} == EXPECTED_FIGURES
    for key in EXPECTED_FIGURES:
        assert (out / "figures" / f"{key}.png").stat().st_size > 10_000
        svg = (out / "figures" / f"{key}.svg").read_text()
        assert svg.lstrip().startswith("<?xml") and "<svg" in svg
    assert {p.stem for p in (out / "tables").glob("*.csv")} == EXPECTED_TABLES


def test_pngs_are_non_blank_and_at_least_150_dpi(report):
    out, _ = report
    pngs = sorted((out / "figures").glob("*.png"))
    assert len(pngs) == len(EXPECTED_FIGURES)
    for png in pngs:
        assert_non_blank(png)
        assert png_dpi(png) >= 149.5, png.name


def test_html_is_self_contained_and_references_every_figure_and_table(report):
    out, _ = report
    page = (out / "report.html").read_text()
    assert "<script" not in page.lower()
    srcs = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert len(srcs) == len(EXPECTED_FIGURES) and all(s.startswith("data:image/png;base64,") for s in srcs)
    for key in EXPECTED_FIGURES:
        assert f'id="{key}"' in page and f"figures/{key}.png" in page and f"figures/{key}.svg" in page
    for name in EXPECTED_TABLES:
        assert f'id="table-{name}"' in page and f'href="tables/{name}.csv"' in page
    for href in re.findall(r'href="([^"#:]+)"', page):  # every local link resolves
        assert (out / href).is_file(), href
    for text in ("What this shows.", "How to read it.", "Methods", "closure_with_cash_transfer"):
        assert text in page
    assert page.count("What this shows.") == len(EXPECTED_FIGURES)


def test_pdf_has_a_page_per_figure_with_its_caption(report):
    try:
        import pypdf
    except ImportError:
        pytest.fail("pypdf is missing: it is a test dependency (pip install -e '.[test]')")
    out, _ = report
    pdf = pypdf.PdfReader(out / "report.pdf")
    meta = json.loads((out / "report.json").read_text())
    assert len(pdf.pages) == meta["pdf_pages"] >= len(EXPECTED_FIGURES) + 3  # title, table, figures, methods
    text = "\n".join(p.extract_text() or "" for p in pdf.pages)
    for f in meta["figures"]:
        assert f"Figure {f['number']}." in text
    for words in ("Key findings", "Summary table", "Methods", "Scenarios", "git commit"):
        assert words in text


def test_methods_come_from_the_manifests(report, sweep):
    out, _ = report
    page = (out / "report.html").read_text()
    runs = summaries(sweep)
    man = runs[0]["manifest"]
    assert man["git"]["commit"][:12] in page
    assert f"{len(runs)} complete model run(s)" in page
    assert "population scale" in page.lower() and "0.01" in page
    cash = next(r for r in runs if r["scenario"] == "closure_with_cash_transfer")
    assert cash["manifest"]["config"]["description"] in page


# --------------------------------------------------------------------------- the numbers


def test_summary_table_pairs_each_run_with_the_baseline_of_the_same_seed(report, sweep):
    out, _ = report
    runs = summaries(sweep)
    closure = [r for r in runs if r["scenario"] == "closure_90d" and r["sub"] in ("main", "grid")]
    extra = [r["summary"]["cumulative_recruits"]
             - find(runs, r["sub"], "baseline", r["seed"], r["params"])["summary"]["cumulative_recruits"]
             for r in closure]
    assert len(extra) == 3 + 4
    summary = pd.read_csv(out / "tables" / "summary.csv").set_index("scenario")
    row = summary.loc["closure_90d"]
    assert row["runs"] == 7
    assert row["extra_recruits_mean"] == pytest.approx(statistics.fmean(extra))
    assert row["extra_recruits_p05"] <= row["extra_recruits_mean"] <= row["extra_recruits_p95"]
    assert np.isnan(summary.loc["baseline", "extra_recruits_mean"])
    peak = statistics.fmean(r["summary"]["peak_youth_unemployment_rate"] for r in closure)
    assert row["peak_youth_unemployment_rate_mean"] == pytest.approx(100 * peak)
    assert len(pd.read_csv(out / "tables" / "runs.csv")) == len(runs)


def test_channel_decomposition_is_the_paired_difference_of_effects(report, sweep):
    out, _ = report
    runs = summaries(sweep)

    def rec(sub: str, scen: str, seed: int) -> int:
        return find(runs, sub, scen, seed)["summary"]["cumulative_recruits"]

    contrib = [(rec("main", "closure_90d", s) - rec("main", "baseline", s))
               - (rec("channels", "closure_90d", s) - rec("channels", "baseline", s)) for s in range(3)]
    table = pd.read_csv(out / "tables" / "channel_decomposition.csv")
    rows = table[table["scenario"] == "closure_90d"].set_index("component")
    assert set(rows.index) == {"opportunity_cost", "interaction & remainder", "total"}
    assert (rows["mode"] == "effect vs baseline").all() and (rows["pairs"] == 3).all()
    assert rows.loc["opportunity_cost", "median"] == pytest.approx(statistics.median(contrib))


def test_cost_effectiveness_is_recruits_averted_per_million_pkr(report, sweep):
    out, _ = report
    runs = summaries(sweep)
    ratios = []
    for s in range(3):
        plain = find(runs, "main", "closure_90d", s)["summary"]
        cash = find(runs, "main", "closure_with_cash_transfer", s)["summary"]
        spend = cash["policy_spending_pkr_m"] - plain["policy_spending_pkr_m"]
        assert spend > 0
        ratios.append((plain["cumulative_recruits"] - cash["cumulative_recruits"]) / spend)
    row = pd.read_csv(out / "tables" / "cost_effectiveness.csv").set_index("scenario").loc["closure_with_cash_transfer"]
    assert row["pairs"] == 3
    assert row["averted_per_pkr_m_median"] == pytest.approx(statistics.median(ratios))


def test_dose_response_fit_has_a_confidence_interval(report):
    out, _ = report
    fit = pd.read_csv(out / "tables" / "elasticity.csv").iloc[0]
    points = pd.read_csv(out / "tables" / "dose_response.csv")
    assert fit["pairs"] == len(points) >= 3
    assert fit["ci95_lo"] < fit["slope_pct_per_pp"] < fit["ci95_hi"]
    slope = np.polyfit(points["d_youth_unemployment_pp"], points["d_recruits_pct"], 1)[0]
    assert fit["slope_pct_per_pp"] == pytest.approx(slope)


def test_each_scenario_keeps_one_distinct_colour():
    from experiments.reporting.palette import OKABE_ITO, scenario_styles

    known = ["baseline", "closure_30d", "closure_90d", "closure_1y", "partial_closure", "closure_with_border_markets",
             "closure_with_cash_transfer", "closure_with_public_works", "closure_with_ct_cooperation",
             "strikes_jan2024", "deescalation_reopening"]
    names = known + [f"custom_{i}" for i in range(12)]
    styles = scenario_styles(names)
    assert len({(s.color, s.linestyle) for s in styles.values()}) == len(names)
    assert len({styles[n].color for n in known}) == len(known)
    assert styles["baseline"].color == OKABE_ITO["black"] and styles["closure_90d"].color == OKABE_ITO["vermillion"]
    # a known scenario keeps its colour whatever else is in the report
    assert scenario_styles(["closure_90d"])["closure_90d"].color == styles["closure_90d"].color


# --------------------------------------------------------------------------- browser


def test_html_opens_in_headless_chromium_without_console_errors(report, tmp_path):
    chromium = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if chromium is None:
        pytest.fail("chromium not found: install Debian's chromium package (scripts/ensure-chromium does it); "
                    "this test opens the HTML report in a headless browser")
    out, _ = report
    shot = tmp_path / "screenshot.png"
    r = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={tmp_path / 'profile'}", f"--screenshot={shot}",
                        (out / "report.html").resolve().as_uri()], capture_output=True, text=True, timeout=180)
    assert r.returncode == 0, r.stderr[-2000:]
    console = [ln for ln in r.stderr.splitlines() if ":CONSOLE" in ln]
    assert console == [], console
    assert shot.is_file()
    assert_non_blank(shot)
    shutil.copy(shot, out / "screenshot.png")  # kept next to the report for a human look


# --------------------------------------------------------------------------- inputs it cannot use


def test_missing_empty_or_incomplete_directory_fails_with_one_line(tmp_path):
    assert "no such directory" in one_line_error(cli("experiments.report", str(tmp_path / "nope")))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no complete run" in one_line_error(cli("experiments.report", str(empty)))
    broken = tmp_path / "broken" / "0"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text(json.dumps({"status": "running"}))
    assert "no complete run" in one_line_error(cli("experiments.report", str(tmp_path / "broken")))
    assert not (empty / "report").exists()


def test_single_run_skips_what_it_cannot_show_and_run_missing_fills_the_channel_runs(tmp_path):
    run = tmp_path / "one"
    r = cli("experiments.run", "scenario=closure_90d", "seed=0", "population.scale=0.003", "days=40",
            "progress=false", f"hydra.run.dir={run}")
    assert r.returncode == 0, r.stderr[-2000:]
    r = cli("experiments.report", str(run))
    assert r.returncode == 0, r.stderr[-2000:]
    meta = json.loads((run / "report" / "report.json").read_text())
    assert {f["key"] for f in meta["figures"]} == {"fig1_scenario_timeseries", "fig5a_district_small_multiples",
                                                    "fig5b_district_map"}
    skipped = {s["number"]: s["reason"] for s in meta["skipped"]}
    assert set(skipped) == {"2", "3", "4", "6", "7", "8"}
    assert not any(reason.startswith("internal error") for reason in skipped.values())
    for number, reason in skipped.items():
        assert re.search(rf"skipped figure {number} \(.+\): {re.escape(reason)}", r.stdout)
    assert "--run-missing" in skipped["8"]

    r = cli("experiments.report", str(run), "--run-missing", "--channels", "opportunity_cost")
    assert r.returncode == 0, r.stderr[-2000:]
    assert "channels.opportunity_cost=false" in r.stdout
    launched = [m for m in (run / "channel_runs").rglob("manifest.json")]
    assert len(launched) == 1
    assert json.loads(launched[0].read_text())["config"]["channels"]["opportunity_cost"] is False
    meta = json.loads((run / "report" / "report.json").read_text())
    assert "fig8_channel_decomposition" in {f["key"] for f in meta["figures"]}
    assert meta["launched_runs"] == 1
    assert one_line_error(cli("experiments.report", str(run), "--channels", "bogus", "--run-missing"))


def test_methods_lists_spawned_seeds_without_expanding_their_range():
    """Replicate seeds are large spawned integers; summarising them must not build the range between them."""
    from experiments.reporting.methods import _seeds

    assert _seeds([3757552657, 673228719, 3241444873]) == "673228719, 3241444873, 3757552657"
    assert _seeds([4, 2, 3]) == "2–4"


def test_methods_say_which_sweep_jobs_failed(sweep, tmp_path):
    from experiments.reporting.data import load
    from experiments.reporting.methods import methods

    root = tmp_path / "main"
    shutil.copytree(sweep / "main", root)
    assert not any("failed" in p for _, ps in methods(load(root)) for p in ps)
    record = json.loads((root / "sweep.json").read_text())
    record["jobs"].append({"overrides": ["scenario=closure_1y", "seed=7"], "status": "failed",
                           "error": "error: population.scale=2.0: a fraction in (0, 1]", "run_dir": None})
    (root / "sweep.json").write_text(json.dumps(record))
    data = dict(methods(load(root)))["Data"]
    assert any("1 job(s) of the sweep(s) failed" in p and "scenario=closure_1y seed=7" in p
               and "a fraction in (0, 1]" in p for p in data)
