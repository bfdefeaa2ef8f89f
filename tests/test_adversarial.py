"""Cases a fresh adversarial pass found (docs/reliability.md, "A fresh adversarial pass"): each is one line, exit 2,
nothing written."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("argv,says", [
    (["days"], "error: days: not a KEY=VALUE override (e.g. days=365; python -m experiments.params lists the keys)"),
    (["~days"], "error: ~days: not a KEY=VALUE override"),
    (["=3"], "error: =3: not a KEY=VALUE override"),
    (["hydra.run.dir="], "error: hydra.run.dir='': a directory (an empty path would be the current directory)"),
    (["-m", "seed=1,2", "hydra.sweep.dir="], "error: hydra.sweep.dir='': a directory (an empty path would be the "
                                             "current directory)"),
])
def test_an_argument_that_is_not_an_override_or_an_empty_output_directory_is_refused(refused, tmp_path, monkeypatch,
                                                                                    argv, says):
    monkeypatch.chdir(tmp_path)
    assert refused(*argv).startswith(says)
    assert list(tmp_path.iterdir()) == []


def test_the_values_of_hydras_informational_flags_are_not_taken_for_overrides(capsys):
    from experiments.commandline import prevalidate

    assert prevalidate(["--cfg", "job", "days=3"]).argv == ["--cfg", "job", "days=3"]


@pytest.mark.parametrize("argv,says", [
    (["-m", "seed=range(1,0)"], "error: seed='range(1,0)': a sweep of at least one value"),
    (["hydra.output_subdir=/tmp/elsewhere"], "error: hydra.output_subdir='/tmp/elsewhere': '.hydra'"),
    (["hydra.output_subdir=../../x"], "error: hydra.output_subdir='../../x': '.hydra'"),
    (["+hydra.callbacks.x._target_=os.system"], "error: hydra.callbacks.x._target_='os.system': not settable"),
    (["-m", "seed=1,2", "hydra.sweeper._target_=os.system"], "error: hydra.sweeper._target_='os.system': not "
                                                             "settable"),
    (["-m", "seed=1,2", "hydra.launcher._target_=builtins.exec"], "error: hydra.launcher._target_='builtins.exec': "
                                                                  "not settable"),
])
def test_an_empty_sweep_a_hydra_folder_elsewhere_and_callbacks_are_refused(refused, tmp_path, monkeypatch, argv,
                                                                           says):
    """An empty ``range`` was a traceback; ``hydra.output_subdir`` elsewhere wrote Hydra's files outside the run's
    folder; a callback got as far as Hydra's multi-line error and left an empty run folder; a sweeper or launcher
    ``_target_`` was Hydra's traceback ("Invalid plugin")."""
    monkeypatch.chdir(tmp_path)
    assert refused(*argv, f"hydra.{'sweep' if '-m' in argv else 'run'}.dir={tmp_path / 'out'}").startswith(says)
    assert list(tmp_path.iterdir()) == []


def fake_run(path, manifest: dict | str | None = None, **changes):
    """A run folder with one result file and a manifest saying complete (``changes`` update the manifest)."""
    import hashlib
    import json

    path.mkdir(parents=True)
    data = b"0123456789"
    (path / "summary.json").write_bytes(data)
    record = {"status": "complete", "seed": 0,
              "files": {"summary.json": {"bytes": len(data), "sha256": hashlib.sha256(data).hexdigest()}}, **changes}
    (path / "manifest.json").write_text(manifest if isinstance(manifest, str) else json.dumps(record))
    return path


@pytest.mark.parametrize("make,why", [
    (lambda d: fake_run(d, "[" * 100_000 + "]" * 100_000), "unreadable manifest.json (RecursionError)"),
    (lambda d: (fake_run(d), (d / "summary.json").rename(d.parent / "elsewhere"),
                (d / "summary.json").symlink_to(d.parent / "elsewhere")), "summary.json is a symlink"),
    (lambda d: (fake_run(d), (d / "manifest.json").rename(d.parent / "m.json"),
                (d / "manifest.json").symlink_to(d.parent / "m.json")), "manifest.json is a symlink"),
])
def test_collect_leaves_out_a_run_with_a_hostile_manifest_or_a_symlinked_file(tmp_path, capsys, make, why):
    """A manifest nested too deep was a traceback (RecursionError), a seed past 64 bits a traceback in pyarrow;
    a result file or manifest that is a symlink was read from wherever it pointed."""
    from experiments.collect import main

    sweep = tmp_path / "sweep"
    make(sweep / "run")
    with pytest.raises(SystemExit) as exit_:
        main([str(sweep)])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and err[-1].startswith(f"error: {sweep}: no complete run found") and why in err[-1]
    assert not (sweep / "runs.parquet").exists() and not (sweep / "timeseries.parquet").exists()


def test_a_seed_past_64_bits_is_one_skipped_run_not_a_traceback(tmp_path, capsys, cli):
    """A manifest's seed of 10**40 made collect fail in pyarrow with a traceback."""
    import json
    import shutil

    from experiments.collect import main

    good = tmp_path / "sweep" / "good"
    r = cli("experiments.run", "population.scale=0.005", "days=3", f"hydra.run.dir={good}", timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    bad = shutil.copytree(good, tmp_path / "sweep" / "bad")
    manifest = json.loads((bad / "manifest.json").read_text())
    (bad / "manifest.json").write_text(json.dumps({**manifest, "seed": 10 ** 40}))
    main([str(tmp_path / "sweep")])
    out, err = capsys.readouterr()
    assert err.strip().splitlines() == [f"skipped {bad}: malformed (manifest.json: seed is {10 ** 40}, more than a "
                                        "64-bit integer holds)"]
    assert "collected 1 run(s)" in out


@pytest.mark.parametrize("text", ["root:x:0:0:root:/root:/bin/bash\nbin:x:1:1::,\n\"a\",b,c,d\n", "a,b\n1,2\n"])
def test_a_sobol_screen_that_is_not_a_morris_table_is_one_line(tmp_path, text):
    """``analysis.sobol.screen=/etc/passwd`` was a pandas traceback."""
    from omegaconf import OmegaConf

    from experiments.analyze import factors_of
    from sim.config import ConfigError

    path = tmp_path / "indices.csv"
    path.write_text(text)
    a = OmegaConf.create({"parameters": [], "exclude": [], "ranges": {}, "method": "sobol",
                          "sobol": {"screen": str(path), "top": 3, "screen_outcome": "recruits",
                                    "screen_scenario": ""}})
    with pytest.raises(ConfigError) as exc:
        factors_of(a)
    assert str(exc.value).startswith(f"analysis.sobol.screen='{path}': a morris_indices.csv written by analyze")
