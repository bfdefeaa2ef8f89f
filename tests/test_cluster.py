"""The cluster commands of README.md ("On a cluster") as documented, scaled down and run for real.

- Ray: the README's command for a running cluster, against a one-machine cluster started with
  ``ray start --head`` (its own temp dir and ports, no dashboard), stopped afterwards with every process
  it started.
- SLURM: the README's command with SLURM's own options left out and submitit's local executor in place
  of SLURM (``hydra/launcher=submitit_local``: same job pickling, per-job processes and options), as far
  as a machine without SLURM allows; both documents' SLURM commands are also composed, which checks every
  option they spell.

Every command is read from the documents, so the tests run what they say. Runs are tiny: two paired
replicates of the baseline at population.scale=0.01 for 10 days.
"""

from __future__ import annotations

import dataclasses
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import secrets
import tempfile
import time
from pathlib import Path

import pytest
from omegaconf import OmegaConf

from tests.test_sweeps import assert_complete_runs

ROOT = Path(__file__).resolve().parent.parent
DOCS = ("README.md", "docs/sweeps.md")
TINY = {"population.scale": "0.01", "days": "10", "replicates": "2", "hydra.sweeper.params.scenario": "baseline",
        "progress": "false"}


def documented(doc: str, launcher: str) -> list[str]:
    """The arguments after ``-m`` of the sweep command in ``doc`` that selects ``hydra/launcher=<launcher>``."""
    text = (ROOT / doc).read_text().replace("\\\n", " ")
    for line in text.splitlines():
        args = shlex.split(line) if line.startswith("python -m experiments.run -m ") else []
        if f"hydra/launcher={launcher}" in args:
            return args[4:]
    raise AssertionError(f"{doc} documents no `python -m experiments.run -m ... hydra/launcher={launcher}`")


def scaled_down(args: list[str], sweep_dir: Path) -> list[str]:
    """``args`` at test size (``TINY``), writing into ``sweep_dir``."""
    settings = {**TINY, "hydra.sweep.dir": str(sweep_dir)}
    return [a for a in args if a.split("=", 1)[0] not in settings] + [f"{k}={v}" for k, v in settings.items()]


def stop_with_parent() -> None:
    """In a child: SIGTERM when this test process dies, so a killed test leaves no cluster or sweep (Linux)."""
    import ctypes

    try:
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def run_sweep(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "experiments.run", "-m", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})}, preexec_fn=stop_with_parent)


def launcher_config(args: list[str]):
    """``hydra.launcher`` as the command line ``args`` composes it (no job runs)."""
    r = subprocess.run([sys.executable, "-m", "experiments.run", *args, "--cfg", "hydra", "-p", "hydra.launcher"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr[-2000:]
    return OmegaConf.create(r.stdout)


# --------------------------------------------------------------------------- Ray


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def processes_of(group: int, marker: str) -> list[str]:
    """Live processes (not zombies) in process group ``group`` or whose command line contains ``marker``."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()  # after "pid (comm)": state, ppid, pgrp, ...
            cmdline = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:  # exited meanwhile
            continue
        if fields[0] != "Z" and (int(fields[2]) == group or marker in cmdline):
            found.append(f"{stat.parent.name} {cmdline[:160]}")
    return found


def stop(head: subprocess.Popen, temp: Path) -> None:
    """Stop the cluster ``head`` started, and only it. Not ``ray stop``: that kills every Ray process of the
    machine (other clusters, other sessions' local instances). ``ray start --block`` stops its node, every
    process it started, on SIGTERM; they all share its process group (``start_new_session``), which is
    then killed for whatever is left (workers are the raylet's children, in the same group)."""
    group, marker = head.pid, f"{temp}/"
    if head.poll() is None:
        head.terminate()
        try:
            head.wait(timeout=60)
        except subprocess.TimeoutExpired:
            pass
    deadline = time.monotonic() + 15
    while processes_of(group, marker) and time.monotonic() < deadline:
        time.sleep(0.5)
    if processes_of(group, marker):
        try:
            os.killpg(group, signal.SIGKILL)
        except ProcessLookupError:
            pass
        time.sleep(1)
    head.wait(timeout=10)
    left = processes_of(group, marker)
    assert not left, "processes of the test's Ray cluster still running:\n" + "\n".join(left)


def ray_auth(temp: Path) -> dict[str, str]:
    """Token authentication for the test's cluster and its client, from the test's own token file.

    Ray turns token authentication on for ``ray start --head`` whenever ``~/.ray/auth_token`` exists, which
    any local ``ray.init()`` creates, while a client that connects to it uses a token only when told to.
    Setting the mode and the token explicitly in both makes the test independent of what earlier Ray use left
    in the home directory (and is what a user of a token-protected cluster does: docs/sweeps.md)."""
    token = temp / "auth_token"
    token.write_text(secrets.token_hex(32))
    return {"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN_PATH": str(token)}


@pytest.fixture
def ray_cluster():
    """A one-machine Ray cluster started as on a head node (``ray start --head``); yields its address and the
    environment a client needs to reach it."""
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="the `ray` extra is not installed")
    ray = shutil.which("ray", path=str(Path(sys.executable).parent))
    if ray is None:
        pytest.skip("no `ray` command next to this Python: the `ray` extra is not installed")
    temp = Path(tempfile.mkdtemp(prefix="ray-", dir="/tmp"))  # short: Ray's socket paths must fit in 107 bytes
    log = temp / "ray-start.log"
    cmd = [ray, "start", "--head", "--block", "--num-cpus=2", f"--port={free_port()}", "--include-dashboard=false",
           f"--ray-client-server-port={free_port()}", f"--dashboard-agent-listen-port={free_port()}",
           f"--temp-dir={temp}", "--disable-usage-stats"]
    auth = ray_auth(temp)
    with open(log, "w") as out:  # cwd: not the project, as on a cluster node
        head = subprocess.Popen(cmd, cwd=temp, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, preexec_fn=stop_with_parent, env={**os.environ, **auth})
    try:
        address_file = temp / "ray_current_cluster"  # written by `ray start` once the head node is up
        deadline = time.monotonic() + 120
        while not (address_file.is_file() and address_file.read_text().strip()):
            if head.poll() is not None or time.monotonic() > deadline:
                why = f"exit status {head.returncode}" if head.poll() is not None else "not up after 120 s"
                pytest.skip(f"`ray start --head` cannot start a cluster on this machine ({why}): "
                            + " | ".join(log.read_text().strip().splitlines()[-5:]))
            time.sleep(0.5)
        yield address_file.read_text().strip(), auth
    finally:
        try:
            stop(head, temp)
        finally:
            shutil.rmtree(temp, ignore_errors=True)


@pytest.mark.slow
def test_the_documented_ray_cluster_command_runs_a_sweep_on_a_running_cluster(ray_cluster, tmp_path):
    address, auth = ray_cluster
    args = scaled_down(documented("README.md", "ray_cluster"), tmp_path)
    # `address=auto` reads RAY_ADDRESS first: it pins auto to this cluster should another run on this machine
    r = run_sweep(args, env={"RAY_ADDRESS": address, **auth})
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert f"Connecting to existing Ray cluster at address: {address}" in r.stdout + r.stderr
    assert "2 complete, 0 skipped, 0 failed" in r.stdout
    mans = assert_complete_runs(tmp_path, 2)
    assert {m["scenario"] for m in mans.values()} == {"baseline"}


@pytest.mark.parametrize("doc", DOCS)
def test_the_documented_ray_cluster_command_connects_without_an_object_store_size(doc):
    """hydra-ray-launcher 1.2.x sets ray.init(object_store_memory=78643200) unless the key is set, and Ray
    refuses it when connecting to a running cluster: the launcher config sets it to null."""
    pytest.importorskip("hydra_plugins.hydra_ray_launcher", reason="the `ray` extra is not installed")
    init = launcher_config(documented(doc, "ray_cluster")).ray.init
    assert init.address == "auto"
    assert "object_store_memory" in init and init.object_store_memory is None


# --------------------------------------------------------------------------- SLURM


def on_one_machine(args: list[str]) -> list[str]:
    """A SLURM command with submitit's local executor instead: SLURM-only options left out."""
    from hydra_plugins.hydra_submitit_launcher.config import LocalQueueConf

    local = {f"hydra.launcher.{f.name}" for f in dataclasses.fields(LocalQueueConf)}
    out = ["hydra/launcher=submitit_local" if a == "hydra/launcher=submitit_slurm" else a for a in args
           if not a.startswith("hydra.launcher.") or a.split("=", 1)[0] in local]
    assert "hydra/launcher=submitit_local" in out
    return out


@pytest.mark.parametrize("doc", DOCS)
def test_the_documented_slurm_command_composes(doc):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="the `cluster` extra is not installed")
    args = documented(doc, "submitit_slurm")
    cfg = launcher_config(args)
    assert cfg._target_.endswith(".SlurmLauncher")
    for a in args:
        key, _, value = a.partition("=")
        if key.startswith("hydra.launcher.") and not value.startswith("["):
            assert str(OmegaConf.select(cfg, key.removeprefix("hydra.launcher."))) == value, a


def test_the_documented_slurm_command_runs_a_sweep_with_submitits_local_executor(tmp_path):
    pytest.importorskip("hydra_plugins.hydra_submitit_launcher", reason="the `cluster` extra is not installed")
    args = on_one_machine(scaled_down(documented("README.md", "submitit_slurm"), tmp_path))
    shared = {"hydra.launcher.timeout_min", "hydra.launcher.cpus_per_task", "hydra.launcher.mem_gb"}
    assert shared <= {a.split("=", 1)[0] for a in args}  # the options SLURM and the local executor share
    r = run_sweep(args)
    assert r.returncode == 0, r.stdout[-2000:] + r.stderr[-3000:]
    assert "2 complete, 0 skipped, 0 failed" in r.stdout
    mans = assert_complete_runs(tmp_path, 2)
    assert {m["scenario"] for m in mans.values()} == {"baseline"}
    assert len(list((tmp_path / ".submitit").iterdir())) >= 1  # ran through submitit's executor
