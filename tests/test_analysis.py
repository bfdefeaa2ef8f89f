"""Sensitivity analysis and scenario discovery: the shared start (branched runs are the separate runs, bit for
bit), the SALib and PRIM wiring (analytic and planted answers), the analysis command end to end, resume, and bad
analysis configs."""

from __future__ import annotations

import json
import math
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from experiments.analysis import indices
from experiments.analysis.space import Factor, build_space, problem, unit_design
from sim import BorderModel, load_config
from sim.branching import BranchError, SharedStart, check_branchable, divergence_day
from sim.config import ConfigError

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


# --------------------------------------------------------------------------- the shared start


def _assert_same_run(branched, separate):
    pd.testing.assert_frame_equal(branched.timeseries(), separate.timeseries(), check_exact=True)
    pd.testing.assert_frame_equal(branched.group_frame(), separate.group_frame(), check_exact=True)
    assert branched.summary() == separate.summary()


LIBRARY = ["baseline", "closure_90d", "closure_1y", "closure_with_cash_transfer", "closure_with_public_works",
           "closure_with_border_markets", "closure_with_ct_cooperation", "partial_closure", "deescalation_reopening",
           "strikes_jan2024"]


@pytest.mark.slow
def test_branched_runs_are_bit_identical_to_separate_runs():
    """Every library scenario branched from one shared start equals its own separate run: the full time
    series (every day, district and indicator), the group series and the summary."""
    overrides = {"population.scale": 0.01, "days": 130}
    cfgs = [load_config(s, overrides) for s in LIBRARY]
    start = SharedStart(cfgs, seed=7)
    assert start.day == 0  # strikes_jan2024 differs from day 1
    for i, cfg in enumerate(cfgs):
        _assert_same_run(start.run(i), BorderModel(config=cfg, rng=7).run())


def test_branch_after_a_common_prefix_keeps_the_running_programme():
    """Both scenarios pay a cash transfer from day 5; only one closes the border (day 30). The shared start
    runs to day 29 with the transfer running, and each branch still equals its separate run."""
    policy = {"population.scale": 0.01, "days": 90, "policy.cash_transfer.amount": 5000.0,
              "policy.cash_transfer.start_day": 5, "policy.cash_transfer.duration_days": 60,
              "policy.cash_transfer.hardship_threshold": 0.1}
    cfgs = [load_config("baseline", policy), load_config("closure_90d", policy)]
    start = SharedStart(cfgs, seed=3)
    assert start.day == 29
    for i, cfg in enumerate(cfgs):
        _assert_same_run(start.run(i), BorderModel(config=cfg, rng=3).run())
    # and the two scenarios really differ after the closure starts
    a, b = start.run(0).timeseries(), start.run(1).timeseries()
    assert not a[a.day >= 30].equals(b[b.day >= 30])


def test_divergence_day_is_the_first_day_a_schedule_differs():
    base = load_config("baseline", {"population.scale": 0.01})
    assert divergence_day([base, load_config("closure_90d", {"population.scale": 0.01})]) == 30
    assert divergence_day([base, load_config("closure_with_ct_cooperation", {"population.scale": 0.01})]) == 14
    assert divergence_day([base, load_config("strikes_jan2024", {"population.scale": 0.01})]) == 1
    assert divergence_day([base, base]) == base.days + 1


def test_configs_differing_beyond_scenario_inputs_cannot_share_a_start():
    a = load_config("baseline", {"population.scale": 0.01})
    b = load_config("closure_90d", {"population.scale": 0.01, "recruitment.weight_ties": 3.0})
    with pytest.raises(BranchError, match=r"recruitment.weight_ties=3.0"):
        check_branchable([a, b])


def test_a_branch_with_another_public_works_wage_pays_that_wage():
    """The public-works wage is a policy lever read on the day, not at build: runs that differ only in it share
    a start, and each branch equals its separate run, bit for bit."""
    overrides = {"population.scale": 0.01, "days": 100}
    cfgs = [load_config("closure_with_public_works", overrides),
            load_config("closure_with_public_works", {**overrides, "policy.public_works.wage_pkr": 900.0})]
    start = SharedStart(cfgs, seed=5)
    for i, cfg in enumerate(cfgs):
        _assert_same_run(start.run(i), BorderModel(config=cfg, rng=5).run())
    a, b = start.run(0).timeseries(), start.run(1).timeseries()
    assert not a.mean_household_income.equals(b.mean_household_income)


# --------------------------------------------------------------------------- SALib and PRIM wiring


def _effects(y: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"point": np.arange(len(y)), "scenario": "s", "outcome": "o", "horizon": "h", "effect": y})


def test_sobol_wiring_recovers_the_analytic_ishigami_indices():
    """Ishigami (a=7, b=0.1) on [-pi, pi]^3: S1 = 0.314, 0.442, 0; ST = 0.558, 0.442, 0.244."""
    factors = [Factor(f"x{i}", -math.pi, math.pi, "uniform", None, "", 0.0) for i in (1, 2, 3)]
    settings = SimpleNamespace(n=2048, seed=1, num_resamples=200, conf_level=0.95)
    unit = unit_design("sobol", factors, settings)
    x = np.array([[f.value(u) for f, u in zip(factors, row)] for row in unit])
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    si = indices.sobol_indices(problem(factors), len(unit), _effects(y), settings).set_index("parameter")
    s1, st = [0.3139, 0.4424, 0.0], [0.5576, 0.4424, 0.2437]
    np.testing.assert_allclose(si.loc[["x1", "x2", "x3"], "S1"], s1, atol=0.04)
    np.testing.assert_allclose(si.loc[["x1", "x2", "x3"], "ST"], st, atol=0.04)
    assert (si["S1_conf"] > 0).all() and (si["ST_conf"] > 0).all()


def test_morris_wiring_gives_the_elementary_effects_of_a_linear_response():
    """y = 3 u1 - 2 u2 + 0 u3 on the unit cube: every elementary effect of factor i is its slope."""
    factors = [Factor(f"x{i}", 0.0, 1.0, "uniform", None, "", 0.0) for i in (1, 2, 3)]
    settings = SimpleNamespace(r=12, levels=4, seed=2, num_resamples=100, conf_level=0.95)
    unit = unit_design("morris", factors, settings)
    y = 3 * unit[:, 0] - 2 * unit[:, 1]
    m = indices.morris_indices(problem(factors), unit, _effects(y), settings).set_index("parameter")
    np.testing.assert_allclose(m.loc[["x1", "x2", "x3"], "mu_star"], [3, 2, 0], atol=1e-9)
    np.testing.assert_allclose(m.loc[["x1", "x2", "x3"], "mu"], [3, -2, 0], atol=1e-9)
    np.testing.assert_allclose(m["sigma"], 0, atol=1e-9)


def test_prim_finds_a_planted_box():
    rng = np.random.default_rng(4)
    n = 3000
    x = pd.DataFrame({"a": rng.uniform(0, 1, n), "b": rng.uniform(0, 10, n), "c": rng.uniform(0, 1, n),
                      "rule": rng.choice(["p", "q", "r"], n)})
    inside = (x.a > 0.2) & (x.a < 0.5) & (x.b > 6) & (x.b < 9)
    y = np.where(inside, 5.0, -5.0) + rng.normal(0, 0.5, n)
    settings = SimpleNamespace(peel_alpha=0.05, mass_min=0.02, min_density=0.9)
    boxes = indices.prim_boxes(x, y, 0.0, settings)
    lim = boxes[(boxes.direction == "raises") & (boxes.kind == "limit")].set_index("parameter")
    assert set(lim.index) == {"a", "b"}  # c and the categorical are left free
    np.testing.assert_allclose(lim.loc["a", ["low", "high"]].astype(float), [0.2, 0.5], atol=0.04)
    np.testing.assert_allclose(lim.loc["b", ["low", "high"]].astype(float), [6, 9], atol=0.4)
    chosen = boxes[(boxes.direction == "raises") & (boxes.kind == "step") & boxes.chosen.astype(bool)].iloc[0]
    assert chosen.density >= 0.9 and chosen.coverage >= 0.85
    steps = boxes[(boxes.direction == "raises") & (boxes.kind == "step")]
    assert len(steps) > 5 and steps.coverage.iloc[0] == 1.0  # the whole peeling trajectory, from the full space


def test_uncertainty_space_default_subsets_and_errors():
    full = build_space()
    keys = [f.key for f in full]
    assert "finance.allocation_rule" in keys and "recruitment.weight_ties" in keys
    assert not any(k.startswith(("border.closure", "policy.cash", "channels.", "seed", "days")) for k in keys)
    rule = next(f for f in full if f.key == "finance.allocation_rule")
    assert rule.distribution == "categorical" and {rule.value(u) for u in np.linspace(0, 1, 9)} == set(rule.choices)
    sub = build_space(["recruitment.groups.*.pay_pkr"], ranges={"labour.wage_trade": [700, 900]})
    assert [f.key for f in sub] == ["recruitment.groups.0.pay_pkr", "recruitment.groups.1.pay_pkr",
                                    "labour.wage_trade"]
    assert sub[-1].value(0.0) == 700 and sub[-1].value(1.0) == 900
    with pytest.raises(ConfigError, match="analysis.parameters='nope'"):
        build_space(["nope"])
    with pytest.raises(ConfigError, match=r"analysis.ranges.labour.wage_trade=\[900, 900\]"):
        build_space(ranges={"labour.wage_trade": [900, 900]})


# --------------------------------------------------------------------------- the command


@pytest.mark.parametrize("args, key", [
    (["analysis.parameters=[nope]"], "error: analysis.parameters='nope': keys of the uncertainty space"),
    (["+analysis.ranges={labour.wage_trade:[900,900]}"], "error: analysis.ranges.labour.wage_trade=[900, 900]: "),
    (["analysis.scenarios=[nowhere]"], "error: analysis.scenarios='nowhere': one of "),
    (["analysis.method=fast"], "error: analysis.method='fast': one of morris, sobol, lhs"),
    (["analysis.morris.seed=-1"], "error: analysis.morris.seed=-1: an integer >= 0"),
    (["analysis.morris.num_resamples=0"], "error: analysis.morris.num_resamples=0: an integer >= 10"),
    (["analysis.prim.threshold=nan"], "error: analysis.prim.threshold=nan: a finite number >= 0"),
])
def test_bad_analysis_config_is_one_line_and_exit_2(tmp_path, capsys, args, key):
    """In process, through the command's own check (the entry point itself: the next test)."""
    from experiments.analyze import cli as analyze

    out = tmp_path / "an"
    with pytest.raises(SystemExit) as exit_:
        analyze(["+analysis=smoke", *args, f"hydra.sweep.dir={out}"])
    err = capsys.readouterr().err
    assert exit_.value.code == 2 and err.count("\n") == 1 and err.startswith(key), err
    assert not out.exists()


def test_unknown_preset_is_one_line_and_exit_2(cli, tmp_path):
    res = cli("experiments.analyze", "+analysis=nope", f"hydra.sweep.dir={tmp_path / 'an'}")
    assert res.returncode == 2 and res.stderr.startswith("error: analysis='nope': one of ")
    assert res.stderr.count("\n") == 1 and not (tmp_path / "an").exists()


JOBLIB = ["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"]


@pytest.fixture(scope="module")
def smoke(cli, tmp_path_factory) -> Path:
    """+analysis=smoke (a Morris screening) run once through the joblib launcher."""
    out = tmp_path_factory.mktemp("analysis") / "smoke"
    res = cli("experiments.analyze", "+analysis=smoke", f"hydra.sweep.dir={out}", *JOBLIB)
    assert res.returncode == 0, res.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def lhs(cli, tmp_path_factory) -> Path:
    """The smoke preset's Latin hypercube path (PRIM and CART), run once."""
    out = tmp_path_factory.mktemp("analysis") / "lhs"
    res = cli("experiments.analyze",
              "+analysis=smoke", "analysis.method=lhs", "analysis.lhs.n=6", f"hydra.sweep.dir={out}", *JOBLIB)
    assert res.returncode == 0, res.stderr[-3000:]
    return out


@pytest.mark.slow
def test_smoke_preset_end_to_end_and_resume_after_an_interruption(cli, smoke, tmp_path):
    """+analysis=smoke runs the whole path (design, paired evaluations through the joblib launcher, Morris
    indices); a job left as a killed worker leaves it (claimed, results half-written, no complete manifest)
    is redone on rerun, the complete ones are skipped, and the indices come out the same."""
    import shutil

    out = tmp_path / "smoke"
    shutil.copytree(smoke, out)  # the fixture stays intact for the report test
    a = out / "analysis"
    morris = pd.read_csv(a / "morris_indices.csv")
    assert list(morris.columns[:4]) == ["parameter", "scenario", "outcome", "horizon"]
    assert {"mu_star", "mu_star_conf", "sigma"} <= set(morris.columns)
    assert set(morris.parameter) == {"recruitment.weight_opportunity", "recruitment.tie_reach", "finance.allocation_rule"}
    assert {"closure end", "end of run"} <= set(morris.horizon) and "recruits" in set(morris.outcome)
    assert "youth_unemployed_person_days" in set(morris.outcome)  # the report's outcome, computed once
    manifest = json.loads((a / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["points"] == 8
    effects = pd.read_parquet(a / "effects.parquet")
    assert sorted(effects.point.unique()) == list(range(8))
    before = (a / "morris_indices.csv").read_text()

    jobs = sorted(d for d in out.iterdir() if d.name.startswith("+analysis=smoke,point="))
    assert len(jobs) == 8
    # as if its worker had been killed mid-run: its claim ("running" manifest) stays, its results are partial
    from experiments.rundir import TOOL

    (jobs[3] / "manifest.json").write_text(json.dumps({"status": "running", "tool": TOOL}))
    (jobs[3] / "effects.parquet").write_bytes(b"half-written")
    for f in a.glob("*_indices.csv"):
        f.unlink()
    (a / "manifest.json").unlink()
    res = cli("experiments.analyze", "+analysis=smoke", f"hydra.sweep.dir={out}", *JOBLIB)
    assert res.returncode == 0, res.stderr[-3000:]
    sweep = json.loads((out / "sweep.json").read_text())
    assert (sweep["complete"], sweep["skipped"], sweep["failed"]) == (1, 7, 0), sweep
    assert (a / "morris_indices.csv").read_text() == before


@pytest.mark.slow
def test_lhs_path_writes_prim_and_cart_boxes(lhs):
    boxes = pd.read_csv(lhs / "analysis" / "prim_boxes.csv")
    assert {"direction", "kind", "threshold"} <= set(boxes.columns)
    assert set(boxes.direction) <= {"raises", "lowers"} and len(boxes) >= 1
    limits = boxes[boxes.kind == "limit"]
    if len(limits):  # every restricted parameter carries its quasi-p values (NaN for a side left open)
        assert {"qp_low", "qp_high"} <= set(boxes.columns)
        qp = limits[["qp_low", "qp_high"]]
        assert (qp.notna().any(axis=1) | limits["values"].notna()).all()
        assert ((qp >= 0) & (qp <= 1) | qp.isna()).all().all()
    assert (lhs / "analysis" / "cart_boxes.csv").exists()
    ens = pd.read_csv(lhs / "analysis" / "ensemble.csv")
    assert {"p_positive", "q10", "q90"} <= set(ens.columns) and (ens.n == 6).all()


# --------------------------------------------------------------------------- the report's analysis sections


@pytest.mark.slow
def test_report_adds_sensitivity_discovery_and_ensemble_sections(cli, smoke, lhs, tmp_path):
    """A scenario report with --analysis: figures 9-11 (non-blank), their tables, the ensemble's answer among
    the key findings with the numbers of the analysis's own effects, and the section in the HTML."""
    from tests.test_report import assert_non_blank

    runs = tmp_path / "runs"
    r = subprocess.run([PY, "-m", "experiments.run", "-m", "scenario=baseline,closure_90d", "population.scale=0.01",
                        "days=160", "progress=false", f"hydra.sweep.dir={runs}"], cwd=ROOT, capture_output=True,
                       text=True, timeout=600)
    assert r.returncode == 0, r.stderr[-2000:]
    r = cli("experiments.report", str(runs), "--analysis", str(smoke), "--analysis", str(lhs / "analysis"), "--quiet")
    assert r.returncode == 0, r.stderr[-3000:]
    out = runs / "report"
    report = json.loads((out / "report.json").read_text())
    keys = {f["key"] for f in report["figures"]}
    expected = {"analysis_morris_smoke_closure_90d", "analysis_prim_lhs", "analysis_ensemble_smoke",
                "analysis_ensemble_lhs"}
    assert expected <= keys, keys
    for k in expected:
        assert_non_blank(out / "figures" / f"{k}.png")
    assert report["analyses"] == [str(smoke.resolve()), str(lhs.resolve())]
    morris = pd.read_csv(out / "tables" / "analysis_morris.csv")
    assert set(morris.analysis) == {"smoke"} and len(morris) == len(pd.read_csv(smoke / "analysis" /
                                                                                "morris_indices.csv"))
    boxes = pd.read_csv(out / "tables" / "analysis_prim_boxes.csv")
    assert {"share_of_range_kept", "qp", "significant"} <= set(boxes.columns)
    # the ensemble's answer, recomputed from the analysis's own effects
    e = pd.read_parquet(lhs / "analysis" / "effects.parquet")
    e = e[(e.outcome == "recruits") & (e.horizon == "closure end")]
    (line,) = [f for f in report["key_findings"] if f.startswith("Across the uncertainty space (lhs:")]
    assert f"in {np.mean(e.effect > 0):.0%} of the pairs at closure end" in line
    table = pd.read_csv(out / "tables" / "analysis_ensemble.csv")
    assert set(table.analysis) == {"smoke", "lhs"} and (table[table.analysis == "lhs"].Pairs == 6).all()
    html = (out / "report.html").read_text()
    assert '<section id="analysis">' in html and "Across the uncertainty space" in html
    # page 1 says what the space does to the comparisons it shows (the first analysis that holds them)
    s = pd.read_parquet(smoke / "analysis" / "effects.parquet")
    s = s[(s.outcome == "recruits") & (s.horizon == "closure end") & (s.scenario == "closure_90d")]
    cover = report["page_one"]["intervals_cover"][-1]
    assert f"closure_90d raises recruits at {np.mean(s.effect > 0):.0%} of the points at closure end" in cover


@pytest.mark.slow
def test_figures_command_saves_the_figures_of_an_analysis(smoke, tmp_path):
    """python -m experiments.analysis.figures DIR (its own entry point: imports the report's modules first)."""
    import shutil

    from tests.test_report import assert_non_blank

    out = tmp_path / "smoke"
    shutil.copytree(smoke, out)
    r = subprocess.run([PY, "-m", "experiments.analysis.figures", str(out)], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    paths = [Path(line) for line in r.stdout.split()]
    assert {p.name for p in paths} == {"morris_closure_90d_recruits.png", "ensemble_effects.png"}
    for p in paths:
        assert_non_blank(p)
    r = subprocess.run([PY, "-c", "from experiments.analysis.figures import morris_markdown; "
                        f"print(morris_markdown({str(out / 'analysis' / 'morris_indices.csv')!r}))"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0 and r.stdout.count("| `") == 3, r.stderr[-2000:]


def test_report_refuses_a_directory_that_is_not_a_complete_analysis(cli, tmp_path):
    runs = tmp_path / "runs"
    r = subprocess.run([PY, "-m", "experiments.run", "population.scale=0.01", "days=20", "progress=false",
                        f"hydra.run.dir={runs}"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    (tmp_path / "half" / "analysis").mkdir(parents=True)
    (tmp_path / "half" / "analysis" / "manifest.json").write_text(json.dumps({"status": "running"}))
    for bad, says in ((tmp_path / "nowhere", "no analysis/manifest.json"), (tmp_path / "half", "not complete")):
        r = cli("experiments.report", str(runs), "--analysis", str(bad))
        assert r.returncode == 2 and r.stderr.startswith(f"error: --analysis {bad}: ") and says in r.stderr, r.stderr
        assert r.stderr.count("\n") == 1 and "Traceback" not in r.stderr
        assert not (runs / "report").exists()


def test_box_limits_and_ensemble_table_read_as_an_analyst_would():
    from experiments.reporting.analysis import box_limits, ensemble_table

    boxes = pd.DataFrame([
        {"direction": "raises", "kind": "step", "step": 3, "coverage": 0.8, "density": 0.9},
        {"direction": "raises", "kind": "limit", "step": 3, "parameter": "a", "unit": "days", "low": 10.0,
         "high": 20.0, "range_low": 0.0, "range_high": 100.0, "qp_low": 0.01, "qp_high": 0.2, "coverage": 0.8,
         "density": 0.9},
        {"direction": "raises", "kind": "limit", "step": 3, "parameter": "b", "unit": "share", "low": 0.0,
         "high": 0.9, "range_low": 0.0, "range_high": 1.0, "qp_low": np.nan, "qp_high": 0.4, "coverage": 0.8,
         "density": 0.9},
        {"direction": "raises", "kind": "limit", "step": 3, "parameter": "rule", "unit": "rule",
         "values": "x;y", "qp_low": 0.003, "qp_high": np.nan, "coverage": 0.8, "density": 0.9}])
    t = box_limits(boxes).set_index("parameter")
    assert t.loc["a", "share_of_range_kept"] == 0.1 and t.loc["a", "qp"] == 0.01 and t.loc["a", "significant"] == "yes"
    assert t.loc["b", "share_of_range_kept"] == 0.9 and t.loc["b", "significant"] == "no"
    assert t.loc["rule", "limits"] == "x;y" and t.loc["rule", "significant"] == "yes"
    assert list(t.index) == ["rule", "a", "b"]  # the most significant first

    effects = pd.DataFrame({"scenario": "closure_90d", "compared_to": "baseline", "outcome": "recruits",
                            "horizon": "closure end", "point": range(10), "effect": np.arange(10) - 2.0})
    (row,) = ensemble_table(effects).to_dict("records")
    assert row["Pairs"] == 10 and row["closure end"].endswith("P(>0) = 0.70 · P(<0) = 0.20")  # one pair: no effect
    assert row["closure end"].startswith("2.5 [-1.1, 6.1]")  # the median [10%, 90%] over pairs


def test_sobol_figure_draws_s1_and_st_with_intervals():
    from experiments.analysis.figures import sobol_figure

    s = pd.DataFrame({"parameter": ["a", "b"] * 2, "scenario": "closure_90d", "outcome": "recruits",
                      "horizon": ["closure end"] * 2 + ["+1 year"] * 2, "S1": [0.5, 0.1, 0.4, 0.2],
                      "S1_conf": 0.05, "ST": [0.6, 0.3, 0.5, 0.4], "ST_conf": 0.05})
    fig = sobol_figure(s, "closure_90d")
    assert [ax.get_title() for ax in fig.axes] == ["closure end", "+1 year"]
    assert len(fig.axes[0].patches) == 4  # two bars per parameter
    assert sobol_figure(s, "closure_1y") is None


def test_sobol_markdown_lists_each_factor_by_its_largest_total_index(tmp_path):
    from experiments.analysis.figures import sobol_markdown

    s = pd.DataFrame({"parameter": ["a", "b"] * 3, "scenario": ["closure_90d"] * 4 + ["closure_1y"] * 2,
                      "outcome": "recruits", "horizon": ["closure end"] * 2 + ["+1 year"] * 2 + ["closure end"] * 2,
                      "S1": [0.5, 0.1, 0.4, 0.2, -0.04, 0.7], "S1_conf": 0.05, "ST": [0.6, 0.3, 0.5, 0.4, 0.1, 0.9],
                      "ST_conf": 0.05})
    s.to_csv(tmp_path / "sobol_indices.csv", index=False)
    lines = sobol_markdown(tmp_path / "sobol_indices.csv").splitlines()
    assert lines[0] == "| factor | closure_90d: closure end | closure_90d: +1 year | closure_1y: closure end |"
    assert lines[2] == "| `b` | 0.10 ± 0.05 / 0.30 ± 0.05 | 0.20 ± 0.05 / 0.40 ± 0.05 | 0.70 ± 0.05 / 0.90 ± 0.05 |"
    assert lines[3].startswith("| `a` |") and lines[3].endswith("| -0.04 ± 0.05 / 0.10 ± 0.05 |") and len(lines) == 4
    first = sobol_markdown(tmp_path / "sobol_indices.csv", scenarios=["closure_1y", "closure_90d"]).splitlines()
    assert first[0] == "| factor | closure_1y: closure end | closure_90d: closure end | closure_90d: +1 year |"
    only = sobol_markdown(tmp_path / "sobol_indices.csv", scenarios=["closure_1y"]).splitlines()
    assert only[0] == "| factor | closure_1y: closure end |" and only[2].startswith("| `b` | 0.70")


def test_morris_figure_numbers_the_largest_and_names_them_below_without_overlap():
    """The largest μ* are numbered on the panel and named in a key below it; points too close to tell apart
    share one label, so no two labels overlap (names written beside the points used to)."""
    from experiments.analysis.figures import morris_figure

    names = [f"section.parameter_{i}" for i in range(12)]
    mu_star = np.r_[[10.0, 10.05, 8.0, 6.0, 5.9, 4.0], np.linspace(0.1, 3.0, 6)]  # 1 and 2 nearly coincide
    m = pd.DataFrame({"parameter": names, "scenario": "closure_90d", "outcome": "recruits", "horizon": "end of run",
                      "mu_star": mu_star, "mu_star_conf": 1.0, "mu": mu_star, "sigma": mu_star * 1.2})
    fig = morris_figure(m, "closure_90d", label_top=6)
    fig.canvas.draw()
    panel, key = fig.axes
    labels = [t for t in panel.texts]
    assert sorted(t.get_text() for t in labels) == ["1, 2", "3", "4, 5", "6"]
    boxes = [t.get_window_extent() for t in labels]
    assert not any(a.overlaps(b) for i, a in enumerate(boxes) for b in boxes[i + 1:])
    (listing,) = key.texts
    largest = [names[i] for i in np.argsort(-mu_star)[:6]]
    assert listing.get_text().splitlines()[1:] == [f"{rank}  {n}" for rank, n in enumerate(largest, 1)]
    assert panel.get_xlabel() == "μ* (people per plausible range)" and panel.get_ylabel() == "σ (people)"
