"""The Python API applies the command line's rules (docs/reliability.md): one validation function, sim.config.validate
with the region's names, used by both; overrides of a composed config refused as the command line refuses them."""

from __future__ import annotations

import pytest

from sim import BorderModel
from sim.config import ConfigError, config_with, load_config

TOO_SMALL = "population.scale=1e-07: a scale >= 0.00026 for this region (chagai would have 1 household(s); " \
            "at least 10 per district)"


def test_a_population_too_small_to_be_a_model_is_refused_by_the_api_as_by_the_command_line(refused, tmp_path):
    assert refused("population.scale=1e-7", f"hydra.run.dir={tmp_path / 'run'}") == f"error: {TOO_SMALL}"
    with pytest.raises(ConfigError) as err:
        BorderModel(population_scale=1e-7)
    assert str(err.value) == TOO_SMALL
    with pytest.raises(ConfigError) as err:  # a composed config takes the same way
        BorderModel(config=load_config("baseline", {"population.scale": 1e-7}))
    assert str(err.value) == TOO_SMALL


@pytest.mark.parametrize("config,overrides,says", [
    ("dict", {}, "config='dict': a DictConfig composed from the schema"),
    ("cfg", {"population.scale": "abc"}, "population.scale='abc': expected a number"),
    ("cfg", {"popluation.scale": 0.1}, "popluation.scale=0.1: not a config key"),
    ("cfg", {"channels.grievance": 2}, "channels.grievance=2: true or false"),
    ("cfg", {"days": 0}, "days=0: an integer in [1, 36500]"),
])
def test_overrides_of_a_composed_config_are_refused_in_one_line(config, overrides, says):
    cfg = load_config("baseline")
    with pytest.raises(ConfigError) as err:
        config_with(dict(cfg) if config == "dict" else cfg, overrides)
    assert str(err.value).startswith(says) and "\n" not in str(err.value)


def test_overriding_a_composed_config_copies_it():
    cfg = load_config("baseline")
    assert config_with(cfg, {"days": 5}).days == 5 and cfg.days == 730


def test_batch_run_gives_different_iterations_only_with_a_seed_per_iteration():
    """mesa.batch_run(iterations=n) builds every iteration with rng=None, which is the config's seed: n copies of
    one run. A seed per iteration (rng=[...]) gives different runs (docs/reliability.md)."""
    import mesa

    from sim.model import BorderModel

    params = {"population_scale": 0.003, "days": 20, "progress": False}

    def outcomes(**how):
        rows = mesa.batch_run(BorderModel, params, max_steps=20, display_progress=False, **how)
        return [(r["unemployment_rate"], r["militants"], r["recruits"]) for r in rows]

    seeded = outcomes(rng=[1, 2])
    assert seeded[0] != seeded[1]
    repeated = outcomes(iterations=2)
    assert repeated[0] == repeated[1]


def test_the_model_takes_a_composed_config_through_the_same_rules():
    """BorderModel(config=...) applies its keyword overrides with config_with: a plain dict and a bad value are
    refused in one line, as on the command line."""
    cfg = load_config("baseline")
    with pytest.raises(ConfigError, match=r"^config='dict': a DictConfig"):
        BorderModel(config=dict(cfg))
    with pytest.raises(ConfigError, match=r"^population.scale='abc': expected a number"):
        BorderModel(config=cfg, population_scale="abc")
