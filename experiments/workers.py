"""Worker processes for sweeps on this machine's cores (``hydra/launcher=joblib``).

Hydra's joblib launcher runs jobs in loky worker processes. By default every worker is a fresh
interpreter that imports the model stack (Mesa, pandas, SciPy, pyarrow: about 0.7 s of CPU) before
its first run, so a two-worker sweep pays that import twice, on top of the driver's own start-up,
where a one-worker sweep, which runs its jobs in the driver process, pays it once. Instead, as soon
as a sweep command knows its launcher, it starts a stdlib *fork server* that imports the stack once,
in the background, while Hydra composes and checks the jobs; loky then forks each worker from that
server (its ``forkserver`` start method), ready to run. Jobs, results and failures travel exactly as
before: only how worker processes come to exist changes.

Nothing here schedules anything: Hydra's launcher and joblib/loky still decide what runs where.
Linux only (on macOS, forking a process that has loaded Accelerate-backed NumPy is unsafe, which is
why loky starts fresh interpreters there). When the command line selects the joblib launcher, its
``n_jobs`` there (or joblib's default of all cores) decides; ``n_jobs`` set in a config file instead
is seen only at the sweeper's set-up, when the server starts later and hides less of the import.
"""

from __future__ import annotations

import importlib.util
import multiprocessing
import os
import sys
from collections.abc import Mapping
from typing import Any

# What a job needs before it can run: the task function, the model, and the Parquet writer
# (after experiments.worker_init, which quietens a warning about re-running the main module).
MODEL_STACK = ["experiments.worker_init", "experiments.run", "sim.model", "sim.results", "pandas", "pyarrow.parquet"]
JOBLIB_LAUNCHER = "hydra_plugins.hydra_joblib_launcher.joblib_launcher.JoblibLauncher"
# The thread pools joblib limits in each worker to cores // workers
# (joblib._parallel_backends.ParallelBackendBase.MAX_NUM_THREADS_VARS; tests/test_workers.py checks the list).
THREAD_LIMIT_VARS = ["OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS",
                     "VECLIB_MAXIMUM_THREADS", "NUMBA_NUM_THREADS", "NUMEXPR_NUM_THREADS"]
_started = False


def cores() -> int:
    """CPUs joblib counts for its workers (affinity, container CPU quota, ``LOKY_MAX_CPU_COUNT``)."""
    from joblib.externals.loky.backend.context import cpu_count

    return cpu_count()


def worker_count(launcher: Mapping[str, Any] | None) -> int:
    """Worker processes a joblib launcher starts, read as joblib reads ``n_jobs``: ``None`` one (in
    the calling process), negative counting back from the number of CPUs; 0 for other launchers."""
    if launcher is None or launcher.get("_target_") != JOBLIB_LAUNCHER:
        return 0
    n_jobs = launcher.get("n_jobs", -1)
    if n_jobs is None:
        return 1
    n_jobs = int(n_jobs)
    return n_jobs if n_jobs >= 0 else max(cores() + 1 + n_jobs, 1)


def launcher_on_command_line(argv: list[str]) -> dict[str, Any] | None:
    """The joblib launcher as a sweep command line selects it (``-m ... hydra/launcher=joblib``,
    optionally ``hydra.launcher.n_jobs=K``), so the fork server can start before Hydra composes
    anything. Launchers chosen in config files are seen when the sweeper is set up."""
    if not any(a in ("-m", "--multirun") for a in argv):
        return None
    values = dict(a.lstrip("+").partition("=")[::2] for a in argv if "=" in a)
    if values.get("hydra/launcher") != "joblib":
        return None
    n_jobs = values.get("hydra.launcher.n_jobs", "-1")
    if n_jobs == "null":
        return {"_target_": JOBLIB_LAUNCHER, "n_jobs": None}
    return {"_target_": JOBLIB_LAUNCHER, "n_jobs": int(n_jobs) if n_jobs.lstrip("-").isdigit() else -1}


def start_fork_server(launcher: Mapping[str, Any] | None) -> bool:
    """For a joblib launcher with two or more workers: start the fork server that preloads
    :data:`MODEL_STACK`, and make loky fork its workers from it. Returns whether it is in use.

    The server starts in the background and imports while the caller goes on. Its environment
    carries the thread limits joblib gives each worker (cores // workers for OpenMP/BLAS pools),
    because forked workers inherit the server's environment, not loky's per-worker settings.
    """
    global _started
    if _started or not sys.platform.startswith("linux") or importlib.util.find_spec("joblib") is None:
        return _started  # joblib comes with the launcher (the cluster extra): without it Hydra says so
    n_jobs = worker_count(launcher)
    if n_jobs < 2:
        return False
    forkserver = multiprocessing.get_context("forkserver")
    forkserver.set_forkserver_preload(MODEL_STACK)
    limits = {var: os.environ.get(var, str(max(cores() // n_jobs, 1))) for var in THREAD_LIMIT_VARS}
    saved = {var: os.environ.get(var) for var in limits}
    os.environ.update(limits)
    try:
        from multiprocessing import forkserver as server

        server.ensure_running()
    finally:
        for var, value in saved.items():
            if value is None:
                os.environ.pop(var, None)
            else:
                os.environ[var] = value
    from joblib.externals.loky.backend import context

    context.set_start_method("forkserver", force=True)
    _started = True
    return True
