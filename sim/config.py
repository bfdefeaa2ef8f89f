"""Structured configuration: the schema of every scenario, sweep and run.

Each submodel declares its own parameters (``sim/<submodel>.py``, with :func:`sim.params.param`:
unit, valid and plausible range, source, kind); :class:`Config` gathers them into one schema,
registered with Hydra's ConfigStore as ``base_config``. ``configs/config.yaml`` layers a
scenario (``configs/scenario/*.yaml``) on top.

``validate`` checks a composed config: every declared key against its declaration, then the
rules that tie keys together. It raises :class:`ConfigError`, whose message is one line
naming the key, the bad value and what is allowed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from omegaconf import DictConfig, OmegaConf

from .border import BorderParams
from .group_finance import AttritionParams, FinanceParams
from .household_budgets import HouseholdParams
from .labour_market import LabourParams
from .migration import MigrationParams
from .params import RUN, SWITCH, ConfigError, check_booleans, entries, flatten, param, validate_ranges
from .population import PopulationParams
from .prices import PricesParams
from .recruitment import RecruitmentParams
from .state_actions import PolicyParams, StateParams
from .trade import TradeParams

CONFIG_DIR = Path(__file__).resolve().parent.parent / "configs"
SCENARIO_DIR = CONFIG_DIR / "scenario"


# --------------------------------------------------------------------------- schema


@dataclass
class ChannelsParams:
    """Design switches: each mechanism through which a closure can reach recruitment, and migration."""

    opportunity_cost: bool = param(True, "bool", None, SWITCH, "design switch (mechanism: Dube & Vargas, RES 2013)",
                                   "include O = (pay - E)/(pay + E) in the join logit")
    grievance: bool = param(True, "bool", None, SWITCH, "design switch (mechanism: Epstein, PNAS 2002)",
                            "include G = H(1 - L) + casualty shock in the join logit")
    social_ties: bool = param(True, "bool", None, SWITCH, "design switch (mechanism: assumption)",
                              "reach through member contacts and the ties term S in the join logit")
    group_finance: bool = param(True, "bool", None, SWITCH,
                                "design switch (mechanism: Nardin et al. 2019; Dube & Vargas, RES 2013)",
                                "funds limit pay offer and recruitment room, and trigger unpaid exits")
    deterrence: bool = param(True, "bool", None, SWITCH, "design switch (mechanism: Epstein, PNAS 2002)",
                             "include net risk N = R·P in the join logit")
    migration: bool = param(True, "bool", None, SWITCH, "design switch (mechanism: assumption)",
                            "departures and returns of labour migrants")


@dataclass
class Config:
    """The whole configuration: run controls, then one section per submodel (``docs/ODD.md`` §7)."""

    scenario_name: str = param("baseline", "name", None, RUN, "run control",
                               "label of the scenario; names the run directory")
    description: str = param("", "text", None, RUN, "run control", "free-text description of the scenario",
                             changes_results=False)
    compare_to: str = param("", "name", None, RUN, "run control",
                            "the scenario reports compare this one with ('' = the baseline)", changes_results=False)
    library: bool = param(True, "bool", None, RUN, "run control",
                          "whether the scenario belongs to the scenario library (the library sweep, the scenario "
                          "tests and the report's fixed colours); each scenario file says so", changes_results=False)
    seed: int = param(0, "integer", "[0, 4294967295]", RUN, "run control",
                      "base seed: the run seed itself when replicates = 1, else the root from which replicate seeds "
                      "are spawned (§4.9)")
    replicates: int = param(1, "runs", "[1, 100000]", RUN, "run control",
                            "paired replicates per configuration; a multirun sweeps replicate = 0…replicates-1 "
                            "(§4.9)", changes_results=False)
    replicate: int = param(0, "index", "[0, 100000]", RUN, "run control",
                           "this run's replicate index, in [0, replicates); with replicates > 1 the run's seed is "
                           "spawned from (seed, replicate) (§4.9)")
    days: int = param(730, "days", "[1, 36500]", RUN, "run control", "simulated days after day 0 (730 = two years)")
    start_date: str = param("2024-01-16", "date (ISO)", None, RUN,
                            "run control (the day of the strike near Panjgur: CBC News, 2024)",
                            "calendar date of day 1; recorded in the manifest only, no rule reads it")
    progress: bool = param(True, "bool", None, RUN, "run control", "show a progress bar while running",
                           changes_results=False)
    warmup_cache: bool = param(True, "bool", None, RUN, "run control",
                               "reuse the state a build with the same seed, region, code and warm-up inputs left "
                               "after its warm-up, from the on-disk cache (sim/warmup_cache.py; directory "
                               "$BORDER_SIM_WARMUP_CACHE or ~/.cache/border-closure-sim/warmup); results are the "
                               "same bit for bit either way", changes_results=False)
    population: PopulationParams = field(default_factory=PopulationParams)
    channels: ChannelsParams = field(default_factory=ChannelsParams)
    border: BorderParams = field(default_factory=BorderParams)
    trade: TradeParams = field(default_factory=TradeParams)
    labour: LabourParams = field(default_factory=LabourParams)
    households: HouseholdParams = field(default_factory=HouseholdParams)
    prices: PricesParams = field(default_factory=PricesParams)
    migration: MigrationParams = field(default_factory=MigrationParams)
    recruitment: RecruitmentParams = field(default_factory=RecruitmentParams)
    finance: FinanceParams = field(default_factory=FinanceParams)
    attrition: AttritionParams = field(default_factory=AttritionParams)
    state: StateParams = field(default_factory=StateParams)
    policy: PolicyParams = field(default_factory=PolicyParams)


CHANNELS: tuple[str, ...] = tuple(ChannelsParams.__dataclass_fields__)  # the recruitment channels, in schema order
# top-level keys that do not change what a run computes (resume, collection and reports ignore them)
RESULT_NEUTRAL_KEYS: tuple[str, ...] = tuple(e.key for e in entries(Config) if not e.spec.changes_results)


def register() -> None:
    """Register the schema with Hydra's ConfigStore (idempotent)."""
    from hydra.core.config_store import ConfigStore

    ConfigStore.instance().store(name="base_config", node=Config)


# --------------------------------------------------------------------------- loading


class ConfigFileError(ConfigError):
    """A scenario, sweep or calibration file that does not read as one: ``<file>:<line>: what is wrong``."""

    def __init__(self, path: Path | str, line: int, problem: str):
        super().__init__(str(path), line, problem)
        self.path, self.line, self.problem = Path(path), line, problem
        self.args = (f"{path}:{line}: {problem}",)

    def __str__(self) -> str:
        return self.args[0]

    def __reduce__(self):
        return ConfigFileError, (self.path, self.line, self.problem)


def header_package(text: str) -> tuple[str | None, int]:
    """The ``# @package`` of a config file as Hydra reads it (the comment lines before the first setting), and
    the line it is on (or the first line when there is none)."""
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        if not line.startswith("#"):
            break
        match = re.match(r"^#\s*@package\s+(\S*)", line)
        if match:
            return match.group(1), number
    return None, 1


def read_config_file(path: Path) -> DictConfig:
    """A scenario, sweep or calibration overlay as OmegaConf reads it, once it is known to be one: UTF-8 without a
    byte-order mark, ``# @package _global_`` in its header (Hydra would otherwise read every key under the file's
    group), YAML that parses with no key twice in a mapping, and a mapping of settings. Anything else raises
    ConfigFileError naming the file and line."""
    import yaml
    from omegaconf._utils import get_yaml_loader

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigFileError(path, 1, f"cannot be read ({exc.strerror})") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raise ConfigFileError(path, 1, "starts with a byte-order mark (U+FEFF); save it as UTF-8 without one")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigFileError(path, raw[:exc.start].count(b"\n") + 1, "not UTF-8 text") from None
    if not text.strip():
        raise ConfigFileError(path, 1, "an empty file; a config file starts with '# @package _global_' and sets "
                                       "keys")
    package, line = header_package(text)
    if package != "_global_":
        found = "no '# @package' line" if package is None else f"'# @package {package}'"
        raise ConfigFileError(path, line, f"{found}: its header must say '# @package _global_' (without it Hydra "
                                          f"reads every key under the folder's name)")
    try:
        data = yaml.load(text, Loader=get_yaml_loader())
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or "syntax error"
        if problem.startswith("found duplicate key "):
            problem = f"duplicate key {problem.removeprefix('found duplicate key ')!r} (each key once per mapping)"
        raise ConfigFileError(path, mark.line + 1 if mark else 1, problem) from None
    if data is None:
        raise ConfigFileError(path, 1, "only comments; a config file sets keys")
    if not isinstance(data, dict):
        raise ConfigFileError(path, 1, f"a mapping of keys to values, not a {type(data).__name__}")
    return OmegaConf.create(data)


def available_scenarios() -> list[str]:
    return sorted(p.stem for p in SCENARIO_DIR.glob("*.yaml"))


def scenario_file(name: str) -> DictConfig:
    """Scenario ``name``'s file (``configs/scenario/NAME.yaml``); ConfigFileError when it does not read as one."""
    return read_config_file(SCENARIO_DIR / f"{name}.yaml")


def readable_scenario_files() -> dict[str, DictConfig]:
    """Every scenario file that reads as one, by name. A file that does not is left out: a command that selects
    it is refused naming its file and line, and one that does not use it goes on."""
    out = {}
    for name in available_scenarios():
        try:
            out[name] = scenario_file(name)
        except ConfigFileError:
            continue
    return out


def library_scenarios() -> list[str]:
    """The scenario library: the scenario files whose ``library`` flag is true, by name (ConfigFileError when
    one does not read)."""
    return [name for name in available_scenarios() if scenario_file(name).get("library", False) is True]


def load_config(scenario: str = "baseline", overrides: dict[str, Any] | None = None) -> DictConfig:
    """Compose a config without Hydra's app machinery: schema, then scenario, then overrides (:func:`config_with`).

    ``overrides`` maps dotted keys (``"population.scale"``) to values. Used by
    ``BorderModel``'s flat keyword interface and by tests; the command line uses Hydra.
    """
    if scenario not in available_scenarios():
        raise ConfigError("scenario", scenario, "one of " + ", ".join(available_scenarios()))
    scen = scenario_file(scenario)
    check_booleans(Config, flatten(OmegaConf.to_container(scen)), ConfigError)
    try:
        cfg = OmegaConf.merge(OmegaConf.structured(Config), scen)
    except Exception as exc:  # omegaconf validation: wrong type
        raise omegaconf_error(exc) from None
    return config_with(cfg, overrides)


def config_with(config: DictConfig, overrides: dict[str, Any] | None = None) -> DictConfig:
    """A copy of a composed config with ``overrides`` (dotted keys to values) applied and validated, each refused
    as the command line refuses it (an undeclared key, a value of the wrong type, a non-strict boolean)."""
    if not isinstance(config, DictConfig):
        raise ConfigError("config", type(config).__name__, "a DictConfig composed from the schema "
                                                           "(sim.config.load_config(scenario, overrides) makes one)")
    overrides = dict(overrides or {})
    check_booleans(Config, overrides, ConfigError)
    cfg = config.copy()
    try:
        for key, value in overrides.items():
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
    """Turn an OmegaConf/Hydra composition or type error into a one-line ConfigError (the ConfigError that caused
    it, if one did)."""
    seen = exc
    while seen is not None:
        if isinstance(seen, ConfigError):
            return seen
        seen = seen.__cause__ or seen.__context__
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


MIN_HOUSEHOLDS = 10  # per district: below this a run is not a model of the district (a handful of people)


def check_population_size(cfg: DictConfig, region) -> None:
    """Refuse a population too small to be a model: a district of ``region`` (the config's, loaded) with fewer
    than MIN_HOUSEHOLDS households at the configured scale."""
    import numpy as np

    from .population import district_counts

    scale = float(cfg.population.scale)
    _, households = district_counts(region, scale)
    i = int(np.argmin(households))
    if households[i] >= MIN_HOUSEHOLDS:
        return
    d = region.districts.iloc[i]
    need = MIN_HOUSEHOLDS * float(d["household_size"]) / float(d["population"])
    if need > 1:
        raise ConfigError(f"population.region_file[{d['district']}].household_size", float(d["household_size"]),
                          f"a household size giving {d['district']} at least {MIN_HOUSEHOLDS} households at "
                          f"population.scale=1 (population {float(d['population']):g})")
    raise ConfigError("population.scale", scale, f"a scale >= {need:.2g} for this region ({d['district']} would "
                                                 f"have {int(households[i])} household(s); at least "
                                                 f"{MIN_HOUSEHOLDS} per district)")


def validate(cfg: DictConfig, region=None) -> None:
    """Check every key against its declaration, then the rules that tie keys together; raise
    ConfigError on the first problem.

    ``region`` (:func:`sim.region.load_region` of the config's files, once loaded) enables the checks of the
    district names used in groups, strikes and policies, of the official crossings named for border markets
    (the only sites for them), and of the population's size per district. The command line
    (``experiments.checks``) and ``BorderModel`` both call it so.
    """
    validate_ranges(Config, cfg, ConfigError)
    _check(cfg.compare_to == "" or cfg.compare_to in available_scenarios(), "compare_to", cfg.compare_to,
           "empty or the name of a scenario in configs/scenario/")
    days = cfg.days
    _check(cfg.replicate < cfg.replicates, "replicate", cfg.replicate, f"an integer in [0, replicates={cfg.replicates})")
    _check(cfg.border.enforcement * cfg.border.max_interdiction < 1, "border.max_interdiction",
           cfg.border.max_interdiction, "enforcement x max_interdiction < 1 (open informal routes must pass something)")
    _check(cfg.labour.agriculture_share + cfg.labour.public_share <= 1, "labour.public_share",
           cfg.labour.public_share, "agriculture_share + public_share <= 1")
    recruitment = cfg.recruitment
    _check(recruitment.eligible_min_age <= recruitment.eligible_max_age, "recruitment.eligible_max_age",
           recruitment.eligible_max_age, "15 <= eligible_min_age <= eligible_max_age <= 64")
    closure = cfg.border.closure
    if closure.duration_days > 0 or closure.start_day > 0:
        _check(closure.start_day >= 1, "border.closure.start_day", closure.start_day,
               "a day >= 1 when duration_days > 0")
        _check(closure.start_day <= days, "border.closure.start_day", closure.start_day,
               f"a day within the run (1..days={days}); the closure is scheduled beyond the run")
        _check(closure.duration_days >= 1, "border.closure.duration_days", closure.duration_days,
               "an integer >= 1 when start_day is set")
    for name in ("cash_transfer", "public_works"):
        start = getattr(cfg.policy, name).start_day
        _check(start <= days, f"policy.{name}.start_day", start, f"a day within the run (1..days={days})")
    _check(cfg.state.ct_cooperation_day <= days, "state.ct_cooperation_day", cfg.state.ct_cooperation_day,
           f"0 (never) or a day within the run (1..days={days})")
    seen_names = set()
    for i, group in enumerate(recruitment.groups):
        _check(str(group.name).strip() != "", f"recruitment.groups.{i}.name", group.name, "a non-empty name")
        _check(group.name not in seen_names, f"recruitment.groups.{i}.name", group.name,
               "a name no other group has (names: " + ", ".join(g.name for g in recruitment.groups) + ")")
        seen_names.add(group.name)
        _check(len(group.districts) > 0, f"recruitment.groups.{i}.districts", list(group.districts),
               "a non-empty list of district names")
    for i, strike in enumerate(cfg.state.strikes):
        _check(strike.day <= days, f"state.strikes.{i}.day", strike.day, f"a day within the run (1..days={days})")
        for dname, share in strike.spillover.items():
            _check(isinstance(share, (int, float)) and 0 <= share <= 1, f"state.strikes.{i}.spillover.{dname}",
                   share, "a share in [0, 1]")

    if region is None:
        return
    check_population_size(cfg, region)
    known, allowed = set(region.names), "one of " + ", ".join(region.names)
    for i, group in enumerate(recruitment.groups):
        for d in group.districts:
            _check(d in known, f"recruitment.groups.{i}.districts", d, allowed)
    for i, strike in enumerate(cfg.state.strikes):
        for d in [strike.district, *strike.spillover.keys()]:
            # a strike on an Iranian county is allowed when Iran is not modelled: only its spillover counts
            if d == strike.district and not cfg.population.include_iran and d not in known and strike.spillover:
                continue
            _check(d in known, f"state.strikes.{i}.district", d, allowed)
    for name in ("cash_transfer", "public_works"):
        for d in getattr(cfg.policy, name).districts:
            _check(d in known, f"policy.{name}.districts", d, allowed)
    crossings = region.official_crossings
    known_crossings, allowed_crossings = set(crossings), "one of " + ", ".join(crossings)
    for name in cfg.border.markets:
        _check(name in known_crossings, "border.markets", name, allowed_crossings)
    for name in cfg.policy.border_markets.crossings:
        _check(name in known_crossings, "policy.border_markets.crossings", name, allowed_crossings)
