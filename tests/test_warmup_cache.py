"""The warm-up cache (sim/warmup_cache.py): a cached build is the uncached build bit for bit; a change to any key
the warm-up reads misses, a change outside them hits; entries are bounded and written atomically; one switch
turns it off. Every test points the cache at its own temporary directory."""

from __future__ import annotations

import copy
import os

import numpy as np
import pytest

from sim import BorderModel
from sim.warmup_cache import ENV_DIR, WarmupCache, digest, fixed_inputs, value_at

SETTING = {"population_scale": 0.02, "days": 60, "rng": 4}


@pytest.fixture(autouse=True)
def cache_in(tmp_path, monkeypatch):
    monkeypatch.setenv(ENV_DIR, str(tmp_path / "warmup"))
    return tmp_path / "warmup"


def build(scenario="closure_90d", **overrides):
    return BorderModel(scenario, **{**SETTING, **overrides})


def results(m) -> tuple[np.ndarray, np.ndarray]:
    m.run()
    return m.recorder.data.copy(), m.recorder.groups.copy()


def bitwise_equal(a, b) -> bool:
    return all(np.array_equal(x.view(np.uint64), y.view(np.uint64)) for x, y in zip(a, b))


def test_a_cached_build_gives_the_uncached_results_bit_for_bit(cache_in):
    uncached = build(warmup_cache=False)
    assert uncached.warmup == "off" and not cache_in.exists()
    first, second = build(), build()
    assert (first.warmup, second.warmup) == ("miss", "hit")
    assert second.clock.wall["build.warm_up"] < first.clock.wall["build.warm_up"]
    want = results(uncached)
    assert bitwise_equal(results(first), want)
    assert bitwise_equal(results(second), want)
    assert type(second.par).__name__ == "Config" and type(second.labour_market.pars).__name__ == "LabourParams"


def test_a_hit_makes_the_population_from_the_entry_without_drawing_it(monkeypatch):
    import sim.population

    uncached = build(warmup_cache=False)
    build()  # the entry, with the population's structure

    def no_draws(*args):
        raise AssertionError("a hit drew the population")

    monkeypatch.setattr(sim.population, "draw_structure", no_draws)
    hit = build()
    assert hit.warmup == "hit"
    for store in ("people", "households"):
        ours, theirs = vars(getattr(hit, store)), vars(getattr(uncached, store))
        assert all(ours[name].dtype == theirs[name].dtype for name in ours)
    assert bitwise_equal(results(hit), results(uncached))
    with pytest.raises(AssertionError, match="drew"):
        build(warmup_cache=False)


def test_scenarios_and_parameters_the_warm_up_never_reads_share_its_entry():
    build()  # closure_90d's warm-up, stored
    for scenario, overrides in (("baseline", {}), ("closure_with_cash_transfer", {}),
                                ("closure_90d", {"recruitment__weight_grievance": 3.0, "finance__allocation_rule":
                                                 "proportional"})):
        hit = build(scenario, **overrides)
        assert hit.warmup == "hit", (scenario, overrides)
        assert bitwise_equal(results(hit), results(build(scenario, warmup_cache=False, **overrides)))


def test_changing_any_key_the_warm_up_read_misses(cache_in):
    m = build()
    keys = WarmupCache().keysets()[0]
    assert {"labour.separation_rate", "households.food_need_pkr", "migration.mean_stay_days",
            "population.working_age_share", "recruitment.groups"} <= set(keys)
    assert not any(k.startswith(("policy.", "border.closure.", "state.strikes")) for k in keys)  # read on the day
    fixed = fixed_inputs(m)
    same = digest(m.par, keys, fixed)
    for key in keys:
        par = copy.deepcopy(m.par)
        *path, last = key.split(".")
        owner = value_at(par, ".".join(path)) if path else par
        setattr(owner, last, changed(getattr(owner, last)))
        assert digest(par, keys, fixed) != same, key
    assert build(labour__separation_rate=0.001).warmup == "miss"  # and a real build misses


def changed(value):
    if isinstance(value, bool):
        return not value
    if isinstance(value, (int, float)):
        return value + 1
    if isinstance(value, str):
        return value + "x"
    if isinstance(value, list):
        return value[:-1] if value else ["x"]
    raise TypeError(type(value))


def test_the_seed_and_days_are_part_of_the_key():
    build()
    assert build(rng=5).warmup == "miss"
    assert build(days=90).warmup == "miss"


def test_entries_are_bounded_least_recently_used_first(cache_in, monkeypatch):
    a = build()
    path_a = WarmupCache().lookup(a.par, fixed_inputs(a))
    size = path_a.stat().st_size
    os.utime(path_a, (1, 1))  # long unused
    monkeypatch.setenv("BORDER_SIM_WARMUP_CACHE_MB", str(1.5 * size / 2**20))
    b = build(labour__separation_rate=0.001)
    assert b.warmup == "miss"
    assert not path_a.exists()  # the older entry went first
    assert WarmupCache().lookup(b.par, fixed_inputs(b)) is not None


def test_entries_appear_whole_by_rename_and_half_written_files_are_ignored(cache_in):
    m = build()
    cache_in.joinpath(".tmp-unfinished.npz").write_bytes(b"partial")
    assert not list(cache_in.glob(".tmp-*.json"))
    assert build().warmup == "hit"
    entry = WarmupCache().lookup(m.par, fixed_inputs(m))
    entry.write_bytes(b"corrupt")  # a damaged entry is a miss, and is replaced
    assert build().warmup == "miss"
    assert build().warmup == "hit"


def test_the_switch_is_a_declared_run_control_that_changes_no_result():
    from sim.config import RESULT_NEUTRAL_KEYS, Config
    from sim.params import RUN, kind_of

    assert kind_of(Config, "warmup_cache") == RUN and "warmup_cache" in RESULT_NEUTRAL_KEYS


def test_entries_are_written_in_numpys_npz_format_array_by_array(tmp_path):
    """Numbers (0-d), 2-D unsigned, bool, empty, strided and arrays larger than a write piece come back as written."""
    from sim.warmup_cache import WRITE_CHUNK, write_npz

    arrays = {"changes.jobs.count": np.asarray(5), "changes.x.rate": np.asarray(2.5),
              "structure.people.contact_offsets": np.arange(10, dtype=np.uint16).reshape(5, 2),
              "structure.people.male": np.array([True, False, True]), "changes.x.empty": np.zeros(0),
              "changes.x.large": np.random.default_rng(0).random(WRITE_CHUNK // 8 * 3 + 5),
              "changes.x.strided": np.arange(12).reshape(3, 4)[:, ::2]}
    with open(tmp_path / "entry.npz", "wb") as f:
        write_npz(f, arrays)
    with np.load(tmp_path / "entry.npz", allow_pickle=False) as data:
        assert sorted(data.files) == sorted(arrays)
        for name, value in arrays.items():
            assert data[name].dtype == value.dtype and data[name].shape == value.shape
            assert np.array_equal(data[name], value)


def test_an_entry_without_the_whole_population_structure_is_a_miss(cache_in):
    from sim.warmup_cache import write_npz

    build()
    (path,) = cache_in.glob("*.npz")
    with np.load(path) as data:
        arrays = {name: data[name] for name in data.files if name != "structure.people.contact_offsets"}
    with open(path, "wb") as f:
        write_npz(f, arrays)
    assert build().warmup == "miss"
