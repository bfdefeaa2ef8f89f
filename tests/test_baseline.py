"""Pinned results (as Starsim's ``test_baselines``): two small runs must reproduce the pin.

The pin holds, for ``baseline`` and ``closure_90d`` at a small scale, every headline scalar of
the run's summary (``tests/baseline.json``) and its full time series and group table, value by
value (``tests/baseline/<run>.<table>.parquet``), with the model version that made them.

Why value by value and not a digest of CSV text: the same numbers can print differently under
another pandas or numpy (float formatting, a last-digit rounding in a sum whose order a library
changed), and a digest cannot tell that from a changed result. So counts (people, recruits,
traders: integer columns) must match exactly, and floats to a relative tolerance of 1e-9: far
above the last-bit noise of a reordered sum (about 1e-16 relative), far below any change a
parameter or mechanism makes. A mismatch names the first table, column, day and district (or
group) that differs, with both values.

A change that alters model results fails here until, in the same commit, the model version
(``sim.__version__``) is raised and the pin regenerated:

    python tests/test_baseline.py --update

which refuses to pin different results under an unchanged model version.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import numpy as np
import pandas as pd

PIN = Path(__file__).with_name("baseline.json")
TABLES = Path(__file__).with_name("baseline")
RUNS = ("baseline", "closure_90d")
SETTINGS = {"population_scale": 0.02, "days": 180, "rng": 11}
RTOL = 1e-9
KEYS = {"timeseries": ["day", "district"], "groups": ["day", "group"]}  # what names a row in a message


def run(scenario: str):
    """One pinned run: (summary, {table name: frame})."""
    from sim import BorderModel

    m = BorderModel(scenario, **SETTINGS).run()
    ts = m.timeseries()
    return dict(m.summary(ts)), {"timeseries": ts, "groups": m.group_frame()}


def same_value(pinned, now) -> bool:
    """Integers and strings exactly; floats to RTOL (NaN equals NaN)."""
    if isinstance(pinned, float) or isinstance(now, float):
        if pinned is None or now is None:
            return pinned is now
        a, b = float(pinned), float(now)
        return (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=RTOL, abs_tol=0.0)
    return pinned == now


def summary_differences(name: str, pinned: dict, now: dict) -> list[str]:
    keys = list(dict.fromkeys([*pinned, *now]))
    return [f"{name}.summary.{k}: pinned {pinned.get(k)!r}, now {now.get(k)!r}"
            for k in keys if not same_value(pinned.get(k), now.get(k))]


def table_differences(label: str, pinned: pd.DataFrame, now: pd.DataFrame, keys: list[str]) -> list[str]:
    """Every column that differs, each named by its first differing row (with both values)."""
    if list(pinned.columns) != list(now.columns):
        return [f"{label}: columns differ: pinned {list(pinned.columns)}, now {list(now.columns)}"]
    if len(pinned) != len(now):
        return [f"{label}: {len(pinned)} rows pinned, {len(now)} now"]
    out = []
    for col in pinned.columns:
        a, b = pinned[col].to_numpy(), now[col].to_numpy()
        if np.issubdtype(a.dtype, np.floating) or np.issubdtype(b.dtype, np.floating):
            a, b = a.astype(float), b.astype(float)
            bad = ~((a == b) | (np.isnan(a) & np.isnan(b)) | (np.abs(a - b) <= RTOL * np.maximum(np.abs(a), np.abs(b))))
        else:
            bad = a != b
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            where = ", ".join(f"{k}={pinned[k].iloc[i]}" for k in keys)
            pinned_value, now_value = (v.item() if isinstance(v, np.generic) else v for v in (a[i], b[i]))
            out.append(f"{label}.{col} at {where}: pinned {pinned_value!r}, now {now_value!r} "
                       f"({int(bad.sum())} values differ)")
    return out


def differences(pinned_summary: dict, pinned_tables: dict, summaries: dict, tables: dict) -> list[str]:
    out = []
    for name in RUNS:
        out += summary_differences(name, pinned_summary.get(name, {}), summaries[name])
        for table, keys in KEYS.items():
            out += table_differences(f"{name}.{table}", pinned_tables[name][table], tables[name][table], keys)
    return out


def load_pin():
    pin = json.loads(PIN.read_text())
    tables = {name: {t: pd.read_parquet(TABLES / f"{name}.{t}.parquet") for t in KEYS} for name in RUNS}
    return pin, tables


def current():
    summaries, tables = {}, {}
    for name in RUNS:
        summaries[name], tables[name] = run(name)
    return summaries, tables


def test_results_match_the_pin():
    from sim import __version__

    pin, pinned_tables = load_pin()
    assert pin["settings"] == SETTINGS, "the pin was made with other settings: regenerate it"
    assert pin["model_version"] == __version__, (
        f"sim.__version__ is {__version__} but the pin was made by {pin['model_version']}: "
        "regenerate it with `python tests/test_baseline.py --update`")
    summaries, tables = current()
    diff = differences(pin["runs"], pinned_tables, summaries, tables)
    assert not diff, ("model results changed; raise sim.__version__ and regenerate the pin with "
                      "`python tests/test_baseline.py --update`:\n" + "\n".join(diff[:20]))


# The comparison itself must neither miss a real change nor flag float noise.

def _pinned_copy():
    pin, tables = load_pin()
    return pin["runs"], {n: {t: f.copy() for t, f in ts.items()} for n, ts in tables.items()}


def test_a_one_ulp_change_in_a_float_passes():
    summary, tables = _pinned_copy()
    now_summary, now_tables = _pinned_copy()
    ts = now_tables["closure_90d"]["timeseries"]
    i = ts.index[(ts["day"] == 100) & (ts["district"] == "ALL")][0]
    ts.loc[i, "food_price_index"] = np.nextafter(ts.loc[i, "food_price_index"], np.inf)
    now_summary["baseline"]["peak_youth_unemployment_rate"] = float(
        np.nextafter(now_summary["baseline"]["peak_youth_unemployment_rate"], 0.0))
    assert differences(summary, tables, now_summary, now_tables) == []


def test_one_changed_count_fails():
    summary, tables = _pinned_copy()
    now_summary, now_tables = _pinned_copy()
    ts = now_tables["closure_90d"]["timeseries"]
    i = ts.index[(ts["day"] == 120) & (ts["district"] == "kech")][0]
    ts.loc[i, "employed"] += 1
    diff = differences(summary, tables, now_summary, now_tables)
    old = int(tables["closure_90d"]["timeseries"].loc[i, "employed"])
    assert diff == [f"closure_90d.timeseries.employed at day=120, district=kech: pinned {old}, "
                    f"now {old + 1} (1 values differ)"]


def test_a_float_changed_at_1e_6_fails():
    summary, tables = _pinned_copy()
    now_summary, now_tables = _pinned_copy()
    g = now_tables["baseline"]["groups"]
    i = g.index[(g["day"] == 90) & (g["group"] == "makran_front")][0]
    g.loc[i, "funds"] *= 1 + 1e-6
    diff = differences(summary, tables, now_summary, now_tables)
    assert len(diff) == 1 and diff[0].startswith("baseline.groups.funds at day=90, group=makran_front: pinned ")
    now_summary, now_tables = _pinned_copy()
    now_summary["closure_90d"]["mean_food_price_index"] *= 1 + 1e-6
    assert [d.split(":")[0] for d in differences(summary, tables, now_summary, now_tables)] == [
        "closure_90d.summary.mean_food_price_index"]


def update() -> None:
    from sim import __version__

    summaries, tables = current()
    if PIN.exists() and TABLES.is_dir():
        pin, pinned_tables = load_pin()
        if pin.get("model_version") == __version__ and pin.get("settings") == SETTINGS:
            diff = differences(pin["runs"], pinned_tables, summaries, tables)
            if diff:
                raise SystemExit(f"error: results changed under model version {__version__}: raise "
                                 f"sim.__version__ first ({len(diff)} columns differ, e.g. {diff[0]})")
    TABLES.mkdir(exist_ok=True)
    for name in RUNS:
        for table, frame in tables[name].items():
            frame.to_parquet(TABLES / f"{name}.{table}.parquet", index=False)
    PIN.write_text(json.dumps({"model_version": __version__, "settings": SETTINGS, "runs": summaries}, indent=2) + "\n")
    print(f"pinned {', '.join(RUNS)} for model version {__version__}: {PIN} and {TABLES}/")


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        raise SystemExit("usage: python tests/test_baseline.py --update")
    update()
