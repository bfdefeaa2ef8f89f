"""``--run-missing``: launch the channel-off runs the channel decomposition needs (opt-in; slow).

For every group of all-channels-on runs (same scenario and command-line overrides)
and every channel without a matching switched-off run, one multirun

    python -m experiments.run -m <the group's overrides> channels.<X>=false seed=<the group's seeds>

is started (with ``replicate=<k,...>`` for paired replicates) with ``hydra.sweep.dir``
under ``<DIR>/channel_runs/``. Sweep presets (``+sweep=NAME``) are not replayed: a run's
own overrides already hold its swept values, and ``replicates`` is taken from its
manifest. Afterwards every launched run is checked against the run it mirrors: the
configurations must be equal except for the channel (else :class:`LaunchError`).
Runs that already exist and are complete are skipped by ``experiments.run`` itself.
"""

from __future__ import annotations

import hashlib
import re
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from experiments.rundir import NOT_PARAMETER_OVERRIDES, PROJECT_ROOT, raw_overrides, read_manifest
from experiments.sweep.resume import first_difference
from sim.config import CHANNELS, RESULT_NEUTRAL_KEYS

from .data import Results, load
from .stats import pair_ids

# overrides of the original run not replayed as they are: re-set here (seed, replicate, the channel switches),
# Hydra's own, or setting no parameter (replicates is re-set from the manifest)
DROPPED = ("seed", "replicate", "channels.", "hydra", *NOT_PARAMETER_OVERRIDES)


class LaunchError(RuntimeError):
    """A launched run failed or does not mirror its original; the message is one line."""


@dataclass
class Job:
    scenario: str
    channel: str
    overrides: list[str]  # the group's fixed overrides
    sweeps: list[str]  # seed=... (and replicate=...) lists
    runs: int

    def sweep_dir(self, root: Path) -> Path:
        digest = hashlib.sha1(" ".join(self.overrides + self.sweeps).encode()).hexdigest()[:8]
        return root / "channel_runs" / f"{self.scenario}_no_{self.channel}_{digest}"

    def command(self, root: Path) -> list[str]:
        path = str(self.sweep_dir(root))
        if not re.fullmatch(r"[\w/.\-]+", path):
            path = "'" + path.replace("'", "\\'") + "'"
        return [sys.executable, "-m", "experiments.run", "-m", *self.overrides, f"channels.{self.channel}=false",
                *self.sweeps, "progress=false", f"hydra.sweep.dir={path}"]


def _manifest(res: Results, run_id: str) -> dict:
    return read_manifest(res.root / run_id)


OVERRIDE = re.compile(r"[+~]?[A-Za-z_][\w.]*=[^\n]*")  # key=value (config groups with + or ~); never a flag


def _launch_args(res: Results, run) -> tuple[tuple[str, ...], str, str | None]:
    """(fixed overrides, seed value, replicate value or None) that reproduce a run. A results folder is input
    someone else wrote: an entry of its overrides.yaml that is not ``key=value`` (a flag such as
    ``--experimental-rerun``, which would unpickle a file) stops the launch, and ``hydra.*`` entries are never
    replayed (the channel runs choose their own directory)."""
    items = raw_overrides(res.root / run.run_id)
    bad = [i for i in items if not OVERRIDE.fullmatch(i)]
    if bad:
        raise LaunchError(f"{res.root / run.run_id}/.hydra/overrides.yaml: {bad[0]!r} is not a key=value override; "
                          "nothing was launched")
    if not items:
        items = [f"scenario={run.scenario}", f"days={run.n_days}", f"population.scale={run.scale}"]
    value = {i.lstrip("+~").partition("=")[0]: i.partition("=")[2] for i in items}
    fixed = [i for i in items if not i.lstrip("+~").startswith(DROPPED)]
    man = _manifest(res, run.run_id)
    replicates = int(man.get("replicates", 1))
    if replicates > 1:
        fixed.append(f"replicates={replicates}")
        return tuple(fixed), value.get("seed", str(man.get("base_seed", 0))), str(man.get("replicate", 0))
    return tuple(fixed), value.get("seed", str(run.seed)), None


def missing_jobs(res: Results, channels: list[str] | None = None) -> list[Job]:
    """One job per (override group, channel, seed list) lacking switched-off runs."""
    runs = res.runs.assign(pair=pair_ids(res.runs, ["scenario", *res.pair_keys]))
    have = set(zip(runs["pair"], runs["channels_off"]))
    groups: dict[tuple, list] = {}
    for run in runs[runs["channels_off"] == ""].itertuples():
        fixed, seed, rep = _launch_args(res, run)
        groups.setdefault((run.scenario, fixed), []).append((run.pair, seed, rep))
    jobs = []
    for (scenario, fixed), members in groups.items():
        for ch in channels or CHANNELS:
            todo = [(seed, rep) for pair, seed, rep in members if (pair, ch) not in have]
            if not todo:
                continue
            if all(rep is None for _, rep in todo):
                seeds = list(dict.fromkeys(s for s, _ in todo))
                jobs.append(Job(scenario, ch, list(fixed), ["seed=" + ",".join(seeds)], len(seeds)))
                continue
            for seed in dict.fromkeys(s for s, _ in todo):
                reps = list(dict.fromkeys(r for s, r in todo if s == seed))
                jobs.append(Job(scenario, ch, list(fixed), [f"seed={seed}", "replicate=" + ",".join(reps)],
                                len(reps)))
    return jobs


def check_mirrors(res: Results, jobs: list[Job]) -> None:
    """Every launched run must have the configuration of its all-channels-on original, but for the channel."""
    runs = res.runs.assign(pair=pair_ids(res.runs, ["scenario", *res.pair_keys]))
    originals = runs[runs["channels_off"] == ""].drop_duplicates("pair").set_index("pair")["run_id"]
    ignore = (*RESULT_NEUTRAL_KEYS, "channels")
    for job in jobs:
        prefix = str(job.sweep_dir(res.root).relative_to(res.root))
        for run in runs[runs["run_id"].str.startswith(prefix + "/")].itertuples():
            if run.pair not in originals.index:
                raise LaunchError(f"launched run {run.run_id} has no all-channels-on original with its seed")
            a = _manifest(res, run.run_id)["config"]
            b = _manifest(res, originals[run.pair])["config"]
            diff = first_difference({k: v for k, v in a.items() if k not in ignore},
                                    {k: v for k, v in b.items() if k not in ignore})
            if diff:
                raise LaunchError(f"launched run {run.run_id} differs from its original at {diff}; "
                                  "run the channel-off runs by hand")


def launch(res: Results, channels: list[str] | None, log: Callable[[str], None],
           setting: int | None = None) -> tuple[Results, int]:
    """Run every missing job; return the reloaded results and the number of runs launched."""
    jobs = missing_jobs(res, channels)
    total = sum(j.runs for j in jobs)
    log(f"report: --run-missing: {total} channel-off run(s) in {len(jobs)} sweep(s)")
    for i, job in enumerate(jobs, 1):
        cmd = job.command(res.root)
        log(f"report:   [{i}/{len(jobs)}] python {' '.join(cmd[1:])}")
        proc = subprocess.run(cmd, cwd=PROJECT_ROOT, capture_output=True, text=True)
        if proc.returncode != 0:
            last = (proc.stderr.strip().splitlines() or ["(no output)"])[-1]
            raise LaunchError(f"launched run failed ({job.scenario}, channels.{job.channel}=false): {last}")
    if jobs:
        res = load(res.root, setting)
        check_mirrors(res, jobs)
    return res, total
