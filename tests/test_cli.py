"""The command line end to end at small scale, and every kind of bad input."""

import json
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
REQUIRED = ["day", "district", "working_age", "employed", "unemployed", "inactive", "militants", "migrants",
            "youth_unemployment_rate", "food_price_index", "food_insecure_share", "median_household_income",
            "active_traders", "trade_volume", "smuggling_volume", "recruits", "group_funds"]


@pytest.fixture(scope="module")
def finished_run(tmp_path_factory, cli):
    out = tmp_path_factory.mktemp("run") / "closure"
    r = cli("experiments.run", "scenario=closure_30d", "population.scale=0.003", "days=50", "seed=5", f"hydra.run.dir={out}")
    assert r.returncode == 0, r.stderr
    return out, r


def test_run_writes_complete_results(finished_run):
    out, r = finished_run
    assert f"results: {out}" in r.stdout and "cumulative recruits" in r.stdout
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert set(REQUIRED) <= set(ts.columns)
    assert set(ts.district) == {"chagai", "washuk", "panjgur", "kech", "gwadar", "ALL"}
    assert len(ts) == 51 * 6
    assert (ts.working_age == ts[["employed", "unemployed", "inactive", "militants", "migrants"]].sum(axis=1)).all()
    summary = json.loads((out / "summary.json").read_text())
    assert {"cumulative_recruits", "peak_youth_unemployment_rate", "mean_food_price_index"} <= set(summary)
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["seed"] == 5 and man["config"]["days"] == 50
    assert man["config"]["border"]["closure"]["duration_days"] == 30
    assert {"mesa", "numpy", "python"} <= set(man["versions"]) and "commit" in man["git"]
    assert man["timings"]["wall_seconds"] > 0
    assert (out / "manifest.json").stat().st_mtime >= max((out / f).stat().st_mtime for f in man["files"])
    assert len(pd.read_parquet(out / "groups.parquet")) == 51 * 2
    border = pd.read_parquet(out / "border.parquet")
    assert set(border.status) == {"open", "restricted", "closed"}


def test_rerun_into_complete_directory_is_skipped(finished_run, cli):
    out, _ = finished_run
    before = (out / "timeseries.parquet").stat().st_mtime_ns
    r = cli("experiments.run", "scenario=closure_30d", "population.scale=0.003", "days=50", "seed=5", f"hydra.run.dir={out}")
    assert r.returncode == 0 and "skipped" in r.stdout
    assert (out / "timeseries.parquet").stat().st_mtime_ns == before


def bad_region(tmp_path: Path, drop: str | None = None, negative: bool = False) -> Path:
    df = pd.read_csv(ROOT / "sim/data/region_pakistan.csv", comment="#")
    if drop:
        df = df.drop(columns=[drop])
    if negative:
        df.loc[1, "population"] = -5
    path = tmp_path / "region.csv"
    df.to_csv(path, index=False)
    return path


@pytest.mark.parametrize("args, key", [
    (["scenario=nowhere"], "scenario"),
    (["days=abc"], "days"),
    (["channels.grievance=perhaps"], "channels.grievance"),
    (["days=0"], "days"),
    (["days=-3"], "days"),
    (["border.enforcement=1.5"], "border.enforcement"),
    (["migration.mean_stay_days=-0.1"], "migration.mean_stay_days"),
    (["households.warmup_days=-3"], "households.warmup_days"),
    (["migration.remittance_lag_days=-1"], "migration.remittance_lag_days"),
    (["population.scale=0"], "population.scale"),
    (["population.scale=1.5"], "population.scale"),
    (["scenario=closure_90d", "days=20"], "border.closure.start_day"),
    (["policy.cash_transfer.start_day=900"], "policy.cash_transfer.start_day"),
    (["not_a_key=1"], "not_a_key"),
    (["border.markets=[nowhere]"], "border.markets"),
    (["policy.border_markets.crossings=[kech_informal]"], "policy.border_markets.crossings"),  # markets: official only
    (["migration.hardship_threshold=1.0"], "migration.hardship_threshold"),
    (["border.enforcement=1", "border.max_interdiction=1"], "border.max_interdiction"),
])
def test_bad_input_fails_with_one_line_and_writes_nothing(tmp_path, refused, args, key):
    out = tmp_path / "run"
    line = refused(*args, f"hydra.run.dir={out}")
    assert line.startswith(f"error: {key}="), line
    assert not out.exists()
    if key == "scenario":
        assert "baseline" in line  # lists the available ones


def test_bad_input_on_the_command_line_is_one_line_and_no_traceback(tmp_path, cli):
    """The checks above, end to end through the entry point once."""
    out = tmp_path / "run"
    r = cli("experiments.run", "days=abc", f"hydra.run.dir={out}")
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("error: days="), r.stderr
    assert "Traceback" not in r.stderr and not out.exists()


@pytest.mark.parametrize("kind", ["missing", "negative"])
def test_bad_region_file_fails_with_one_line(tmp_path, refused, kind):
    path = bad_region(tmp_path, drop="legitimacy" if kind == "missing" else None, negative=kind == "negative")
    out = tmp_path / "run"
    line = refused(f"population.region_file={path}", f"hydra.run.dir={out}")
    assert ("legitimacy" if kind == "missing" else "population") in line
    assert not out.exists()


def test_demo_sets_aside_runs_of_another_model_version(tmp_path):
    from experiments.demo import set_aside_other_versions
    from sim import __version__

    out = tmp_path / "demo"
    (out / "run_a").mkdir(parents=True)
    (out / "run_a" / "manifest.json").write_text(json.dumps({"status": "complete", "model_version": __version__}))
    assert set_aside_other_versions(out) is None and out.exists()  # this version's runs: resumed in place
    (out / "run_b").mkdir()
    (out / "run_b" / "manifest.json").write_text(json.dumps({"status": "complete"}))  # made before versions
    aside = set_aside_other_versions(out)
    assert aside == tmp_path / "demo-model-before-0.2.0" and not out.exists()
    assert (aside / "run_b" / "manifest.json").exists()
    assert set_aside_other_versions(tmp_path / "missing") is None


ENTRY_POINTS = ["experiments.run", "experiments.collect", "experiments.report", "experiments.demo",
                "experiments.params", "experiments.bench", "experiments.bench.sweep"]


@pytest.mark.parametrize("module", ENTRY_POINTS)
def test_every_entry_point_answers_help(module, cli):
    import importlib.util

    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} does not exist yet")
    r = cli(module, "--help", timeout=120)
    assert r.returncode == 0, r.stderr
    assert "usage" in r.stdout.lower() and not r.stderr.strip()


def test_run_help_is_short_and_points_to_the_parameter_list(cli):
    r = cli("experiments.run", "--help")
    assert r.returncode == 0 and len(r.stdout.splitlines()) <= 40
    assert "python -m experiments.params" in r.stdout and "closure_90d" in r.stdout


def test_experiments_has_no_import_cycles():
    """Module-level and function-level imports between modules of experiments/ form no cycle."""
    import ast

    root = ROOT / "experiments"
    modules = {".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__"): p
               for p in root.rglob("*.py")}
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        deps = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[:len(parts) - node.level + 1] + ([base] if base else []))
                targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in modules else base for a in node.names]
            else:
                continue
            deps |= {t for t in targets if t in modules and t != name}
        graph[name] = deps

    def cycle_from(start: str, node: str, seen: list[str]) -> list[str] | None:
        for dep in sorted(graph[node]):
            if dep == start:
                return [*seen, dep]
            if dep not in seen:
                found = cycle_from(start, dep, [*seen, dep])
                if found:
                    return found
        return None

    cycles = [c for m in graph if (c := cycle_from(m, m, [m]))]
    assert not cycles, " -> ".join(cycles[0])


def test_model_version_is_declared_once():
    from importlib.metadata import version

    import sim

    assert version("border-closure-sim") == sim.__version__
    assert "version =" not in (ROOT / "pyproject.toml").read_text().split("[project]")[1].split("[")[0]


def test_job_directory_names_leave_out_what_sets_no_parameter():
    from experiments.rundir import NOT_PARAMETER_OVERRIDES
    from experiments.commandline import compose
    from sim.config import RESULT_NEUTRAL_KEYS

    cfg = compose([], with_hydra=True)
    excluded = list(cfg.hydra.job.config.override_dirname.exclude_keys)
    assert excluded == list(NOT_PARAMETER_OVERRIDES) and set(RESULT_NEUTRAL_KEYS) < set(excluded)
