"""BorderModel: the Mesa model of a Pakistan–Iran border closure in Baluchistan.

One step is one day: the phases of :data:`DAY` run in order (ODD §3), each a submodel's
array operations over everyone (no Python loop over people), then the indicators are
recorded. Each submodel owns its parameters, state, set-up and daily step, in the file
named after it:

==================  ==========================  ==============================================
phase               file                        what happens
==================  ==========================  ==============================================
state_actions       ``sim/state_actions.py``    counter-terrorism intensity, strike grievance
border              ``sim/border.py``           each crossing's throughput and risk
trade               ``sim/trade.py``            traders' volume, profit, capital, exit, re-entry
prices              ``sim/prices.py``           import and fuel indices, fuel and food prices
labour_market       ``sim/labour_market.py``    separations, layoffs and hires
policies.hire       ``sim/state_actions.py``    public-works jobs
migration           ``sim/migration.py``        departures and returns of labour migrants
policies.pay        ``sim/state_actions.py``    cash transfers and policy spending
household_budgets   ``sim/household_budgets.py`` income, consumption, savings, hardship
group_finance       ``sim/group_finance.py``    revenue, payroll, operations, attacks, attrition
recruitment         ``sim/recruitment.py``      reach, join decisions, capacity
==================  ==========================  ==============================================

``BorderModel(scenario=..., population_scale=..., days=..., rng=...)`` takes
flat keyword parameters so that ``mesa.batch_run`` can drive it; any other
config key can be given with ``__`` for dots (``channels__grievance=False``).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Iterable
from typing import Any

import mesa
import numpy as np
from omegaconf import DictConfig, OmegaConf

from .agents import Household, MilitantGroup, Trader, garbage_collection_paused
from .border import Border
from .clock import Clock
from .config import Config, ConfigError, config_with, load_config, validate
from .districts import Districts
from .group_finance import GroupFinance
from .household_budgets import HouseholdBudgets
from .indicators import Recorder
from .labour_market import LabourMarket
from .migration import Migration
from .population import MIGRANT, DistrictSlices, build_population, population_from, structure_of
from .prices import Prices
from .recruitment import Recruitment
from .region import load_region
from .roster import Roster
from .rng import Streams
from .state_actions import Policies, StateActions
from .trade import Trade
from .warmup_cache import Entry, Reads, WarmupCache, changes, fixed_inputs, put_back, snapshot, unwrap, warm_up_keys

FLAT_KEYS = {"population_scale": "population.scale"}
DAY = ("state_actions", "border", "trade", "prices", "labour_market", "policies.hire", "migration", "policies.pay",
       "household_budgets", "group_finance", "recruitment")  # the phases of a day, in order (ODD §3)
REPORTERS = ("youth_unemployment_rate", "unemployment_rate", "food_price_index", "recruits", "militants",
             "active_traders")  # region indicators the Mesa DataCollector records each day


def region_indicator(model: BorderModel, name: str) -> float | int:
    """A DataCollector reporter: today's region value of the recorded indicator ``name`` (counts as int)."""
    value = model.recorder.region_value(int(round(model.time)), name)
    return value if name.endswith(("rate", "index")) else int(value)


def flat_overrides(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Map flat keyword parameters (``population_scale``, ``channels__grievance``) to dotted config keys."""
    return {FLAT_KEYS.get(k, k.replace("__", ".")): v for k, v in kwargs.items()}


class BorderModel(mesa.Model):
    """Households, traders and militant groups of the Pakistani border districts under a border closure."""

    def __init__(self, scenario: str = "baseline", *, config: DictConfig | None = None, rng: int | None = None,
                 days: int | None = None, population_scale: float | None = None,
                 record: Iterable[str] | None = None, **overrides: Any):
        """``record``: the indicators to record (:data:`sim.indicators.METRICS`; default every one), as an analysis
        records only what its outcomes read; the DataCollector's (:data:`REPORTERS`) are always recorded."""
        started = time.perf_counter()
        self.record = None if record is None else sorted({*record, *REPORTERS})
        self.clock = Clock()  # wall and CPU seconds per build part and per phase of the day (sim/clock.py)
        flat = dict(overrides, **{k: v for k, v in (("days", days), ("population_scale", population_scale))
                                  if v is not None})
        cfg = load_config(scenario, flat_overrides(flat)) if config is None else config_with(config, flat_overrides(flat))
        if rng is not None:
            if not isinstance(rng, (int, np.integer)) or isinstance(rng, bool) or rng < 0:
                raise ConfigError("rng", rng, "a seed: an integer >= 0")
            cfg.seed = int(rng)
        super().__init__(rng=int(cfg.seed))
        self.cfg = cfg  # the composed DictConfig (what the manifest records)
        self.par: Config = OmegaConf.to_object(cfg)  # the same values as plain dataclasses (fast attribute access)
        self.days = int(cfg.days)
        self.streams = Streams(cfg.seed)
        with self.clock.part("build.region"):
            self.region = load_region(cfg.population.region_file, cfg.population.crossings_file,
                                      cfg.population.include_iran)
            validate(cfg, self.region)
        self.district_names = self.region.names
        self.crossing_names = self.region.crossing_names
        self._build()
        self.build_seconds = time.perf_counter() - started
        self.running = True
        self.datacollector = mesa.DataCollector(
            model_reporters={name: functools.partial(region_indicator, name=name) for name in REPORTERS})
        self.datacollector.collect(self)

    def _build(self) -> None:
        """Set-up (ODD §5): population, submodels in dependency order, the warm-up (from the cache when an earlier
        build left the same state: :mod:`sim.warmup_cache`), day-0 calibrations; each part timed on ``clock``
        (``build.<part>``). The Mesa agents are made on first use (:meth:`_make_agents`)."""
        clock, par = self.clock, self.par
        reads: set[str] = set()  # the declared keys the build reads up to the end of the warm-up
        cache = fixed = saved = None
        if par.warmup_cache:
            self.par = Reads(par, reads)
            with clock.part("build.cache"):
                cache, fixed = WarmupCache(), fixed_inputs(self)
                saved = cache.find(par, fixed)
        with clock.part("build.population"):
            if saved is not None:  # what the population's draws made, kept with the warm-up's state
                self.households, self.people = population_from(saved.structure)
            else:
                self.households, self.people = build_population(self.region, self.par.population, self.streams)
            self.household_slices = DistrictSlices(self.households.district, len(self.region.names))
            self.person_slices = DistrictSlices(self.people.district, len(self.region.names))
            self.districts = Districts.from_region(self.region, self.par.population.scale)
            self.state_actions = StateActions(self)
            self.policies = Policies(self)
            self.border = Border(self)
            self.trade = Trade(self)
            self.prices = Prices(self)
            self.labour_market = LabourMarket(self)  # who works where at day 0
            self.migration = Migration(self)  # who is abroad at day 0
            self.recruitment = Recruitment(self)  # the men of recruitable age
            self.group_finance = GroupFinance(self)  # the groups and their initial members
            self.labour_market.open_ledger()
            # from here on, every change of a person's state goes through the roster
            self.roster = Roster(self.people, len(self.households), len(self.region.names))
            self.trade.set_initial_capital()
            self.household_budgets = HouseholdBudgets(self)
        with clock.part("build.warm_up"):
            self.warmup = self._warm_up_cached(cache, fixed, saved, par, reads) if cache else self._warm_up() or "off"
            saved = None  # the entry's arrays are the model's now, or copied into them: 40 MB at 1:1 freed
            self.par = par
            unwrap(self)
        with clock.part("build.day0"):
            self.household_budgets.settle_day0()
            self.migration.calibrate()
            self.group_finance.close_budget()
            self.recruitment.calibrate()
            self.bind_phases()
            self.recorder = Recorder(self, metrics=self.record)
            self.recorder.record(0, self)
        self._agents_pending = True  # the Mesa agents are made when first asked for (agents, agents_by_type)

    _agents_pending = False

    def _make_agents(self) -> None:
        """Create the Mesa agents, views onto the arrays' rows (households, traders, groups), once: on the first
        read of ``agents``, ``agents_by_type`` or ``agent_types``. A run that never asks pays nothing for them."""
        if not self._agents_pending:
            return
        self._agents_pending = False
        with self.clock.part("agents"), garbage_collection_paused():
            for cls, n in ((Household, len(self.households)), (Trader, len(self.traders)),
                           (MilitantGroup, len(self.groups))):
                for i in range(n):
                    cls(self, i)

    @property
    def agents(self):
        self._make_agents()
        return super().agents

    @property
    def agents_by_type(self):
        self._make_agents()
        return super().agents_by_type

    @property
    def agent_types(self):
        self._make_agents()
        return super().agent_types

    def bind_phases(self) -> None:
        """Bind the phases of :data:`DAY` to the current submodels (again after one is replaced, as a branch
        from a shared start does: :mod:`sim.branching`)."""
        self.phases = []
        for name in DAY:
            owner, _, method = name.partition(".")
            self.phases.append(getattr(getattr(self, owner), method or "step"))

    def _warm_up_cached(self, cache: WarmupCache, fixed: dict, saved: Entry | None, par: Config,
                        reads: set[str]) -> str:
        """The warm-up's state put back from the cache entry found (``"hit"``), or the warm-up run and an entry
        stored (``"miss"``)."""
        if saved is not None:
            put_back(self, saved.changes)
            return "hit"
        before = snapshot(self)
        self._warm_up()
        try:
            cache.store(par, warm_up_keys(reads), fixed, Entry(structure_of(self.households, self.people),
                                                               changes(self, before)))
        except OSError:  # a read-only or full disk costs the next run its warm-up, nothing else
            pass
        return "miss"

    def _warm_up(self) -> None:
        """Days ``-warmup_days`` to -1 at day-0 conditions (border open, no policy, prices at 1): the
        labour market, migration (if its channel is on) and household budgets. Each warm-up day,
        migrants return at the hazard that balances that day's expected departures and closes any gap
        to the initial stock over 30 days, so the stock keeps its initial size while who is unemployed,
        who is abroad and which households receive remittances settle into the model's own dynamics.
        No trade, recruitment or attrition happens. Warm-up decisions draw from their own streams."""
        days = self.par.households.warmup_days
        target = len(self.roster.away_in(MIGRANT))  # the initial stock (migration.initial_share)
        for k in range(days):
            self.labour_market.warm_up_step(k, k - days)
            self.migration.warm_up_step(k, k - days, target)
            self.household_budgets.warm_up_step(k - days)

    def step(self) -> None:
        """Advance one day: the phases of :data:`DAY` in order, then the indicators."""
        day = int(round(self.time))
        part = self.clock.part
        for name, phase in zip(DAY, self.phases):
            with part(name):
                phase(day)
        with part("recorder"):
            self.recorder.record(day, self)
            self.datacollector.collect(self)
        self.running = day < self.days

    def run(self, progress: bool = False) -> BorderModel:
        """Step to the end of the run (``days``), optionally with a progress bar."""
        started = time.perf_counter()
        bar = None
        if progress:  # tqdm starts a monitor thread even for a disabled bar: none is made without one
            from tqdm import tqdm

            bar = tqdm(total=self.days, desc=self.par.scenario_name, unit="day", leave=False, mininterval=0.5)
        try:
            while self.running:
                self.step()
                if bar is not None:
                    bar.update(1)
        finally:
            if bar is not None:
                bar.close()
        self.run_seconds = time.perf_counter() - started
        return self

    # ------------------------------------------------------------------ the agents' arrays, and reporters

    @property
    def traders(self):
        return self.trade.traders

    @property
    def groups(self):
        return self.group_finance.groups

    def timeseries(self):
        """Tidy per-day, per-district indicators up to today."""
        return self.recorder.frame(int(round(self.time)))

    def group_frame(self):
        """Tidy per-day, per-group militant indicators up to today."""
        return self.recorder.group_frame(int(round(self.time)))

    def border_frame(self):
        """Tidy per-day, per-crossing throughput, interdiction risk and status."""
        from .outputs import border_frame

        return border_frame(self)

    def summary(self, ts=None) -> dict:
        """Headline scalars of the run so far (from ``ts``, its time series, when already built)."""
        from .outputs import summary

        return summary(self.timeseries() if ts is None else ts, self)
