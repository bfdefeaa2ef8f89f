"""Calibration: the targets file is checked in one line, check reports misses, ABC-SMC recovers a parameter and resumes."""

import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
import yaml

from experiments import calibrate
from experiments.calibration.runs import RunSettings, simulate
from experiments.calibration.targets import load_targets

ROOT = Path(__file__).resolve().parent.parent
LFS = {"unit": "share", "output": "unemployment_rate_lfs", "definition": "d", "source": "s", "strength": "x"}


def targets_file(tmp_path, targets, validation=None, days=20) -> Path:
    path = tmp_path / "targets.yaml"
    path.write_text(yaml.safe_dump({"run": {"scenario": "baseline", "days": days}, "targets": targets,
                                    "validation": validation or {}}))
    return path


def test_committed_targets_file_is_valid_and_names_every_left_out_figure():
    t = load_targets()
    assert {"household_income", "food_share", "unemployment_lfs", "smuggled_fuel", "food_insecurity"} <= set(t.targets)
    assert {"V1_crackdown_volume", "V2_short_closure_fuel_price", "V7_strikes_without_closure"} == set(t.validation)
    assert all(t.tolerance > 0 and t.source and t.strength for t in t.targets.values())
    assert "formal_emigration" in t.left_out and "smuggling_margin" in t.left_out


@pytest.mark.parametrize("entry, message", [
    ({"value": 0.05, "tolerance": 0.01, **LFS, "output": "nope", "window": [1, 10]}, "targets.x.output='nope'"),
    ({"value": 0.05, **LFS, "window": [1, 10]}, "targets.x.tolerance"),
    ({"value": 0.05, "tolerance": 0.0, **LFS, "window": [1, 10]}, "targets.x.tolerance=0.0"),
    ({"value": 0.05, "tolerance": 0.01, **LFS, "window": [1, 99]}, "targets.x.window=[1, 99]"),
])
def test_a_bad_targets_file_is_one_line_and_exit_2(tmp_path, entry, message):
    path = targets_file(tmp_path, {"x": entry})
    r = subprocess.run([sys.executable, "-m", "experiments.calibrate", "screen", "--targets", str(path)],
                       cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and message in r.stderr
    assert "Traceback" not in r.stderr and not (tmp_path / "results").exists()


def test_every_command_answers_help():
    for args in ([], ["screen"], ["fit"], ["check"]):
        r = subprocess.run([sys.executable, "-m", "experiments.calibrate", *args, "--help"], cwd=ROOT,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0 and "usage" in r.stdout


def test_check_reports_a_target_out_of_tolerance_as_failed(tmp_path, monkeypatch):
    """A posterior whose only member makes 60% of job seekers casual workers gives an LFS-basis rate of
    about 9%, outside 5% +- 1%: the row says no and the command exits 1; the validation V7 passes."""
    path = targets_file(tmp_path, {"unemployment_lfs": {"value": 0.05, "tolerance": 0.01, **LFS, "window": [1, 10]}},
                        {"V7": {"scenario": "strikes_jan2024", "compared_to": "baseline", "output": "fuel_price_rise",
                                "window": [1, 10], "low": -0.05, "high": 0.05, "unit": "share", "definition": "d",
                                "source": "s"}})
    config_dir = tmp_path / "calibration"
    config_dir.mkdir()
    pd.DataFrame({"labour.casual_work_share": [0.6], "weight": [1.0], "distance": [0.0]}).to_csv(
        config_dir / "off.posterior.csv", index=False)
    monkeypatch.chdir(tmp_path)
    code = calibrate.main(["check", "+calibration=off", "population.scale=0.01", "--members", "1", "--workers", "1",
                           "--targets", str(path), "--config-dir", str(config_dir)])
    fitted = pd.read_csv(tmp_path / "results/calibration/off/check.csv")
    validation = pd.read_csv(tmp_path / "results/calibration/off/validation.csv")
    assert code == 1 and not fitted.loc[0, "within_tolerance"]
    assert fitted.loc[0, "simulated_median"] == pytest.approx(0.4 / 0.22 * 0.05, rel=0.25)
    assert validation.loc[0, "passes"]


def test_fit_never_overwrites_an_overlay_it_did_not_write(tmp_path):
    """``--name targets`` (or a hand-written overlay) is refused in one line before any run, and left as it was."""
    config_dir = tmp_path / "cfg"
    config_dir.mkdir()
    mine = config_dir / "mine.yaml"
    mine.write_text("# @package _global_\nlabour:\n  casual_work_share: 0.7\n")
    r = subprocess.run([sys.executable, "-m", "experiments.calibrate", "fit", "--name", "mine", "--config-dir",
                        str(config_dir), "--parameters", "labour.casual_work_share", "--out", str(tmp_path / "w")],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 2 and "--name='mine'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert mine.read_text().endswith("0.7\n") and not (tmp_path / "w").exists()


def test_check_refuses_an_unknown_calibration_in_one_line(tmp_path):
    r = subprocess.run([sys.executable, "-m", "experiments.calibrate", "check", "+calibration=nope"], cwd=ROOT,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 2 and "+calibration='nope'" in r.stderr and len(r.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_abc_recovers_a_parameter_from_targets_the_model_produced_and_resumes(tmp_path):
    """Synthetic target: the LFS-basis rate the model gives with casual_work_share = 0.7. ABC-SMC over the
    plausible range 0.6-0.9 narrows onto 0.7; a second call with one more generation resumes the same run."""
    truth = 0.7
    settings = RunSettings(scale=0.01, days=20)
    probe = targets_file(tmp_path, {"unemployment_lfs": {"value": 0.0, "tolerance": 1.0, **LFS, "window": [1, 20]}})
    observed = simulate(load_targets(probe), {"labour.casual_work_share": truth}, 11, settings)["unemployment_lfs"]
    path = targets_file(tmp_path, {"unemployment_lfs": {"value": observed, "tolerance": 0.004, **LFS,
                                                        "window": [1, 20]}})
    args = ["fit", "--targets", str(path), "--name", "synthetic", "--out", str(tmp_path / "work"), "--config-dir",
            str(tmp_path / "cfg"), "--parameters", "labour.casual_work_share", "--population", "16", "--scale",
            "0.01", "--days", "20", "--min-epsilon", "0.01"]
    assert calibrate.main([*args, "--generations", "2"]) == 0
    first = pd.read_csv(tmp_path / "cfg/synthetic.posterior.csv")
    assert calibrate.main([*args, "--generations", "3"]) == 0  # resumes: one more generation
    provenance = yaml.safe_load((tmp_path / "work/provenance.json").read_text())
    assert provenance["generations"] == 3
    post = pd.read_csv(tmp_path / "cfg/synthetic.posterior.csv")
    mean = (post["labour.casual_work_share"] * post["weight"]).sum() / post["weight"].sum()
    assert abs(mean - truth) < 0.03
    assert post["labour.casual_work_share"].std() < first["labour.casual_work_share"].std() + 0.02
    assert post["labour.casual_work_share"].std() < 0.3 / 12 ** 0.5  # narrower than the uniform prior
    overlay = yaml.safe_load((tmp_path / "cfg/synthetic.yaml").read_text())
    assert abs(overlay["labour"]["casual_work_share"] - truth) < 0.05


# --------------------------------------------------------------------------- posterior ensembles


def composed(*overrides: str):
    from experiments.commandline import compose

    return compose(["+calibration=hies2019", "calibration.draw=posterior", *overrides], with_hydra=True)


def test_a_posterior_draw_is_reproducible_for_a_seed_and_differs_between_seeds():
    from experiments.calibration.posterior import draw

    cfg = composed()
    assert draw(cfg, 7) == draw(cfg, 7)
    members = {draw(cfg, seed)[0] for seed in range(10)}
    assert len(members) >= 3, members


def test_the_drawn_member_is_what_the_model_config_holds():
    import pandas as pd

    from experiments.calibration.posterior import model_config, posterior_path

    cfg = composed()
    model_cfg, member, values = model_config(cfg, 3)
    row = pd.read_csv(posterior_path("hies2019")).iloc[member]
    assert values == {k: float(row[k]) for k in values} and "labour.wage_services" in values
    assert model_cfg.labour.wage_services == row["labour.wage_services"] and "calibration" not in model_cfg
    best, no_member, no_values = model_config(composed("calibration.draw=best"), 3)
    assert no_member is None and no_values is None and best.labour.wage_services == 737.338


@pytest.mark.parametrize("args, line", [
    (["+calibration=hies2019", "calibration.draw=all"], "error: calibration.draw='all': best or posterior"),
    (["calibration.draw=posterior"], "error: calibration.draw='posterior': best, or posterior with a calibration "
                                     "overlay (+calibration=NAME)"),
])
def test_a_bad_draw_is_refused_in_one_line(refused, args, line):
    assert refused(*args, "days=3") == line


def test_replicates_of_a_calibrated_sweep_draw_their_own_members_recorded_in_the_manifest(cli, tmp_path):
    import json

    import yaml

    r = cli("experiments.run", "-m", "+calibration=hies2019", "calibration.draw=posterior", "replicates=3", "days=3",
            "population.scale=0.003", "progress=false", f"hydra.sweep.dir={tmp_path}")
    assert r.returncode == 0, r.stderr[-2000:]
    mans = [json.loads(p.read_text()) for p in sorted(tmp_path.glob("*/manifest.json"))]
    assert len(mans) == 3 and len({m["seed"] for m in mans}) == 3
    for man in mans:
        assert isinstance(man["calibration_member"], int) and man["inputs"]["calibration.posterior"]["sha256"]
        assert all(man["config"][k.split(".")[0]][k.split(".")[1]] == v for k, v in man["calibration_drawn"].items())
    overrides = {tuple(o for o in yaml.safe_load(p.read_text()) if not o.startswith("replicate="))
                 for p in tmp_path.glob("*/.hydra/overrides.yaml")}
    assert len(overrides) == 1 and not any(k in " ".join(*overrides) for k in mans[0]["calibration_drawn"])
    again = cli("experiments.run", "-m", "+calibration=hies2019", "calibration.draw=posterior", "replicates=3",
                "days=3", "population.scale=0.003", "progress=false", f"hydra.sweep.dir={tmp_path}")
    assert "0 complete, 3 skipped, 0 failed" in again.stdout, again.stdout[-2000:]


def test_run_help_lists_only_calibrations():
    from experiments.commandline import choices_text

    line = next(ln for ln in choices_text().splitlines() if "+calibration=" in ln)
    assert line.split()[-1] == "hies2019" and "targets" not in choices_text()
