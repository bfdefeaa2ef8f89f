"""One-line errors, shared by every entry point.

Bad input is reported as one line on stderr, ``error: key=value: what is allowed`` (or
``error: <message>``), with exit status 2 — no traceback, nothing written under ``results/``.
``--help`` answers with exit status 0. A fault of the machine rather than of the input (a full
disk, a read-only target) is one line naming the path, exit status 1 (:func:`disk_error`).
"""

from __future__ import annotations

import argparse
import errno
import os
import sys
from pathlib import Path

EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    """Print ``error: message`` to stderr and exit."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors (``error: ...``, status 2) instead of usage plus message."""

    def error(self, message: str) -> None:
        fail(message)


RERUN = "rerun the same command: complete runs are kept, this one is redone"


def disk_error(exc: OSError, target: Path | str | None = None, then: str = RERUN) -> str:
    """One line for a failed write: the path, what the system said, and that nothing finished was lost."""
    path = exc.filename or target or "?"
    what = exc.strerror or (os.strerror(exc.errno) if exc.errno else type(exc).__name__)
    hint = {errno.ENOSPC: "free some space", errno.EDQUOT: "free some space",
            errno.EFBIG: "the file size limit (ulimit -f) was reached",
            errno.EROFS: "choose a writable directory", errno.EACCES: "choose a writable directory",
            errno.EPERM: "choose a writable directory"}.get(exc.errno, "check the disk")
    target_text = f" (run {target})" if target is not None and str(target) not in str(path) else ""
    return f"cannot write {path}{target_text}: {what}; {hint} and {then}"
