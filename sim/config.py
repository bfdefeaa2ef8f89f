"""Structured configuration: the schema of every scenario, sweep and run.

The dataclasses below are registered with Hydra's ConfigStore as ``base_config``;
``configs/config.yaml`` layers a scenario (``configs/scenario/*.yaml``) on top.
Every field carries its unit in the comment; ``docs/ODD.md`` lists each with its
default and its source or the word *assumption*.

``validate`` checks a composed config and raises :class:`ConfigError`, whose
message is one line naming the key, the bad value and what is allowed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
SCENARIO_DIR = CONFIG_DIR / "scenario"


class ConfigError(ValueError):
    """A bad configuration value: ``key=value: what is allowed``."""

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}={value!r}: {allowed}")

    def __reduce__(self):  # a sweep job's error travels back from its worker process pickled
        return ConfigError, (self.key, self.value, self.allowed)


# --------------------------------------------------------------------------- schema


@dataclass
class PopulationConfig:
    scale: float = 1.0  # fraction of the 1:1 census population, in (0, 1]
    region_file: str = "pakistan"  # bundled name (sim/data/region_<name>.csv) or a CSV path
    crossings_file: str = "crossings"  # bundled name or CSV path
    include_iran: bool = False  # add the Iranian-side counties (assumption figures)
    working_age_share: float = 0.52  # working-age (15-64) share of population; assumption
    age_decay: float = 0.03  # 1/year, slope of the working-age age pyramid; assumption
    male_participation: float = 0.85  # labour-force participation of men 15-64; assumption
    female_participation: float = 0.12  # labour-force participation of women 15-64; assumption
    contacts_per_person: int = 8  # social contacts per working-age person; assumption
    village_households: int = 150  # households per village (contact pool); assumption


@dataclass
class ChannelsConfig:
    opportunity_cost: bool = True  # expected legitimate income vs militant pay
    grievance: bool = True  # Epstein G = H(1-L) plus casualty shocks
    social_ties: bool = True  # reach and pull through contacts who are members
    group_finance: bool = True  # funds from taxation limit pay and membership
    deterrence: bool = True  # net risk R*P from counter-terrorism intensity
    migration: bool = True  # households send unemployed men abroad


@dataclass
class ClosureConfig:
    start_day: int = 0  # first closed day (1 = first simulated day); 0 = no closure
    duration_days: int = 0  # days fully/partly closed; 0 = no closure
    official_throughput: float = 0.0  # fraction of official trade passing while closed, [0, 1]
    informal_throughput: float = 0.2  # fraction of informal traffic passing while closed; 400/2000 vehicles, Friday Times 2021
    reopening_days: int = 0  # length of the phased (linear) reopening after the closure


@dataclass
class BorderConfig:
    closure: ClosureConfig = field(default_factory=ClosureConfig)
    enforcement: float = 0.1  # baseline enforcement on informal routes, [0, 1]; assumption
    max_interdiction: float = 0.5  # share of informal traffic seized at enforcement 1; assumption
    smuggling_premium: float = 0.5  # margin uplift per unit of interdiction risk; assumption
    markets: list[str] = field(default_factory=lambda: ["mand_pishin"])  # sustenance markets operating (Mand-Pishin since May 2023)
    market_throughput: float = 0.1  # share of official trade a market keeps open during a closure; assumption


@dataclass
class TradeConfig:
    formal_margin: float = 0.05  # trader margin on official trade value; assumption
    fuel_margin_pkr_per_litre: float = 40.0  # PKR/litre smuggler margin; assumption
    goods_margin: float = 0.10  # margin on informal goods value; assumption
    fixed_cost_share: float = 0.3  # fixed cost as share of baseline revenue, per day; assumption
    capital_days: float = 60.0  # mean initial capital in days of baseline costs; assumption
    capital_sigma: float = 1.0  # lognormal dispersion of trader capital; assumption
    layoff_rate: float = 0.05  # 1/day layoff hazard per unit volume shortfall; assumption
    reentry_rate: float = 0.00556  # 1/day re-entry hazard of exited traders at full throughput (mean 180 d); assumption
    reentry_capital: float = 0.5  # capital on re-entry as share of initial; assumption


@dataclass
class LabourConfig:
    separation_rate: float = 0.00137  # 1/day job separation hazard (mean tenure 2 years); assumption
    youth_separation_multiplier: float = 1.5  # youth (15-29) separation relative to adults; assumption
    demand_elasticity: float = 1.0  # elasticity of job finding to labour demand; assumption
    services_income_elasticity: float = 0.5  # local-services demand response to household income; assumption
    wage_trade: float = 600.0  # PKR/day; Rs 18,000/month for a fuel driver (Friday Times 2021)
    wage_agriculture: float = 350.0  # PKR/day; assumption
    wage_services: float = 500.0  # PKR/day; assumption
    wage_public: float = 1200.0  # PKR/day; assumption
    agriculture_share: float = 0.30  # share of non-trade jobs in agriculture & livestock; assumption
    public_share: float = 0.10  # share of non-trade jobs in the public sector; assumption
    expectation_horizon_days: float = 180.0  # horizon over which a job seeker values job finding; assumption


@dataclass
class HouseholdConfig:
    food_need_pkr: float = 90.0  # PKR/person/day food basket at price index 1; assumption
    nonfood_need_pkr: float = 40.0  # PKR/person/day essentials; assumption
    own_production_pkr: float = 150.0  # PKR/household/day livestock & crop own production; assumption
    surplus_consumption: float = 0.7  # share of income above need that is consumed; assumption
    initial_savings_days: float = 20.0  # mean initial savings, days of need; assumption
    hardship_buffer_days: float = 90.0  # savings are spread over this many days in the hardship index; assumption
    warmup_days: int = 365  # days households, labour market and migration run before day 0 (model._warm_up); assumption
    food_insecure_threshold: float = 0.9  # food spending below this share of need = food insecure; assumption


@dataclass
class PricesConfig:
    adjustment_rate: float = 0.1429  # 1/day speed of price adjustment (a week); assumption
    import_price_elasticity: float = 0.5  # inverse elasticity of the import price to supply; assumption
    substitution_premium: float = 0.6  # max import price rise before up-country supply substitutes; assumption


@dataclass
class MigrationConfig:
    hardship_threshold: float = 0.3  # household hardship above which members leave; assumption
    max_rate: float = 0.005  # 1/day departure hazard at hardship 1; assumption
    remittance_pkr: float = 1200.0  # PKR/day sent per migrant; assumption
    remittance_lag_days: int = 60  # days before the first remittance arrives; assumption
    initial_share: float = 0.04  # share of working-age men abroad at start; assumption
    max_age: int = 39  # oldest age that migrates; assumption


@dataclass
class GroupConfig:
    name: str = "group"
    districts: list[str] = field(default_factory=list)  # districts of operation
    members: int = 1000  # initial members in the modelled districts; assumption
    pay_pkr: float = 800.0  # PKR/day pay offer per member; assumption
    capacity: int = 20  # max recruits/day the group can absorb; assumption
    smuggling_tax: float = 0.01  # share of informal trade margin taxed; assumption
    trade_tax: float = 0.002  # share of official trade margin taxed; assumption
    initial_funds_days: float = 180.0  # initial funds in days of payroll; assumption
    funding_horizon_days: float = 90.0  # payroll days a group wants covered before recruiting; assumption


@dataclass
class RecruitmentConfig:
    enabled: bool = True  # switch recruitment off altogether (tests, labour-market checks)
    eligible_min_age: int = 15
    eligible_max_age: int = 49  # assumption
    youth_propensity: float = 1.0  # logit shift for youth 15-29; assumption
    weight_grievance: float = 4.0  # logit weight on G; assumption
    weight_opportunity: float = 3.0  # logit weight on (pay-E)/(pay+E); assumption
    weight_ties: float = 2.0  # logit weight on tie exposure; assumption
    weight_risk: float = 4.0  # logit weight on net risk N = R*P; assumption
    local_reach: float = 0.002  # 1/day chance of being reached per percentage point of members among the district's free eligible men; assumption
    tie_reach: float = 0.01  # 1/day chance of being reached per member contact; assumption
    ties_saturation: int = 2  # member contacts at which the ties term saturates; assumption
    arrest_constant: float = 2.3  # Epstein k in P = 1 - exp(-k * CT)
    groups: list[GroupConfig] = field(
        default_factory=lambda: [
            GroupConfig(name="makran_front", districts=["kech", "panjgur", "gwadar"], members=2000),
            GroupConfig(name="rakhshan_army", districts=["chagai", "washuk", "panjgur"], members=1000),
        ]
    )


@dataclass
class AttritionConfig:
    kill_rate: float = 0.0005  # 1/day per unit CT intensity; assumption
    arrest_rate: float = 0.0008  # 1/day per unit CT intensity; assumption
    exit_rate: float = 0.0005  # 1/day voluntary exit; assumption
    unpaid_exit_multiplier: float = 5.0  # exit hazard multiplier when a group cannot pay; assumption
    detention_days: int = 365  # days an arrested member is held; assumption


@dataclass
class StrikeConfig:
    day: int = 1  # day of the strike (1 = first simulated day)
    district: str = ""  # district or Iranian county hit
    killed: int = 0  # civilians killed
    injured: int = 0  # civilians injured
    spillover: dict[str, float] = field(default_factory=dict)  # district -> share of the shock felt there


@dataclass
class StateConfig:
    ct_intensity: float = 0.3  # baseline counter-terrorism intensity, an index standing in for Epstein's cops-per-active ratio; assumption
    ct_cooperation_day: int = 0  # day joint Pakistan-Iran CT coordination starts; 0 = never
    ct_cooperation_multiplier: float = 1.5  # CT intensity multiplier under joint coordination; assumption
    casualty_grievance: float = 0.02  # grievance per civilian killed in the district; assumption
    injured_weight: float = 0.5  # an injury counts as this share of a death; assumption
    grievance_half_life_days: float = 180.0  # decay of casualty grievance; assumption
    strikes: list[StrikeConfig] = field(default_factory=list)


@dataclass
class CashTransferConfig:
    amount: float = 0.0  # PKR per household per month (paid daily as amount/30)
    start_day: int = 1
    duration_days: int = 0  # 0 = until the end of the run
    hardship_threshold: float = 0.0  # households with hardship >= this are paid, [0, 1]
    districts: list[str] = field(default_factory=list)  # empty = all districts


@dataclass
class PublicWorksConfig:
    jobs: int = 0  # jobs per 100,000 people in each covered district
    wage_pkr: float = 600.0  # PKR/day
    start_day: int = 1
    duration_days: int = 0  # 0 = until the end of the run
    districts: list[str] = field(default_factory=list)  # empty = all districts


@dataclass
class BorderMarketsConfig:
    crossings: list[str] = field(default_factory=list)  # extra sustenance markets opened by the policy
    throughput: float = 0.25  # share of official trade a policy market keeps open during a closure
    cost_pkr_per_day: float = 500000.0  # running cost per market per day at 1:1 scale (scaled with population.scale); assumption


@dataclass
class PolicyConfig:
    cash_transfer: CashTransferConfig = field(default_factory=CashTransferConfig)
    public_works: PublicWorksConfig = field(default_factory=PublicWorksConfig)
    border_markets: BorderMarketsConfig = field(default_factory=BorderMarketsConfig)


@dataclass
class Config:
    scenario_name: str = "baseline"
    description: str = ""
    seed: int = 0  # base seed; with replicates > 1 each replicate runs with a seed spawned from it
    replicates: int = 1  # paired replicates per configuration (a multirun sweeps replicate=0..replicates-1)
    replicate: int = 0  # this run's replicate index, in [0, replicates)
    days: int = 730
    start_date: str = "2024-01-16"  # calendar date of day 1 (the Panjgur strike)
    progress: bool = True
    population: PopulationConfig = field(default_factory=PopulationConfig)
    channels: ChannelsConfig = field(default_factory=ChannelsConfig)
    border: BorderConfig = field(default_factory=BorderConfig)
    trade: TradeConfig = field(default_factory=TradeConfig)
    labour: LabourConfig = field(default_factory=LabourConfig)
    households: HouseholdConfig = field(default_factory=HouseholdConfig)
    prices: PricesConfig = field(default_factory=PricesConfig)
    migration: MigrationConfig = field(default_factory=MigrationConfig)
    recruitment: RecruitmentConfig = field(default_factory=RecruitmentConfig)
    attrition: AttritionConfig = field(default_factory=AttritionConfig)
    state: StateConfig = field(default_factory=StateConfig)
    policy: PolicyConfig = field(default_factory=PolicyConfig)


CHANNELS: tuple[str, ...] = tuple(ChannelsConfig.__dataclass_fields__)  # the recruitment channels, in schema order
# top-level keys that do not change what a run computes (resume, collection and reports ignore them)
RESULT_NEUTRAL_KEYS: tuple[str, ...] = ("progress", "replicates", "description")


def register() -> None:
    """Register the schema with Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="base_config", node=Config)


# --------------------------------------------------------------------------- loading


def available_scenarios() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def load_config(scenario: str = "baseline", overrides: dict[str, Any] | None = None) -> DictConfig:
    """Compose a config without Hydra's app machinery: schema, then scenario, then overrides.

    ``overrides`` maps dotted keys (``"population.scale"``) to values. Used by
    ``BorderModel``'s flat keyword interface and by tests; the command line uses Hydra.
    """
    if scenario not in available_scenarios():
        raise ConfigError("scenario", scenario, "one of " + ", ".join(available_scenarios()))
    cfg = OmegaConf.structured(Config)
    scen = OmegaConf.load(SCENARIO_DIR / f"{scenario}.yaml")
    try:
        cfg = OmegaConf.merge(cfg, scen)
        for key, value in (overrides or {}).items():
            if OmegaConf.select(cfg, key, default="__missing__") == "__missing__":
                raise ConfigError(key, value, "not a config key")
            OmegaConf.update(cfg, key, value, merge=True)
    except ConfigError:
        raise
    except Exception as exc:  # omegaconf validation: wrong type
        raise omegaconf_error(exc) from None
    validate(cfg)
    return cfg


def omegaconf_error(exc: BaseException) -> ConfigError:
    """Turn an OmegaConf/Hydra composition or type error into a one-line ConfigError."""
    seen = exc
    while seen is not None:
        key = getattr(seen, "full_key", None)
        if key:
            first = str(seen).splitlines()[0]
            value = getattr(seen, "value", None)
            if "not in" in first or type(seen).__name__ == "ConfigAttributeError":
                return ConfigError(key, value, "not a config key (see configs/ and sim/config.py for the schema)")
            for word, name in (("Integer", "an integer"), ("Float", "a number"), ("valid bool", "true or false"),
                               ("ListConfig", "a list, e.g. [a,b]"), ("DictConfig", "a mapping")):
                if word in first:
                    return ConfigError(key, value, f"expected {name}")
            return ConfigError(key, value, first)
        seen = seen.__cause__ or seen.__context__
    return ConfigError("config", None, str(exc).splitlines()[0])


# --------------------------------------------------------------------------- validation


def _check(cond: bool, key: str, value: Any, allowed: str) -> None:
    if not cond:
        raise ConfigError(key, value, allowed)


def _prob(cfg: DictConfig, key: str) -> None:
    v = OmegaConf.select(cfg, key)
    _check(isinstance(v, (int, float)) and 0.0 <= v <= 1.0, key, v, "a probability in [0, 1]")


def _nonneg(cfg: DictConfig, key: str) -> None:
    v = OmegaConf.select(cfg, key)
    _check(isinstance(v, (int, float)) and math.isfinite(v) and v >= 0, key, v, "a number >= 0")


def _positive(cfg: DictConfig, key: str) -> None:
    v = OmegaConf.select(cfg, key)
    _check(isinstance(v, (int, float)) and math.isfinite(v) and v > 0, key, v, "a number > 0")


PROBABILITIES = [
    "population.working_age_share", "population.male_participation", "population.female_participation",
    "border.closure.official_throughput", "border.closure.informal_throughput", "border.enforcement",
    "border.max_interdiction", "border.market_throughput", "trade.formal_margin", "trade.goods_margin",
    "trade.layoff_rate", "trade.reentry_rate", "labour.separation_rate", "labour.agriculture_share",
    "labour.public_share", "households.surplus_consumption", "households.food_insecure_threshold",
    "prices.adjustment_rate", "migration.hardship_threshold", "migration.max_rate",
    "migration.initial_share", "recruitment.local_reach", "recruitment.tie_reach", "attrition.kill_rate",
    "attrition.arrest_rate", "attrition.exit_rate", "policy.cash_transfer.hardship_threshold",
    "policy.border_markets.throughput",
]
NONNEGATIVE = [
    "trade.fuel_margin_pkr_per_litre", "trade.fixed_cost_share", "trade.capital_days",
    "trade.capital_sigma", "trade.reentry_capital", "labour.demand_elasticity", "labour.services_income_elasticity",
    "labour.wage_trade", "labour.wage_agriculture", "labour.wage_services", "labour.wage_public",
    "households.food_need_pkr", "households.nonfood_need_pkr", "households.own_production_pkr",
    "households.initial_savings_days", "prices.import_price_elasticity", "prices.substitution_premium",
    "migration.remittance_pkr", "state.ct_intensity", "state.ct_cooperation_multiplier",
    "state.casualty_grievance", "state.injured_weight", "attrition.unpaid_exit_multiplier",
    "policy.cash_transfer.amount", "policy.public_works.wage_pkr", "policy.border_markets.cost_pkr_per_day",
    "recruitment.weight_grievance", "recruitment.weight_opportunity", "recruitment.weight_ties",
    "recruitment.weight_risk", "recruitment.arrest_constant", "border.smuggling_premium",
]
POSITIVE = [
    "labour.expectation_horizon_days", "households.hardship_buffer_days", "state.grievance_half_life_days",
]


def validate(cfg: DictConfig, districts: list[str] | None = None, crossings: list[str] | None = None) -> None:
    """Check ranges and cross-field rules; raise ConfigError on the first problem.

    ``districts`` (names from the region file) and ``crossings`` (the official
    crossings, the only sites for border markets) enable the checks of names used
    in groups, strikes and policies.
    """
    days = cfg.days
    _check(isinstance(days, int) and days > 0, "days", days, "an integer > 0")
    _check(isinstance(cfg.seed, int) and cfg.seed >= 0, "seed", cfg.seed, "an integer >= 0")
    _check(isinstance(cfg.replicates, int) and cfg.replicates >= 1, "replicates", cfg.replicates, "an integer >= 1")
    _check(isinstance(cfg.replicate, int) and 0 <= cfg.replicate < cfg.replicates, "replicate", cfg.replicate,
           f"an integer in [0, replicates={cfg.replicates})")
    for key in ("households.warmup_days", "migration.remittance_lag_days"):
        v = OmegaConf.select(cfg, key)
        _check(isinstance(v, int) and not isinstance(v, bool) and v >= 0, key, v, "an integer >= 0")
    s = cfg.population.scale
    _check(isinstance(s, (int, float)) and 0 < s <= 1, "population.scale", s, "a fraction in (0, 1]")
    for key in PROBABILITIES:
        _prob(cfg, key)
    for key in NONNEGATIVE:
        _nonneg(cfg, key)
    for key in POSITIVE:
        _positive(cfg, key)
    _check(cfg.population.contacts_per_person >= 1, "population.contacts_per_person",
           cfg.population.contacts_per_person, "an integer >= 1")
    _check(cfg.population.village_households >= 2, "population.village_households",
           cfg.population.village_households, "an integer >= 2")
    _check(cfg.border.enforcement * cfg.border.max_interdiction < 1, "border.max_interdiction",
           cfg.border.max_interdiction, "enforcement x max_interdiction < 1 (open informal routes must pass something)")
    _check(cfg.migration.hardship_threshold < 1, "migration.hardship_threshold", cfg.migration.hardship_threshold,
           "a hardship level in [0, 1)")
    _check(cfg.labour.agriculture_share + cfg.labour.public_share <= 1, "labour.public_share",
           cfg.labour.public_share, "agriculture_share + public_share <= 1")
    rec = cfg.recruitment
    _check(15 <= rec.eligible_min_age <= rec.eligible_max_age <= 64, "recruitment.eligible_max_age",
           rec.eligible_max_age, "15 <= eligible_min_age <= eligible_max_age <= 64")

    c = cfg.border.closure
    for key in ("start_day", "duration_days", "reopening_days"):
        v = c[key]
        _check(isinstance(v, int) and v >= 0, f"border.closure.{key}", v, "an integer >= 0")
    if c.duration_days > 0 or c.start_day > 0:
        _check(c.start_day >= 1, "border.closure.start_day", c.start_day,
               "a day >= 1 when duration_days > 0")
        _check(c.start_day <= days, "border.closure.start_day", c.start_day,
               f"a day within the run (1..days={days}); the closure is scheduled beyond the run")
        _check(c.duration_days >= 1, "border.closure.duration_days", c.duration_days,
               "an integer >= 1 when start_day is set")
    for name, pol in (("cash_transfer", cfg.policy.cash_transfer), ("public_works", cfg.policy.public_works)):
        _check(isinstance(pol.start_day, int) and 1 <= pol.start_day <= days, f"policy.{name}.start_day",
               pol.start_day, f"a day within the run (1..days={days})")
        _check(isinstance(pol.duration_days, int) and pol.duration_days >= 0, f"policy.{name}.duration_days",
               pol.duration_days, "an integer >= 0 (0 = until the end)")
    _check(cfg.policy.public_works.jobs >= 0, "policy.public_works.jobs", cfg.policy.public_works.jobs,
           "an integer >= 0")
    cd = cfg.state.ct_cooperation_day
    _check(isinstance(cd, int) and 0 <= cd <= days, "state.ct_cooperation_day", cd,
           f"0 (never) or a day within the run (1..days={days})")
    for i, g in enumerate(rec.groups):
        _check(g.members >= 0, f"recruitment.groups.{i}.members", g.members, "an integer >= 0")
        _check(g.capacity >= 0, f"recruitment.groups.{i}.capacity", g.capacity, "an integer >= 0")
        _check(g.pay_pkr >= 0, f"recruitment.groups.{i}.pay_pkr", g.pay_pkr, "a number >= 0")
        for k in ("smuggling_tax", "trade_tax"):
            _check(0 <= g[k] <= 1, f"recruitment.groups.{i}.{k}", g[k], "a probability in [0, 1]")
        _check(g.funding_horizon_days > 0, f"recruitment.groups.{i}.funding_horizon_days",
               g.funding_horizon_days, "a number > 0")
        _check(len(g.districts) > 0, f"recruitment.groups.{i}.districts", list(g.districts),
               "a non-empty list of district names")
    for i, st in enumerate(cfg.state.strikes):
        _check(isinstance(st.day, int) and 1 <= st.day <= days, f"state.strikes.{i}.day", st.day,
               f"a day within the run (1..days={days})")
        _check(st.killed >= 0 and st.injured >= 0, f"state.strikes.{i}.killed", st.killed,
               "casualty counts >= 0")
        for dname, share in st.spillover.items():
            _check(0 <= share <= 1, f"state.strikes.{i}.spillover.{dname}", share, "a share in [0, 1]")

    if districts is not None:
        known = set(districts)
        allowed = "one of " + ", ".join(districts)
        for i, g in enumerate(rec.groups):
            for d in g.districts:
                _check(d in known, f"recruitment.groups.{i}.districts", d, allowed)
        for i, st in enumerate(cfg.state.strikes):
            names = [st.district, *st.spillover.keys()]
            for d in names:
                # a strike on an Iranian county is allowed when Iran is not modelled: only its spillover counts
                if d == st.district and not cfg.population.include_iran and d not in known and st.spillover:
                    continue
                _check(d in known, f"state.strikes.{i}.district", d, allowed)
        for name in ("cash_transfer", "public_works"):
            for d in cfg.policy[name].districts:
                _check(d in known, f"policy.{name}.districts", d, allowed)
    if crossings is not None:
        known_c = set(crossings)
        allowed_c = "one of " + ", ".join(crossings)
        for c_name in cfg.border.markets:
            _check(c_name in known_c, "border.markets", c_name, allowed_c)
        for c_name in cfg.policy.border_markets.crossings:
            _check(c_name in known_c, "policy.border_markets.crossings", c_name, allowed_c)
