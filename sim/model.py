"""BorderModel: the Mesa model of a Pakistan–Iran border closure in Baluchistan.

One step is one day. The step runs a fixed sequence of array operations (no
Python loop over people), in this order:

1. border: each crossing's throughput and interdiction risk (:mod:`sim.border`);
2. traders: volume, profit, capital, exit and re-entry (:mod:`sim.trade`);
3. prices: import index and district food price index (:mod:`sim.households`);
4. labour market: separations, layoffs and hires (:mod:`sim.labour_market`);
   public works (policy);
5. migration: departures and returns (:mod:`sim.households`);
6. households: income, consumption, savings, food security, hardship;
7. militant groups: finance, attrition, then recruitment (:mod:`sim.recruitment`);
8. indicators recorded for each district and the region (:mod:`sim.indicators`).

``BorderModel(scenario=..., population_scale=..., days=..., rng=...)`` takes
flat keyword parameters so that ``mesa.batch_run`` can drive it; any other
config key can be given with ``__`` for dots (``channels__grievance=False``).
"""

from __future__ import annotations

import time as _time
from typing import Any

import mesa
import numpy as np
from omegaconf import DictConfig, OmegaConf

from . import border, households as hhmod, labour_market as lm, recruitment as rec, state_actions, trade
from .agents import Household, MilitantGroup, Trader
from .config import Config, ConfigError, load_config, validate
from .indicators import Recorder
from .population import (
    EMPLOYED, INACTIVE, MIGRANT, N_MARKET_SECTORS, PUBLIC_WORKS, SERVICES, TRADE, DistrictSlices, build_population,
)
from .region import load_region
from .rng import Streams

FLAT_KEYS = {"population_scale": "population.scale"}


def flat_overrides(kwargs: dict[str, Any]) -> dict[str, Any]:
    """Map flat keyword parameters (``population_scale``, ``channels__grievance``) to dotted config keys."""
    return {FLAT_KEYS.get(k, k.replace("__", ".")): v for k, v in kwargs.items()}


class BorderModel(mesa.Model):
    """Households, traders and militant groups of the Pakistani border districts under a border closure."""

    def __init__(self, scenario: str = "baseline", *, config: DictConfig | None = None, rng: int | None = None,
                 days: int | None = None, population_scale: float | None = None, **overrides: Any):
        t0 = _time.perf_counter()
        flat = dict(overrides)
        if days is not None:
            flat["days"] = days
        if population_scale is not None:
            flat["population_scale"] = population_scale
        if config is None:
            cfg = load_config(scenario, flat_overrides(flat))
        else:
            cfg = config.copy()
            for key, value in flat_overrides(flat).items():
                OmegaConf.update(cfg, key, value, merge=True)
        if rng is not None:
            if not isinstance(rng, (int, np.integer)) or rng < 0:
                raise ConfigError("rng", rng, "a seed: an integer >= 0")
            cfg.seed = int(rng)
        super().__init__(rng=int(cfg.seed))
        self.cfg = cfg  # the composed DictConfig (what the manifest records)
        self.par: Config = OmegaConf.to_object(cfg)  # the same values as plain dataclasses (fast attribute access)
        self.days = int(cfg.days)
        self.streams = Streams(cfg.seed)
        self.region = load_region(cfg.population.region_file, cfg.population.crossings_file,
                                  cfg.population.include_iran)
        validate(cfg, self.region.names, self.region.official_crossings)
        self.district_names = self.region.names
        self.crossing_names = self.region.crossing_names
        self._build()
        self.build_seconds = _time.perf_counter() - t0
        self.running = True
        self.datacollector = mesa.DataCollector(model_reporters={
            "youth_unemployment_rate": "youth_unemployment_rate", "recruits": "recruits",
            "unemployment_rate": "unemployment_rate", "food_price_index": "food_price_index",
            "militants": "militants", "active_traders": "active_traders",
        })
        self.datacollector.collect(self)

    # ------------------------------------------------------------------ set-up

    def _build(self) -> None:
        cfg, reg = self.par, self.region
        D = len(reg.names)
        dist = reg.districts
        days = self.days
        self.households, self.people = build_population(reg, cfg.population, self.streams)
        p, hh = self.people, self.households
        N = len(p)
        self.traders = trade.build_traders(reg, cfg.trade, cfg.population.scale, self.streams)
        tr = self.traders
        self.trader_is_formal = tr.kind == trade.FORMAL
        lc = cfg.labour
        self.wages = np.array([lc.wage_trade, lc.wage_agriculture, lc.wage_services, lc.wage_public,
                               cfg.policy.public_works.wage_pkr])  # PKR/day by sector
        self.hh_slices = DistrictSlices(hh.district, D)
        self.person_slices = DistrictSlices(p.district, D)
        self.legitimacy = dist["legitimacy"].to_numpy()
        self.population = dist["population"].to_numpy() * cfg.population.scale

        # schedules (pre-computed per day)
        self.sched = border.throughput_schedule(cfg.border, cfg.policy.border_markets, reg.crossings, days)
        self.ct = state_actions.ct_schedule(cfg.state, D, days)
        self.shock = state_actions.grievance_schedule(cfg.state, reg.names, days)
        ctc, pwc = cfg.policy.cash_transfer, cfg.policy.public_works
        self.transfer_on = state_actions.window(ctc.start_day, ctc.duration_days, days) & (ctc.amount > 0)
        self.transfer_districts = np.array([not ctc.districts or d in ctc.districts for d in reg.names])
        self.pw_slots = state_actions.public_works_slots(pwc, self.population, reg.names)
        self.pw_on = state_actions.window(pwc.start_day, pwc.duration_days, days) & (self.pw_slots.sum() > 0)
        self.pw_ever = bool(self.pw_on.any())
        # import weights: each district imports food through its linked crossings, weighted by goods value
        cr = reg.crossings
        goods = (cr["official_value_pkr_m"] + cr["goods_value_pkr_m"]).to_numpy()
        w = reg.links * goods[None, :]
        self.import_weights = w / np.maximum(w.sum(axis=1, keepdims=True), 1e-12)
        self.imports_food = w.sum(axis=1) > 0  # a district with no goods crossing has no imports to lose
        self.food_import_share = dist["food_import_share"].to_numpy()
        official = (cr["kind"] == "official").to_numpy()
        ow = reg.links * official[None, :]
        self.official_weights = ow / np.maximum(ow.sum(axis=1, keepdims=True), 1e-12)
        self.has_official = ow.sum(axis=1) > 0

        # labour market calibration and initial states
        s, sy = lc.separation_rate, lc.separation_rate * lc.youth_separation_multiplier
        active = p.active
        youth_share = np.bincount(p.district[active], weights=p.youth[active], minlength=D) / \
            np.maximum(np.bincount(p.district[active], minlength=D), 1)
        self.f0 = lm.calibrate_finding_rate(dist["unemployment_rate"].to_numpy(), youth_share, s, sy)
        # each set-up decision has its own stream with one draw per person, so changing a parameter
        # changes only the decisions it enters (common random numbers for sensitivity sweeps too)
        def draw(name: str) -> np.ndarray:
            return self.streams.generator(name).random(N)

        u_star = np.where(p.youth, sy / (sy + self.f0[p.district]), s / (s + self.f0[p.district]))
        unemp = active & (draw("init_unemployment") < u_star)
        emp = active & ~unemp
        trade_share = dist["trade_job_share"].to_numpy()
        other = 1.0 - trade_share
        shares = np.stack([trade_share, other * lc.agriculture_share, other * (1 - lc.agriculture_share - lc.public_share),
                           other * lc.public_share], axis=1)  # trade, agriculture, services, public
        cum = np.cumsum(shares, axis=1)
        v = draw("init_sector")
        sector = np.minimum((v[:, None] >= cum[p.district]).sum(axis=1), N_MARKET_SECTORS - 1)
        p.state[emp] = EMPLOYED
        p.sector[emp] = sector[emp]
        spell = -np.log1p(-draw("init_unemployment_spell")) / self.f0[p.district]  # exponential, mean 1/f0
        warmup = cfg.households.warmup_days  # days run before day 0 (see _warm_up)
        p.unemployed_since[unemp] = -warmup - np.floor(spell[unemp]).astype(np.int32)
        self.chooser = lm.TraderChooser(tr.district, D)
        self.separation = lm.separation_rates(p, lc)
        in_trade = np.flatnonzero(emp & (p.sector == TRADE))
        has_trader = np.bincount(tr.district, minlength=D) > 0
        no_trader = in_trade[~has_trader[p.district[in_trade]]]
        p.sector[no_trader] = SERVICES  # a district without traders has no trade jobs
        in_trade = in_trade[has_trader[p.district[in_trade]]]
        p.employer[in_trade] = self.chooser.choose(tr.revenue0, p.district[in_trade], draw("init_employer")[in_trade])

        # initial migrants (abroad at day 0, remitting)
        mc = cfg.migration
        self.migration_eligible = np.flatnonzero(p.male & active & (p.age <= mc.max_age))
        mig = self.migration_eligible[draw("init_migrants")[self.migration_eligible] < mc.initial_share]
        p.state[mig] = MIGRANT
        p.sector[mig] = -1
        p.employer[mig] = -1
        abroad_days = np.floor(draw("init_migrant_spell") * 365).astype(np.int32)
        p.since[mig] = -warmup - mc.remittance_lag_days - abroad_days[mig]  # remitting from the start

        # militant groups and their initial members
        rc = cfg.recruitment
        self.eligible = np.flatnonzero(p.male & (p.age >= rc.eligible_min_age) & (p.age <= rc.eligible_max_age))
        self.eligible_slices = DistrictSlices(p.district[self.eligible], D)
        self.eligible_position = np.full(N, -1, dtype=np.int64)
        self.eligible_position[self.eligible] = np.arange(len(self.eligible))
        self.groups = rec.build_groups(rc, reg.names, cfg.population.scale)
        rec.seed_members(p, self.groups, rc, cfg.population.scale, self.eligible, self.streams)

        # the jobs ledger (trader head counts, household wages), traders' workforce and capital
        self.jobs = lm.Jobs(p, self.wages, tr.employees, len(hh))
        tr.base_employees[:] = tr.employees
        trade.set_initial_capital(tr, cfg.trade, lc.wage_trade, self.streams)
        self.demand0 = self._labour_demand_fixed(p)

        # households: savings, then the warm-up (budgets, labour market, migration) before day 0
        self.fpi = np.ones(D)
        self.import_index = np.ones(D)
        hcfg = cfg.households
        need = hh.size * (hcfg.food_need_pkr + hcfg.nonfood_need_pkr)
        hh.savings[:] = hcfg.initial_savings_days * need * \
            self.streams.generator("init_savings").lognormal(-0.5, 1.0, len(hh))
        away = self._warm_up(hhmod.members_away(p))
        income, remit = hhmod.household_income(hh, p, 0, self.jobs.household_wages, hcfg, mc, None, away)
        self.income0 = self.hh_slices.sum(income)
        _, hardship = hhmod.migration_candidates(hh, p, self.migration_eligible)
        self.return_rate = hhmod.calibrate_return_rate(p, away, hardship, mc)

        # group finance: external funding closes the day-0 budget
        militants = away[p.state[away] == rec.MILITANT]  # sorted, as a pass over everyone would give
        members_gd = rec.members_by_district(p, militants, len(self.groups), D)
        self.groups.members[:] = members_gd.sum(axis=1)
        informal_d, formal_d = self._taxable_margins()
        taxes0 = rec.tax_income(self.groups, members_gd, informal_d, formal_d)
        rec.close_budget(self.groups, taxes0)
        self.groups.funds[:] = np.array([gc.initial_funds_days for gc in rc.groups]) * self.groups.pay * \
            self.groups.members

        # recruitment intercept: expected joins = expected attrition on day 0
        self.ct_today = self.ct[0]
        self.shock_today = self.shock[0]
        self.f_today = self.f0.copy()
        self.sector_cum = cum
        self.b0 = -50.0
        if rc.enabled:
            free = p.state[self.eligible] <= INACTIVE
            ties, p_local = self._reach_inputs(militants, members_gd, free)
            cand = self.eligible[free]
            ji = self._join_inputs(cand, ties, p_local)
            ac = cfg.attrition
            ct_m = self.ct[0][p.district[militants]]
            target = float(((ac.kill_rate + ac.arrest_rate) * ct_m + ac.exit_rate).sum())
            self.b0 = rec.calibrate_intercept(ji, target)

        # indicators and Mesa agents
        self.recruits_by_district = np.zeros(D)
        self.funds_by_district = self._funds_by_district(members_gd)
        self.remittances_by_district = self.hh_slices.sum(remit)
        self.spending_by_district = np.zeros(D)
        self.official_throughput_by_district = self._official_throughput(0)
        self.group_taxes = taxes0
        self.recorder = Recorder(reg.names, self.groups.names, days, self.hh_slices, p.district, p.youth,
                                 self.population)
        self.recorder.record(0, self)
        for i in range(len(hh)):
            Household(self, i)
        for i in range(len(tr)):
            Trader(self, i)
        for i in range(len(self.groups)):
            MilitantGroup(self, i)

    def _warm_up(self, away: np.ndarray) -> np.ndarray:
        """Days ``-warmup_days`` to -1 at day-0 conditions (border open, no policy, prices at 1):
        household budgets, the labour market and, if its channel is on, migration. Each warm-up day,
        migrants return at the hazard that balances that day's expected departures and closes any gap
        to the initial stock over 30 days, so the stock keeps its initial size while who is
        unemployed, who is abroad and which households receive remittances settle into the model's
        own dynamics. No trade, recruitment or attrition happens. Returns who is away at day 0.

        Warm-up decisions draw from their own streams (``warmup_labour``, ``warmup_migration``).
        """
        cfg, p, hh, tr = self.par, self.people, self.households, self.traders
        hcfg, mc = cfg.households, cfg.migration
        days = hcfg.warmup_days
        fpi_hh = self.hh_slices.spread(self.fpi)
        f_person = self.person_slices.spread(self.f0.astype(np.float32))
        sector_cum = np.cumsum(self._hiring_shares(self._labour_demand(np.ones(len(tr)), 1.0)), axis=1)
        layoff = trade.layoff_hazard(tr, cfg.trade)
        target = int((p.state[away] == MIGRANT).sum())  # the initial stock (migration.initial_share)
        for k in range(days):
            day = k - days
            lm.labour_day(p, day, self.streams.uniform("warmup_labour", k, len(p)), self.separation, f_person,
                          sector_cum, layoff, tr.revenue0 * tr.activity, self.chooser, self.jobs)
            if cfg.channels.migration:
                cand, hardship = hhmod.migration_candidates(hh, p, self.migration_eligible)
                rate = hhmod.calibrate_return_rate(p, away, hardship, mc, target)
                away = hhmod.migration_day(p, day, lambda idx: self.streams.uniform_at("warmup_migration", k, idx),
                                           mc, rate, away, cand, hardship)
            income, _ = hhmod.household_income(hh, p, day, self.jobs.household_wages, hcfg, mc, None, away)
            hhmod.consume(hh, income, fpi_hh, hhmod.at_home(hh, p, away), hcfg)
        return away

    def _labour_demand(self, activity: np.ndarray, income_index: np.ndarray | float) -> np.ndarray:
        """(D, 4) labour demand by market sector: day-0 employment, trade scaled by traders' activity
        and services by household income (elasticity ``labour.services_income_elasticity``)."""
        demand = self.demand0.copy()
        demand[:, TRADE] = np.bincount(self.traders.district, weights=self.traders.base_employees * activity,
                                       minlength=len(self.district_names))
        demand[:, SERVICES] *= income_index ** self.par.labour.services_income_elasticity
        return demand

    @staticmethod
    def _hiring_shares(demand: np.ndarray) -> np.ndarray:
        """Share of each district's new jobs by sector: its share of labour demand."""
        return demand / np.maximum(demand.sum(axis=1, keepdims=True), 1e-12)

    def _labour_demand_fixed(self, p) -> np.ndarray:
        """(D, 4) day-0 employment by market sector: the baseline labour demand."""
        D = len(self.district_names)
        emp = (p.state == EMPLOYED) & (p.sector >= 0) & (p.sector < N_MARKET_SECTORS)
        key = p.district[emp].astype(np.int64) * N_MARKET_SECTORS + p.sector[emp]
        return np.bincount(key, minlength=D * N_MARKET_SECTORS).reshape(D, N_MARKET_SECTORS).astype(float)

    def _taxable_margins(self) -> tuple[np.ndarray, np.ndarray]:
        tr = self.traders
        D = len(self.district_names)
        formal = self.trader_is_formal
        return (np.bincount(tr.district, weights=tr.revenue * ~formal, minlength=D),
                np.bincount(tr.district, weights=tr.revenue * formal, minlength=D))

    def _funds_by_district(self, members_gd: np.ndarray) -> np.ndarray:
        share = members_gd / np.maximum(members_gd.sum(axis=1, keepdims=True), 1)
        return (share * self.groups.funds[:, None]).sum(axis=0)

    def _official_throughput(self, t: int) -> np.ndarray:
        th = self.official_weights @ self.sched["throughput"][t]
        return np.where(self.has_official, th, np.nan)

    def _reach_inputs(self, militants: np.ndarray, members_gd: np.ndarray, free: np.ndarray):
        """Member contacts per person (None when social ties are off) and local reach per district.

        ``free`` marks the eligible men who could join today (employed, unemployed or inactive).
        """
        p, par = self.people, self.par
        ties = rec.Ties(p.contacts, militants) if par.channels.social_ties else None
        eligible_d = np.maximum(self.eligible_slices.sum(free), 1)
        p_local = np.minimum(1.0, par.recruitment.local_reach * 100.0 * members_gd.sum(axis=0) / eligible_d)
        return ties, p_local

    def _join_inputs(self, cand: np.ndarray, ties, p_local: np.ndarray):
        """Join terms for candidates ``cand`` (see :mod:`sim.recruitment`)."""
        p, par, gr = self.people, self.par, self.groups
        pay_d = np.where(gr.districts, gr.pay_offer[:, None], 0.0).max(axis=0, initial=0.0)
        risk_d = 1.0 - np.exp(-par.recruitment.arrest_constant * self.ct_today)
        return rec.join_inputs(p, cand, self.households.hardship, self.legitimacy, self.shock_today,
                               self._expected_income(cand), pay_d, ties, p_local, risk_d, par.recruitment,
                               par.channels)

    def _expected_income(self, cand: np.ndarray) -> np.ndarray:
        """Expected legitimate income, PKR/day: the wage if employed, else the district's mean new-job wage
        times the chance of finding a job within ``expectation_horizon_days``."""
        p = self.people
        shares = np.diff(np.concatenate([np.zeros((len(self.sector_cum), 1)), self.sector_cum], axis=1), axis=1)
        wbar = shares @ self.wages[:N_MARKET_SECTORS]
        q = 1.0 - np.exp(-self.f_today * self.par.labour.expectation_horizon_days)
        d = p.district[cand]
        sec = p.sector[cand]
        return np.where(p.state[cand] == EMPLOYED, self.wages[np.maximum(sec, 0)], wbar[d] * q[d])

    # ------------------------------------------------------------------ the day

    def step(self) -> None:
        """Advance one day (see the module docstring for the order)."""
        t = int(round(self.time))
        cfg, p, hh, tr, gr = self.par, self.people, self.households, self.traders, self.groups
        D, N = len(self.district_names), len(p)
        lc, ch = cfg.labour, cfg.channels
        self.ct_today, self.shock_today = self.ct[t], self.shock[t]

        # 1-2 border and traders
        activity, premium = self.sched["activity"][t], self.sched["premium"][t]
        trade.trade_day(tr, activity, premium, cfg.trade, lc.wage_trade,
                        self.streams.uniform_at("trader_entry", t, np.arange(len(tr))))
        layoff = trade.layoff_hazard(tr, cfg.trade)

        # 3 prices
        self.import_index = np.where(self.imports_food, self.import_weights @ activity, 1.0)
        self.fpi = hhmod.update_food_price(self.fpi, self.import_index,
                                           self.food_import_share, cfg.prices)

        # 4 labour market
        demand = self._labour_demand(tr.activity, self.hh_slices.sum(hh.income) / np.maximum(self.income0, 1e-9))
        di = demand.sum(axis=1) / np.maximum(self.demand0.sum(axis=1), 1e-9)
        self.f_today = np.minimum(1.0, self.f0 * di ** lc.demand_elasticity)
        self.sector_cum = np.cumsum(self._hiring_shares(demand), axis=1)
        f_person = self.person_slices.spread(self.f_today.astype(np.float32))
        lm.labour_day(p, t, self.streams.uniform("labour", t, N), self.separation, f_person, self.sector_cum,
                      layoff, tr.revenue0 * tr.activity, self.chooser, self.jobs, self.pw_ever)
        pw_employed = 0
        if self.pw_ever:
            on = bool(self.pw_on[t])
            pw_employed = lm.public_works_day(p, t, on, self.pw_slots,
                                              lambda idx: self.streams.uniform_at("public_works", t, idx), self.jobs)

        # 5 migration (away: the one pass over everyone for militants, migrants, detainees and the dead)
        away = hhmod.members_away(p)
        if ch.migration:
            cand, hardship = hhmod.migration_candidates(hh, p, self.migration_eligible)
            away = hhmod.migration_day(p, t, lambda idx: self.streams.uniform_at("migration", t, idx), cfg.migration,
                                       self.return_rate, away, cand, hardship)

        # 6 households
        transfer = None
        spending = np.zeros(D)
        if self.transfer_on[t]:
            ctc = cfg.policy.cash_transfer
            if not self.transfer_on[t - 1]:  # enrol on the first payment day
                hh.transfer_eligible[:] = self.transfer_districts[hh.district] & (hh.hardship >= ctc.hardship_threshold)
            transfer = hh.transfer_eligible * (ctc.amount / 30.0)
            spending += self.hh_slices.sum(transfer)
        income, remit = hhmod.household_income(hh, p, t, self.jobs.household_wages, cfg.households, cfg.migration,
                                               transfer, away)
        hhmod.consume(hh, income, self.hh_slices.spread(self.fpi), hhmod.at_home(hh, p, away), cfg.households)
        if pw_employed:
            pw = p.sector == PUBLIC_WORKS
            spending += np.bincount(p.district[pw], minlength=D) * cfg.policy.public_works.wage_pkr
        n_markets = self.sched["policy_market_days"][t]
        if n_markets:
            for name in cfg.policy.border_markets.crossings:
                j = self.crossing_names.index(name)
                # a 1:1-scale cost, scaled like transfers and wages so spending per person is scale-free
                spending[self.region.home[j]] += cfg.policy.border_markets.cost_pkr_per_day * cfg.population.scale

        # 7 militant groups: finance, attrition, recruitment
        militants = away[p.state[away] == rec.MILITANT]  # sorted, as a pass over everyone would give
        members_gd = rec.members_by_district(p, militants, len(gr), D)
        gr.members[:] = members_gd.sum(axis=1)
        informal_d, formal_d = self._taxable_margins()
        self.group_taxes = rec.tax_income(gr, members_gd, informal_d, formal_d)
        rec.finance_day(gr, self.group_taxes, ch.group_finance)
        rec.attrition_day(p, gr, militants, t, lambda idx: self.streams.uniform_at("attrition", t, idx),
                          self.ct_today, cfg.attrition)
        militants = militants[p.state[militants] == rec.MILITANT]
        members_gd = rec.members_by_district(p, militants, len(gr), D)
        gr.members[:] = members_gd.sum(axis=1)
        recruits = np.empty(0, dtype=np.int64)
        if cfg.recruitment.enabled:
            elig = self.eligible
            u = self.streams.uniform("recruitment", t, len(elig))  # slot i: eligible man i
            free = p.state[elig] <= INACTIVE
            ties, p_local = self._reach_inputs(militants, members_gd, free)
            # only a man reached today can join (join prob = reach x logistic), so the full decision
            # is evaluated only for those whose uniform falls below their reach probability
            reach = self.eligible_slices.spread(p_local)
            if ties is not None:
                pos = self.eligible_position[ties.people]
                ok = pos >= 0
                reach[pos[ok]] = rec.reach_probability(reach[pos[ok]], ties.counts[ok], cfg.recruitment.tie_reach)
            reached = free & (u < reach)
            cand = np.compress(reached, elig)
            ji = self._join_inputs(cand, ties, p_local)
            recruits = rec.recruit_day(p, gr, t, cand, ji, self.b0, np.compress(reached, u), members_gd,
                                       rec.affordable(gr, ch.group_finance), self.jobs)
            gr.members += gr.recruits
        else:
            gr.recruits[:] = 0

        # 8 indicators
        self.recruits_by_district = np.bincount(p.district[recruits], minlength=D)
        militants = np.concatenate([militants, recruits])
        self.funds_by_district = self._funds_by_district(rec.members_by_district(p, militants, len(gr), D))
        self.remittances_by_district = self.hh_slices.sum(remit)
        self.spending_by_district = spending
        self.official_throughput_by_district = self._official_throughput(t)
        self.recorder.record(t, self)
        self.datacollector.collect(self)
        self.running = t < self.days

    def run(self, progress: bool = False) -> "BorderModel":
        """Step to the end of the run (``days``), optionally with a progress bar."""
        t0 = _time.perf_counter()
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
        self.run_seconds = _time.perf_counter() - t0
        return self

    # ------------------------------------------------------------------ reporters

    def _region(self, name: str) -> float:
        return self.recorder.region_value(int(round(self.time)), name)

    @property
    def youth_unemployment_rate(self) -> float:
        return self._region("youth_unemployment_rate")

    @property
    def unemployment_rate(self) -> float:
        return self._region("unemployment_rate")

    @property
    def food_price_index(self) -> float:
        return self._region("food_price_index")

    @property
    def recruits(self) -> int:
        return int(self._region("recruits"))

    @property
    def militants(self) -> int:
        return int(self._region("militants"))

    @property
    def active_traders(self) -> int:
        return int(self._region("active_traders"))

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
