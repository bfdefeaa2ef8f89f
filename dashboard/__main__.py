"""``python -m dashboard [--host H] [--port P] [--dev]``: serve the dashboard (127.0.0.1:8765 by default)."""

from __future__ import annotations

import argparse
import os
import socket
import sys

from dashboard.serve import ROOT, solara_command

PORTS = "a port number in [1, 65535]"


class ArgumentParser(argparse.ArgumentParser):
    """One line, ``error: ...``, exit status 2 on bad arguments (the dashboard depends on the model only, not on
    ``experiments.errors``)."""

    def error(self, message: str) -> None:
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if not 1 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"{text!r}: {PORTS}")
    return value


def check_free(ap: ArgumentParser, host: str, number: int) -> None:
    """Refuse a host that cannot be bound or a port already in use, before the server starts."""
    try:
        infos = socket.getaddrinfo(host, number, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        ap.error(f"--host={host}: an address of this machine ({exc.strerror})")
    family, kind, proto, _, address = infos[0]
    with socket.socket(family, kind, proto) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the server binds it
        try:
            s.bind(address)
        except OSError as exc:
            ap.error(f"--port={number}: a free port on {host} ({exc.strerror}); choose another with --port or "
                     f"DASHBOARD_PORT")


def main(argv: list[str] | None = None) -> int:
    ap = ArgumentParser(prog="python -m dashboard", description=__doc__.split(":", 1)[1].strip())
    ap.add_argument("--host", default=os.environ.get("DASHBOARD_HOST", "127.0.0.1"),
                    help="address to bind (default 127.0.0.1: this machine only)")
    ap.add_argument("--port", type=port, help=f"{PORTS} (default $DASHBOARD_PORT or 8765)")
    ap.add_argument("--dev", action="store_true", help="Solara's development mode (reloads on file changes)")
    args = ap.parse_args(argv)
    if args.port is None:
        try:
            args.port = port(os.environ.get("DASHBOARD_PORT", "8765"))
        except argparse.ArgumentTypeError as exc:
            ap.error(f"DASHBOARD_PORT={exc}")
    check_free(ap, args.host, args.port)
    print(f"dashboard: http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)
    os.chdir(ROOT)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    cmd = solara_command(args.host, args.port, production=not args.dev)
    os.execv(cmd[0], cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
