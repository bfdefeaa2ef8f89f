"""Reliability (docs/reliability.md): every bad input refused in one line with nothing written, shared directories
safe, disk faults reported in one line, only the tool's own files touched, checksums verified.

Each test here backs a row of docs/reliability.md. Runs are tiny (population.scale 0.003-0.01, 5-40 days).
Faults are injected by monkeypatching, by holding the locks the tool takes, and by RLIMIT_FSIZE (a file
size limit makes writes fail with EFBIG, as a full disk fails them with ENOSPC); the tests run as root
here, so chmod cannot make a directory read-only for them.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from experiments import rundir
from experiments.rundir import MANIFEST, RUN_FILES, foreign_entries, problem, remove_partial_files

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
TINY = ["population.scale=0.01", "days=30", "progress=false"]
SMALL = ["population.scale=0.003", "days=40", "progress=false"]


def one_line(r, code: int = 2, starts: str = "error: ") -> str:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == code, (r.returncode, r.stderr[-3000:])
    assert len(lines) == 1 and lines[0].startswith(starts) and "Traceback" not in r.stderr, r.stderr[-3000:]
    return lines[0]


def tree(path: Path) -> dict[str, bytes]:
    return {str(p.relative_to(path)): p.read_bytes() for p in sorted(path.rglob("*")) if p.is_file()}


def region_csv(tmp_path: Path, column: str, value: str) -> Path:
    lines = (ROOT / "sim/data/region_pakistan.csv").read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if not line.startswith("#"))
    col = lines[header].split(",").index(column)
    for i in range(header + 1, len(lines)):
        cells = lines[i].split(",")
        if len(cells) > col:
            cells[col] = value
            lines[i] = ",".join(cells)
    path = tmp_path / "region.csv"
    path.write_text("\n".join(lines) + "\n")
    return path


# --------------------------------------------------------------------------- 1. bad input: one line, nothing written

BAD_INPUTS = [  # the bad inputs docs/reliability.md lists, with the key the line must name
    (["recruitment.groups.0.initial_funds_days=nan"], "recruitment.groups.0.initial_funds_days"),
    (["recruitment.groups.0.pay_pkr=inf"], "recruitment.groups.0.pay_pkr"),
    (["REGION:household_size=1e300"], "population.region_file[chagai].household_size"),
    (["population.scale=1e-300"], "population.scale"),
    (["prices.import_price_elasticity=1e300"], "prices.import_price_elasticity"),
    (["seed=99999999999999999999999"], "seed"),
    (["days=99999999999999999999"], "days"),
    (["days=${oc.env:NOPE}"], "days"),
    (["population.age_decay=nan"], "population.age_decay"),
    (["RUN_DIR_IS_A_FILE"], "hydra.run.dir"),
    (["days=1000000000"], "days"),
    (["population.contacts_per_person=1000000"], "population.contacts_per_person"),
    (["REGION:population=1e13"], "population.region_file[chagai].population"),  # beyond a district's bound
    (["replicates=100000000"], "replicates"),
    (["-m", "seed=1,2", "hydra/launcher=joblib", "hydra.launcher.n_jobs=0"], "hydra.launcher.n_jobs"),
    (["+foo=1"], "foo"),
    (["channels.grievance=2"], "channels.grievance"),
    (["start_date=notadate"], "start_date"),
    (["scenario_name=../../../x"], "scenario_name"),
    (["days=${nope}"], "days"),
    (["-m", "+foo=1,2"], "foo"),
    (["-m", "channels.grievance=true,2"], "channels.grievance"),
]


@pytest.mark.parametrize("args, key", BAD_INPUTS, ids=lambda v: v if isinstance(v, str) else " ".join(v))
def test_bad_inputs_give_one_line_and_write_nothing(refused, monkeypatch, tmp_path, args, key):
    """In process, through the command line's check (the entry point itself: test_cli.py)."""
    work = tmp_path / "work"
    work.mkdir()
    extra = []
    if args[0].startswith("REGION:"):
        column, _, value = args[0][len("REGION:"):].partition("=")
        args = [f"population.region_file={region_csv(tmp_path, column, value)}"]
    if args == ["RUN_DIR_IS_A_FILE"]:
        (work / "afile").write_text("mine")
        args, extra = [], [f"hydra.run.dir={work / 'afile'}"]
    else:
        extra = [f"hydra.run.dir={work / 'run'}", f"hydra.sweep.dir={work / 'sweep'}"]
    before = tree(work)
    monkeypatch.chdir(work)
    line = refused(*args, *[a for a in TINY if a.split("=")[0] not in " ".join(args)], *extra)
    assert line.startswith(f"error: {key}="), line
    assert tree(work) == before and sorted(p.name for p in work.iterdir()) == sorted(before)  # no .hydra/, no run.log


def test_a_yaml_syntax_error_names_the_file_and_line(tmp_path, monkeypatch, capsys):
    import experiments.commandline as commandline
    import sim.config

    configs = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", configs)
    (configs / "scenario" / "broken.yaml").write_text("# @package _global_\nscenario_name: broken\n"
                                                      "border:\n  closure: {start_day: 3\n  x: [\n")
    monkeypatch.setattr(sim.config, "SCENARIO_DIR", configs / "scenario")
    monkeypatch.setattr(commandline, "SCENARIO_DIR", configs / "scenario")
    monkeypatch.setattr(commandline, "CONFIG_DIR", configs)
    with pytest.raises(SystemExit) as exit_:
        commandline.prevalidate(["scenario=broken", f"hydra.run.dir={tmp_path / 'run'}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and len(err) == 1, err
    assert err[0].startswith(f"error: {configs / 'scenario' / 'broken.yaml'}:5: ")
    assert not (tmp_path / "run").exists()


def test_a_run_needing_more_memory_than_available_is_refused_before_building(monkeypatch, capsys, tmp_path):
    import experiments.checks as checks
    from experiments.commandline import compose, prevalidate

    monkeypatch.setattr(checks, "available_memory", lambda: 300 * 2**20)
    with pytest.raises(SystemExit) as exit_:
        prevalidate(["population.scale=1", "population.contacts_per_person=100", f"hydra.run.dir={tmp_path}/r"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and len(err) == 1
    assert err[0].startswith("error: population.scale=1.0: a run that fits in memory: this one needs about ")
    assert "GiB" in err[0] and "300 MiB is available" in err[0]
    needed_1, _ = checks.memory_needed(compose(["population.scale=0.1"]), _region())
    needed_2, _ = checks.memory_needed(compose(["population.scale=0.2"]), _region())
    needed_k, _ = checks.memory_needed(compose(["population.scale=0.1", "population.contacts_per_person=50"]),
                                    _region())
    assert needed_1 < needed_2 and needed_1 < needed_k  # grows with people and with contacts


def _region():
    from sim.region import load_region

    return load_region()


def test_memory_estimate_is_above_what_a_run_uses():
    """The estimate must not refuse runs that fit: measured peak RSS of a small build is below it. The peak is
    VmHWM of the child's own address space: ru_maxrss survives execve on Linux, so it would report the size of
    the (large) pytest process the child was forked from."""
    code = ("import re\nfrom experiments.checks import memory_needed\nfrom experiments.commandline import compose\n"
            "from sim import BorderModel\nfrom sim.region import load_region\n"
            "cfg = compose(['population.scale=0.05', 'population.contacts_per_person=40', 'days=3'])\n"
            "need, _ = memory_needed(cfg, load_region())\n"
            "BorderModel(config=cfg, rng=0).run()\n"
            "peak = int(re.search(r'VmHWM:\\s+(\\d+) kB', open('/proc/self/status').read()).group(1)) * 1024\n"
            "print(need, peak)\n")
    out = subprocess.run([PY, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    need, used = map(int, out.stdout.split())
    assert used < need, (used, need)


BAD_TEXT = {"int": ["abc", "1.5", "nan", "true"], "float": ["abc", "nan", "inf", "-inf", "true"]}


def _entries():
    from sim.config import Config
    from sim.params import entries

    return [e for e in entries(Config) if e.type in (int, float) and "[]" not in e.key and e.spec.valid is not None]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_any_invalid_value_of_any_key_is_refused_in_one_line_naming_it(data, capsys, tmp_path_factory):
    """Hypothesis over the parameter declarations, through the command line's own check (in process)."""
    import math

    from experiments.commandline import prevalidate

    entry = data.draw(st.sampled_from(_entries()), label="key")
    v = entry.spec.valid
    kind = "int" if entry.type is int else "float"
    choices = list(BAD_TEXT[kind])
    if v.high < math.inf:
        choices.append(repr(v.high + (1 if kind == "int" else max(abs(v.high) * 1e-3, 1e-6))))
    if v.low > -math.inf:
        choices.append(repr(v.low - (1 if kind == "int" else max(abs(v.low) * 1e-3, 1e-6))))
    text = data.draw(st.sampled_from(choices), label="value")
    out = tmp_path_factory.mktemp("bad") / "run"
    with pytest.raises(SystemExit) as exit_:
        tiny = [a for a in ("population.scale=0.01", "days=30") if not a.startswith(entry.key + "=")]
        prevalidate([*tiny, f"{entry.key}={text}", f"hydra.run.dir={out}"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and len(err) == 1, err
    assert err[0].startswith(f"error: {entry.key}="), err[0]
    assert not out.exists()


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_any_valid_config_runs_30_days_with_every_invariant(data):
    """Hypothesis: up to four keys drawn from their valid ranges (cross-key rules respected) run 30 days
    at scale 0.003: people conserved, no NaN or inf, shares in [0, 1], prices above 0."""
    import math

    import numpy as np
    from hypothesis import assume

    from sim import BorderModel
    from sim.config import ConfigError, load_config

    chosen = data.draw(st.lists(st.sampled_from([e for e in _entries() if e.spec.kind != "run control"]),
                                min_size=1, max_size=4, unique_by=lambda e: e.key), label="keys")
    overrides = {}
    for e in chosen:
        v = e.spec.valid
        high = min(v.high, 1e6)
        if e.type is int:
            overrides[e.key] = data.draw(st.integers(int(math.ceil(v.low)) + v.low_open, int(high) - v.high_open))
        else:
            overrides[e.key] = data.draw(st.floats(v.low, high, exclude_min=v.low_open, exclude_max=v.high_open,
                                                   allow_nan=False, allow_infinity=False))
    scenario = data.draw(st.sampled_from(["baseline", "closure_30d"]), label="scenario")
    try:
        cfg = load_config(scenario, {**overrides, "population.scale": 0.003, "days": 30})
    except ConfigError:
        assume(False)
    m = BorderModel(config=cfg, rng=1).run()
    ts = m.timeseries()
    num = ts.select_dtypes("number")
    assert np.isfinite(num.to_numpy(dtype=float)).all(), overrides
    states = ["employed", "unemployed", "inactive", "militants", "migrants"]
    assert (ts.working_age == ts[states].sum(axis=1)).all(), overrides
    for col in [c for c in ts.columns if c.endswith(("_share", "_rate"))]:
        assert ts[col].between(0, 1).all(), (col, overrides)
    assert (ts.food_price_index > 0).all(), overrides
    summary = m.summary(ts)
    assert all(math.isfinite(x) for x in summary.values() if isinstance(x, (int, float))), overrides


# --------------------------------------------------------------------------- 2. shared directories


def test_a_second_sweep_into_a_locked_directory_is_refused_in_one_line(cli, tmp_path):
    from experiments.sweep.sweeper import sweep_lock

    with sweep_lock(tmp_path):
        before = tree(tmp_path)
        r = cli("experiments.run", "-m", "seed=1,2", *SMALL, f"hydra.sweep.dir={tmp_path}")
        line = one_line(r)
        assert f"hydra.sweep.dir={tmp_path}: in use by another sweep (pid {os.getpid()}" in line
        assert tree(tmp_path) == before and not (tmp_path / "multirun.yaml").exists()


def test_a_run_into_a_directory_in_use_is_refused_in_one_line(cli, tmp_path):
    run_dir = tmp_path / "run"
    with rundir.run_lock(run_dir):
        r = cli("experiments.run", *TINY, f"hydra.run.dir={run_dir}")
        line = one_line(r)
    assert "in use by another run" in line and not (run_dir / MANIFEST).exists()


@pytest.mark.slow
def test_two_sweeps_started_together_one_runs_the_other_is_refused(tmp_path):
    args = [PY, "-m", "experiments.run", "-m", "seed=range(0,3)", *SMALL, f"hydra.sweep.dir={tmp_path}"]
    first = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    for line in first.stdout:  # the header is printed while the first sweep holds the lock
        if line.startswith("[sweep] 3 job(s)"):
            break
    second = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    out, err = first.communicate(timeout=600)
    assert first.returncode == 0, err[-2000:]
    assert "in use by another sweep" in one_line(second)
    assert "3 complete, 0 skipped, 0 failed" in out
    assert len(list(tmp_path.glob("*/manifest.json"))) == 3


def test_manifest_is_replaced_never_unlinked_while_a_run_is_rewritten(tmp_path, monkeypatch):
    """A reader at any moment of a rewrite finds a manifest: the old complete one, a running claim, or the new."""
    from sim import BorderModel

    model = BorderModel("baseline", population_scale=0.003, days=5, rng=0).run()
    rundir.write_run(tmp_path, model)
    seen = []
    real = rundir.atomic_write

    def spy(path, write):
        seen.append(rundir.read_status(tmp_path))
        real(path, write)

    monkeypatch.setattr(rundir, "atomic_write", spy)
    real_unlink = os.unlink

    def unlink(path, *a, **k):
        assert Path(path).name != MANIFEST, "write_run unlinked the manifest"
        real_unlink(path, *a, **k)

    monkeypatch.setattr(os, "unlink", unlink)
    rundir.write_run(tmp_path, model)
    assert seen[0] == "complete" and set(seen[1:]) == {"running"} and rundir.read_status(tmp_path) == "complete"


def test_collect_skips_a_run_that_changes_while_it_is_read(tmp_path, monkeypatch, capsys):
    from sim import BorderModel

    model = BorderModel("baseline", population_scale=0.003, days=5, rng=0).run()
    for name in ("a", "b"):
        rundir.write_run(tmp_path / name, model)
    real = rundir.read_manifest

    def racing(d):  # run b's manifest is being replaced by a concurrent rerun at the moment collect reads it
        if Path(d).name == "b":
            raise FileNotFoundError(errno.ENOENT, "No such file or directory", str(Path(d) / MANIFEST))
        return real(d)

    monkeypatch.setattr(rundir, "read_manifest", racing)
    skipped = []
    runs_path, _ = rundir.collect(tmp_path, skipped)
    assert list(pd.read_parquet(runs_path)["run_id"]) == ["a"]
    assert [(d.name, why.split(" (")[0]) for d, why in skipped] == [("b", "could not be read")]


def test_temporary_files_of_others_are_never_deleted(tmp_path):
    mine = tmp_path / ".timeseries.parquet.ab12cd.tmp"
    theirs = [tmp_path / ".important.tmp", tmp_path / ".notes.txt.x.tmp", tmp_path / "timeseries.parquet.tmp"]
    for p in [mine, *theirs]:
        p.write_bytes(b"x")
    remove_partial_files(tmp_path)
    assert not mine.exists() and all(p.exists() for p in theirs)


def test_different_sweeps_in_one_directory_are_kept_apart(cli, tmp_path):
    r1 = cli("experiments.run", "-m", "seed=1", *SMALL, f"hydra.sweep.dir={tmp_path}")
    r2 = cli("experiments.run", "-m", "seed=2", *SMALL, f"hydra.sweep.dir={tmp_path}")
    assert r1.returncode == 0 and r2.returncode == 0, r2.stderr[-2000:]
    assert "[sweep] 1 job(s)" in r2.stdout and "1 complete, 0 skipped, 0 failed" in r2.stdout  # its own jobs only
    summary = json.loads((tmp_path / "sweep.json").read_text())
    assert [j["overrides"][0] for j in summary["jobs"]] == ["seed=2"]
    assert [j["overrides"][0] for j in summary["earlier"]] == ["seed=1"]
    assert sorted(pd.read_parquet(tmp_path / "runs.parquet")["seed"]) == [1, 2]


# --------------------------------------------------------------------------- 3. ownership


def test_a_run_refuses_a_directory_that_is_not_one_of_its_runs(cli, tmp_path):
    (tmp_path / "manifest.json").write_text('{"mine": true}')
    (tmp_path / ".important.tmp").write_text("keep me")
    before = tree(tmp_path)
    line = one_line(cli("experiments.run", *TINY, f"hydra.run.dir={tmp_path}"))
    assert line.startswith(f"error: hydra.run.dir={tmp_path}: a non-empty directory that is not a run of this tool")
    assert tree(tmp_path) == before and sorted(p.name for p in tmp_path.iterdir()) == [".important.tmp",
                                                                                         "manifest.json"]


def test_a_rerun_of_its_own_incomplete_run_keeps_other_files_and_clears_old_leftovers(cli, tmp_path):
    """A run killed earlier (claimed, files half there, a traceback from a crash) is redone in place: the
    user's files stay, the tool's temporary files and stale traceback.txt go, the run completes."""
    (tmp_path / MANIFEST).write_text(json.dumps({"status": "running", "tool": rundir.TOOL}))
    (tmp_path / "timeseries.parquet").write_bytes(b"half")
    (tmp_path / ".timeseries.parquet.zz99.tmp").write_bytes(b"partial")
    (tmp_path / "traceback.txt").write_text("an old crash")
    (tmp_path / ".important.tmp").write_text("keep me")
    (tmp_path / "notes.md").write_text("keep me too")
    r = cli("experiments.run", *TINY, f"hydra.run.dir={tmp_path}")
    assert r.returncode == 0, r.stderr[-2000:]
    assert problem(tmp_path) is None
    assert not (tmp_path / "traceback.txt").exists() and not (tmp_path / ".timeseries.parquet.zz99.tmp").exists()
    assert (tmp_path / ".important.tmp").read_text() == "keep me" and (tmp_path / "notes.md").exists()


def test_a_sweep_job_into_someone_elses_directory_fails_alone_untouched(cli, tmp_path):
    theirs = tmp_path / "days=40,population.scale=0.003,seed=2"
    theirs.mkdir(parents=True)
    (theirs / "results.csv").write_text("theirs")
    r = cli("experiments.run", "-m", "seed=1,2", "population.scale=0.003", "days=40", f"hydra.sweep.dir={tmp_path}")
    assert r.returncode == 1 and "1 complete, 0 skipped, 1 failed" in r.stdout, r.stdout[-2000:]
    assert "not a run of this tool (holds results.csv)" in r.stdout
    assert sorted(p.name for p in theirs.iterdir()) == ["results.csv"]


def test_collect_never_overwrites_a_runs_parquet_it_did_not_write(cli, tmp_path):
    from sim import BorderModel

    rundir.write_run(tmp_path / "a", BorderModel("baseline", population_scale=0.003, days=5, rng=0).run())
    pd.DataFrame({"x": [1]}).to_parquet(tmp_path / "runs.parquet")
    before = (tmp_path / "runs.parquet").read_bytes()
    line = one_line(cli("experiments.collect", str(tmp_path)))
    assert "runs.parquet: exists and was not written by collect" in line
    assert (tmp_path / "runs.parquet").read_bytes() == before and not (tmp_path / "timeseries.parquet").exists()
    (tmp_path / "runs.parquet").unlink()
    assert cli("experiments.collect", str(tmp_path)).returncode == 0
    assert cli("experiments.collect", str(tmp_path)).returncode == 0  # its own file: replaced


def test_a_foreign_file_of_a_sweeps_name_is_not_overwritten(cli, tmp_path):
    (tmp_path / "sweep.json").write_text("theirs")
    line = one_line(cli("experiments.run", "-m", "seed=1", *SMALL, f"hydra.sweep.dir={tmp_path}"))
    assert "holds sweep.json not written by a sweep of this tool" in line
    assert (tmp_path / "sweep.json").read_text() == "theirs" and sorted(os.listdir(tmp_path)) == ["sweep.json"]


# --------------------------------------------------------------------------- 4. checksums


@pytest.fixture(scope="module")
def two_runs(cli, tmp_path_factory):
    root = tmp_path_factory.mktemp("two")
    r = cli("experiments.run", "-m", "seed=1,2", *SMALL, f"hydra.sweep.dir={root}")
    assert r.returncode == 0, r.stderr[-2000:]
    return root


def test_a_corrupted_run_is_skipped_by_collect_listed_and_redone_by_resume(cli, two_runs, tmp_path):
    work = tmp_path / "sweep"
    shutil.copytree(two_runs, work)
    bad = work / f"days=40,population.scale=0.003,seed=2"
    man = json.loads((bad / MANIFEST).read_text())
    assert set(man["files"]) == {*RUN_FILES, ".hydra/overrides.yaml"}
    assert all(len(f["sha256"]) == 64 for f in man["files"].values())
    ts = bad / "timeseries.parquet"
    ts.write_bytes(b"\0" * ts.stat().st_size)  # garbage of the right size
    r = cli("experiments.collect", str(work))
    assert r.returncode == 0 and "collected 1 run(s)" in r.stdout
    assert f"skipped {bad}: timeseries.parquet does not match its SHA-256 in the manifest (corrupted)" in r.stderr
    r = cli("experiments.run", "-m", "seed=1,2", *SMALL, f"hydra.sweep.dir={work}")
    assert r.returncode == 0 and "1 complete, 1 skipped, 0 failed" in r.stdout, r.stdout[-2000:]
    assert problem(bad) is None and ts.read_bytes() == (two_runs / bad.name / "timeseries.parquet").read_bytes()


# --------------------------------------------------------------------------- 5. disk faults


def test_a_full_disk_during_a_run_gives_one_line_and_a_rerun_completes(cli, tmp_path):
    run_dir = tmp_path / "run"
    r = cli("experiments.run", *TINY, f"hydra.run.dir={run_dir}", limit_bytes=20_000)  # the time series file needs more
    line = one_line(r, code=1)
    assert line.startswith(f"error: cannot write {run_dir}/") and "File too large" in line
    assert rundir.read_status(run_dir) == "failed" and not list(run_dir.glob(".*.tmp"))
    r = cli("experiments.run", *TINY, f"hydra.run.dir={run_dir}")
    assert r.returncode == 0, r.stderr[-2000:]
    assert problem(run_dir) is None


def test_an_unwritable_target_gives_one_line(tmp_path, monkeypatch, capsys):
    from experiments.commandline import prevalidate

    target = tmp_path / "ro"
    target.mkdir()
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if Path(p) == target else real(p, mode))
    with pytest.raises(SystemExit) as exit_:
        prevalidate([*TINY, f"hydra.run.dir={target}/run"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and err == [f"error: hydra.run.dir={target}/run: not writable ({target} is read-only "
                                             "for this user); choose a writable directory"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only directories")
def test_a_read_only_directory_gives_one_line(cli, tmp_path):
    target = tmp_path / "ro"
    target.mkdir(mode=0o500)
    line = one_line(cli("experiments.run", *TINY, f"hydra.run.dir={target}/run"))
    assert "not writable" in line


SETUP_FAULT_APP = """
import errno, sys
import hydra.core.utils as hcu
from experiments.run import cli

real = hcu._save_config
def save_config(cfg, filename, output_dir):
    if "seed=2" in str(output_dir):  # Hydra's own job set-up hits a full disk for this job
        raise OSError(errno.ENOSPC, "No space left on device", str(output_dir / filename))
    return real(cfg, filename, output_dir)
hcu._save_config = save_config

if __name__ == "__main__":
    cli()
"""


def test_a_fault_in_hydras_job_setup_fails_that_job_and_the_sweep_goes_on(tmp_path):
    app = tmp_path / "app.py"
    app.write_text(SETUP_FAULT_APP)
    out = tmp_path / "sweep"
    r = subprocess.run([PY, str(app), "-m", "seed=1,2,3", *SMALL, f"hydra.sweep.dir={out}"], cwd=ROOT,
                       capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 1, r.stderr[-2000:]
    assert "2 complete, 0 skipped, 1 failed" in r.stdout
    failed = [ln for ln in r.stdout.splitlines() if ln.startswith("[sweep] FAILED")]
    assert len(failed) == 1 and "seed=2" in failed[0] and "No space left on device" in failed[0]
    summary = json.loads((out / "sweep.json").read_text())
    assert (summary["complete"], summary["failed"]) == (2, 1) and "Traceback" not in r.stderr


def test_a_sweep_prints_one_board_not_hydras_job_listing(cli, two_runs):
    r = cli("experiments.run", "-m", "seed=1,2", *SMALL, f"hydra.sweep.dir={two_runs}")
    assert r.returncode == 0
    assert "Launching" not in r.stdout + r.stderr and "#0 :" not in r.stdout + r.stderr
    assert all(line.startswith("[sweep]") for line in r.stdout.splitlines()), r.stdout


def test_run_and_collect_answer_help(cli):
    for module in ("experiments.run", "experiments.collect"):
        r = cli(module, "--help")
        assert r.returncode == 0 and "usage" in r.stdout.lower() and not r.stderr.strip()


def test_foreign_entries_accepts_own_runs_and_launch_leftovers_only(tmp_path):
    assert foreign_entries(tmp_path / "missing") == [] and foreign_entries(tmp_path) == []
    (tmp_path / ".hydra").mkdir()
    (tmp_path / ".hydra" / "config.yaml").write_text("x")
    (tmp_path / "run.log").write_text("")
    assert foreign_entries(tmp_path) == []  # what Hydra writes before the run claims the directory
    (tmp_path / "data.csv").write_text("x")
    assert foreign_entries(tmp_path) == ["data.csv"]
    (tmp_path / MANIFEST).write_text(json.dumps({"status": "running", "tool": rundir.TOOL}))
    assert foreign_entries(tmp_path) == []


def test_on_a_terminal_the_board_is_one_line_rewritten_in_place(tmp_path):
    import io

    from experiments.sweep.progress import Board

    class Terminal(io.StringIO):
        def isatty(self):
            return True

    term = Terminal()
    jobs = [[f"seed={i}"] for i in range(3)]
    board = Board(tmp_path, jobs, stream=term)
    for i, status in enumerate(["complete", "complete", "failed"]):
        rec = {"overrides": jobs[i], "status": status, "error": "error: x=1: y" if status == "failed" else None,
               "ran": True, "run_dir": None}
        board.seen[f"job-{i:05d}.json"] = rec
        board.status(rec)
    text = term.getvalue()
    lines = text.split("\n")
    assert lines[0] == f"[sweep] 3 job(s) -> {tmp_path}"
    assert "\r\033[K[sweep] 1/3" in text and "\r\033[K[sweep] 2/3" in text  # rewritten, not a new line each
    assert lines[1].startswith("\r\033[K[sweep] 1/3") and "2/3" in lines[1]  # the live updates share one line
    shown = lines[1].rpartition("\r\033[K")[2]  # what the terminal shows on it at the end: the failure, kept
    assert shown.startswith("[sweep] 3/3") and shown.endswith("-> error: x=1: y") and lines[2:] == [""]


SINGLE_SETUP_FAULT_APP = """
import errno
import hydra.core.utils as hcu
from experiments.run import cli

def save_config(cfg, filename, output_dir):  # the disk is full when Hydra writes the job's .hydra/ files
    raise OSError(errno.ENOSPC, "No space left on device", str(output_dir / filename))
hcu._save_config = save_config

if __name__ == "__main__":
    cli()
"""


def test_a_fault_in_hydras_setup_of_a_single_run_is_one_line(tmp_path):
    app = tmp_path / "app.py"
    app.write_text(SINGLE_SETUP_FAULT_APP)
    run_dir = tmp_path / "run"
    r = subprocess.run([PY, str(app), *TINY, f"hydra.run.dir={run_dir}"], cwd=ROOT, capture_output=True, text=True,
                       timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    line = one_line(r, code=1)
    assert line.startswith(f"error: cannot write {run_dir}/.hydra/config.yaml: No space left on device")


BROKEN_LAUNCHER_APP = """
from hydra.core.plugins import Plugins
from experiments.run import cli

instantiate = Plugins.instantiate_launcher

def broken(self, *args, **kwargs):  # the configured (joblib) launcher, whose launch raises
    launcher = instantiate(self, *args, **kwargs)
    def launch(job_overrides, initial_job_idx):
        raise RuntimeError("the launcher broke")
    launcher.launch = launch
    return launcher
Plugins.instantiate_launcher = broken

if __name__ == "__main__":
    cli()
"""


def test_a_launcher_that_raises_records_every_job_and_writes_sweep_json(tmp_path):
    app = tmp_path / "app.py"
    app.write_text(BROKEN_LAUNCHER_APP)
    out = tmp_path / "sweep"
    r = subprocess.run([PY, str(app), "-m", "seed=1,2", *SMALL, f"hydra.sweep.dir={out}", "hydra/launcher=joblib"],
                       cwd=ROOT, capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert r.returncode == 1 and "Traceback" not in r.stderr, r.stderr[-2000:]
    assert "0 complete, 0 skipped, 2 failed" in r.stdout
    summary = json.loads((out / "sweep.json").read_text())
    assert [j["error"] for j in summary["jobs"]] == ["RuntimeError: the launcher broke"] * 2
