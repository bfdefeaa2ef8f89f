"""``python -m dashboard [--host H] [--port P] [--dev]``: serve the dashboard (127.0.0.1:8765 by default)."""

from __future__ import annotations

import argparse
import os
import sys

from dashboard.serve import ROOT, solara_command


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m dashboard", description=__doc__.split(":", 1)[1].strip())
    ap.add_argument("--host", default=os.environ.get("DASHBOARD_HOST", "127.0.0.1"),
                    help="address to bind (default 127.0.0.1: this machine only)")
    ap.add_argument("--port", type=int, default=int(os.environ.get("DASHBOARD_PORT", 8765)))
    ap.add_argument("--dev", action="store_true", help="Solara's development mode (reloads on file changes)")
    args = ap.parse_args(argv)
    print(f"dashboard: http://{args.host}:{args.port}/  (Ctrl-C stops it)", flush=True)
    os.chdir(ROOT)
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))
    cmd = solara_command(args.host, args.port, production=not args.dev)
    os.execv(cmd[0], cmd)
    return 0


if __name__ == "__main__":
    sys.exit(main())
