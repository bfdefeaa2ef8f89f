"""Pinned results (as Starsim's ``test_baselines``): two small runs must reproduce ``tests/baseline.json``.

The pin holds, for ``baseline`` and ``closure_90d`` at a small scale, every headline scalar of
the run's summary and a digest of its full time series and group table, with the model
version that made them. A change that alters model results fails here until, in the same
commit, the model version (``sim.__version__``) is raised and the pin regenerated:

    python tests/test_baseline.py --update

which refuses to pin different results under an unchanged model version.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

PIN = Path(__file__).with_name("baseline.json")
RUNS = {"baseline": {}, "closure_90d": {}}
SETTINGS = {"population_scale": 0.02, "days": 180, "rng": 11}


def pinned_values(scenario: str) -> dict:
    """What is pinned of one run: its summary and digests of its tables."""
    from sim import BorderModel

    m = BorderModel(scenario, **SETTINGS, **RUNS[scenario]).run()
    ts = m.timeseries()
    out = dict(m.summary(ts))
    out["timeseries_sha256"] = hashlib.sha256(ts.to_csv(index=False).encode()).hexdigest()
    out["groups_sha256"] = hashlib.sha256(m.group_frame().to_csv(index=False).encode()).hexdigest()
    return out


def current() -> dict:
    from sim import __version__

    return {"model_version": __version__, "settings": SETTINGS, "runs": {name: pinned_values(name) for name in RUNS}}


def differences(pinned: dict, now: dict) -> list[str]:
    out = []
    for name, values in now["runs"].items():
        for key, value in values.items():
            old = pinned["runs"].get(name, {}).get(key)
            if old != value:
                out.append(f"{name}.{key}: pinned {old!r}, now {value!r}")
    return out


def test_results_match_the_pin():
    pinned = json.loads(PIN.read_text())
    now = current()
    assert pinned["settings"] == now["settings"], "the pin was made with other settings: regenerate it"
    assert pinned["model_version"] == now["model_version"], (
        f"sim.__version__ is {now['model_version']} but the pin was made by {pinned['model_version']}: "
        "regenerate it with `python tests/test_baseline.py --update`")
    diff = differences(pinned, now)
    assert not diff, ("model results changed; raise sim.__version__ and regenerate the pin with "
                      "`python tests/test_baseline.py --update`:\n" + "\n".join(diff[:20]))


def test_the_pin_detects_a_changed_result():
    """Guard against a vacuous comparison: one changed value is reported."""
    pinned = json.loads(PIN.read_text())
    changed = json.loads(PIN.read_text())
    changed["runs"]["closure_90d"]["cumulative_recruits"] += 1
    assert differences(pinned, changed) == [
        f"closure_90d.cumulative_recruits: pinned {pinned['runs']['closure_90d']['cumulative_recruits']!r}, "
        f"now {changed['runs']['closure_90d']['cumulative_recruits']!r}"]


def update() -> None:
    now = current()
    if PIN.exists():
        pinned = json.loads(PIN.read_text())
        diff = differences(pinned, now)
        if diff and pinned.get("model_version") == now["model_version"] and pinned.get("settings") == SETTINGS:
            raise SystemExit(f"error: results changed under model version {now['model_version']}: raise "
                             f"sim.__version__ first ({len(diff)} values differ, e.g. {diff[0]})")
    PIN.write_text(json.dumps(now, indent=2) + "\n")
    print(f"pinned {', '.join(RUNS)} for model version {now['model_version']}: {PIN}")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python tests/test_baseline.py --update")
    update()
