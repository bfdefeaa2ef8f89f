"""Sweep progress: a record per finished job, a line per finished job, a summary at the end.

Rules:

- Each launched job, as it ends (the ``SweepCallback`` in the worker process), writes
  ``<sweep dir>/.sweep/jobs/job-<num>.json``: its overrides, status (complete,
  skipped or failed), error line and seconds. Jobs the sweeper settles before
  launching (already complete; config cannot be composed) are counted too.
- While the launcher runs, the sweeper's :class:`Board` (main process) polls the
  records and shows one progress board (Hydra's own per-job listing is silenced)::

      [sweep] 7/20 | 1 skipped | 0 failed | 0:00:31 elapsed | ETA 0:00:58 | complete: scenario=baseline replicate=3

  On a terminal it is one line rewritten in place; in a log (not a terminal) the line is
  printed for the first and the last finished job and at most every ``LOG_EVERY`` seconds
  in between. A failed job is always printed, with its error line. The ETA is the time per job
  since the first job that ran ended (so the workers' start-up, paid once, is not charged to every job; with
  fewer than two ended it shows "?") × jobs left. This works for every
  launcher, as long as the sweep directory is visible to the workers (SLURM: a shared
  file system).
- At the end the board prints a summary (failed jobs with all their overrides) and
  writes ``<sweep dir>/sweep.json``: this sweep's counts and jobs, and under ``earlier``
  the jobs of earlier sweeps into the same directory that this one did not run again
  (different sweeps into one directory are kept apart: each job has its own directory).
"""

from __future__ import annotations

import json
import shutil
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from experiments.hydra_internals import job_value
from experiments.rundir import SWEEP_STATE, atomic_write_json, error_line, refuse_symlinks

RECORDS = Path(".sweep") / "jobs"
SUMMARY = "sweep.json"
POLL_SECONDS = 0.5
LOG_EVERY = 10.0  # seconds between progress lines when the output is not a terminal


def finished_sweep(sweep_dir: Path, since: float) -> dict[str, Any] | None:
    """The summary (``sweep.json``) of the sweep that finished in ``sweep_dir`` after ``since`` (a
    ``time.time()``), or None if none did: what a command reads for its exit status."""
    path = Path(sweep_dir) / SUMMARY
    try:
        if path.stat().st_mtime < since - 1.0:  # (file times may lag the clock by a tick)
            return None
        return json.loads(path.read_text())
    except (OSError, ValueError):
        return None


def outcome(job_return) -> dict[str, Any]:
    """Status, error line and run directory of a Hydra ``JobReturn``."""
    from hydra.core.utils import JobStatus

    value = job_value(job_return)  # the public property re-raises a failure; the sweep reports it instead
    run_dir = None
    if job_return.hydra_cfg is not None:
        run_dir = str(job_return.hydra_cfg.hydra.runtime.output_dir)
    if job_return.status == JobStatus.COMPLETED:
        status = value.get("status", "complete") if isinstance(value, dict) else "complete"
        return {"status": status, "error": None, "run_dir": run_dir}
    return {"status": "failed", "error": error_line(value) if isinstance(value, BaseException) else str(value),
            "run_dir": run_dir}


def write_record(sweep_dir: Path, name: str, overrides: list[str], result: dict[str, Any], seconds: float,
                 ran: bool) -> None:
    atomic_write_json(Path(sweep_dir) / RECORDS / f"{name}.json",
                      {"overrides": list(overrides), **result, "seconds": round(seconds, 3), "ran": ran,
                       "finished": time.time()})


def varying_keys(jobs: list[list[str]]) -> list[str]:
    """Override keys whose value differs between jobs (what tells one job from another)."""
    values: dict[str, set] = {}
    for job in jobs:
        for o in job:
            key, _, value = o.partition("=")
            values.setdefault(key, set()).add(value)
    return [k for k, v in values.items() if len(v) > 1]


def clock(seconds: float) -> str:
    return str(timedelta(seconds=int(round(seconds))))


class Board:
    """Progress of one sweep: prints a line per finished job while the launcher runs."""

    def __init__(self, sweep_dir: Path, jobs: list[list[str]], stream=None):
        self.sweep_dir = Path(sweep_dir)
        self.dir = self.sweep_dir / RECORDS
        refuse_symlinks(self.sweep_dir, SWEEP_STATE)  # never clear or fill a folder a link points at
        shutil.rmtree(self.dir, ignore_errors=True)  # records of an earlier attempt
        self.dir.mkdir(parents=True, exist_ok=True)
        self.total = len(jobs)
        self.varying = varying_keys(jobs)
        self.stream = stream or sys.stdout
        self.seen: dict[str, dict] = {}
        self.before: list[dict] = []  # jobs settled before launching
        self.t0 = time.perf_counter()
        self.ended: list[float] = []  # when each job that ran was seen to end
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.live = bool(getattr(self.stream, "isatty", lambda: False)())
        self._shown = False  # a live status line is on screen
        self._last = -LOG_EVERY
        self.launched: list[dict] = []  # jobs a launcher raised for (no JobReturn)
        self.say(f"{self.total} job(s) -> {self.sweep_dir}")

    def say(self, text: str) -> None:
        """A permanent line (above the live status line on a terminal)."""
        if self._shown:
            print("\r\033[K", end="", file=self.stream)
            self._shown = False
        print(f"[sweep] {text}", file=self.stream, flush=True)

    def status(self, rec: dict) -> None:
        """The progress board after a finished job: rewritten in place on a terminal, else printed at most
        every LOG_EVERY seconds (always for the first and the last job, and for a failure)."""
        if rec.get("ran") and rec.get("status") != "skipped":
            self.ended.append(time.perf_counter())
        text = self.line(rec)
        done = len(self.before) + len(self.seen) + len(self.launched)
        if rec["status"] == "failed":
            self.say(text)
        elif self.live:
            print(f"\r\033[K[sweep] {text}", end="", file=self.stream, flush=True)
            self._shown = True
        else:
            now = time.perf_counter()
            if done == 1 or done >= self.total or now - self._last >= LOG_EVERY:
                self._last = now
                self.say(text)

    def label(self, overrides: list[str]) -> str:
        keyed = [o for o in overrides if o.partition("=")[0] in self.varying]
        return " ".join(keyed or overrides) or "(no overrides)"

    def decided(self, job: list[str], status: str, error: BaseException | None = None,
                run_dir: Path | None = None) -> None:
        """A job settled before launching: skipped (already complete) or failed (cannot be composed, or its
        directory holds another configuration's run). Failures are printed at once."""
        rec = {"overrides": list(job), "status": status, "error": error_line(error) if error else None,
               "run_dir": str(run_dir) if run_dir else None, "ran": False}
        self.before.append(rec)
        if status == "failed":
            self.say(self.line(rec))

    def eta(self, ran: int, left: int) -> str:
        """Jobs left × the time per job since the first one ended (before that: unknown)."""
        if left == 0:
            return clock(0)
        if ran >= 2 and len(self.ended) >= 2 and self.ended[-1] > self.ended[0]:
            return clock((self.ended[-1] - self.ended[0]) / (len(self.ended) - 1) * left)
        return "?"

    def poll(self) -> None:
        for path in sorted(self.dir.glob("*.json")):
            if path.name in self.seen:
                continue
            try:
                rec = json.loads(path.read_text())
            except (OSError, ValueError):
                continue  # being written
            self.seen[path.name] = rec
            self.status(rec)

    def launch_failed(self, batch: list[list[str]], first: int, exc: BaseException, launched: bool = True) -> list[dict]:
        """Outcomes of a batch whose launcher raised: a job that finished keeps its record, the others failed
        with the launcher's error line (``launched=False``: never started because the launcher is broken)."""

        self.poll()
        out = []
        for i, job in enumerate(batch):
            rec = self.seen.get(f"job-{first + i:05d}.json")
            if rec is None:
                why = error_line(exc) if launched else f"not launched: the launcher failed ({error_line(exc)})"
                rec = {"overrides": list(job), "status": "failed", "error": why, "run_dir": None, "ran": launched}
                self.launched.append(rec)
                self.say(self.line(rec))
            out.append({k: rec.get(k) for k in ("overrides", "status", "error", "run_dir")})
        return out

    def line(self, rec: dict) -> str:
        recs = [*self.before, *self.seen.values(), *self.launched]
        done = len(recs)
        failed = sum(r["status"] == "failed" for r in recs)
        skipped = sum(r["status"] == "skipped" for r in recs)
        ran = sum(r["ran"] and r["status"] != "skipped" for r in recs)
        elapsed = time.perf_counter() - self.t0
        eta = self.eta(ran, self.total - done)
        text = (f"{done}/{self.total} | {skipped} skipped | {failed} failed | {clock(elapsed)} elapsed | "
                f"ETA {eta} | {rec['status']}: {self.label(rec['overrides'])}")
        return text + (f" -> {rec['error']}" if rec.get("error") else "")

    def _watch(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.poll()

    def __enter__(self) -> Board:
        skipped = sum(r["status"] == "skipped" for r in self.before)
        if skipped:
            self.say(f"{skipped} job(s) already complete: skipped (their directories are not touched)")
        self.t0 = time.perf_counter()
        self._thread = threading.Thread(target=self._watch, name="sweep-progress", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        self.poll()
        if self._shown:
            print(file=self.stream, flush=True)
            self._shown = False

    def earlier_jobs(self, jobs: list[dict]) -> list[dict]:
        """The jobs of earlier sweeps into this directory (from its sweep.json) that this sweep did not run."""
        try:
            old = json.loads((self.sweep_dir / SUMMARY).read_text())
        except (OSError, ValueError):
            return []
        mine = {tuple(j["overrides"]) for j in jobs} | {j["run_dir"] for j in jobs if j.get("run_dir")}
        out = []
        for j in [*old.get("earlier", []), *old.get("jobs", [])]:
            if tuple(j.get("overrides", [])) in mine or (j.get("run_dir") and j["run_dir"] in mine):
                continue
            out.append({**j, "command": j.get("command", old.get("command"))})
            mine.add(tuple(j.get("overrides", [])))
        return out

    def finish(self, returns: list) -> dict[str, Any]:
        """Summarise the launched jobs' returns and the jobs that could not be composed; write sweep.json."""
        jobs = [{k: rec[k] for k in ("overrides", "status", "error", "run_dir")} for rec in self.before]
        jobs += [r if isinstance(r, dict) else {"overrides": list(r.overrides or []), **outcome(r)} for r in returns]
        counts = {s: sum(j["status"] == s for j in jobs) for s in ("complete", "skipped", "failed")}
        summary = {"sweep_dir": str(self.sweep_dir), "total": self.total, **counts,
                   "seconds": round(time.perf_counter() - self.t0, 3), "command": sys.argv[1:],
                   "finished": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "jobs": jobs,
                   "earlier": self.earlier_jobs(jobs)}
        atomic_write_json(self.sweep_dir / SUMMARY, summary)
        self.say(f"finished {len(jobs)}/{self.total} job(s) in {clock(summary['seconds'])}: "
                 f"{counts['complete']} complete, {counts['skipped']} skipped, {counts['failed']} failed")
        for j in jobs:
            if j["status"] == "failed":
                self.say(f"FAILED [{' '.join(j['overrides'])}]: {j['error']}")
        return summary
