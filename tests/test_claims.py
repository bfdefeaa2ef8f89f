"""The effects the docs quote come from `python -m experiments.claims`, for the current model."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from experiments import claims
from sim import __version__

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("path", ["README.md", "docs/claims.md"])
def test_the_quoted_effects_were_computed_on_this_model_version(path):
    text = (ROOT / path).read_text()
    block = re.search(re.escape(claims.START) + r"(.*?)" + re.escape(claims.END), text, re.S)
    assert block, f"{path} has no claims block"
    assert f"Model {__version__}, `python -m experiments.claims" in block.group(1), (
        f"{path}: the quoted effects are from another model version; run python -m experiments.claims --update-docs")


def test_the_oat_table_in_the_odd_was_computed_on_this_model_version():
    text = (ROOT / "docs" / "ODD.md").read_text()
    block = re.search(r"<!-- oat:start -->(.*?)<!-- oat:end -->", text, re.S).group(1)
    assert f"model {__version__} (`python -m experiments.claims --oat" in block


def test_effects_are_paired_differences_with_a_t_interval():
    """Three seeds whose closure adds 1, 2 and 6 recruits by day 3 over the baseline: mean 3, and the 90%
    t-interval on 2 degrees of freedom."""
    def run(scenario, seed, extra):
        cum = [0, 1, 2, 10 + seed + extra]
        return {"scenario": scenario, "rule": "payroll_first", "seed": seed, "closure_end": 2 if scenario != "baseline" else None,
                "cum_recruits": cum, "members": [5, 5, 5, 5 + extra], "jobs": [100, 90 - extra, 95, 99],
                "local_multiplier": 2.0 if scenario != "baseline" else None}
    extras = {0: 1, 1: 2, 2: 6}
    runs = [run("baseline", s, 0) for s in extras] + [run("closure_1y", s, e) for s, e in extras.items()]
    (row,) = claims.effects(runs, days=3)
    diffs = np.array([1.0, 2.0, 6.0])
    half = stats.t.ppf(0.95, 2) * diffs.std(ddof=1) / np.sqrt(3)
    assert row["recruits_at_last_day"]["effect"] == pytest.approx(3.0)
    assert row["recruits_at_last_day"]["low"] == pytest.approx(3.0 - half)
    assert row["recruits_at_last_day"]["high"] == pytest.approx(3.0 + half)
    assert row["recruits_at_closure_end"]["effect"] == 0.0  # day 2: before the difference
    assert row["jobs_lost_at_low_point"]["effect"] == pytest.approx(10 + 3.0)


@pytest.mark.parametrize("args, key", [(["--seeds", "1"], "--seeds=1"), (["--scale", "2"], "--scale=2.0"),
                                       (["--days", "100"], "--days=100"), (["--rules", "mixed"], "--rules=mixed")])
def test_bad_input_is_one_line_and_exit_2(args, key, capsys):
    assert claims.main(args) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"error: {key}:") and err.count("\n") == 1
