"""The report command end to end on a tiny sweep: figures, tables, HTML (opened in headless Chromium), the PDF
printed from it, the numbers behind the findings (recomputed from the runs' own files), the safety of --out,
the refusal to pool runs of different settings, and one-line errors.

The session fixture runs four small multiruns through the real CLI: baseline, the plain 90-day closure and
a mitigation scenario (3 seeds); baseline and closure with ``channels.opportunity_cost=false`` (3 seeds);
a 2 x 2 grid over two parameters (1 seed); and the closure_grid preset cut down to the baseline and
closure_90d over two closure lengths (3 paired replicates: the baseline without the closure keys). Together
they support every figure.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import statistics
import struct
import subprocess
import unicodedata
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
    "dose": ["+sweep=closure_grid", "replicates=3",
             "hydra.sweeper.design.ranges={scenario:[baseline,closure_90d],border.closure.duration_days:[30,60],"
             "border.closure.informal_throughput:[0.2]}"],
}
EXPECTED_FIGURES = {
    "fig1_scenario_timeseries", "fig2_paired_differences",
    "fig3_effects_at_horizons", "fig4_mitigations", "fig5a_district_small_multiples", "fig5b_district_map",
    "fig6_sweep_heatmap_border_enforcement__trade_layoff_rate", "fig7_dose_response_border_closure_duration_days",
    "fig8_channel_decomposition",
}
EXPECTED_TABLES = {
    "summary", "runs", "timeseries_bands", "paired_timeseries_bands", "findings", "mitigation_costs",
    "districts", "sweep_heatmap", "dose_response", "channel_decomposition",
}
A4 = (595.0, 842.0)  # points (rounded)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync",
                  "--enable-logging=stderr", "--v=0", "--window-size=1280,2000"]


@pytest.fixture(scope="session")
def sweep(cli, tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("report") / "sweep"
    for name, args in SWEEPS.items():
        r = cli("experiments.run", "-m", *args, *COMMON, f"hydra.sweep.dir={root / name}")
        assert r.returncode == 0, r.stderr[-2000:]
    return root


@pytest.fixture(scope="session")
def report(cli, sweep) -> tuple[Path, subprocess.CompletedProcess]:
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
                    "summary": json.loads((man_path.parent / "summary.json").read_text()), "manifest": man,
                    "manifest_path": str(man_path)})
    return out


def find(runs: list[dict], sub: str, scenario: str, seed: int, params: tuple | None = None) -> dict:
    """The one run of a sub-sweep with this scenario and seed (and parameters)."""
    hits = [r for r in runs if r["sub"] == sub and r["scenario"] == scenario and r["seed"] == seed
            and (params is None or r["params"] == params)]
    assert len(hits) == 1, (sub, scenario, seed, params, len(hits))
    return hits[0]


# --------------------------------------------------------------------------- outputs


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_prints_progress_and_the_path_last(report):
    out, r = report
    lines = r.stdout.strip().splitlines()
    assert lines[-1] == str(out / "report.html")
    assert any(ln.startswith("report: figure 1 (scenario time series)") for ln in lines)
    assert not any("skipped figure" in ln for ln in lines), r.stdout


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
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


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_pngs_are_non_blank_and_at_least_150_dpi(report):
    out, _ = report
    pngs = sorted((out / "figures").glob("*.png"))
    assert len(pngs) == len(EXPECTED_FIGURES)
    for png in pngs:
        assert_non_blank(png)
        assert png_dpi(png) >= 149.5, png.name


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_html_is_self_contained_and_references_every_figure_and_table(report):
    out, _ = report
    page = (out / "report.html").read_text()
    assert "<script" not in page.lower()
    srcs = re.findall(r'<img[^>]+src="([^"]+)"', page)
    assert len(srcs) == len(EXPECTED_FIGURES) and all(s.startswith("data:image/png;base64,") for s in srcs)
    for key in EXPECTED_FIGURES:
        assert f'id="{key}"' in page and f"figures/{key}.png" in page and f"figures/{key}.svg" in page
    for name in EXPECTED_TABLES:  # listed and linked, never dumped into the page
        assert f'href="tables/{name}.csv"' in page and f'id="table-{name}"' not in page
    assert not re.search(r"\d\.\d+e[+-]\d", re.sub(r"<img[^>]+>", "", page))  # no 4.376e+05 in any table
    for href in re.findall(r'href="([^"#:]+)"', page):  # every local link resolves
        assert (out / href).is_file(), href
    for text in ("What this shows.", "How to read it.", "Methods", "closure_with_cash_transfer"):
        assert text in page
    assert page.count("What this shows.") == len(EXPECTED_FIGURES)


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_pdf_is_the_html_printed_on_uniform_a4_pages(report):
    try:
        import pypdf
    except ImportError:
        pytest.fail("pypdf is missing: it is a test dependency (pip install -e '.[test]')")
    out, _ = report
    pdf = pypdf.PdfReader(out / "report.pdf")
    meta = json.loads((out / "report.json").read_text())
    assert len(pdf.pages) == meta["pdf_pages"] >= len(EXPECTED_FIGURES) // 2
    sizes = {(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pdf.pages}
    assert sizes == {(round(A4[0]), round(A4[1]))}, sizes
    text = unicodedata.normalize("NFKC", "\n".join(p.extract_text() or "" for p in pdf.pages))  # ligatures
    for f in meta["figures"]:
        assert f"Figure {f['number']}." in text
    for words in ("The answer, and what it rests on", "Structural choices", "What the intervals cover",
                  "Effects at fixed horizons", "Levels per scenario", "Methods", "Scenarios", "git commit"):
        assert words in text
    first = unicodedata.normalize("NFKC", pdf.pages[0].extract_text())
    assert "Structural choices" in first and "What the intervals cover" in first  # page 1 holds all of it
    assert "Seed noise" in first and "plausible parameter space" in first
    assert not (ROOT / "experiments" / "reporting" / "pdf.py").exists()  # one layout: no hand-laid pages


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
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
    for words in ("not calibrated", "No recruitment or violence data", "Seed noise: yes", "allocation rule",
                  "Parameter uncertainty of the household economy: no"):
        assert words in page, words
    assert re.search(r'<a href="file://[^"]*docs/ODD\.md">docs/ODD\.md</a>', page)
    assert "plateau" not in page and "1.247" not in page  # removed in model 0.7.0


# --------------------------------------------------------------------------- the numbers


def region(run_dir: Path) -> pd.DataFrame:
    ts = pd.read_parquet(run_dir / "timeseries.parquet")
    return ts[(ts["district"] == "ALL") & (ts["day"] >= 1)].set_index("day")


def finding(meta: dict, scenario: str, outcome: str, horizon: str) -> dict:
    hits = [f for f in meta["findings"] if f["scenario"] == scenario and f["outcome"] == outcome
            and f["horizon"] == horizon]
    assert len(hits) == 1, (scenario, outcome, horizon, len(hits))
    return hits[0]


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_findings_match_a_hand_computation_from_the_runs_own_files(report, sweep):
    """closure_90d against the baseline of the same seed (and the same swept values), by the closure's last day
    (day 119): cumulative recruits, peak food insecurity (pp), jobs lost at the low point; counts as
    full-population equivalents (÷ the scale), with a 90% t-interval over the pairs."""
    from scipy.stats import t

    out, _ = report
    meta = json.loads((out / "report.json").read_text())
    runs = summaries(sweep)
    closure = [r for r in runs if r["scenario"] == "closure_90d" and r["sub"] in ("main", "grid")]
    assert len(closure) == 3 + 4
    recruits, food, jobs = [], [], []
    for r in closure:
        base = find(runs, r["sub"], "baseline", r["seed"], r["params"])
        a = region(Path(r["manifest_path"]).parent).loc[1:119]
        b = region(Path(base["manifest_path"]).parent).loc[1:119]
        recruits.append((a["recruits"].sum() - b["recruits"].sum()) / 0.01)
        food.append(100 * (a["food_insecure_share"].max() - b["food_insecure_share"].max()))
        jobs.append((b["employed"].min() - a["employed"].min()) / 0.01)
    for outcome, values in (("recruits", recruits), ("food_insecure_peak", food), ("jobs_lost_peak", jobs)):
        f = finding(meta, "closure_90d", outcome, "closure end")
        assert f["compared_to"] == "baseline" and f["n_pairs"] == 7 and f["day"] == 119
        assert f["mean"] == pytest.approx(statistics.fmean(values))
        half = t.ppf(0.95, len(values) - 1) * statistics.stdev(values) / len(values) ** 0.5
        assert (f["ci_low"], f["ci_high"]) == pytest.approx((f["mean"] - half, f["mean"] + half))
    assert set(meta["findings"][0]) >= {"scenario", "compared_to", "outcome", "horizon", "mean", "ci_low", "ci_high",
                                        "n_pairs"}
    # the key findings quote the same numbers, in words, for food and jobs as well as recruitment
    text = " ".join(meta["key_findings"])
    for words in ("Recruitment:", "Food:", "Jobs:", "membership", "closure_with_cash_transfer compared with its "
                  "own closure (closure_90d)"):
        assert words in text, words


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_mitigation_is_compared_with_its_own_closure_on_every_outcome(report, sweep):
    out, _ = report
    meta = json.loads((out / "report.json").read_text())
    cash = [f for f in meta["findings"] if f["scenario"] == "closure_with_cash_transfer"]
    assert {f["compared_to"] for f in cash} == {"closure_90d"}
    assert {f["outcome"] for f in cash} >= {"recruits", "members", "members_peak", "youth_unemployment_peak",
                                            "food_insecure_peak", "food_insecure_closure_mean", "food_price_peak",
                                            "jobs_lost_peak", "traders_exited"}
    runs = summaries(sweep)
    spend = [region(Path(find(runs, "main", "closure_with_cash_transfer", s)["manifest_path"]).parent)
             ["policy_spending"].sum() - region(Path(find(runs, "main", "closure_90d", s)["manifest_path"]).parent)
             ["policy_spending"].sum() for s in range(3)]
    costs = pd.read_csv(out / "tables" / "mitigation_costs.csv")
    row = costs[(costs["scenario_variant"] == "closure_with_cash_transfer") & (costs["outcome"] == "recruits")].iloc[0]
    assert row["extra_spending_pkr_m"] == pytest.approx(statistics.fmean(spend) / 0.01)
    for r in costs.itertuples():  # a cost per unit only where the amount averted is detectable (3 pairs: never)
        assert np.isfinite(r.cost_per_unit_pkr_m) == r.averted_detectably == (r.averted_ci_low > 0 and r.n_pairs >= 8)


def test_no_mitigation_is_named_better_when_intervals_include_zero():
    from types import SimpleNamespace

    from experiments.outcomes import OUTCOMES
    from experiments.reporting.methods import which_mitigation

    rows = [{"variant": v, "scenario": v, "compared_to": "closure_90d", "outcome": o.key, "horizon": "closure end",
             "day": 119, "mean": m, "ci_low": m - 5, "ci_high": m + 5, "n_pairs": 8}
            for v, m in (("closure_with_a", -3.0), ("closure_with_b", -1.0)) for o in OUTCOMES]
    effects = pd.DataFrame(rows)
    comps = SimpleNamespace(effects=effects, variants=lambda mitigations=None, reference=None: ["closure_with_a",
                                                                                                 "closure_with_b"])
    (text,) = which_mitigation(comps)
    assert "cannot be told apart" in text and "none" in text
    assert "closure_with_a" not in text and "closure_with_b" not in text  # no winner on noise
    effects.loc[(effects["variant"] == "closure_with_a") & (effects["outcome"] == "recruits"), "ci_high"] = -0.5
    (text,) = which_mitigation(comps)
    assert "recruits: closure_with_a" in text and "closure_with_b" not in text


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_closure_sweep_is_paired_with_a_baseline_and_draws_the_dose_response(report, sweep):
    out, _ = report
    record = json.loads((sweep / "dose" / "sweep.json").read_text())
    assert record["failed"] == 0 and len(record["jobs"]) == 3 * (1 + 2)
    baselines = [m for m in (sweep / "dose").rglob("manifest.json")
                 if json.loads(m.read_text())["scenario"] == "baseline"]
    assert len(baselines) == 3
    for m in baselines:  # the baseline took none of the closure keys
        assert json.loads(m.read_text())["config"]["border"]["closure"]["duration_days"] == 0
    dose = pd.read_csv(out / "tables" / "dose_response.csv")
    d = dose[(dose["dose"] == "border.closure.duration_days") & (dose["scenario"] == "closure_90d")]
    assert sorted(set(d["dose_value"])) == [30.0, 60.0]  # the swept values only: nothing extrapolated
    assert (d["n_seeds"] == 3).all() and (d["compared_to"] == "baseline").all()
    assert ((d["ci_low"] <= d["mean"]) & (d["mean"] <= d["ci_high"])).all()


def test_horizon_outcomes_of_a_hand_made_series():
    from experiments.outcomes import Window, horizons, pair_differences, run_outcomes

    days = np.arange(0, 301)
    ts = pd.DataFrame({"day": days, "recruits": np.where(days >= 1, 1.0, 0.0), "militants": 100.0 + days % 7,
                       "youth_unemployment_rate": 0.2, "food_insecure_share": np.where((days >= 10) & (days < 20),
                                                                                       0.5, 0.3),
                       "food_price_index": 1.0, "employed": 1000.0 - days, "active_traders": 50.0,
                       "policy_spending": 0.5})
    w = Window(10.0, 20.0, 20.0)
    assert horizons(w, 300) == [("closure end", 19), ("+6 months", 201), ("end of run", 300)]
    assert horizons(w, 400)[2] == ("+1 year", 384)
    o = run_outcomes(ts, w, 300).set_index(["horizon", "outcome"])["value"]
    assert o["closure end", "recruits"] == 19 and o["end of run", "recruits"] == 300
    assert o["closure end", "members_peak"] == 106 and o["closure end", "members"] == 100 + 19 % 7
    assert o["closure end", "food_insecure_closure_mean"] == pytest.approx(0.5)
    assert o["+6 months", "jobs_lost_peak"] == 1000 - 201
    base = run_outcomes(ts.assign(employed=1000.0), w, 300).assign(k=0)
    d = pair_differences(run_outcomes(ts, w, 300).assign(k=0), base, ["k"]).set_index(["horizon", "outcome"])
    assert d.loc[("closure end", "jobs_lost_peak"), "effect"] == 19  # a loss counts up
    assert horizons(Window(), 50) == [("end of run", 50)]


def test_closure_presets_pair_every_replicate_with_a_baseline_without_closure_keys():
    from omegaconf import OmegaConf

    from experiments.sweep.designs import design_points

    for name, closures in (("closure_grid", 36), ("lhs_closure", 32), ("sobol_closure", 32)):
        design = OmegaConf.load(ROOT / "configs" / "sweep" / f"{name}.yaml").hydra.sweeper.design
        points = design_points(design)
        base = [p for p in points if p["scenario"] == "baseline"]
        assert base == [{"scenario": "baseline"}] and len(points) == closures + 1, name


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
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


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
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


def test_missing_empty_or_incomplete_directory_fails_with_one_line(cli, tmp_path):
    assert "no such directory" in one_line_error(cli("experiments.report", str(tmp_path / "nope")))
    empty = tmp_path / "empty"
    empty.mkdir()
    assert "no complete run" in one_line_error(cli("experiments.report", str(empty)))
    broken = tmp_path / "broken" / "0"
    broken.mkdir(parents=True)
    (broken / "manifest.json").write_text(json.dumps({"status": "running"}))
    assert "no complete run" in one_line_error(cli("experiments.report", str(tmp_path / "broken")))
    assert not (empty / "report").exists()


@pytest.mark.slow  # three runs of its own and two reports
def test_single_run_skips_what_it_cannot_show_and_run_missing_fills_the_channel_runs(cli, tmp_path):
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
    assert "no dose was swept" in skipped["7"]
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


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
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


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_runs_of_different_settings_are_refused_or_one_is_chosen(cli, tmp_path):
    for scale in ("0.003", "0.004"):
        r = cli("experiments.run", "scenario=baseline", "seed=0", f"population.scale={scale}", "days=20",
                "progress=false", f"hydra.run.dir={tmp_path / 'mixed' / scale}")
        assert r.returncode == 0, r.stderr[-2000:]
    line = one_line_error(cli("experiments.report", str(tmp_path / "mixed")))
    assert "cannot be compared" in line and "population.scale" in line and "--setting" in line
    assert not (tmp_path / "mixed" / "report").exists()
    r = cli("experiments.report", str(tmp_path / "mixed"), "--setting", "2")
    assert r.returncode == 0, r.stderr[-2000:]
    meta = json.loads((tmp_path / "mixed" / "report" / "report.json").read_text())
    assert meta["runs"] == 1 and meta["setting"]["population.scale"] in ("0.003", "0.004")
    page = (tmp_path / "mixed" / "report" / "report.html").read_text()
    assert "were left out, not pooled" in page
    assert "--setting=5" in one_line_error(cli("experiments.report", str(tmp_path / "mixed"), "--setting", "5"))


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_out_never_deletes_or_overwrites_files_it_did_not_write(cli, report, tmp_path):
    out, _ = report
    sweep = out.parent
    foreign = tmp_path / "theirs"
    foreign.mkdir()
    (foreign / "report.html").write_text("someone else's")
    line = one_line_error(cli("experiments.report", str(sweep / "main"), "--out", str(foreign)))
    assert "report.html exists and was not written by a report" in line
    assert (foreign / "report.html").read_text() == "someone else's" and sorted(os.listdir(foreign)) == ["report.html"]
    mine = tmp_path / "mine"
    r = cli("experiments.report", str(sweep / "main"), "--out", str(mine))
    assert r.returncode == 0, r.stderr[-2000:]
    (mine / "notes.txt").write_text("keep me")
    (mine / "figures" / "my_sketch.png").write_bytes(b"png")
    written = set(json.loads((mine / ".report-files.json").read_text())["files"])
    r = cli("experiments.report", str(sweep / "main"), "--out", str(mine))
    assert r.returncode == 0, r.stderr[-2000:]
    assert (mine / "notes.txt").read_text() == "keep me" and (mine / "figures" / "my_sketch.png").exists()
    assert set(json.loads((mine / ".report-files.json").read_text())["files"]) == written


@pytest.mark.parametrize("module", ["experiments.report", "experiments.demo"])
def test_help_exits_zero(cli, module):
    r = cli(module, "--help", timeout=120)
    assert r.returncode == 0 and "usage:" in r.stdout, r.stderr


def test_four_pairs_are_too_few_to_name_a_direction():
    """The per-pair differences in recruits of three mitigations on four pairs (a sweep's report once called all
    three "detectable reductions"): with fewer than MIN_PAIRS pairs no direction is named, in the findings, the
    comparison of mitigations or page 1; the same differences on eight pairs are a detectable reduction."""
    from types import SimpleNamespace

    from experiments.outcomes import MIN_PAIRS, paired_effects
    from experiments.reporting.methods import TOO_FEW, mitigation_finding, which_mitigation
    from experiments.reporting.page_one import verdict

    per_pair = {"cash": [-3, 0, -2, -1], "ct": [-1, -1, -2, 0], "works": [-4, -1, -2, -1]}

    def comparisons(repeat: int):
        diffs = pd.DataFrame([{"variant": v, "scenario": v, "compared_to": "closure_90d", "outcome": "recruits",
                               "horizon": "end of run", "day": 400, "effect": e}
                              for v, values in per_pair.items() for e in values * repeat])
        effects = paired_effects(diffs, by=("variant", "scenario", "compared_to"))
        return SimpleNamespace(effects=effects, variants=lambda mitigations=None, reference=None: list(per_pair))

    few = comparisons(1)
    assert (few.effects["n_pairs"] == 4).all() and MIN_PAIRS == 8
    assert (few.effects["ci_high"] < 0).sum() == 2  # even where the t-interval excludes zero ...
    for v in per_pair:  # ... nothing is called a reduction
        text = mitigation_finding(few, v, pd.DataFrame())
        assert TOO_FEW in text and "it reduces" not in text, text
        assert verdict(few.effects[few.effects["variant"] == v].iloc[0]) == TOO_FEW
    (text,) = which_mitigation(few)
    assert "none is named" in text and "Detectable" not in text
    many = comparisons(2)
    r = many.effects[many.effects["variant"] == "works"].iloc[0]
    assert r["n_pairs"] == 8 and verdict(r) == "fewer"
    assert "it reduces recruits" in mitigation_finding(many, "works", pd.DataFrame())


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_every_number_on_page_one_and_in_the_tables_is_one_finding(report):
    """One computation: each effect page 1 quotes is a finding of report.json (same mean and interval, and shown
    in the page as quoted); findings.csv holds the same rows; mitigation_costs.csv's amount averted is minus the
    finding; the levels tables hold shares as fractions."""
    out, _ = report
    meta = json.loads((out / "report.json").read_text())
    page = (out / "report.html").read_text()
    found = {(f["scenario"] + " − " + f["compared_to"], f["outcome"], f["horizon"]): f for f in meta["findings"]}
    numbers = [n for n in meta["page_one"]["numbers"] if "structural_choices" not in n
               or n["structural_choices"] == meta["structural_choices"]]
    assert len(numbers) >= 10
    for n in numbers:
        f = found[(n["comparison"], n["outcome"], n["horizon"])]
        assert (n["mean"], n["ci_low"], n["ci_high"], n["n_pairs"]) == (f["mean"], f["ci_low"], f["ci_high"],
                                                                        f["n_pairs"]), n
        assert n["shown"].replace("−", "-") in page.replace("−", "-"), n["shown"]
    table = pd.read_csv(out / "tables" / "findings.csv")
    assert len(table) == len(meta["findings"])
    for r in table.itertuples():
        f = found[(r.scenario_variant + " − " + r.compared_to, r.outcome, r.horizon)]
        assert r.mean == pytest.approx(f["mean"]) and (r.n_pairs == f["n_pairs"])
    costs = pd.read_csv(out / "tables" / "mitigation_costs.csv")
    assert len(costs)
    for r in costs.itertuples():
        f = found[(r.scenario_variant + " − " + r.compared_to, r.outcome, r.horizon)]
        assert r.averted_mean == pytest.approx(-f["mean"])
        assert (r.averted_ci_low, r.averted_ci_high) == pytest.approx((-f["ci_high"], -f["ci_low"]), nan_ok=True)
    summary = pd.read_csv(out / "tables" / "summary.csv")
    runs = pd.read_csv(out / "tables" / "runs.csv")
    assert summary["youth_unemployment_rate_peak_mean"].between(0, 1).all()
    assert runs["youth_unemployment_rate_peak"].dropna().between(0, 1).all()  # channel-off runs have no levels
    assert {"employment_lowest", "active_traders_end_of_run"} <= set(runs.columns)
    assert not {"jobs_lost_peak", "traders_exited"} & set(runs.columns)  # levels are not named as effects


@pytest.mark.slow  # runs of its own (about 40 s)
def test_structural_alternatives_are_side_by_side_on_page_one_and_never_pooled(cli, tmp_path):
    root = tmp_path / "rules"
    r = cli("experiments.run", "-m", "scenario=baseline,closure_90d", "finance.allocation_rule=payroll_first,"
            "operations_first", "seed=0,1", *COMMON, f"hydra.sweep.dir={root}")
    assert r.returncode == 0, r.stderr[-2000:]
    r = cli("experiments.report", str(root))
    assert r.returncode == 0, r.stderr[-2000:]
    meta = json.loads((root / "report" / "report.json").read_text())
    assert meta["runs"] == 4 and meta["structural_choices"] == {"finance.allocation_rule": "payroll_first"}
    (table,) = meta["page_one"]["structural_tables"]
    assert table["comparison"] == "closure_90d − baseline"
    assert [row["Structure"] for row in table["rows"]] == ["payroll_first (default)", "operations_first"]
    assert "Not run under finance.allocation_rule = proportional" in meta["page_one"]["missing_alternatives"]
    by_rule = {}
    for n in meta["page_one"]["numbers"]:
        if n.get("structural_choices") and n["outcome"] == "recruits" and n["horizon"] == "closure end":
            by_rule[n["structural_choices"]["finance.allocation_rule"]] = n
    assert set(by_rule) == {"payroll_first", "operations_first"}
    main = [f for f in meta["findings"] if f["outcome"] == "recruits" and f["horizon"] == "closure end"]
    assert main[0]["mean"] == by_rule["payroll_first"]["mean"] and main[0]["n_pairs"] == 2  # not pooled with the other
    assert TOO_FEW_WORDS in " ".join(s for a in meta["page_one"]["answers"] for s in a["sentences"])


TOO_FEW_WORDS = "too few pairs to tell"


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_the_report_owns_only_what_its_record_names_and_checks_before_drawing(cli, report, tmp_path):
    """A planted .report-files.json cannot make the report delete a file outside its folder or one it did not
    write; a file it wrote but someone then replaced is theirs (the record holds checksums); another report's
    report.json is no proof of ownership; a folder holding a user's report.html is refused
    before anything is drawn."""
    out, _ = report
    sweep = out.parent
    victim = tmp_path / "victim.txt"
    victim.write_text("keep")
    target = tmp_path / "planted"
    target.mkdir()
    (target / "notes.md").write_text("mine")
    (target / ".report-files.json").write_text(json.dumps({"files": [str(victim), "../victim.txt", "notes.md"]}))
    r = cli("experiments.report", str(sweep / "main"), "--out", str(target))
    assert r.returncode == 0, r.stderr[-2000:]
    assert victim.read_text() == "keep" and (target / "notes.md").read_text() == "mine"
    (target / "report.pdf").write_bytes(b"%PDF the user's edited copy")  # written by the report, then replaced
    r = cli("experiments.report", str(sweep / "main"), "--out", str(target))
    assert "report.pdf exists and was not written by a report" in one_line_error(r)
    assert (target / "report.pdf").read_bytes() == b"%PDF the user's edited copy"
    other = tmp_path / "paper"
    other.mkdir()
    (other / "report.json").write_text(json.dumps({"tables": [], "figures": []}))
    (other / "report.pdf").write_bytes(b"%PDF my paper")
    r = cli("experiments.report", str(sweep / "main"), "--out", str(other))
    assert "exists and was not written by a report" in one_line_error(r)
    assert "figure" not in r.stdout  # refused before drawing
    assert (other / "report.pdf").read_bytes() == b"%PDF my paper" and sorted(os.listdir(other)) == [
        "report.json", "report.pdf"]


@pytest.mark.slow  # runs of its own (about 30 s)
def test_runs_that_differ_only_in_their_posterior_member_are_one_setting(cli, tmp_path):
    """With calibration.draw=posterior every replicate runs another posterior member (so the runs' configs
    differ in the calibrated keys): the report pools them as one setting, pairs them by seed, and says on page 1
    that the intervals cover the members as well as the seeds."""
    root = tmp_path / "posterior"
    r = cli("experiments.run", "-m", "+calibration=hies2019", "calibration.draw=posterior",
            "scenario=baseline,closure_90d", "seed=0,1,2", *COMMON, f"hydra.sweep.dir={root}")
    assert r.returncode == 0, r.stderr[-2000:]
    members = {json.loads(m.read_text())["calibration_member"] for m in root.rglob("manifest.json")}
    assert len(members) > 1
    r = cli("experiments.report", str(root))
    assert r.returncode == 0, r.stderr[-2000:]
    meta = json.loads((root / "report" / "report.json").read_text())
    assert meta["runs"] == 6 and {f["n_pairs"] for f in meta["findings"]} == {3}
    cover = " ".join(meta["page_one"]["intervals_cover"])
    assert f"draw {len(members)} members of the hies2019 posterior" in cover


def test_run_missing_never_replays_a_planted_flag_from_a_results_folder(cli, tmp_path):
    """A run's .hydra/overrides.yaml is not covered by its manifest: an entry that is a flag
    (``--experimental-rerun`` unpickles the file it names) stops --run-missing with one line, before anything is
    launched, and the pickle never runs."""
    import pickle

    run = tmp_path / "one"
    r = cli("experiments.run", "scenario=closure_90d", "seed=0", "population.scale=0.003", "days=40",
            "progress=false", f"hydra.run.dir={run}")
    assert r.returncode == 0, r.stderr[-2000:]
    marker = tmp_path / "pwned"

    class Evil:
        def __reduce__(self):
            return (Path.touch, (marker,))

    (tmp_path / "evil.pkl").write_bytes(pickle.dumps(Evil()))
    from experiments.rundir import MANIFEST, file_record

    overrides = run / ".hydra" / "overrides.yaml"
    overrides.write_text(overrides.read_text() + f"- --experimental-rerun={tmp_path / 'evil.pkl'}\n")
    man = json.loads((run / MANIFEST).read_text())  # as a planter who also rewrites the manifest's checksum would
    man["files"][".hydra/overrides.yaml"] = file_record(overrides)
    (run / MANIFEST).write_text(json.dumps(man))
    r = cli("experiments.report", str(run), "--run-missing", "--channels", "opportunity_cost")
    assert "is not a key=value override; nothing was launched" in one_line_error(r)
    assert not marker.exists() and not (run / "channel_runs").exists()


@pytest.mark.slow  # the module's sweep and report (about 90 s), or runs of their own
def test_a_full_disk_is_one_line_and_a_rerun_finishes_the_report(cli, report, tmp_path):
    """Writes that fail (here a file size limit, as on a full disk) end the report with one line, exit 2; the
    files it wrote before are its own, so a rerun into the same folder completes it."""
    out, _ = report
    target = tmp_path / "full"
    r = cli("experiments.report", str(out.parent / "main"), "--out", str(target), limit_bytes=20_000)
    line = one_line_error(r)
    assert "cannot write" in line and "File too large" in line
    r = cli("experiments.report", str(out.parent / "main"), "--out", str(target))
    assert r.returncode == 0, r.stderr[-2000:]
    assert (target / "report.pdf").exists()
