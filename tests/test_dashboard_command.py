"""python -m dashboard refuses a bad or busy port in one line before the server starts (docs/reliability.md)."""

from __future__ import annotations

import socket

import pytest

from dashboard.__main__ import main


def refused(capsys, argv: list[str]) -> str:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    err = capsys.readouterr().err.strip().splitlines()
    assert exit_.value.code == 2 and len(err) == 1 and err[0].startswith("error: "), (exit_.value.code, err)
    return err[0]


@pytest.mark.parametrize("value", ["-5", "99999", "0", "abc"])
def test_a_port_out_of_range_is_one_line(capsys, monkeypatch, value):
    monkeypatch.delenv("DASHBOARD_PORT", raising=False)
    assert refused(capsys, ["--port", value]) == f"error: argument --port: {value!r}: a port number in [1, 65535]"
    monkeypatch.setenv("DASHBOARD_PORT", value)
    assert refused(capsys, []) == f"error: DASHBOARD_PORT={value!r}: a port number in [1, 65535]"


def test_a_busy_port_is_one_line_before_the_server_starts(capsys, monkeypatch):
    import os

    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("the server was started"))
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        number = busy.getsockname()[1]
        line = refused(capsys, ["--port", str(number)])
    assert line.startswith(f"error: --port={number}: a free port on 127.0.0.1 (") and "DASHBOARD_PORT" in line


def test_an_unknown_host_is_one_line(capsys, monkeypatch):
    import os

    monkeypatch.setattr(os, "execv", lambda *a: pytest.fail("the server was started"))
    assert refused(capsys, ["--host", "no.such.host.invalid", "--port", "8765"]).startswith(
        "error: --host=no.such.host.invalid: an address of this machine (")
