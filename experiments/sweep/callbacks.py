"""Hydra callbacks of the sweeps (registered in ``configs/config.yaml`` under ``hydra.callbacks``).

- ``on_job_end`` (in the worker, multirun only): write the job's progress record
  (:mod:`experiments.sweep.progress`), so the sweeper can print done/total, failures and ETA;
  a failed job logs its error line (to its log file; the progress board prints it), and an
  exception other than bad input or a disk fault leaves its traceback in
  ``<run dir>/traceback.txt`` (the run's manifest says failed or is absent: it is incomplete;
  the file goes when the run later completes). A disk fault while writing these records is
  logged, never raised: it must not stop the sweep.
- ``on_multirun_end`` (in the launching process): collect the sweep directory into
  ``runs.parquet`` and ``timeseries.parquet`` (:func:`experiments.rundir.collect`).
"""

from __future__ import annotations

import logging
import time
import traceback
from pathlib import Path
from typing import Any

from hydra.core.utils import JobStatus
from hydra.experimental.callback import Callback
from omegaconf import DictConfig

from experiments.hydra_internals import job_value
from experiments.rundir import TRACEBACK, UNFINISHED, ResultsError, RunDirError, atomic_write_bytes, collect
from experiments.sweep import progress, sweeper
from sim.config import ConfigError

log = logging.getLogger(__name__)
sweeper.register()  # the resolvers of configs/config.yaml, in every process that unpickles this callback


class SweepCallback(Callback):
    """Progress records per job and collection at the end of a multirun."""

    def __init__(self, collect: bool = True) -> None:
        self.collect = collect
        self._t0 = time.perf_counter()

    def on_job_start(self, config: DictConfig, **kwargs: Any) -> None:
        self._t0 = time.perf_counter()

    def on_job_end(self, config: DictConfig, job_return, **kwargs: Any) -> None:
        if config.hydra.mode is None or config.hydra.mode.name != "MULTIRUN":
            return
        result = progress.outcome(job_return)
        try:
            if job_return.status == JobStatus.FAILED:
                log.info("job failed: %s", result["error"])
                exc = job_value(job_return)
                if not isinstance(exc, (ConfigError, RunDirError, OSError)):  # a bug: keep the traceback with the run
                    trace = "".join(traceback.format_exception(exc))
                    atomic_write_bytes(Path(config.hydra.runtime.output_dir) / TRACEBACK, trace.encode())
            progress.write_record(Path(config.hydra.sweep.dir), f"job-{int(config.hydra.job.num):05d}",
                                  list(config.hydra.overrides.task), result, time.perf_counter() - self._t0, ran=True)
        except OSError as exc:  # e.g. a full disk: the job's outcome still reaches the sweep through its JobReturn
            log.error("could not record the job's progress: %s", progress.error_line(exc))

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if not self.collect:
            return
        root = Path(config.hydra.sweep.dir)
        skipped: list = []
        try:
            runs_path, ts_path = collect(root, skipped)
        except (ResultsError, OSError) as exc:
            print(f"[sweep] nothing collected: {progress.error_line(exc) if isinstance(exc, OSError) else exc}",
                  flush=True)
            return
        print(f"[sweep] collected: {runs_path}, {ts_path}", flush=True)
        for d, why in skipped:  # failed and cut-short runs are in the board's summary; corrupted ones are news
            if not why.startswith(UNFINISHED):
                print(f"[sweep] left out of runs.parquet: {d}: {why}", flush=True)
