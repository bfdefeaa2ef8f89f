"""A sweep's processes: the launching one and its workers, and how each stops.

The launching process (``python -m experiments.run``) sets :data:`LAUNCHER_PID`, which its worker processes
inherit. Ctrl-C stops the sweep: a worker interrupts the job it is running (which records itself as
interrupted) and ignores the signal between jobs. SIGTERM ends the launching process with one line
(:func:`exit_on_sigterm`). A worker started by the launching process itself (joblib's loky workers) ends when
the launcher is gone, so a launcher killed with SIGKILL leaves no workers behind (:func:`exit_with_launcher`).
"""

from __future__ import annotations

import os
import signal
import sys
import time
from collections.abc import Callable

LAUNCHER_PID = "BORDER_SIM_LAUNCHER_PID"  # set by cli(): tells a sweep's worker processes from the launching one
IN_JOB = [False]  # read by the worker's SIGINT handler: is a job running in this process now?
WATCHING = [False]  # a worker's watch on its launching process has started


def exit_on_sigterm(line: str, cleanup: Callable[[], None] = lambda: None) -> None:
    """SIGTERM ends this process (the launching one) at once with one line on stderr and status 143, after
    ``cleanup`` (a single run records itself as interrupted). Not raised as an exception: one landing inside
    Hydra's or OmegaConf's bookkeeping would leave their state broken and end in another error's report."""

    def terminate(signum, frame) -> None:
        try:
            cleanup()
        finally:
            sys.stdout.flush()
            print(line, file=sys.stderr, flush=True)
            os._exit(143)

    signal.signal(signal.SIGTERM, terminate)


def exit_with_launcher(poll_seconds: float = 1.0) -> None:
    """In a sweep's worker process started by the launching process itself (joblib's loky workers): end this
    process when the launcher is gone. A launcher killed with SIGKILL cannot shut its workers down, and loky
    keeps idle workers for minutes; the worker is re-parented when its parent dies, which this notices."""
    import threading

    launcher = os.environ.get(LAUNCHER_PID)
    if WATCHING[0] or launcher is None or str(os.getppid()) != launcher:
        return
    WATCHING[0] = True

    def watch() -> None:
        while os.getppid() == int(launcher):
            time.sleep(poll_seconds)
        os._exit(1)  # a job cut short here is incomplete (its manifest says running) and a rerun redoes it

    threading.Thread(target=watch, name="exit-with-launcher", daemon=True).start()


def _worker_interrupt(signum, frame) -> None:
    """Ctrl-C in a sweep's worker process: interrupts a running job (which records itself as failed); between
    jobs it is ignored, so an idle worker prints no traceback (the launcher shuts its workers down)."""
    if IN_JOB[0]:
        raise KeyboardInterrupt


def quiet_worker_interrupts() -> None:
    """In a sweep's worker process: Ctrl-C interrupts a running job only (:func:`_worker_interrupt`)."""
    if os.environ.get(LAUNCHER_PID, str(os.getpid())) == str(os.getpid()):
        return  # the launching process (Hydra's in-process launcher): Ctrl-C stops the sweep as usual
    try:
        signal.signal(signal.SIGINT, _worker_interrupt)
    except ValueError:  # not the main thread (some launchers run jobs in threads)
        pass
