"""Mesa surface: batch_run compatibility and agents that read the model's arrays."""

import mesa
import numpy as np
import pytest

from sim import BorderModel
from sim.agents import Household, MilitantGroup, Trader


def test_batch_run_drives_the_model_with_flat_parameters():
    results = mesa.batch_run(BorderModel, parameters={"scenario": "baseline", "population_scale": 0.002, "days": 8,
                                                      "channels__grievance": [True, False]},
                             rng=[1, 2], max_steps=8, number_processes=1, display_progress=False)
    import pandas as pd
    df = pd.DataFrame(results)
    assert {"youth_unemployment_rate", "recruits", "channels__grievance", "Step"} <= set(df.columns)
    assert len(df[df.Step == 8]) == 4  # 2 parameter values x 2 seeds, each reaching day 8
    assert df.youth_unemployment_rate.between(0, 1).all()


def test_model_time_and_running_flag():
    m = BorderModel(population_scale=0.002, days=5, rng=0)
    assert m.time == 0 and m.running
    m.run()
    assert m.time == 5 and not m.running
    assert len(m.datacollector.get_model_vars_dataframe()) == 6  # day 0 plus five days


def test_agents_are_views_onto_the_arrays():
    m = BorderModel(population_scale=0.002, days=3, rng=0)
    households = m.agents_by_type[Household]
    traders = m.agents_by_type[Trader]
    groups = m.agents_by_type[MilitantGroup]
    assert len(households) == len(m.households) and len(traders) == len(m.traders) and len(groups) == 2
    h = next(iter(households))
    m.households.savings[h.idx] = 1234.5
    assert h.savings == 1234.5  # one source of truth
    assert h.district in m.district_names and len(h.member_states) == m.households.n_working[h.idx]
    t = next(iter(traders))
    assert t.kind in ("formal", "smuggler_fuel", "smuggler_goods") and t.crossing in m.crossing_names
    g = next(iter(groups))
    assert g.name == "makran_front" and g.funds > 0 and set(g.districts) == {"kech", "panjgur", "gwadar"}
    m.run()
    assert g.members == int(m.groups.members[0])


def test_bad_seed_is_rejected():
    from sim import ConfigError
    with pytest.raises(ConfigError, match="rng"):
        BorderModel(population_scale=0.002, days=3, rng=-1)
    with pytest.raises(ConfigError, match="population.scale"):
        BorderModel(population_scale=0.0, days=3)


def test_population_is_census_scale():
    m = BorderModel(population_scale=0.01, days=1, rng=0)
    people = m.households.size.sum()
    census = m.region.districts.population.sum()
    assert people == pytest.approx(census * 0.01, abs=5)
    assert len(m.households) == pytest.approx(census * 0.01 / 7.0, rel=0.02)
    per_district = np.bincount(m.households.district, weights=m.households.size)
    np.testing.assert_array_equal(per_district, np.round(m.region.districts.population.to_numpy() * 0.01))
