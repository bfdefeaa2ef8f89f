"""Importing an entry point changes nothing another command sees: every entry point in one process, then a
plain run still composes and validates as if alone (a notebook or script may import several)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ENTRY_POINTS = ("experiments.analyze", "experiments.run", "experiments.collect", "experiments.report",
                "experiments.demo", "experiments.params", "experiments.calibrate")

CHECK = """
import importlib
for name in {modules!r}:
    importlib.import_module(name)
from experiments.checks import unknown_key, validate_with_region
from experiments.commandline import compose
cfg = compose(["days=5", "population.scale=0.01"])
assert unknown_key(cfg) is None, unknown_key(cfg)
assert "analysis" not in cfg and "point" not in cfg, sorted(cfg)
validate_with_region(cfg)
print("ok")
"""


def test_importing_every_entry_point_leaves_a_plain_run_as_it_is():
    """In a fresh process (the registries are process-wide): import them all, then compose a plain run."""
    r = subprocess.run([sys.executable, "-c", CHECK.format(modules=ENTRY_POINTS)], cwd=ROOT, capture_output=True,
                       text=True, timeout=300)
    assert r.returncode == 0 and r.stdout.strip() == "ok", r.stderr[-3000:]


def test_the_analysis_schema_has_its_own_name():
    import experiments.analyze  # noqa: F401  (registers the analysis schema)
    from experiments.commandline import compose

    plain = compose(["days=5"])
    analysis = compose(["+analysis=smoke"], config_name="analyze")
    assert "analysis" not in plain and analysis.analysis.name == "smoke" and analysis.point == -1
