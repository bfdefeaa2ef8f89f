"""Hydra callbacks of the sweeps (registered in ``configs/config.yaml`` under ``hydra.callbacks``).

- ``on_job_end`` (in the worker, multirun only): write the job's progress record
  (:mod:`experiments.sweep.progress`), so the sweeper can print done/total, failures and ETA;
  a failed job logs its error line, and an exception other than bad input leaves its
  traceback in ``<run dir>/traceback.txt`` (the run has no manifest: it is incomplete).
- ``on_multirun_end`` (in the launching process): collect the sweep directory into
  ``runs.parquet`` and ``timeseries.parquet`` (:func:`experiments.collect.collect`).
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

from experiments.rundir import ResultsError, atomic_write_bytes
from experiments.sweep import progress, sweeper
from sim.config import ConfigError

log = logging.getLogger(__name__)
TRACEBACK = "traceback.txt"
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
        if job_return.status == JobStatus.FAILED:
            log.error("job failed: %s", result["error"])
            exc = job_return._return_value
            if not isinstance(exc, ConfigError):  # a bug, not bad input: keep the traceback with the run
                trace = "".join(traceback.format_exception(exc))
                atomic_write_bytes(Path(config.hydra.runtime.output_dir) / TRACEBACK, trace.encode())
        progress.write_record(Path(config.hydra.sweep.dir), f"job-{int(config.hydra.job.num):05d}",
                              list(config.hydra.overrides.task), result, time.perf_counter() - self._t0, ran=True)

    def on_multirun_end(self, config: DictConfig, **kwargs: Any) -> None:
        if not self.collect:
            return
        from experiments.collect import collect  # an entry point: loaded only here, at the end

        root = Path(config.hydra.sweep.dir)
        try:
            runs_path, ts_path = collect(root)
        except ResultsError as exc:
            print(f"[sweep] nothing collected: {exc}", flush=True)
            return
        print(f"[sweep] collected: {runs_path}, {ts_path}", flush=True)
