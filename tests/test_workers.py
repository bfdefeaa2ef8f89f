"""Local sweep workers (experiments.workers): forked from a server that imported the model stack once."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from experiments import workers

ROOT = Path(__file__).resolve().parent.parent
JOBLIB = workers.JOBLIB_LAUNCHER

PROBE = """
import json, os, sys
from experiments import workers

def probe(_):
    import os, sys  # what a worker holds before its first job imports anything
    return {"model_loaded": "sim.model" in sys.modules, "openblas": os.environ.get("OPENBLAS_NUM_THREADS"),
            "pid": os.getpid()}

if __name__ == "__main__":
    started = workers.start_fork_server({"_target_": workers.JOBLIB_LAUNCHER, "n_jobs": 2}) if sys.argv[1] == "1" else False
    from joblib import Parallel, delayed
    print(json.dumps({"started": started, "jobs": Parallel(n_jobs=2)(delayed(probe)(i) for i in range(4))}))
"""


def probe_workers(fork_server: bool) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in workers.THREAD_LIMIT_VARS}
    r = subprocess.run([sys.executable, "-c", PROBE, "1" if fork_server else "0"], cwd=ROOT, capture_output=True,
                       text=True, timeout=120, env=env)
    assert r.returncode == 0, r.stderr[-2000:]
    return json.loads(r.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the fork server is used on Linux only")
def test_workers_forked_from_the_server_start_with_the_model_imported():
    with_server, without = probe_workers(True), probe_workers(False)
    assert with_server["started"] and all(job["model_loaded"] for job in with_server["jobs"])
    assert not any(job["model_loaded"] for job in without["jobs"])  # loky's fresh interpreters: import per worker
    expected = str(max(workers.cores() // 2, 1))  # joblib's limit: cores // workers
    assert {job["openblas"] for job in with_server["jobs"]} == {expected}
    assert {job["openblas"] for job in without["jobs"]} == {expected}
    assert all(job["pid"] != os.getpid() for job in with_server["jobs"])


def test_thread_limits_are_the_ones_joblib_sets():
    from joblib._parallel_backends import ParallelBackendBase

    assert workers.THREAD_LIMIT_VARS == ParallelBackendBase.MAX_NUM_THREADS_VARS


@pytest.mark.parametrize("argv, expected", [
    (["-m", "seed=range(0,8)", "hydra/launcher=joblib", "hydra.launcher.n_jobs=2"], 2),
    (["--multirun", "hydra/launcher=joblib"], max(workers.cores(), 1)),
    (["-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=-2"], max(workers.cores() - 1, 1)),
    (["-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=1"], 1),
    (["-m", "hydra/launcher=joblib", "hydra.launcher.n_jobs=null"], 1),  # joblib: None is one, in-process
    (["-m", "++hydra/launcher=joblib", "++hydra.launcher.n_jobs=3"], 3),
    (["hydra/launcher=joblib", "hydra.launcher.n_jobs=2"], 0),  # not a sweep: no workers
    (["-m", "hydra/launcher=submitit_local"], 0),
    (["-m", "seed=0,1"], 0),  # basic launcher: jobs run in this process
])
def test_workers_a_command_line_asks_for(argv, expected):
    assert workers.worker_count(workers.launcher_on_command_line(argv)) == expected


def test_worker_count_reads_a_composed_launcher_config():
    assert workers.worker_count(OmegaConf.create({"_target_": JOBLIB, "n_jobs": 3})) == 3
    assert workers.worker_count(OmegaConf.create({"_target_": "hydra._internal.core_plugins.basic_launcher."
                                                  "BasicLauncher"})) == 0
    assert workers.worker_count(None) == 0


def test_no_fork_server_for_one_worker():
    assert not workers.start_fork_server({"_target_": JOBLIB, "n_jobs": 1})
    assert not workers.start_fork_server(None)
