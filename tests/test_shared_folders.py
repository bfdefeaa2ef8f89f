"""Shared results folders (docs/reliability.md, "Shared folders"): nothing in a results folder is trusted as code
or as a path, no symbolic link is followed out of one, a run that loses the race for a folder touches nothing
in it, resume is keyed on the contents of every input file, and collect survives bad records.

Runs are tiny (population.scale 0.003, a few days). No test waits for a time: races and kills happen at
barriers (a lock the test holds, a file a blocked job writes).
"""

from __future__ import annotations

import json
import os
import pickle
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from experiments import rundir
from experiments.rundir import MANIFEST, RunDirError

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TINY = ["population.scale=0.003", "days=3", "progress=false"]
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def one_line(r, code: int = 2) -> str:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == code, (r.returncode, r.stdout[-1500:], r.stderr[-3000:])
    assert len(lines) == 1 and lines[0].startswith("error: ") and "Traceback" not in r.stderr, r.stderr[-3000:]
    return lines[0]


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): (os.readlink(p).encode() if p.is_symlink() else p.read_bytes())
            for p in sorted(path.rglob("*")) if p.is_symlink() or p.is_file()}


def run(*args: str, cwd: Path = ROOT, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run([PY, "-m", "experiments.run", *args], cwd=cwd, capture_output=True, text=True,
                          timeout=300, env=ENV, **kwargs)


@pytest.fixture(scope="module")
def complete_run(tmp_path_factory) -> Path:
    """One complete tiny run (copied by the tests that change it)."""
    out = tmp_path_factory.mktemp("complete") / "run"
    r = run(*TINY, f"hydra.run.dir={out}")
    assert r.returncode == 0, r.stderr[-2000:]
    return out


# --------------------------------------------------------------------------- 1. nothing runs as code


class Marker:
    """Unpickling this creates a file: the proof that a pickle was loaded."""

    def __init__(self, path: str):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def test_a_pickle_flag_is_refused_and_the_pickle_never_loaded(tmp_path):
    evil, marker = tmp_path / "evil.pkl", tmp_path / "unpickled"
    evil.write_bytes(pickle.dumps(Marker(str(marker))))
    for args in ([f"--experimental-rerun={evil}", *TINY], ["--experimental-rerun", str(evil), *TINY]):
        line = one_line(run(*args, cwd=tmp_path))
        assert line.startswith("error: --experimental-rerun") and "not an option of this command" in line
    assert not marker.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["evil.pkl"]


@pytest.mark.parametrize("flag", ["--experimental-rerun=x.pkl", "--config-dir=/tmp", "-cp", "--config-name=x",
                                  "--shell-completion"])
def test_hydra_flags_other_than_the_documented_ones_are_refused_in_process(refused, flag):
    assert refused(flag, "days=3").startswith(f"error: {flag}: not an option of this command")


def test_analyze_refuses_hydra_flags(capsys):
    from experiments.analyze import cli

    with pytest.raises(SystemExit) as exit_:
        cli(["--experimental-rerun=x.pkl", "+analysis=smoke"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and len(err) == 1 and err[0].startswith("error: --experimental-rerun")


def test_a_calibration_name_is_a_plain_name_not_a_path(refused):
    assert refused("+calibration=../scenario/closure_90d") == "error: calibration='../scenario/closure_90d': one of hies2019"
    assert refused("+calibration=targets").startswith("error: calibration='targets': one of")


# --------------------------------------------------------------------------- 2. no symbolic link is followed


@pytest.mark.parametrize("name", [".run.lock", ".hydra/config.yaml", ".hydra", "run.log"])
def test_a_link_where_a_run_file_belongs_is_refused_and_its_target_untouched(refused, tmp_path, name):
    target, run_dir = tmp_path / "mine", tmp_path / "run"
    (target / "config.yaml").parent.mkdir(parents=True)
    (target / "config.yaml").write_text("user's\n")
    (run_dir / ".hydra").mkdir(parents=True)
    link = run_dir / name
    if name == ".hydra":
        link.rmdir()
    link.symlink_to(target if name == ".hydra" else target / "config.yaml")
    before = tree(tmp_path)
    line = refused(*TINY, f"hydra.run.dir={run_dir}")
    assert f"{link}: is a symbolic link" in line, line
    assert tree(tmp_path) == before


@pytest.mark.parametrize("name", [".sweep", ".sweep/jobs", ".sweep/lock", "multirun.yaml", "sweep.json"])
def test_a_link_where_a_sweep_file_belongs_is_refused_and_its_target_untouched(refused, tmp_path, name):
    target, sweep = tmp_path / "mine", tmp_path / "sweep"
    (target / "jobs").mkdir(parents=True)
    (target / "jobs" / "keep.json").write_text("{}")
    (target / "lock").write_text("user's\n")
    link = sweep / name
    link.parent.mkdir(parents=True, exist_ok=True)
    link.symlink_to(target / ("lock" if name in (".sweep/lock", "multirun.yaml") else "jobs" if name == ".sweep/jobs"
                              else "dangling" if name == "sweep.json" else ""))
    before = tree(tmp_path)
    line = refused("-m", "seed=1,2", *TINY, f"hydra.sweep.dir={sweep}")
    assert f"{link}: is a symbolic link" in line, line
    assert tree(tmp_path) == before


def test_the_progress_board_never_clears_a_folder_a_link_points_at(tmp_path):
    from experiments.sweep.progress import Board

    target = tmp_path / "mine"
    target.mkdir()
    (target / "keep.json").write_text("{}")
    (tmp_path / "sweep" / ".sweep").mkdir(parents=True)
    (tmp_path / "sweep" / ".sweep" / "jobs").symlink_to(target)
    with pytest.raises(RunDirError, match="is a symbolic link"):
        Board(tmp_path / "sweep", [["seed=1"]])
    assert (target / "keep.json").read_text() == "{}"


def test_locks_are_never_taken_through_a_link(tmp_path):
    (tmp_path / "mine").write_text("user's\n")
    (tmp_path / ".run.lock").symlink_to(tmp_path / "mine")
    with pytest.raises(RunDirError, match="is a symbolic link"):
        with rundir.run_lock(tmp_path):
            pass
    assert (tmp_path / "mine").read_text() == "user's\n"


def test_hydras_config_files_are_never_written_through_a_link(tmp_path):
    import hydra.core.utils as hydra_utils
    from omegaconf import OmegaConf

    import experiments.run  # noqa: F401  (installs the safe writer)

    (tmp_path / "mine").write_text("user's\n")
    (tmp_path / ".hydra").mkdir()
    (tmp_path / ".hydra" / "config.yaml").symlink_to(tmp_path / "mine")
    with pytest.raises(RunDirError, match="is a symbolic link"):
        hydra_utils._save_config(OmegaConf.create({"a": 1}), "config.yaml", tmp_path / ".hydra")
    assert (tmp_path / "mine").read_text() == "user's\n"
    hydra_utils._save_config(OmegaConf.create({"a": 1}), "hydra.yaml", tmp_path / ".hydra")
    assert (tmp_path / ".hydra" / "hydra.yaml").read_text() == "a: 1\n"


def test_a_sweep_job_directory_that_is_a_link_fails_alone_and_nothing_is_written_there(tmp_path):
    sweep, target = tmp_path / "sweep", tmp_path / "mine"
    target.mkdir()
    r = run("-m", "seed=1,2", *TINY, f"hydra.sweep.dir={sweep}")
    assert r.returncode == 0, r.stderr[-2000:]
    job = next(p for p in sweep.iterdir() if p.name.startswith("days=3") and "seed=2" in p.name)
    import shutil

    shutil.rmtree(job)
    job.symlink_to(target)
    r = run("-m", "seed=1,2", *TINY, f"hydra.sweep.dir={sweep}")
    assert r.returncode == 1 and "0 complete, 1 skipped, 1 failed" in r.stdout, r.stdout[-2000:]
    assert f"{job}: is a symbolic link" in r.stdout and list(target.iterdir()) == []


# --------------------------------------------------------------------------- 3. locks that protect the winner


def test_a_run_that_loses_the_lock_touches_nothing_in_the_winners_folder(tmp_path):
    """The race at a barrier: the test holds the lock the winner holds, with the winner's launch files there."""
    run_dir = tmp_path / "run"
    (run_dir / ".hydra").mkdir(parents=True)
    for name in ("config.yaml", "hydra.yaml", "overrides.yaml"):
        (run_dir / ".hydra" / name).write_text(f"the winner's {name}\n")
    (run_dir / "run.log").write_text("the winner's log\n")
    with rundir.run_lock(run_dir):
        before = tree(run_dir)
        line = one_line(run(*TINY, f"hydra.run.dir={run_dir}"))
        assert "in use by another run" in line
        assert tree(run_dir) == before


def test_two_runs_in_the_same_second_get_different_default_directories(tmp_path):
    path = tmp_path / "results" / "runs" / "baseline" / "2026-01-01_00-00-00_s0"
    first, second = rundir.new_run_dir(path), rundir.new_run_dir(path)
    assert first == path and second == path.with_name(path.name + "-2") and second.is_dir()


def test_forgetting_a_launch_never_touches_a_claimed_run(complete_run, tmp_path):
    import shutil

    run_dir = tmp_path / "run"
    shutil.copytree(complete_run, run_dir)
    before = tree(run_dir)
    rundir.forget_launch(run_dir, run_dir)
    assert tree(run_dir) == before


@pytest.mark.slow
def test_three_runs_raced_into_one_folder_leave_exactly_one_complete_result(tmp_path):
    run_dir = tmp_path / "run"
    procs = [subprocess.Popen([PY, "-m", "experiments.run", *TINY, f"seed={seed}", f"hydra.run.dir={run_dir}"],
                              cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
             for seed in (1, 2, 3)]
    results = [(seed, p.wait(timeout=300), p.stderr.read()) for seed, p in zip((1, 2, 3), procs)]
    winners = [seed for seed, code, _ in results if code == 0]
    assert len(winners) == 1, results
    assert all(code == 2 and len(err.strip().splitlines()) == 1 for _, code, err in results if code != 0), results
    man = json.loads((run_dir / MANIFEST).read_text())
    assert man["status"] == "complete" and man["seed"] == winners[0] and rundir.is_complete(run_dir)
    assert f"seed={winners[0]}" in (run_dir / ".hydra" / "overrides.yaml").read_text()


# --------------------------------------------------------------------------- 4. resume keyed on content


def test_an_edited_input_file_makes_resume_redo_the_run_and_say_why(tmp_path):
    region = tmp_path / "edit.csv"
    region.write_text((ROOT / "sim/data/region_pakistan.csv").read_text())
    args = ["-m", "seed=1", "replicates=1", *TINY, f"population.region_file={region}", f"hydra.sweep.dir={tmp_path / 's'}"]
    assert run(*args).returncode == 0
    again = run(*args)
    assert "0 complete, 1 skipped, 0 failed" in again.stdout, again.stdout[-2000:]
    region.write_text(region.read_text().replace("269192", "279192"))
    edited = run(*args)
    assert edited.returncode == 0 and "1 complete, 0 skipped, 0 failed" in edited.stdout, edited.stdout[-2000:]
    assert f"its input population.region_file ({region}) changed since it ran" in edited.stdout


def test_a_run_records_the_checksum_of_every_input_file(complete_run):
    inputs = json.loads((complete_run / MANIFEST).read_text())["inputs"]
    assert set(inputs) == {"population.region_file", "population.crossings_file", "scenario"}
    assert inputs["scenario"]["sha256"] == rundir.sha256(ROOT / "configs/scenario/baseline.yaml")


# --------------------------------------------------------------------------- 5. inputs validated by meaning


def region_with(tmp_path: Path, district: str, column: str | None = None, value: str | None = None) -> Path:
    lines = (ROOT / "sim/data/region_pakistan.csv").read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    cells = lines[header + 1].split(",")
    cells[0] = district
    if column:
        cells[lines[header].split(",").index(column)] = value
    lines[header + 1] = ",".join(cells)
    path = tmp_path / "region.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("district, column, value, key", [
    ("ALL", None, None, "population.region_file[ALL]="),
    ("all", None, None, "population.region_file[all]="),
    ("chagai", "lon", "inf", "population.region_file[chagai].lon=inf"),
    ("chagai", "population", "inf", "population.region_file[chagai].population=inf"),
])
def test_reserved_names_and_unbounded_values_in_a_region_file_are_refused(refused, tmp_path, district, column, value,
                                                                          key):
    line = refused(*TINY, f"population.region_file={region_with(tmp_path, district, column, value)}",
                   f"hydra.run.dir={tmp_path / 'run'}")
    assert line.startswith(f"error: {key}"), line
    assert not (tmp_path / "run").exists()


def test_unbounded_crossing_values_are_refused(refused, tmp_path):
    text = (ROOT / "sim/data/crossings.csv").read_text().replace(",3.81,", ",1e300,")
    (tmp_path / "crossings.csv").write_text(text)
    line = refused(*TINY, f"population.crossings_file={tmp_path / 'crossings.csv'}")
    assert line == "error: population.crossings_file[kech_informal].fuel_litres_m=1e+300: a number in [0, 10,000]"


@pytest.mark.parametrize("args, line", [
    (["seed=range(0,100000000)"], "error: seed='range(0,100000000)': a sweep of at most 100,000 jobs"),
    (["days=interval(1,10)"], "error: days='interval(1,10)': a value or a list of values"),
    (["hydra.sweeper.max_batch_size=0", "seed=1,2"], "error: hydra.sweeper.max_batch_size=0: jobs per launch"),
    (["seed=1,01"], "error: seed='1,01': distinct values (1 and 01 are the same)"),
    (["hydra/launcher=joblib", "hydra.launcher.backend=nope", "seed=1,2"], "error: hydra.launcher.backend='nope'"),
])
def test_sweeps_that_would_crash_or_repeat_a_run_are_refused_before_anything_is_written(refused, tmp_path, args,
                                                                                        line):
    got = refused("-m", *args, *TINY, f"hydra.sweep.dir={tmp_path / 'sweep'}")
    assert got.startswith(line), got
    assert list(tmp_path.iterdir()) == []


def test_joblib_starts_no_more_workers_than_jobs():
    from types import SimpleNamespace

    from experiments.sweep.sweeper import cap_workers

    launcher = SimpleNamespace(joblib={"n_jobs": 24})
    cap_workers(launcher, 2)
    assert launcher.joblib["n_jobs"] == 2
    cap_workers(launcher, 5)
    assert launcher.joblib["n_jobs"] == 2


# --------------------------------------------------------------------------- 6. collect survives bad records


def copy_runs(complete_run: Path, root: Path, n: int) -> list[Path]:
    import shutil

    dirs = [root / f"run{k}" for k in range(n)]
    for d in dirs:
        shutil.copytree(complete_run, d)
    return dirs


@pytest.mark.parametrize("edit, why", [
    (lambda d: rundir.atomic_write_json(d / MANIFEST, {**json.loads((d / MANIFEST).read_text()), "seed": "abc"}),
     "malformed (manifest.json: seed is 'abc', not an integer >= 0)"),
    ("summary", "malformed (summary.json: cumulative_recruits is nan, not a finite number)"),
])
def test_one_malformed_run_is_skipped_by_collect_with_one_line(complete_run, tmp_path, capsys, edit, why):
    from experiments.collect import main

    good, bad = copy_runs(complete_run, tmp_path / "sweep", 2)
    if edit == "summary":  # a non-finite result, its checksum updated to match
        summary = json.loads((bad / "summary.json").read_text())
        rundir.atomic_write_json(bad / "summary.json", {**summary, "cumulative_recruits": float("nan")})
        man = json.loads((bad / MANIFEST).read_text())
        man["files"]["summary.json"] = rundir.file_record(bad / "summary.json")
        rundir.atomic_write_json(bad / MANIFEST, man)
    else:
        edit(bad)
    main([str(tmp_path / "sweep")])
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [f"skipped {bad}: {why}"]
    assert "collected 1 run(s)" in out


def test_the_replay_record_is_covered_by_the_manifest_and_an_edited_one_is_skipped(complete_run, tmp_path, capsys):
    from experiments.collect import main

    man = json.loads((complete_run / MANIFEST).read_text())
    replay = complete_run / ".hydra" / "overrides.yaml"
    assert man["files"][".hydra/overrides.yaml"] == rundir.file_record(replay)
    good, bad = copy_runs(complete_run, tmp_path / "sweep", 2)
    edited = bad / ".hydra" / "overrides.yaml"
    assert "- days=3\n" in edited.read_text()
    edited.write_text(edited.read_text().replace("- days=3\n", "- days=9\n"))  # the same size: only the SHA-256 tells
    line = f"skipped {bad}: .hydra/overrides.yaml does not match its SHA-256 in the manifest (corrupted)"
    assert rundir.find_runs(tmp_path / "sweep") == [good]
    assert capsys.readouterr().err.strip().splitlines() == [line]
    assert list(rundir.load_results(tmp_path / "sweep", with_timeseries=False)[0]["run_id"]) == ["run0"]
    assert capsys.readouterr().err.strip().splitlines() == [line]
    main([str(tmp_path / "sweep")])
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [line] and "collected 1 run(s)" in out
    with pytest.raises(rundir.ResultsError, match="no complete run found .*; left out: .*run1: .hydra/overrides.yaml "
                                                  "does not match its SHA-256"):
        rundir.find_runs(bad, skipped=[])  # a reader left with no run says why


# --------------------------------------------------------------------------- 7. clean exits


def test_sigterm_stops_a_run_with_one_line(tmp_path):
    """SIGTERM once the run has claimed its directory (its manifest says running): a barrier, not a time."""
    run_dir = tmp_path / "run"
    proc = subprocess.Popen([PY, "-m", "experiments.run", "population.scale=0.003", "days=36500", "progress=false",
                             f"hydra.run.dir={run_dir}"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True, env=ENV)
    while rundir.read_status(run_dir) != "running" and proc.poll() is None:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143 and err.strip().splitlines() == [
        "terminated: interrupted: complete runs are kept (their manifest.json says complete); a run cut short is "
        "not complete and is redone when the same command is rerun into the same hydra.sweep.dir / hydra.run.dir"], err
    man = json.loads((run_dir / MANIFEST).read_text())
    assert man["status"] == "failed" and man["error"] == "interrupted"


KILLED_LAUNCHER_APP = """
import os
import time
from pathlib import Path

import hydra

import experiments.run as run
from sim.config import CONFIG_DIR


def task(cfg):  # pickled by value into joblib's workers: each job records its worker and blocks
    Path(os.environ["BARRIER"], f"{os.getpid()}").touch()
    run.job(cfg)
    while True:
        time.sleep(0.05)


run.main = hydra.main(version_base="1.3", config_path=str(CONFIG_DIR), config_name="config")(task)

if __name__ == "__main__":
    run.cli()
"""


def gone(pid: int) -> bool:
    import psutil

    try:
        return psutil.Process(pid).status() == psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return True


@pytest.mark.slow
def test_a_sweep_killed_with_sigkill_leaves_no_workers(tmp_path):
    app, barrier = tmp_path / "app.py", tmp_path / "workers"
    app.write_text(KILLED_LAUNCHER_APP)
    barrier.mkdir()
    proc = subprocess.Popen([PY, str(app), "-m", "seed=1,2", *TINY, f"hydra.sweep.dir={tmp_path / 'sweep'}",
                             "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"], cwd=ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, env={**ENV, "BARRIER": str(barrier)})
    deadline = time.monotonic() + 240  # a bound on a hang, not the condition
    while len(list(barrier.iterdir())) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    workers = [int(p.name) for p in barrier.iterdir()]
    assert len(workers) == 2 and not any(gone(pid) for pid in workers)
    proc.kill()
    proc.wait()
    while not all(gone(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert all(gone(pid) for pid in workers)
