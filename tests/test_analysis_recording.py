"""Analyses record only what their outcomes read: the effects of a paired evaluation are the same,
bit for bit, whether its runs record every indicator or only those; a run recording a subset records those
indicators exactly as the full record does, and only those."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.analysis import schema
from experiments.analysis.pairs import RECORDED, compared_with, evaluate, scenario_config
from experiments.analysis.space import build_space, design_table, unit_design
from experiments.commandline import compose
from experiments.outcomes import COLUMNS
from sim import BorderModel
from sim.config import register
from sim.indicators import METRICS, Recorder
from sim.model import REPORTERS


def test_recorded_indicators_are_the_outcomes_columns():
    assert set(RECORDED) == set(COLUMNS) - {"day"} and set(RECORDED) <= set(METRICS)


def test_effects_are_the_same_with_only_the_outcomes_recorded():
    """Two points of the smoke preset's Morris design, closure_90d and closure_1y against the baseline and a
    mitigation against closure_90d (its own reference), each evaluated recording everything and recording only
    the outcomes' indicators: the effects are equal to the bit."""
    register()
    schema.register()
    cfg = compose(["+analysis=smoke", "days=140", "analysis.scenarios=[closure_90d,closure_1y,"
                   "closure_with_cash_transfer]"], config_name="analyze")
    a = cfg.analysis
    factors = build_space(list(a.parameters), [], {})
    design = design_table(factors, unit_design("morris", factors, a.morris, a.group_by)).drop(columns="point")
    compared = compared_with(list(a.scenarios), a.reference)
    assert compared["closure_with_cash_transfer"] == "closure_90d"
    names = [a.reference, "closure_90d", "closure_1y", "closure_with_cash_transfer"]
    for point in (0, 1):
        theta = {k: (v.item() if hasattr(v, "item") else v) for k, v in design.iloc[point].to_dict().items()}
        cfgs = {s: scenario_config(cfg, s, theta, []) for s in names}
        full, _ = evaluate(cfgs, compared, seed=point, record=None)
        lean, _ = evaluate(cfgs, compared, seed=point)
        assert len(full) and set(full["outcome"]) == set(lean["outcome"])
        pd.testing.assert_frame_equal(lean, full, check_exact=True)


@pytest.fixture(scope="module")
def runs():
    kwargs = {"population_scale": 0.01, "days": 45, "rng": 4}
    return BorderModel("closure_90d", **kwargs).run(), BorderModel("closure_90d", record=RECORDED, **kwargs).run()


def test_a_subset_is_recorded_as_the_full_record_records_it(runs):
    full, lean = runs
    a, b = full.timeseries(), lean.timeseries()
    kept = [c for c in METRICS if c in {*RECORDED, *REPORTERS}]
    assert list(b.columns) == ["day", "district", *kept]
    pd.testing.assert_frame_equal(b, a[b.columns], check_exact=True)
    pd.testing.assert_frame_equal(lean.group_frame(), full.group_frame(), check_exact=True)
    assert lean.datacollector.get_model_vars_dataframe().equals(full.datacollector.get_model_vars_dataframe())


def test_an_unknown_indicator_is_refused(runs):
    with pytest.raises(ValueError, match="unknown indicators"):
        Recorder(runs[0], metrics=["recruits", "nope"])
