"""Paired evaluation from a shared start: build once, run the common prefix once, branch into each scenario.

Scenarios compared at the same seed (common random numbers, :mod:`sim.rng`) are identical up to the
day before they first differ. So instead of building and warming up one model per scenario, a
:class:`SharedStart` builds one model (with the first scenario's config), steps it through the last
common day, keeps a snapshot, and hands out one branch per scenario: a copy of the snapshot whose
scenario inputs and policy levers are those of its scenario, which then runs to the end.

Rules:

- **Branchable configs** (:func:`check_branchable`): the configs differ only at keys of kind
  *scenario input* or *policy lever* (:mod:`sim.params`), plus the labels (``scenario_name``,
  ``description``) and keys that do not change results (``progress``, ``replicates``). Anything else
  (an empirical parameter, a switch, the seed, ``days``, the population scale) changes the build, and is
  refused with :class:`BranchError` naming the key. Submodels read scenario inputs and policy levers on
  the day (the public-works wage included), never only at build time.
- **Divergence day** (:func:`divergence_day`): the first day on which any scenario's schedules differ
  from the first's, computed from the scenario-dependent components themselves (``Border``,
  ``StateActions``, ``Policies``) built on a stub: every crossing's throughput, risk, status and
  activity, counter-terrorism intensity, grievance shock, the days each policy runs and, on those days,
  its size and coverage. The snapshot is taken at the end of the day before (day 0 = right after the
  build and warm-up).
- **Trunks** (:meth:`SharedStart.branches`): scenarios that stay alike beyond the shared start step their
  longer common prefix once too, and branch again on the day before they differ (closure_90d and
  closure_1y share their first 90 closed days); :func:`first_difference` of their schedules says when.
- **A branch** (:meth:`SharedStart.branch`): the snapshot is copied (pickle round trip; it holds no
  open resources), its ``cfg`` and ``par`` replaced by the scenario's, and the scenario-dependent
  components rebuilt from the new config. An attribute of such a component that the run has changed
  since the build (dynamic state: today's transfer, public-works employment) is kept from the snapshot;
  everything a component derives from its config is taken from the rebuilt one. The model's day
  phases are re-bound to the new components (:meth:`BorderModel.bind_phases`).

The claim that a branched run is the separate run, bit for bit (every recorded day, district and
indicator, and every group series), is a test (``tests/test_analysis.py``) over the scenario library.
If a submodel starts reading a scenario input only at build time, that test fails; re-read it in the
step to restore the guarantee.
"""

from __future__ import annotations

import hashlib
import pickle
import time
import types
from typing import Any, Iterable

import numpy as np
from omegaconf import DictConfig, OmegaConf

from .config import Config, RESULT_NEUTRAL_KEYS, load_config
from .params import POLICY, SCENARIO, flatten, kind_of

SCENARIO_KINDS = (SCENARIO, POLICY)
LABELS = ("scenario_name", "description")  # names, not inputs
COMPONENTS = ("state_actions", "policies", "border")  # built from scenario inputs and policy levers (sim/model.py)


class BranchError(ValueError):
    """Configs that cannot share a start: ``key=value: why``."""

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}={value!r}: {allowed}")


# --------------------------------------------------------------------------- which configs can share a start


def _as_flat(cfg: DictConfig) -> dict[str, Any]:
    container = OmegaConf.to_container(cfg, resolve=True)
    container.pop("hydra", None)
    return flatten(container)


def check_branchable(cfgs: list[DictConfig]) -> None:
    """Raise :class:`BranchError` unless every config differs from the first only in scenario inputs and
    policy levers (and labels, and keys that change no result)."""
    if not cfgs:
        raise BranchError("scenarios", [], "at least one config")
    base = _as_flat(cfgs[0])
    for cfg in cfgs[1:]:
        other = _as_flat(cfg)
        for key in sorted(set(base) | set(other)):
            if base.get(key, "__absent__") == other.get(key, "__absent__"):
                continue
            top = key.split(".")[0]
            if top in LABELS or top in RESULT_NEUTRAL_KEYS:
                continue
            kind = kind_of(Config, key)
            if kind not in SCENARIO_KINDS:
                what = kind or "config"
                raise BranchError(key, other.get(key), f"the same in every scenario of a shared start (a {what} key; "
                                                       f"first scenario has {base.get(key)!r}); only scenario "
                                                       "inputs and policy levers may differ")


# --------------------------------------------------------------------------- where scenarios first differ


def _stub(cfg: DictConfig, region):
    """A stand-in model carrying what the scenario-dependent components read at construction."""
    from .districts import Districts

    par = OmegaConf.to_object(cfg)
    districts = Districts.from_region(region, par.population.scale)
    return types.SimpleNamespace(par=par, cfg=cfg, days=int(cfg.days), region=region, districts=districts)


def _components(stub) -> dict[str, Any]:
    from .border import Border
    from .state_actions import Policies, StateActions

    return {"state_actions": StateActions(stub), "policies": Policies(stub), "border": Border(stub)}


def _digest(*values: Any) -> int:
    text = repr([v.tolist() if isinstance(v, np.ndarray) else v for v in values]).encode()
    return int.from_bytes(hashlib.sha1(text).digest()[:4], "little") | 1


def daily_schedule(cfg: DictConfig, region) -> dict[str, np.ndarray]:
    """Everything a scenario changes, as arrays indexed by day first (row t = day t)."""
    stub = _stub(cfg, region)
    comp = _components(stub)
    border, state, pol = comp["border"], comp["state_actions"], comp["policies"]
    par = stub.par.policy
    out = {f"border.{k}": np.asarray(v) for k, v in border.schedule.items()}
    out["state.ct"] = state.ct
    out["state.grievance"] = state.grievance
    transfer = _digest(par.cash_transfer.amount, par.cash_transfer.hardship_threshold, pol.transfer_districts)
    works = _digest(pol.public_works_slots, par.public_works.wage_pkr)
    markets = _digest(list(par.border_markets.crossings), par.border_markets.cost_pkr_per_day)
    out["policy.transfer"] = np.where(pol.transfer_on, transfer, 0)
    # (public_works_ever only lets the labour market skip a mask before any programme job exists: no effect)
    out["policy.public_works"] = np.where(pol.public_works_on, works, 0)
    out["policy.markets"] = np.where(border.schedule["policy_market_days"] > 0, markets, 0)
    return out


def _rows_differ(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Per day (first axis): True where the two arrays differ (NaN equals NaN)."""
    a, b = np.asarray(a).reshape(len(a), -1), np.asarray(b).reshape(len(b), -1)
    same = a == b
    if a.dtype.kind == "f" and b.dtype.kind == "f":
        same |= np.isnan(a) & np.isnan(b)
    return ~same.all(axis=1)


def divergence_day(cfgs: list[DictConfig], region=None, apart: list[list[int]] | None = None) -> int:
    """The first day (1..days) on which some config's scenario differs from the first's; ``days + 1`` if
    they never differ. Configs must be branchable (:func:`check_branchable`); ``apart``: their
    :func:`days_apart`, when already known."""
    apart = apart or days_apart(cfgs, region)
    return max(min(apart[0][1:], default=int(cfgs[0].days) + 1), 1)


def days_apart(cfgs: list[DictConfig], region=None) -> list[list[int]]:
    """``apart[i][j]``: the first day on which the scenarios of configs i and j differ (:func:`first_difference`).
    Configs must be branchable (:func:`check_branchable`)."""
    from .region import load_region

    check_branchable(cfgs)
    pop = cfgs[0].population
    region = region or load_region(pop.region_file, pop.crossings_file, pop.include_iran)
    days = int(cfgs[0].days)
    schedules = [daily_schedule(c, region) for c in cfgs]
    return [[first_difference(a, b, days) for b in schedules] for a in schedules]


def first_difference(a: dict[str, np.ndarray], b: dict[str, np.ndarray], days: int) -> int:
    """The first day on which two daily schedules (:func:`daily_schedule`) differ; ``days + 1`` if never."""
    first = days + 1
    for key in a:
        hit = np.flatnonzero(_rows_differ(a[key], b[key]))
        if len(hit):
            first = min(first, int(hit[0]))
    return first


# --------------------------------------------------------------------------- the shared start


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        try:
            return np.array_equal(np.asarray(a), np.asarray(b), equal_nan=True)
        except TypeError:
            return np.array_equal(np.asarray(a), np.asarray(b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    try:
        return bool(a == b)
    except Exception:
        return False


def _rebind(model, cfg: DictConfig) -> None:
    """Give ``model`` (a copy of the snapshot) the scenario inputs and policy levers of ``cfg``."""
    old_cfg = model.cfg
    saved = {k: (v.copy() if isinstance(v, np.ndarray) else v) for k, v in vars(model.districts).items()}
    old = {name: getattr(model, name) for name in COMPONENTS}
    # what each component would be, fresh, under the snapshot's own config: an attribute that differs from
    # it now is dynamic state the run has changed, and stays as it is
    model.cfg, model.par = old_cfg, OmegaConf.to_object(old_cfg)
    fresh_own = _components(model)
    model.cfg, model.par = cfg, OmegaConf.to_object(cfg)
    fresh = _components(model)
    for name in COMPONENTS:
        new, before, own = fresh[name], old[name], fresh_own[name]
        for attr, value in vars(before).items():
            if attr == "model":
                continue
            if attr not in vars(own) or not _same(value, getattr(own, attr)):
                setattr(new, attr, value)
        setattr(model, name, new)
    for k, v in saved.items():  # constructors write today's values from day 0: put the snapshot's back
        setattr(model.districts, k, v)
    model.bind_phases()


class SharedStart:
    """One build and warm-up, one run of the common prefix, a branch per scenario.

    ``cfgs`` are composed configs (``sim.config.load_config`` or Hydra), all with the same seed;
    ``seed`` overrides it (the seed actually used, as ``BorderModel(rng=...)``); ``record``: the indicators
    every branch records (as ``BorderModel(record=...)``; default every one).
    """

    def __init__(self, cfgs: list[DictConfig], seed: int | None = None, record: Iterable[str] | None = None):
        from .model import BorderModel

        started = time.perf_counter()
        self.cfgs = [c.copy() for c in cfgs]
        check_branchable(self.cfgs)
        model = BorderModel(config=self.cfgs[0], rng=seed, record=record)
        self.clock = model.clock  # the build's parts and the prefix's phases (sim/clock.py)
        self.apart = days_apart(self.cfgs, model.region)  # how long each two scenarios share a trunk (branches)
        self.day = divergence_day(self.cfgs, apart=self.apart) - 1  # the last common day
        self.days = model.days
        self.build_seconds = model.build_seconds
        t = time.perf_counter()
        while model.running and int(round(model.time)) < min(self.day, self.days):
            model.step()
        self.prefix_seconds = time.perf_counter() - t
        self.seed = int(model.par.seed)
        self._snapshot = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        self.snapshot_bytes = len(self._snapshot)
        self.setup_seconds = time.perf_counter() - started

    def branch(self, i: int):
        """A fresh model of scenario ``i`` at the end of the common prefix (not yet run on)."""
        model = pickle.loads(self._snapshot)
        cfg = self.cfgs[i].copy()
        cfg.seed = self.seed
        if i != 0:
            _rebind(model, cfg)
        return model

    def run(self, i: int, progress: bool = False):
        """Branch into scenario ``i`` and run it to the end; ``run_seconds`` is the branch's own time."""
        t = time.perf_counter()
        model = self.branch(i)
        model.run(progress=progress)
        model.branch_seconds = time.perf_counter() - t
        model.shared_start = {"snapshot_day": self.day, "setup_seconds": round(self.setup_seconds, 3)}
        return model

    def run_all(self) -> list:
        """Every scenario run to the end (models in the order of ``cfgs``), as :meth:`branches` runs them."""
        models = [None] * len(self.cfgs)
        for i, model in self.branches():
            models[i] = model
        return models

    def branches(self):
        """Run every scenario to the end, yielding ``(i, model)`` as each ends (so a caller can let it go).

        Scenarios that stay alike beyond the shared start share that longer prefix too: a trunk stepped once
        to the day before they differ, then branched again (closure_90d and closure_1y share their first 90
        closed days), as often as the scenarios split. Each branch equals its separate run (the same rebinding
        as :meth:`branch`, on a later day); ``branch_seconds`` is the wall time of a scenario's own stretch."""
        self.days_stepped = 0  # days the branches and trunks stepped (after the shared start)
        yield from self._grow(pickle.loads(self._snapshot), list(range(len(self.cfgs))))

    def _grow(self, model, members: list[int]):
        """``model``: bound to scenario ``members[0]``, which every member equals through today."""
        if len(members) == 1:
            t = time.perf_counter()
            self.days_stepped += self.days - int(round(model.time))
            model.run()
            model.branch_seconds = time.perf_counter() - t
            model.shared_start = {"snapshot_day": self.day, "setup_seconds": round(self.setup_seconds, 3)}
            yield members[0], model
            return
        last = min(self.apart[members[0]][j] for j in members[1:]) - 1  # the members' last common day
        while model.running and int(round(model.time)) < min(last, self.days):
            model.step()
            self.days_stepped += 1
        groups: list[list[int]] = []  # members alike through the next day go on together (two groups at least)
        for j in members:
            alike = next((g for g in groups if self.apart[g[0]][j] > last + 1), None)
            if alike is None:
                groups.append([j])
            else:
                alike.append(j)
        trunk = pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)
        for group in groups[1:]:
            branch = pickle.loads(trunk)
            cfg = self.cfgs[group[0]].copy()
            cfg.seed = self.seed
            _rebind(branch, cfg)
            yield from self._grow(branch, group)
        del trunk
        yield from self._grow(model, groups[0])


def paired_models(scenarios: Iterable[str], overrides: dict[str, Any] | None = None, seed: int = 0) -> list:
    """Run ``scenarios`` (names in ``configs/scenario/``) from one shared start; models in the same order."""
    cfgs = [load_config(s, overrides) for s in scenarios]
    return SharedStart(cfgs, seed=seed).run_all()
