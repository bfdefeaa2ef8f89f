"""python -m experiments.params on a terminal that is not UTF-8, and --update-odd on a file without its markers
(docs/reliability.md)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def params(*args: str, encoding: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONIOENCODING": encoding}
    return subprocess.run([sys.executable, "-m", "experiments.params", *args], cwd=ROOT, env=env,
                          capture_output=True, timeout=120)


@pytest.mark.parametrize("fmt", ["md", "csv", "json"])
def test_the_parameter_table_prints_on_an_ascii_terminal(fmt):
    ascii_out = params("--format", fmt, encoding="ascii")
    assert ascii_out.returncode == 0 and ascii_out.stderr == b"", ascii_out.stderr[-2000:]
    text = ascii_out.stdout.decode("ascii")
    if fmt == "json":  # the same data as on a UTF-8 terminal
        assert json.loads(text) == json.loads(params("--format", "json", encoding="utf-8").stdout.decode("utf-8"))
    else:
        assert "\\xd7" in text or "\\u" in text  # non-ASCII characters escaped, not dropped


@pytest.mark.parametrize("text", ["# ODD\n\nno table here\n",
                                  "# ODD\n<!-- end of the generated parameter table -->\n",
                                  "<!-- end of the generated parameter table -->\n{BEGIN}\n"])
def test_update_odd_without_its_markers_is_one_line_and_writes_nothing(tmp_path, monkeypatch, capsys, text):
    import experiments.params as params_command

    odd = tmp_path / "ODD.md"
    odd.write_text(text.replace("{BEGIN}", params_command.BEGIN))
    before = odd.read_bytes()
    monkeypatch.setattr(params_command, "ODD", odd)
    with pytest.raises(SystemExit) as exit_:
        params_command.main(["--update-odd"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and len(err) == 1, err
    assert err[0].startswith(f"error: {odd}: no parameter table to replace: it goes between the lines")
    assert odd.read_bytes() == before


def test_a_bad_option_is_one_line(capsys):
    import experiments.params as params_command

    with pytest.raises(SystemExit) as exit_:
        params_command.main(["--format", "xml"])
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and err == ["error: argument --format: invalid choice: 'xml' (choose from 'md', "
                                             "'csv', 'json')"]
