"""How a flattened config key is named in the schema and what kind it is: one rule (sim.params), every caller."""

from __future__ import annotations

import pytest

from sim.config import Config
from sim.params import POLICY, RUN, SCENARIO, kind_map, kind_of, schema_key


@pytest.mark.parametrize("key, name", [
    ("days", "days"),
    ("state.strikes.0.day", "state.strikes[].day"),
    ("state.strikes.12.day", "state.strikes[].day"),
    ("state.strikes.0", "state.strikes[]"),
    ("recruitment.groups.1.pay_pkr", "recruitment.groups[].pay_pkr"),
])
def test_schema_key_names_list_items(key, name):
    assert schema_key(key) == name


def test_list_item_keys_are_declared():
    assert "state.strikes[].day" in kind_map(Config)
    assert kind_of(Config, "state.strikes.0.day") == SCENARIO
    assert kind_of(Config, "state.strikes") == SCENARIO  # a whole list: the kind its fields share
    assert kind_of(Config, "days") == RUN
    assert kind_of(Config, "no.such.key") is None


def test_every_caller_agrees_on_list_items():
    """The sweep designs, the report and shared starts classify a list item as the schema does."""
    from experiments.reporting.data import defines_scenario, is_run_control
    from experiments.sweep.designs import _is_scenario_key
    from sim.branching import BranchError, check_branchable
    from sim.config import load_config

    assert _is_scenario_key("state.strikes.0.day")
    assert defines_scenario("state.strikes.0.day")
    assert not is_run_control("state.strikes.0.day")
    assert kind_of(Config, "recruitment.groups.0.pay_pkr") not in (SCENARIO, POLICY)
    assert not _is_scenario_key("recruitment.groups.0.pay_pkr")

    strikes = load_config("strikes_jan2024")
    moved = strikes.copy()
    moved.state.strikes[0].day = int(strikes.state.strikes[0].day) + 1
    check_branchable([strikes, moved])  # a scenario input: may differ between branches
    paid = strikes.copy()
    paid.recruitment.groups[0].pay_pkr = float(strikes.recruitment.groups[0].pay_pkr) + 1
    with pytest.raises(BranchError, match=r"recruitment\.groups\.0\.pay_pkr"):
        check_branchable([strikes, paid])


@pytest.mark.parametrize("given, line", [
    ("popluation.scale=0.1", "error: popluation.scale=0.1: not a config key; did you mean population.scale? "
                             "(python -m experiments.params lists every key)"),
    ("+popluation.scale=0.1", "error: popluation.scale=0.1: not a config key; did you mean population.scale? "
                              "(python -m experiments.params lists every key)"),
    ("channels.grievence=true", "error: channels.grievence=True: not a config key; did you mean "
                                "channels.grievance? (python -m experiments.params lists every key)"),
    ("+zzz=1", "error: zzz=1: not a config key (python -m experiments.params lists every key)"),
])
def test_a_misspelt_key_gets_one_line_with_the_closest_declared_key(refused, given, line):
    assert refused(given, "days=3") == line


@pytest.mark.parametrize("given, line", [
    ("+days=3", "error: +days=3: days is already a config key: set it without '+' (days=3)"),
    ("hydra/launcher=nope", "error: hydra/launcher='nope': one of basic, joblib, ray, ray_aws, ray_cluster, "
                            "submitit_local, submitit_slurm"),
])
def test_hydra_composition_errors_name_what_the_command_line_gave(refused, given, line):
    assert refused(given) == line
