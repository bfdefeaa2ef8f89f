"""A short run end to end through the command line, as a user would type it.

`make test-latest` runs this beside the pinned results in a venv of the newest allowed library
versions: it catches an upgrade that breaks the command, the Parquet outputs or the manifest.
"""

import json
import subprocess
import sys
from pathlib import Path

import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def test_a_short_closure_run_completes_with_its_tables(tmp_path):
    out = tmp_path / "run"
    r = subprocess.run([sys.executable, "-m", "experiments.run", "scenario=closure_90d", "population.scale=0.01",
                        "days=40", f"hydra.run.dir={out}"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-2000:]
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete"
    assert {"numpy", "pandas", "mesa"} <= set(manifest["versions"])  # the library versions that made it
    ts = pd.read_parquet(out / "timeseries.parquet")
    assert ts["day"].max() == 40 and set(ts["district"]) >= {"ALL"}
    assert (ts["working_age"] > 0).all()
