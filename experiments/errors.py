"""One-line errors, shared by every entry point.

Bad input is reported as one line on stderr, ``error: key=value: what is allowed`` (or
``error: <message>``), with exit status 2 — no traceback, nothing written under ``results/``.
``--help`` answers with exit status 0.
"""

from __future__ import annotations

import argparse
import sys

EXIT_BAD_INPUT = 2


def fail(message: str, code: int = EXIT_BAD_INPUT) -> None:
    """Print ``error: message`` to stderr and exit."""
    print(f"error: {message}", file=sys.stderr)
    raise SystemExit(code)


class ArgumentParser(argparse.ArgumentParser):
    """argparse with one-line errors (``error: ...``, status 2) instead of usage plus message."""

    def error(self, message: str) -> None:
        fail(message)
