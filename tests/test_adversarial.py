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
