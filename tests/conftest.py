"""Shared fixtures: tiny runs of the model (cached per session, :mod:`tests.runs`), and the command line, run as a user runs it
(:func:`cli`, a subprocess) or checked in process (:func:`refused`)."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from tests.runs import run_model

ROOT = Path(__file__).resolve().parent.parent
# the warm-up cache of every run the tests make (in process and in the entry points they launch) is the test
# session's own, never the user's ~/.cache: one per process of pytest-xdist, removed when the session ends
_WARMUP_CACHE = tempfile.TemporaryDirectory(prefix="test-warmup-cache-")
os.environ["BORDER_SIM_WARMUP_CACHE"] = _WARMUP_CACHE.name


def run_entry_point(module: str, *args: str, cwd: Path = ROOT, timeout: float = 600, limit_bytes: int | None = None,
                    env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m module args`` in a fresh process; ``limit_bytes``: a file size limit (writes past it fail
    with EFBIG, as on a full disk)."""

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit_bytes, limit_bytes))

    return subprocess.run([sys.executable, "-m", module, *args], cwd=cwd, capture_output=True, text=True,
                          timeout=timeout, env=env, preexec_fn=limit if limit_bytes else None)


@pytest.fixture(scope="session")
def cli():
    """Run an entry point end to end: ``cli("experiments.run", "days=5", ...)`` -> CompletedProcess."""
    return run_entry_point


@pytest.fixture
def refused(capsys):
    """Check a command line of ``experiments.run`` in process (``prevalidate``, before Hydra starts) and return
    the one line it is refused with (exit status 2 unless ``code`` says otherwise)."""

    def check(*argv: str, code: int = 2) -> str:
        from experiments.commandline import prevalidate

        with pytest.raises(SystemExit) as exit_:
            prevalidate(list(argv))
        err = capsys.readouterr().err.strip().splitlines()
        assert exit_.value.code == code and len(err) == 1 and err[0].startswith("error: "), (exit_.value.code, err)
        return err[0]

    return check


@pytest.fixture
def tiny():
    return run_model
