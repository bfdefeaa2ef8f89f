"""Config files (docs/reliability.md): a scenario, sweep or calibration file that does not read as one is refused in
one line naming its file and line; one a command does not use stops nothing. Group names are non-empty and unique.
"""

from __future__ import annotations

import pickle
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

BAD_FILES = {  # what the file holds, the line named, what the line says
    "duplicate key": ("# @package _global_\nscenario_name: x\ndays: 30\ndays: 40\n", 4,
                      "duplicate key 'days' (each key once per mapping)"),
    "empty": ("", 1, "an empty file"),
    "byte-order mark": ("\ufeff# @package _global_\nscenario_name: x\n", 1, "starts with a byte-order mark"),
    "no package": ("scenario_name: x\ndays: 30\n", 1, "no '# @package' line"),
    "another package": ("# a scenario\n# @package scenario\ndays: 30\n", 2, "'# @package scenario'"),
    "only comments": ("# @package _global_\n# nothing else\n", 1, "only comments"),
    "a list": ("# @package _global_\n- days=3\n", 1, "a mapping of keys to values, not a list"),
    "syntax error": ("# @package _global_\nscenario_name: broken\nborder:\n  closure: {start_day: 3\n  x: [\n", 5, ""),
}


@pytest.fixture
def configs(tmp_path, monkeypatch):
    """A copy of configs/ that the command line and sim.config read instead of the real one."""
    import experiments.commandline as commandline
    import sim.config
    from experiments.calibration import posterior

    copy = tmp_path / "configs"
    shutil.copytree(ROOT / "configs", copy)
    monkeypatch.setattr(sim.config, "SCENARIO_DIR", copy / "scenario")
    monkeypatch.setattr(commandline, "SCENARIO_DIR", copy / "scenario")
    monkeypatch.setattr(commandline, "CONFIG_DIR", copy)
    monkeypatch.setattr(commandline, "SWEEP_PRESETS_DIR", copy / "sweep")
    monkeypatch.setattr(posterior, "CALIBRATION_DIR", copy / "calibration")
    listed = posterior.available_calibrations
    monkeypatch.setattr(posterior, "available_calibrations", lambda: listed(copy / "calibration"))
    return copy


@pytest.mark.parametrize("case", list(BAD_FILES))
@pytest.mark.parametrize("group,selects", [("scenario", "scenario=bad"), ("sweep", "+sweep=bad"),
                                           ("calibration", "+calibration=bad")])
def test_a_config_file_that_does_not_read_is_refused_naming_file_and_line(refused, configs, tmp_path, case, group,
                                                                         selects):
    text, line, says = BAD_FILES[case]
    path = configs / group / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    err = refused(selects, f"hydra.run.dir={tmp_path / 'run'}")
    assert err.startswith(f"error: {path}:{line}: {says}"), err
    assert not (tmp_path / "run").exists()


def test_a_broken_scenario_file_no_command_uses_stops_nothing(configs, tmp_path):
    from experiments.commandline import prevalidate
    from experiments.reporting import data
    from sim.config import library_scenarios, load_config, ConfigFileError

    (configs / "scenario" / "unused.yaml").write_text(BAD_FILES["duplicate key"][0])
    data.scenario_prefixes.cache_clear()
    data.scenario_file_compare_to.cache_clear()
    try:
        assert prevalidate(["days=3", f"hydra.run.dir={tmp_path / 'run'}"]).run_dir == tmp_path / "run"
        assert load_config("closure_90d").days == 730
        assert "border.closure.start_day" in data.scenario_prefixes()
        assert data.scenario_file_compare_to("closure_with_cash_transfer") == "closure_90d"
        assert data.scenario_file_compare_to("unused") == ""
        with pytest.raises(ConfigFileError, match="unused.yaml:4: duplicate key"):
            library_scenarios()  # the library sweep reads every scenario file: it names the broken one
    finally:
        data.scenario_prefixes.cache_clear()
        data.scenario_file_compare_to.cache_clear()


def test_the_library_sweep_names_a_broken_scenario_file(refused, configs, tmp_path):
    path = configs / "scenario" / "unused.yaml"
    path.write_text(BAD_FILES["duplicate key"][0])
    assert refused("-m", "+sweep=library", f"hydra.sweep.dir={tmp_path / 'sweep'}").startswith(
        f"error: {path}:4: duplicate key 'days'")
    assert not (tmp_path / "sweep").exists()


def test_a_config_file_error_travels_pickled_from_a_worker():
    from sim.config import ConfigFileError

    err = pickle.loads(pickle.dumps(ConfigFileError(Path("a.yaml"), 3, "duplicate key 'x'")))
    assert str(err) == "a.yaml:3: duplicate key 'x'" and isinstance(err, ValueError)


def test_every_shipped_config_file_reads():
    from sim.config import read_config_file

    for group in ("scenario", "sweep", "calibration"):
        for path in (ROOT / "configs" / group).glob("*.yaml"):
            if path.stem != "targets":  # the calibration targets are data, not an overlay
                read_config_file(path)


@pytest.mark.parametrize("override,says", [
    ("recruitment.groups.1.name=makran_front", "error: recruitment.groups.1.name='makran_front': a name no other "
                                               "group has (names: makran_front, makran_front)"),
    ("recruitment.groups.0.name=", "error: recruitment.groups.0.name='': a non-empty name"),
    ("recruitment.groups.0.name=' '", "error: recruitment.groups.0.name=' ': a non-empty name"),
])
def test_group_names_are_non_empty_and_unique(refused, tmp_path, override, says):
    assert refused(override, f"hydra.run.dir={tmp_path / 'run'}") == says
    assert not (tmp_path / "run").exists()
