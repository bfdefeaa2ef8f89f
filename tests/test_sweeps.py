"""Sweeps end to end: paired replicates, designs, launchers (basic, joblib, submitit, ray), resume,
collection, progress and failures. Small runs only (population.scale 0.002-0.003, 40 days)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from omegaconf import OmegaConf

from experiments.rundir import load_results
from experiments.sweep.designs import check_design, design_points
from experiments.sweep.progress import outcome
from experiments.sweep.resume import run_subdir
from experiments.sweep.seeds import replicate_seed, run_seed
from experiments.sweep.sweeper import expand
from sim.config import ConfigError, available_scenarios, library_scenarios

ROOT = Path(__file__).resolve().parent.parent
SMALL = ["population.scale=0.003", "days=40", "progress=false"]
RUN_FILES = ("timeseries.parquet", "groups.parquet", "border.parquet", "summary.json", "manifest.json")


def manifests(root: Path) -> dict[str, dict]:
    return {p.parent.name: json.loads(p.read_text()) for p in sorted(root.glob("*/manifest.json"))}


def assert_complete_runs(root: Path, n: int) -> dict[str, dict]:
    mans = manifests(root)
    assert len(mans) == n, sorted(p.name for p in root.iterdir())
    for name, man in mans.items():
        assert man["status"] == "complete"
        assert all((root / name / f).is_file() for f in RUN_FILES)
    return mans


# --------------------------------------------------------------------------- units


def test_replicate_seeds_are_spawned_from_the_base_seed():
    ss = np.random.SeedSequence(7).spawn(4)
    assert [replicate_seed(7, k) for k in range(4)] == [int(c.generate_state(1, np.uint32)[0]) for c in ss]
    assert len({replicate_seed(7, k) for k in range(50)}) == 50
    assert replicate_seed(7, 2) != replicate_seed(8, 2)
    plain = OmegaConf.create({"seed": 7, "replicates": 1, "replicate": 0})
    third = OmegaConf.create({"seed": 7, "replicates": 10, "replicate": 2})
    assert run_seed(plain) == 7 and run_seed(third) == replicate_seed(7, 2)


def test_jobs_are_replicate_major():
    grid = [["scenario=a"], ["scenario=b"]]
    jobs = expand(grid, 2, [{"x": 1}, {"x": 2}])
    assert jobs[:4] == [["scenario=a", "x=1", "replicate=0"], ["scenario=b", "x=1", "replicate=0"],
                        ["scenario=a", "x=2", "replicate=0"], ["scenario=b", "x=2", "replicate=0"]]
    assert len(jobs) == 8 and all(j[-1] == "replicate=1" for j in jobs[4:])
    assert expand(grid, 1, []) == grid


def test_run_subdir_is_safe_and_deterministic():
    assert run_subdir("a=1,b=x/y") == "a=1,b=x_y"
    long = ",".join(f"key{i}=0.123456" for i in range(40))
    name = run_subdir(long)
    assert len(name) <= 150 and name == run_subdir(long) and name != run_subdir(long + "7")
    assert run_subdir("") == "default"


@pytest.mark.parametrize("method, n", [("lhs", 10), ("sobol", 16)])
def test_designs_fill_their_ranges(method, n):
    design = {"method": method, "n": n, "seed": 3, "ranges": {"days": [30, 365], "border.enforcement": [0.0, 0.5]}}
    points = design_points(design)
    assert len(points) == n and points == design_points(design) and points != design_points({**design, "seed": 4})
    days = np.array([p["days"] for p in points])
    enf = np.array([p["border.enforcement"] for p in points])
    assert days.dtype.kind == "i" and days.min() >= 30 and days.max() <= 365
    assert enf.min() >= 0 and enf.max() <= 0.5
    if method == "lhs":  # one point in each of the n strata of every dimension
        assert sorted(np.floor(enf / 0.5 * n).astype(int)) == list(range(n))


def test_bad_designs_are_one_line_config_errors():
    cfg = OmegaConf.create({"days": 1})
    with pytest.raises(ConfigError, match="power of 2"):
        check_design({"method": "sobol", "n": 12, "ranges": {"days": [1, 2]}})
    with pytest.raises(ConfigError, match="lhs or sobol"):
        check_design({"method": "grid", "n": 4, "ranges": {"days": [1, 2]}})
    with pytest.raises(ConfigError, match="low <= high"):
        check_design({"method": "lhs", "n": 4, "ranges": {"days": [5, 2]}})
    with pytest.raises(ConfigError, match="a config key"):
        check_design({"method": "lhs", "n": 4, "ranges": {"nope": [1, 2]}}, cfg)


def test_a_job_that_raises_is_reported_not_raised():
    from hydra.core.utils import JobReturn, JobStatus

    ret = JobReturn(overrides=["seed=1"], status=JobStatus.FAILED, _return_value=RuntimeError("boom\nmore"))
    assert outcome(ret) == {"status": "failed", "error": "RuntimeError: boom", "run_dir": None}
    ok = JobReturn(overrides=[], status=JobStatus.COMPLETED, _return_value={"status": "skipped"})
    assert outcome(ok)["status"] == "skipped"


def test_sweep_presets_expand_as_documented():
    from hydra._internal.config_loader_impl import ConfigLoaderImpl
    from hydra._internal.utils import create_config_search_path
    from hydra.core.override_parser.overrides_parser import OverridesParser

    from experiments.commandline import compose
    from sim.config import CONFIG_DIR

    grid = compose(["+sweep=closure_grid"], with_hydra=True)
    check_design(grid.hydra.sweeper.design, grid)
    assert len(design_points(grid.hydra.sweeper.design)) == 36 + 1  # the closure grid and its one baseline run
    lib = compose(["+sweep=library"], with_hydra=True)
    loader = ConfigLoaderImpl(config_search_path=create_config_search_path(str(CONFIG_DIR)))
    (scenarios,) = OverridesParser.create(config_loader=loader).parse_overrides(
        [f"scenario={lib.hydra.sweeper.params.scenario}"])
    assert lib.replicates == 10 and list(scenarios.sweep_string_iterator()) == library_scenarios()  # the library
    for name in ("lhs_closure", "sobol_closure"):
        cfg = compose([f"+sweep={name}"], with_hydra=True)
        check_design(cfg.hydra.sweeper.design, cfg)
        assert len(design_points(cfg.hydra.sweeper.design)) == 32 + 1  # 32 points and one baseline run


# --------------------------------------------------------------------------- end to end


@pytest.fixture(scope="module")
def paired(cli, tmp_path_factory):
    """The documented command: two scenarios x 3 paired replicates, Hydra's basic launcher."""
    root = tmp_path_factory.mktemp("paired")
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={root}", "scenario=baseline,closure_90d", "replicates=3", *SMALL)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-2000:]
    return root, r


def test_paired_replicates_share_seeds_across_scenarios(paired):
    root, _ = paired
    mans = assert_complete_runs(root, 6)
    by = {(m["scenario"], m["replicate"]): m for m in mans.values()}
    assert set(by) == {(s, k) for s in ("baseline", "closure_90d") for k in range(3)}
    for k in range(3):
        assert by["baseline", k]["seed"] == by["closure_90d", k]["seed"] == replicate_seed(0, k)
        assert by["baseline", k]["base_seed"] == 0 and by["baseline", k]["replicates"] == 3
        assert by["baseline", k]["config"]["seed"] == replicate_seed(0, k)
    assert len({by["baseline", k]["seed"] for k in range(3)}) == 3
    # common random numbers: identical inputs before the closure starts on day 30
    b = pd.read_parquet(root / "days=40,population.scale=0.003,replicate=1,scenario=baseline/timeseries.parquet")
    c = pd.read_parquet(root / "days=40,population.scale=0.003,replicate=1,scenario=closure_90d/timeseries.parquet")
    assert b[b.day < 30].equals(c[c.day < 30]) and not b[b.day > 30].equals(c[c.day > 30])


def test_sweep_prints_progress_and_collects_at_the_end(paired):
    root, r = paired
    lines = [ln for ln in r.stdout.splitlines() if ln.startswith("[sweep]")]
    assert lines[0] == f"[sweep] 6 job(s) -> {root}"
    assert any(ln.startswith("[sweep] 6/6 ") and "ETA" in ln and "0 failed" in ln for ln in lines)
    assert "6 complete, 0 skipped, 0 failed" in r.stdout
    runs = pd.read_parquet(root / "runs.parquet")
    ts = pd.read_parquet(root / "timeseries.parquet")
    assert len(runs) == 6 and runs["run_id"].is_unique
    assert {"run_id", "scenario", "seed", "replicate", "days", "population.scale",
            "cumulative_recruits", "mean_food_price_index"} <= set(runs.columns)
    assert "replicates" not in runs.columns and sorted(runs["replicate"]) == [0, 0, 1, 1, 2, 2]
    assert set(ts["run_id"]) == set(runs["run_id"]) and len(ts) == 6 * 41 * 6
    summary = json.loads((root / "sweep.json").read_text())
    assert summary["total"] == 6 and summary["complete"] == 6 and summary["failed"] == 0


def test_collect_on_demand_gives_one_row_per_run(paired, tmp_path):
    root, _ = paired
    copy = tmp_path / "copy"
    shutil.copytree(root, copy)
    (copy / "runs.parquet").unlink()
    r = subprocess.run([sys.executable, "-m", "experiments.collect", str(copy)], cwd=ROOT, capture_output=True,
                       text=True, timeout=120)
    assert r.returncode == 0 and "collected 6 run(s)" in r.stdout, r.stderr
    runs, ts = load_results(copy)
    assert len(runs) == 6 and len(pd.read_parquet(copy / "runs.parquet")) == 6
    assert runs.groupby("scenario").size().to_dict() == {"baseline": 3, "closure_90d": 3}


def test_resume_recomputes_only_missing_or_incomplete_runs(cli, paired, tmp_path):
    root, _ = paired
    work = tmp_path / "sweep"
    shutil.copytree(root, work)
    dirs = sorted(p for p in work.iterdir() if (p / "manifest.json").exists())
    deleted, killed = dirs[0], dirs[3]
    shutil.rmtree(deleted)
    # a worker killed while writing: files there, its claim on the directory says "running", not complete
    (killed / "manifest.json").write_text(json.dumps({"status": "running", "tool": "border-closure-sim"}))
    (killed / ".timeseries.parquet.x.tmp").write_bytes(b"partial")
    before = {p: p.stat().st_mtime_ns for d in dirs if d not in (deleted, killed) for p in d.iterdir() if p.is_file()}
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={work}", "scenario=baseline,closure_90d", "replicates=3", *SMALL)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "2 complete, 4 skipped, 0 failed" in r.stdout
    assert_complete_runs(work, 6)
    assert all(p.stat().st_mtime_ns == t for p, t in before.items())  # the others were not touched
    assert not list(killed.glob("*.tmp"))
    assert json.loads((deleted / "manifest.json").read_text())["seed"] == \
        json.loads((root / deleted.name / "manifest.json").read_text())["seed"]


def test_a_complete_run_of_another_config_is_refused_not_overwritten(cli, paired, tmp_path):
    root, _ = paired
    work = tmp_path / "sweep"
    shutil.copytree(root, work)
    small = [a for a in SMALL if not a.startswith("progress")]
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={work}",
            "scenario=baseline,closure_90d", "replicates=3", *small, "progress=true")
    assert r.returncode == 0 and "0 complete, 6 skipped, 0 failed" in r.stdout  # progress changes nothing
    other = work / "days=40,population.scale=0.003,replicate=2,scenario=closure_90d"
    man = json.loads((other / "manifest.json").read_text())
    man["config"]["border"]["closure"]["duration_days"] = 60  # as if made with another scenario file
    (other / "manifest.json").write_text(json.dumps(man))
    before = {p.name: p.stat().st_mtime_ns for p in other.iterdir() if p.is_file()}
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={work}", "scenario=baseline,closure_90d", "replicates=3", *SMALL)
    assert r.returncode == 1 and "0 complete, 5 skipped, 1 failed" in r.stdout
    assert "holds a complete run of another configuration (differs at border.closure.duration_days)" in r.stdout
    assert {p.name: p.stat().st_mtime_ns for p in other.iterdir() if p.is_file()} == before


def test_a_complete_run_of_another_model_version_is_refused_not_overwritten(cli, paired, tmp_path):
    from sim import __version__

    root, _ = paired
    work = tmp_path / "sweep"
    shutil.copytree(root, work)
    old = work / "days=40,population.scale=0.003,replicate=1,scenario=baseline"
    man = json.loads((old / "manifest.json").read_text())
    assert man["model_version"] == __version__
    man["model_version"] = "0.0.1"  # as if made before a change of the model's results
    (old / "manifest.json").write_text(json.dumps(man))
    before = {p.name: p.stat().st_mtime_ns for p in old.iterdir() if p.is_file()}
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={work}", "scenario=baseline,closure_90d", "replicates=3", *SMALL)
    assert r.returncode == 1 and "0 complete, 5 skipped, 1 failed" in r.stdout
    assert f"holds a complete run made by model version 0.0.1 (this is {__version__})" in r.stdout
    assert {p.name: p.stat().st_mtime_ns for p in old.iterdir() if p.is_file()} == before


def test_a_failing_run_does_not_stop_the_sweep(cli, tmp_path):
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={tmp_path}",
            "state.ct_cooperation_day=10,99,abc", "scenario=baseline", *SMALL)
    assert r.returncode == 1
    assert "1 complete, 0 skipped, 2 failed" in r.stdout
    failed = [ln for ln in r.stdout.splitlines() if ln.startswith("[sweep] FAILED")]
    assert len(failed) == 2
    assert any("state.ct_cooperation_day=99" in ln and "error: state.ct_cooperation_day=99:" in ln for ln in failed)
    assert any("state.ct_cooperation_day=abc" in ln and "expected an integer" in ln for ln in failed)
    assert "Traceback" not in r.stdout + r.stderr
    mans = assert_complete_runs(tmp_path, 1)
    assert list(mans.values())[0]["config"]["state"]["ct_cooperation_day"] == 10
    assert not (tmp_path / "days=40,population.scale=0.003,scenario=baseline,state.ct_cooperation_day=99"
                / "manifest.json").exists()
    assert len(pd.read_parquet(tmp_path / "runs.parquet")) == 1


CRASHING_APP = """
import sys
from pathlib import Path

import hydra
from hydra.core.hydra_config import HydraConfig

from experiments.run import run_job
from experiments.sweep import sweeper
from sim.config import CONFIG_DIR, register

register()
sweeper.register()


@hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")
def app(cfg):
    if cfg.seed == 1:
        raise RuntimeError("simulated crash in a job")
    return run_job(cfg, Path(HydraConfig.get().runtime.output_dir), multirun=True)


if __name__ == "__main__":
    app()
"""


def test_an_exception_in_a_job_is_reported_and_the_sweep_goes_on(tmp_path):
    app = tmp_path / "crashing_app.py"
    app.write_text(CRASHING_APP)
    out = tmp_path / "sweep"
    r = subprocess.run([sys.executable, str(app), "-m", "seed=0,1,2", *SMALL, f"hydra.sweep.dir={out}",
                        "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"], cwd=ROOT, capture_output=True,
                       text=True, timeout=240, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 0, r.stderr[-2000:]  # this app does not set the CLI's exit status
    assert "2 complete, 0 skipped, 1 failed" in r.stdout
    failed = [ln for ln in r.stdout.splitlines() if ln.startswith("[sweep] FAILED")]
    assert len(failed) == 1 and "seed=1" in failed[0] and "RuntimeError: simulated crash in a job" in failed[0]
    assert_complete_runs(out, 2)
    crashed = out / "days=40,population.scale=0.003,progress=false,seed=1"
    assert not crashed.exists() or not (crashed / "manifest.json").exists()
    assert "simulated crash" in next(out.glob("*seed=1*/traceback.txt")).read_text()
    assert json.loads((out / "sweep.json").read_text())["failed"] == 1


def test_two_jobs_never_share_a_directory(cli, tmp_path):
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={tmp_path}",
            "progress=true,false", "population.scale=0.003", "days=40")  # progress is not in names
    assert r.returncode == 1 and "1 complete, 0 skipped, 1 failed" in r.stdout
    assert "the directory of another job of this sweep" in r.stdout
    assert_complete_runs(tmp_path, 1)


def test_joblib_launcher_with_plain_seed_sweep(cli, tmp_path):
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={tmp_path}",
            "seed=range(0,4)", *SMALL, "hydra/launcher=joblib", "hydra.launcher.n_jobs=2")
    assert r.returncode == 0, r.stderr[-2000:]
    mans = assert_complete_runs(tmp_path, 4)
    assert sorted((m["seed"], m["replicate"]) for m in mans.values()) == [(k, 0) for k in range(4)]
    assert "4 complete, 0 skipped, 0 failed" in r.stdout


def test_a_bad_value_found_in_a_joblib_worker_fails_that_job_alone(cli, tmp_path):
    # the range check runs in the worker; its ConfigError must travel back (pickled) like any result
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={tmp_path}",
            "population.scale=0.003,2", "days=40", "progress=false", "hydra/launcher=joblib",
              "hydra.launcher.n_jobs=2")
    assert r.returncode == 1, r.stderr[-2000:]
    assert "1 complete, 0 skipped, 1 failed" in r.stdout
    failed = [ln for ln in r.stdout.splitlines() if ln.startswith("[sweep] FAILED")]
    assert len(failed) == 1 and "population.scale=2 " in failed[0]
    assert failed[0].endswith("error: population.scale=2.0: a fraction in (0, 1]")
    assert "Traceback" not in r.stderr and "RuntimeWarning" not in r.stderr  # workers start quietly


CTRL_C_APP = """
import os
import time
from pathlib import Path

import hydra

import experiments.run as run
from sim.config import CONFIG_DIR


def task(cfg):  # pickled by value into joblib's workers: the barrier travels with it
    barrier = os.environ.get("BARRIER")
    if barrier and cfg.seed == 1:
        real = run.run_job

        def blocked(cfg, run_dir, **kwargs):  # inside the job, where Ctrl-C interrupts it
            Path(barrier).touch()
            while True:
                time.sleep(0.05)

        run.run_job = blocked
    return run.job(cfg)


run.main = hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")(task)

if __name__ == "__main__":
    run.cli()
"""


@pytest.mark.slow
def test_ctrl_c_stops_a_sweep_with_one_line_and_a_rerun_resumes_it(tmp_path):
    """Ctrl-C at a barrier, not at a time: the job of seed 1 blocks until interrupted, so the sweep cannot
    finish first; the signal is sent once that job is running and another job is complete."""
    import signal

    from experiments.run import INTERRUPTED

    app = tmp_path / "ctrl_c_app.py"
    app.write_text(CTRL_C_APP)
    barrier, out = tmp_path / "seed1-running", tmp_path / "sweep"
    args = [str(app), "-m", "seed=range(0,4)", *SMALL, f"hydra.sweep.dir={out}", "hydra/launcher=joblib",
            "hydra.launcher.n_jobs=2"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, start_new_session=True, env={**env, "BARRIER": str(barrier)})
    done = None
    for line in proc.stdout:  # a first run is complete (seed 1 never is, until interrupted)
        found = re.match(r"\[sweep\] (\d+)/4", line)
        if found:
            done = int(found.group(1))
            break
    deadline = time.monotonic() + 120
    while not barrier.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert done is not None and done < 4 and barrier.exists()
    os.killpg(proc.pid, signal.SIGINT)  # as a terminal does: the whole process group
    stdout, err = proc.communicate(timeout=120)
    assert proc.returncode == 130, (done, stdout[-1500:], err[-1500:])
    assert err.strip().splitlines()[-1] == INTERRUPTED and "Traceback" not in err
    r = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=240, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    summary = next(ln for ln in r.stdout.splitlines() if ln.startswith("[sweep] finished"))
    complete, skipped = (int(summary.split(f" {word}")[0].rsplit(" ", 1)[-1]) for word in ("complete", "skipped"))
    assert complete >= 1 and skipped >= 1 and complete + skipped == 4 and "0 failed" in summary
    assert_complete_runs(out, 4)


def test_config_errors_survive_pickling():
    import pickle

    err = pickle.loads(pickle.dumps(ConfigError("population.scale", 2.0, "a fraction in (0, 1]")))
    assert isinstance(err, ConfigError) and str(err) == "population.scale=2.0: a fraction in (0, 1]"
    assert (err.key, err.value, err.allowed) == ("population.scale", 2.0, "a fraction in (0, 1]")


def test_submitit_local_launcher(cli, tmp_path):
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={tmp_path}",
            "scenario=baseline,strikes_jan2024", *SMALL, "hydra/launcher=submitit_local",
              "hydra.launcher.timeout_min=5")
    assert r.returncode == 0, r.stderr[-2000:]
    mans = assert_complete_runs(tmp_path, 2)
    assert {m["scenario"] for m in mans.values()} == {"baseline", "strikes_jan2024"}
    assert "2 complete, 0 skipped, 0 failed" in r.stdout


@pytest.mark.slow  # starts a local Ray instance
def test_ray_launcher_on_a_local_ray_instance(cli, tmp_path):
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="the `ray` extra is not installed")
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={tmp_path}",
            "scenario=baseline,closure_30d", *SMALL, "hydra/launcher=ray",
              "+hydra.launcher.ray.init.num_cpus=1", "+hydra.launcher.ray.init.include_dashboard=false")
    assert r.returncode == 0, r.stderr[-3000:]
    assert "Started a local Ray instance" in r.stdout + r.stderr
    mans = assert_complete_runs(tmp_path, 2)
    assert {m["scenario"] for m in mans.values()} == {"baseline", "closure_30d"}


def test_design_preset_runs_explicit_points(cli, tmp_path):
    r = cli("experiments.run", "-m", f"hydra.sweep.dir={tmp_path}",
            "+sweep=lhs_closure", "hydra.sweeper.design.n=4", *SMALL)
    assert r.returncode == 0, r.stderr[-2000:]
    assert_complete_runs(tmp_path, 4 + 1)  # the 4 points and their baseline run
    runs = pd.read_parquet(tmp_path / "runs.parquet")
    assert sorted(runs["scenario"]) == ["baseline"] + ["closure_with_cash_transfer"] * 4
    runs = runs[runs["scenario"] == "closure_with_cash_transfer"]
    amount = runs["policy.cash_transfer.amount"]
    assert sorted(np.floor(amount / 10000 * 4).astype(int)) == [0, 1, 2, 3]  # Latin hypercube strata
    for _, row in runs.iterrows():  # the swept values are the values the run used
        man = json.loads((tmp_path / row["run_id"] / "manifest.json").read_text())
        assert man["config"]["policy"]["cash_transfer"]["amount"] == row["policy.cash_transfer.amount"]
        assert man["config"]["border"]["closure"]["duration_days"] == row["border.closure.duration_days"]


def test_single_run_command_with_replicates_becomes_a_sweep(tmp_path):
    r = subprocess.run([sys.executable, "-m", "experiments.run", "replicates=2", *SMALL,
                        f"hydra.sweep.dir={tmp_path}"], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert r.returncode == 0, r.stderr[-2000:]
    assert "running it as a sweep" in r.stderr
    mans = assert_complete_runs(tmp_path, 2)
    assert sorted(m["seed"] for m in mans.values()) == sorted(replicate_seed(0, k) for k in range(2))


@pytest.mark.parametrize("args, key", [
    (["+sweep=nowhere"], "sweep"),
    (["+sweep=sobol_closure", "hydra.sweeper.design.n=12"], "hydra.sweeper.design.n"),
    (["+sweep=lhs_closure", "border.closure.duration_days=60"], "hydra.sweeper.design.ranges"),
    (["scenario=baseline,nowhere"], "scenario"),
    (["not_a_key=1,2"], "not_a_key"),
])
def test_bad_sweep_input_fails_with_one_line(refused, tmp_path, args, key):
    out = tmp_path / "sweep"
    assert refused("-m", f"hydra.sweep.dir={out}", *args, *SMALL).startswith(f"error: {key}")
    assert not out.exists()


def test_eta_is_the_time_per_job_since_the_first_ended_not_the_start_up(tmp_path):
    """The first job pays the workers' start-up (imports, an empty warm-up cache): the ETA leaves it out, so a
    demo's first estimate is not several times the sweep's real length."""
    from experiments.sweep.progress import Board

    board = Board(tmp_path, [[f"seed={i}"] for i in range(8)])
    board.ended = [100.0]  # the first job ended after 100 s of start-up
    assert board.eta(ran=1, left=7) == "?"
    board.ended = [100.0, 110.0, 120.0]  # then one every 10 s
    assert board.eta(ran=3, left=5) == "0:00:50" and board.eta(ran=3, left=0) == "0:00:00"
