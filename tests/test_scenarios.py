"""The scenario library: every file is documented, valid against the schema, runs, and does what it says."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import yaml

from sim import BorderModel
from sim.config import SCENARIO_DIR, available_scenarios, library_scenarios, load_config

SCALE, DAYS, SEED = 0.003, 40, 1
LIBRARY = set(library_scenarios())  # the scenario files that say `library: true`
MITIGATIONS = ["closure_with_border_markets", "closure_with_cash_transfer", "closure_with_public_works",
               "closure_with_ct_cooperation"]


@functools.lru_cache(maxsize=None)
def model(name: str) -> BorderModel:
    return BorderModel(name, population_scale=SCALE, days=DAYS, rng=SEED).run()


def region(name: str):
    ts = model(name).timeseries()
    return ts[ts["district"] == "ALL"].set_index("day")


def throughput(name: str, crossing: str) -> np.ndarray:
    m = model(name)
    return m.border.schedule["throughput"][:, m.crossing_names.index(crossing)]


def test_every_scenario_file_says_whether_it_is_in_the_library():
    from omegaconf import OmegaConf

    for name in available_scenarios():
        assert isinstance(OmegaConf.load(SCENARIO_DIR / f"{name}.yaml").get("library"), bool), (
            f"configs/scenario/{name}.yaml: say `library: true` or `library: false`")
    assert "fuel_crackdown_2023" not in LIBRARY and {"baseline", "closure_90d", "closure_1y"} <= LIBRARY
    from experiments.reporting.palette import FIXED

    assert LIBRARY <= set(FIXED), "every library scenario has its fixed colour (experiments/reporting/palette.py)"


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_scenario_file_is_documented_and_valid(name):
    text = (SCENARIO_DIR / f"{name}.yaml").read_text()
    lines = text.splitlines()
    assert lines[0] == "# @package _global_"
    header = [ln for ln in lines[1:] if ln.startswith("#")]
    assert len(header) >= 1 and len(" ".join(header)) > 60  # says what it represents and where it comes from
    data = yaml.safe_load(text)
    assert data["scenario_name"] == name and len(data["description"]) > 20
    cfg = load_config(name, {"days": DAYS})  # the schema rejects unknown keys and bad values
    assert cfg.scenario_name == name


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_scenario_runs_at_small_scale(name):
    reg = region(name)
    assert list(reg.index) == list(range(DAYS + 1))
    assert reg["working_age"].iloc[-1] > 0
    assert np.isfinite(reg[["youth_unemployment_rate", "food_price_index", "food_insecure_share"]].to_numpy()).all()


@pytest.mark.parametrize("name", MITIGATIONS)
def test_mitigations_share_the_closure_of_the_scenario_they_are_compared_with(name):
    ref = yaml.safe_load((SCENARIO_DIR / f"{name}.yaml").read_text())["compare_to"]
    assert ref == "closure_90d"
    assert yaml.safe_load((SCENARIO_DIR / f"{name}.yaml").read_text())["border"] == \
        yaml.safe_load((SCENARIO_DIR / f"{ref}.yaml").read_text())["border"]
    assert (model(name).border.schedule["closure"] == model(ref).border.schedule["closure"]).all()


@pytest.mark.parametrize("name", sorted(LIBRARY))
def test_every_scenario_names_what_it_is_compared_with(name):
    cfg = load_config(name)
    if name == "baseline":
        assert cfg.compare_to == ""
    else:
        assert cfg.compare_to in available_scenarios() and cfg.compare_to != name
        assert cfg.compare_to in ("baseline", "closure_90d")


def test_compare_to_is_validated_and_does_not_change_results():
    from sim.config import RESULT_NEUTRAL_KEYS, ConfigError

    assert "compare_to" in RESULT_NEUTRAL_KEYS  # not part of a run's identity: resume and reports ignore it
    with pytest.raises(ConfigError, match="compare_to"):
        load_config("closure_90d", {"compare_to": "no_such_scenario"})
    a = BorderModel("closure_90d", population_scale=SCALE, days=DAYS, rng=SEED).run().timeseries()
    b = BorderModel("closure_90d", population_scale=SCALE, days=DAYS, rng=SEED, compare_to="baseline").run().timeseries()
    assert a.equals(b)


def test_closure_closes_official_crossings_from_day_30():
    t = throughput("closure_90d", "taftan_mirjaveh")
    assert (t[:30] == 1).all() and (t[30:] == 0).all()
    assert (throughput("baseline", "taftan_mirjaveh") == 1).all()


def test_partial_closure_halves_official_trade():
    t = throughput("partial_closure", "taftan_mirjaveh")
    assert (t[:30] == 1).all() and np.allclose(t[30:], 0.5)
    assert (region("partial_closure")["food_price_index"].iloc[-1]
            < region("closure_90d")["food_price_index"].iloc[-1])


def test_border_markets_keep_planned_sites_open_and_cost_money():
    for crossing in ("taftan_mirjaveh", "gabd_rimdan"):
        assert np.allclose(throughput("closure_with_border_markets", crossing)[30:], 0.25)
        assert (throughput("closure_90d", crossing)[30:] == 0).all()
    spending = region("closure_with_border_markets")["policy_spending"]
    assert spending.loc[:29].sum() == 0 and spending.loc[30:].sum() > 0


def test_cash_transfer_pays_from_the_closure():
    spending = region("closure_with_cash_transfer")["policy_spending"]
    assert spending.loc[:29].sum() == 0 and spending.loc[30:].sum() > 0
    assert region("closure_90d")["policy_spending"].sum() == 0


def test_public_works_hire_from_the_closure():
    pw = region("closure_with_public_works")["public_works_employed"]
    assert pw.loc[:29].sum() == 0 and pw.loc[35:].min() > 0
    assert (region("closure_with_public_works")["youth_unemployment_rate"].loc[35:]
            < region("closure_90d")["youth_unemployment_rate"].loc[35:]).all()


def test_ct_cooperation_raises_ct_intensity_from_day_14():
    ct = model("closure_with_ct_cooperation").state_actions.ct
    base = model("closure_90d").state_actions.ct
    assert np.allclose(ct[:14], base[:14]) and np.allclose(ct[14:], base[14:] * 1.5)


def test_strikes_hit_panjgur_and_spill_over_from_saravan():
    m = model("strikes_jan2024")
    d = m.district_names
    shock = m.state_actions.grievance
    assert shock[0].sum() == 0
    assert shock[1, d.index("panjgur")] > 0 and shock[1, d.index("washuk")] == 0
    assert shock[3, d.index("washuk")] > 0 and shock[3, d.index("kech")] > 0
    assert shock[3, d.index("panjgur")] > shock[2, d.index("panjgur")]  # Saravan's spillover adds to Panjgur
    assert shock[:, d.index("chagai")].sum() == 0 and model("baseline").state_actions.grievance.sum() == 0


@pytest.mark.slow
def test_deescalation_reopens_in_phases_by_day_120():
    cfg = load_config("deescalation_reopening", {"days": 130})
    m = BorderModel(config=cfg)
    c = m.border.schedule["closure"]
    assert (c[30:60] == 1).all() and (np.diff(c[60:120]) < 0).all() and 0 < c[60] < 1 and (c[120:] == 0).all()
    assert m.state_actions.ct[14, 0] == pytest.approx(m.par.state.ct_intensity * 1.5)
