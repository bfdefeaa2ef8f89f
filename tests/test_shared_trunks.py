"""Scenarios alike beyond the shared start share that longer prefix too (``SharedStart.branches``: a trunk stepped
once, branched again on the day before they differ), and every branch is still its separate run, bit for bit."""

from __future__ import annotations

import pandas as pd

from sim import BorderModel, load_config
from sim.branching import SharedStart


def test_trunks_branch_where_scenarios_part_and_each_branch_is_its_separate_run():
    overrides = {"population.scale": 0.01, "days": 150}
    names = ["baseline", "closure_90d", "closure_1y", "closure_with_ct_cooperation"]
    cfgs = [load_config(s, overrides) for s in names]
    start = SharedStart(cfgs, seed=7)
    assert start.day == 13  # counter-terrorism cooperation differs from day 14
    assert start.apart[1][2] == 120 and start.apart[0][1] == 30  # the two closures part when the shorter ends
    order = []
    for i, model in start.branches():
        order.append(i)
        separate = BorderModel(config=cfgs[i], rng=7).run()
        pd.testing.assert_frame_equal(model.timeseries(), separate.timeseries(), check_exact=True)
        pd.testing.assert_frame_equal(model.group_frame(), separate.group_frame(), check_exact=True)
        assert model.summary() == separate.summary()
    assert sorted(order) == [0, 1, 2, 3]
