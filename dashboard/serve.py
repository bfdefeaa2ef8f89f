"""Start the dashboard's Solara server: in the foreground (``python -m dashboard``) or, for the browser
test and the browser bench, in the background on a free port of 127.0.0.1 (``running_server``)."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = "dashboard/app.py"


def solara_command(host: str, port: int, production: bool = True) -> list[str]:
    cmd = [sys.executable, "-m", "solara", "run", APP, "--host", host, "--port", str(port), "--no-open"]
    return cmd + (["--production"] if production else [])


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


class ServerError(RuntimeError):
    pass


@contextlib.contextmanager
def running_server(host: str = "127.0.0.1", port: int | None = None, timeout: float = 90.0,
                   log_path: Path | None = None) -> Iterator[str]:
    """Run the dashboard in a background process of its own session; yield its URL once it answers;
    stop it (SIGTERM to its process group, SIGKILL after 15 s) on exit."""
    port = port or free_port(host)
    log_path = log_path or Path(tempfile.mkstemp(prefix="dashboard-", suffix=".log")[1])
    with open(log_path, "w") as log:
        proc = subprocess.Popen(solara_command(host, port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
        url = f"http://{host}:{port}/"
        try:
            deadline = time.monotonic() + timeout
            while True:
                if proc.poll() is not None:
                    raise ServerError("solara server exited:\n" + log_path.read_text()[-3000:])
                try:
                    with urllib.request.urlopen(url, timeout=2) as r:
                        if r.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise ServerError(f"solara server did not answer within {timeout:.0f} s:\n"
                                      + log_path.read_text()[-3000:])
                time.sleep(0.3)
            yield url
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)  # its own session: the server and nothing else
                try:
                    proc.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
