"""Militant groups: revenue, its allocation, expected attacks and member attrition.

**Revenue** (channel ``group_finance``; Nardin et al. 2019, rapacity in Dube & Vargas 2013). Four
sources, each sized on its own from the group's districts (split between groups ∝ members there)
and none derived from another:

- a tax on the informal margin: ``smuggling_tax`` × the smugglers' margin revenue today;
- a tax on formal trade: ``trade_tax`` × the formal importers' margin revenue today;
- extortion of local business and transport: ``extortion_rate`` × today's business and transport
  income (wages paid in trade and local services, and the profit traders withdraw), so it falls
  with trade, because transporters, traders and shops are who pay it;
- external support: ``external_support_pkr`` a day per day-0 member, a fixed amount.

**Allocation** (a **structural choice**, ``finance.allocation_rule``, because nothing observed
pins it down and it decides the sign of a long closure's effect on recruitment; ODD §7.8.1).
Day 0 balances: revenue R0 = payroll P0 + operations O0 + saving ``saving_rate`` × R0, so
O0 = (1 - saving_rate) R0 - P0 (weapons, logistics), floored at 0; a group whose day-0 revenue
cannot pay its members draws down its reserve from day 0. Each day all revenue R enters the
funds; the spendable part is D = (1 - saving_rate) R, and the rule says how a shortfall is shared:

- ``payroll_first``: members are paid from funds; operations take what is left of D after
  payroll, up to O0.
- ``operations_first``: operations O0 are a standing commitment paid from funds; members are
  paid from what is left.
- ``proportional``: operations take their day-0 share O0 / (P0 + O0) of D, up to O0; members
  are paid from funds.

Funds start at ``initial_funds_days`` of payroll. The pay offered is ``pay × min(1, adequacy)``,
adequacy = funds / (pay × members × funding_horizon_days); a group recruits only while funds
cover ``funding_horizon_days`` of payroll for the new member too; a group that cannot pay its
members sees exits rise by ``unpaid_exit_multiplier``. With the channel off, funds are still
booked but never limit pay, recruitment or exits.

**Expected attacks** a day need men and money (a production function; assumption, see ODD
§7.8.1): ``E = attacks_per_member × M0 × (M / M0)^β × (φ + (1 - φ) · O / O0)^θ``, with β
``attack_manpower_elasticity``, θ ``attack_spending_elasticity`` (< 1: diminishing returns to
money) and φ ``attack_capacity_without_spending``, the share of attack capacity that needs no
operations budget (fighters hold their own arms). A group with members never falls to exactly zero
expected attacks. An output to compare with incident data, read by no rule.

**Attrition.** A member is killed with daily hazard ``kill_rate × CT_d × s``, arrested with
``arrest_rate × CT_d × s`` (detained ``detention_days``, then home) and leaves with
``exit_rate × s``, where s = (M / M0)^``size_elasticity`` grows with the group's size M relative
to its day-0 size M0: a larger group is more exposed to detection and infiltration and harder
to hold together (assumption). That is membership's restoring force: recruitment grows in
proportion to members (reach through presence and ties), attrition faster, so a group pushed
above or below its baseline size returns to it, with half-life about ln 2 / (γ h) for h the
day-0 attrition hazard. Leavers and released detainees return to their households as
unemployed (or inactive). With no recruitment and γ = 0, membership decays as
``M0 (1 - h)^t``, half-life ``ln 2 / -ln(1 - h)``.

Recruitment, the third part of the groups' day, is :mod:`sim.recruitment`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import EMPIRICAL, SCENARIO, STRUCTURAL, param
from .population import DEAD, DETAINED, INACTIVE, MILITANT, SERVICES, TRADE, UNEMPLOYED, People
from .roster import Roster


@dataclass
class GroupParams:
    name: str = param("group", "name", None, SCENARIO, "scenario input",
                      "group name (defaults: makran_front, rakhshan_army)")
    districts: list[str] = param([], "list of district names", None, EMPIRICAL,
                                 "assumption: Makran for the BLF-like group, the Rakhshan border for the other",
                                 "districts where the group operates, taxes and recruits (defaults: makran_front "
                                 "kech, panjgur, gwadar; rakhshan_army chagai, washuk, panjgur)")
    members: int = param(1000, "people at scale 1", "[0, 1000000]", EMPIRICAL,
                         "assumption within reports of 500-3,000 BLA fighters and 5,000-10,000 in all Baloch "
                         "separatist groups (calibration-targets §6, weak)",
                         "initial members (defaults: makran_front 2000, rakhshan_army 1000)",
                         plausible=(500, 3000, "integer"))
    pay_pkr: float = param(500.0, "PKR/day per member", "[0, 100000]", EMPIRICAL,
                           "Rs 15,000/month (Rs 500/day) given to a Baloch fighter (NBC interview, about 2015; "
                           "weak, one interview)", "nominal pay per member", plausible=(350.0, 800.0))
    capacity: int = param(20, "recruits/day at scale 1", "[0, 100000]", EMPIRICAL,
                          "assumption: training and arms limit intake", "most recruits a group absorbs a day "
                          "(scaled, without a floor: an intake allowance that accumulates)", plausible=(5, 50, "integer"))
    smuggling_tax: float = param(0.01, "share of informal margin", "[0, 1]", EMPIRICAL,
                                 "assumption: no sourced figure for taxes on the fuel trade (calibration-targets "
                                 "§6)", "share of the informal traders' margin taxed",
                                 plausible=(0.003, 0.03, "loguniform"))
    trade_tax: float = param(0.002, "share of formal margin", "[0, 1]", EMPIRICAL,
                             "assumption: extortion of formal trade, smaller than of smuggling",
                             "share of the formal traders' margin taxed", plausible=(0.0005, 0.005, "loguniform"))
    extortion_rate: float = param(0.005, "share of business and transport income", "[0, 1]", EMPIRICAL,
                                  "assumption: BLF's means of revenue is extortion (docs/sources/calibration-targets.md "
                                  "§6), with no figure; half a percent of the wages and profits of trade and local "
                                  "services", "share of the business and transport income of the group's districts "
                                  "taken as extortion", plausible=(0.001, 0.02, "loguniform"))
    external_support_pkr: float = param(100.0, "PKR/day per day-0 member", "[0, 100000]", EMPIRICAL,
                                        "assumption: outside support is alleged but unquantified",
                                        "external support, a fixed amount (× the group's day-0 members)",
                                        plausible=(0.0, 300.0))
    initial_funds_days: float = param(180.0, "days of payroll", "[0, 36500]", EMPIRICAL,
                                      "assumption: half a year of payroll in reserve",
                                      "initial funds = days × pay × initial members", plausible=(60.0, 365.0))
    funding_horizon_days: float = param(90.0, "days of payroll", "(0, 36500]", EMPIRICAL,
                                        "assumption: a group recruits while a quarter's payroll is covered",
                                        "payroll days a group wants covered (pay offer adequacy and recruitment "
                                        "room)", plausible=(30.0, 180.0))


ALLOCATION_RULES = ("payroll_first", "operations_first", "proportional")


@dataclass
class FinanceParams:
    allocation_rule: str = param("payroll_first", "rule", None, STRUCTURAL,
                                 "assumption: no source describes how Baloch groups budget; groups pay upkeep per "
                                 "rebel and shed members when costs exceed wealth (Nardin et al. 2019)",
                                 "how a group shares a revenue shortfall between payroll and operations (module "
                                 "docstring of sim/group_finance.py)", choices=ALLOCATION_RULES)
    saving_rate: float = param(0.05, "share of revenue", "[0, 1)", EMPIRICAL,
                               "assumption: a small reserve is put aside from every day's revenue",
                               "share of each day's revenue saved (the rest is spent on payroll and operations)",
                               plausible=(0.0, 0.2))
    attacks_per_member: float = param(0.0003, "attacks/day per member", "[0, 1]", EMPIRICAL,
                                      "assumption: of the order of a few hundred attacks a year in Balochistan by a "
                                      "few thousand fighters", "expected attacks a day per member at day-0 size "
                                      "and operations spending", plausible=(0.0001, 0.001, "loguniform"))
    attack_manpower_elasticity: float = param(1.0, "elasticity", "[0, 3]", EMPIRICAL,
                                              "assumption: attacks are labour-intensive (Iyengar, Monten & Hanson "
                                              "2011); no estimate of the elasticity was found",
                                              "β: expected attacks ∝ (members / day-0 members)^β",
                                              plausible=(0.5, 1.0))
    attack_spending_elasticity: float = param(0.5, "elasticity", "[0, 1]", EMPIRICAL,
                                              "assumption: diminishing returns to money; no estimate was found",
                                              "θ: expected attacks ∝ (φ + (1 - φ) · operations / day-0 "
                                              "operations)^θ", plausible=(0.2, 0.9))
    attack_capacity_without_spending: float = param(
        0.25, "share", "(0, 1]", EMPIRICAL,
        "assumption: a fighter given a motorbike and a Kalashnikov was told to rob or extort for his own cash "
        "(NBC interview, about 2015)", "φ: share of attack capacity that needs no operations budget",
        plausible=(0.1, 0.5))


@dataclass
class AttritionParams:
    kill_rate: float = param(0.0005, "1/day per unit CT", "[0, 1]", EMPIRICAL,
                             "assumption: of the order of 600 rebels killed in 13 months (Geo, about 2016) "
                             "among several thousand", "member death hazard κ·CT",
                             plausible=(0.0002, 0.001, "loguniform"))
    arrest_rate: float = param(0.0008, "1/day per unit CT", "[0, 1]", EMPIRICAL,
                               "assumption: arrests somewhat more frequent than deaths", "member arrest hazard ρ·CT",
                               plausible=(0.0003, 0.0015, "loguniform"))
    exit_rate: float = param(0.0005, "1/day", "[0, 1]", EMPIRICAL,
                             "assumption: of the order of 2,100 surrenders in 2015-18 (People's Daily, 2018) among "
                             "several thousand", "voluntary exit hazard e", plausible=(0.0002, 0.001, "loguniform"))
    unpaid_exit_multiplier: float = param(5.0, "ratio", "[0, 1000]", EMPIRICAL,
                                          "assumption: unpaid fighters drift away fast",
                                          "exit hazard multiplier while the group cannot pay", plausible=(2.0, 10.0))
    detention_days: int = param(365, "days", "[0, 36500]", EMPIRICAL, "assumption: about a year in detention",
                                "detention term of an arrested member", plausible=(180, 730, "integer"))
    size_elasticity: float = param(2.0, "elasticity", "[0, 10]", EMPIRICAL,
                                   "assumption: a larger group is more visible, more infiltrated and harder to hold "
                                   "together", "attrition hazards × (members / day-0 members)^elasticity: "
                                   "membership's restoring force (0 = none)", plausible=(0.5, 4.0))


@dataclass
class Groups:
    names: list[str]
    districts: np.ndarray  # (G, D) bool, districts of operation
    pay: np.ndarray  # PKR/day nominal pay offer
    pay_offer: np.ndarray  # PKR/day offered today
    capacity: np.ndarray  # recruits/day
    smuggling_tax: np.ndarray  # share of the informal margin
    trade_tax: np.ndarray  # share of the formal margin
    extortion_rate: np.ndarray  # share of business and transport income
    external_support: np.ndarray  # PKR/day per day-0 member
    horizon: np.ndarray  # funding horizon days
    funds: np.ndarray  # PKR
    external: np.ndarray  # PKR/day external support (fixed at day 0)
    operations_budget: np.ndarray  # PKR/day, O0: day-0 operations spending
    payroll_day0: np.ndarray  # PKR/day, P0
    revenue: np.ndarray  # PKR/day revenue today (all sources)
    revenue_trade: np.ndarray  # PKR/day today from taxes on informal and formal trade
    operations: np.ndarray  # PKR/day spent on operations today
    members_day0: np.ndarray  # M0: members at day 0 (size-dependent attrition, attacks)
    intake_allowance: np.ndarray  # recruits the group may still take (capacity_today)
    attacks: np.ndarray  # expected attacks today
    members: np.ndarray  # current members
    recruits: np.ndarray  # joins today
    unpaid: np.ndarray  # bool: could not pay today
    cumulative_recruits: np.ndarray
    killed: np.ndarray
    arrested: np.ndarray
    exited: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


def build_groups(group_pars: list[GroupParams], district_names: list[str], scale: float) -> Groups:
    G, D = len(group_pars), len(district_names)
    mask = np.zeros((G, D), dtype=bool)
    for g, group in enumerate(group_pars):
        for d in group.districts:
            mask[g, district_names.index(d)] = True
    arr = lambda key: np.array([float(getattr(group, key)) for group in group_pars])  # noqa: E731
    z = np.zeros(G)
    return Groups(
        names=[group.name for group in group_pars], districts=mask, pay=arr("pay_pkr"), pay_offer=arr("pay_pkr"),
        capacity=arr("capacity") * scale,  # recruits/day, enforced through the intake allowance (capacity_today)
        smuggling_tax=arr("smuggling_tax"), trade_tax=arr("trade_tax"), extortion_rate=arr("extortion_rate"),
        external_support=arr("external_support_pkr"), horizon=arr("funding_horizon_days"),
        funds=z.copy(), external=z.copy(), operations_budget=z.copy(), payroll_day0=z.copy(), revenue=z.copy(),
        revenue_trade=z.copy(), operations=z.copy(), members_day0=z.copy(), attacks=z.copy(),
        intake_allowance=z.copy(),
        members=z.copy(), recruits=z.copy(), unpaid=np.zeros(G, dtype=bool), cumulative_recruits=z.copy(),
        killed=z.copy(), arrested=z.copy(), exited=z.copy(),
    )


def seed_members(p: People, groups: Groups, group_pars: list[GroupParams], scale: float, eligible: np.ndarray, streams) -> None:
    """Place each group's initial members among eligible men in its districts (uniformly).

    A group with members keeps at least one at any scale. Each man has one fixed random key
    (stream ``initial_members``) and a group takes the men with the lowest keys in its pool,
    so the choice of one man never shifts another's.
    """
    key = streams.uniform_at("initial_members", 0, eligible)  # aligned per man: the same for any subset
    for g, group in enumerate(group_pars):
        n = max(1, int(round(group.members * scale))) if group.members > 0 else 0
        in_pool = groups.districts[g, p.district[eligible]] & (p.status[eligible] <= INACTIVE)
        if n == 0 or not in_pool.any():
            continue
        pool = np.flatnonzero(in_pool)
        pick = eligible[pool[lowest(key[pool], n)]]
        p.status[pick] = MILITANT
        p.group[pick] = g
        p.sector[pick] = -1
        p.employer[pick] = -1
        p.since[pick] = -np.floor(streams.uniform_at("initial_member_spell", 0, pick) * 1000).astype(np.int32)
    groups.members[:] = np.bincount(p.group[p.group >= 0], minlength=len(groups))


def lowest(key: np.ndarray, n: int) -> np.ndarray:
    """The positions of the ``n`` lowest keys, lowest first, ties in order of position: what
    ``np.argsort(key, kind="stable")[:n]`` gives, without sorting the rest."""
    if n >= len(key):
        return np.argsort(key, kind="stable")
    cut = np.partition(key, n - 1)[n - 1]  # the n-th lowest key
    below = np.flatnonzero(key < cut)
    chosen = np.sort(np.concatenate([below, np.flatnonzero(key == cut)[:n - len(below)]]))
    return chosen[np.argsort(key[chosen], kind="stable")]


def members_by_district(p: People, militants: np.ndarray, n_groups: int, n_districts: int) -> np.ndarray:
    """(G, D) member counts."""
    key = p.group[militants].astype(np.int64) * n_districts + p.district[militants]
    return np.bincount(key, minlength=n_groups * n_districts).reshape(n_groups, n_districts)


def tax_shares(groups: Groups, members_gd: np.ndarray) -> np.ndarray:
    """(G, D) share of each district's taxable trade that each group collects."""
    w = np.where(groups.districts, members_gd + 1e-9, 0.0)
    tot = w.sum(axis=0, keepdims=True)
    return np.divide(w, tot, out=np.zeros_like(w), where=tot > 0)


def collect_revenue(groups: Groups, members_gd: np.ndarray, informal_margin_d: np.ndarray,
                    formal_margin_d: np.ndarray, business_income_d: np.ndarray) -> None:
    """Today's revenue of each group from its four sources (module docstring), PKR/day."""
    share = tax_shares(groups, members_gd)
    groups.revenue_trade[:] = (share @ informal_margin_d) * groups.smuggling_tax + \
        (share @ formal_margin_d) * groups.trade_tax
    groups.revenue[:] = groups.revenue_trade + (share @ business_income_d) * groups.extortion_rate + groups.external


def close_budget(groups: Groups, pars: FinanceParams) -> None:
    """Day 0: fix external support and the operations budget so that revenue = payroll + operations + saving."""
    groups.members_day0[:] = groups.members
    groups.payroll_day0[:] = groups.pay * groups.members
    groups.external[:] = groups.external_support * groups.members
    groups.revenue += groups.external  # collect_revenue ran before external support was known
    groups.operations_budget[:] = np.maximum(0.0, (1.0 - pars.saving_rate) * groups.revenue - groups.payroll_day0)
    groups.operations[:] = groups.operations_budget


def expected_attacks(groups: Groups, pars: FinanceParams) -> np.ndarray:
    """E = a · M0 · (M/M0)^β · (φ + (1 - φ) · O/O0)^θ (module docstring); O/O0 = 1 without a day-0 budget."""
    size = np.divide(groups.members, groups.members_day0, out=np.zeros(len(groups)), where=groups.members_day0 > 0)
    spending = np.divide(groups.operations, groups.operations_budget, out=np.ones(len(groups)),
                         where=groups.operations_budget > 0)
    phi = pars.attack_capacity_without_spending
    return pars.attacks_per_member * groups.members_day0 * size ** pars.attack_manpower_elasticity * \
        (phi + (1.0 - phi) * spending) ** pars.attack_spending_elasticity


def finance_day(groups: Groups, pars: FinanceParams, finance_on: bool) -> None:
    """Revenue into funds; payroll and operations by the allocation rule; attacks, pay offer and the unpaid flag
    (module docstring). ``groups.revenue`` holds today's revenue (:func:`collect_revenue`)."""
    groups.funds += groups.revenue
    spendable = (1.0 - pars.saving_rate) * groups.revenue
    payroll = groups.pay * groups.members
    if pars.allocation_rule == "operations_first":
        groups.operations[:] = np.minimum(groups.operations_budget, groups.funds)
        groups.funds -= groups.operations
    groups.unpaid[:] = finance_on & (groups.funds < payroll)
    groups.funds -= np.minimum(groups.funds, payroll)
    if pars.allocation_rule == "payroll_first":
        groups.operations[:] = np.clip(np.minimum(spendable - payroll, groups.funds), 0.0, groups.operations_budget)
    elif pars.allocation_rule == "proportional":
        day0_share = np.divide(groups.operations_budget, groups.operations_budget + groups.payroll_day0,
                               out=np.zeros(len(groups)), where=groups.operations_budget + groups.payroll_day0 > 0)
        groups.operations[:] = np.minimum(np.minimum(day0_share * spendable, groups.operations_budget), groups.funds)
    if pars.allocation_rule != "operations_first":
        groups.funds -= groups.operations
    groups.attacks[:] = expected_attacks(groups, pars)
    if finance_on:
        adequacy = groups.funds / np.maximum(groups.pay * np.maximum(groups.members, 1) * groups.horizon, 1e-9)
        groups.pay_offer[:] = groups.pay * np.minimum(1.0, adequacy)
    else:
        groups.pay_offer[:] = groups.pay


def capacity_today(groups: Groups) -> np.ndarray:
    """Recruits each group can absorb today. Its intake allowance grows by its scaled capacity c a day,
    up to c + 1, and recruits use it up: the long-run intake is limited to c a day at any scale,
    without a floor of one a day, and a small group can still take one recruit once the allowance
    reaches it."""
    groups.intake_allowance[:] = np.minimum(groups.intake_allowance + groups.capacity, groups.capacity + 1.0)
    return np.floor(groups.intake_allowance + 1e-9) * (groups.capacity > 0)


def affordable(groups: Groups, capacity: np.ndarray, finance_on: bool) -> np.ndarray:
    """New members each group can take today: ``capacity``, and funds for the horizon when finance is on."""
    cap = capacity.copy()
    if finance_on:
        room = np.floor(groups.funds / np.maximum(groups.pay * groups.horizon, 1e-9)) - groups.members
        cap = np.minimum(cap, np.maximum(room, 0.0))
    return cap


def attrition_day(p: People, groups: Groups, members: np.ndarray, day: int, draw, ct_d: np.ndarray,
                  pars: AttritionParams, roster: Roster) -> None:
    """Kill, arrest or exit of the members ``members``; release of detainees whose term is over.

    ``draw(idx)`` returns the ``attrition`` stream's uniforms for persons ``idx``; states change through
    ``roster``.
    """
    detained = roster.away_in(DETAINED)
    free = detained[day - p.since[detained] >= pars.detention_days]
    roster.set(free, np.where(p.active[free], UNEMPLOYED, INACTIVE))
    p.unemployed_since[free] = day

    if len(members) == 0:
        return
    g = p.group[members]
    size = np.divide(groups.members, groups.members_day0, out=np.ones(len(groups)), where=groups.members_day0 > 0)
    strain = (size ** pars.size_elasticity)[g]  # restoring force: attrition grows with the group's size
    ct = ct_d[p.district[members]] * strain
    k = pars.kill_rate * ct
    a = k + pars.arrest_rate * ct
    x = a + pars.exit_rate * strain * np.where(groups.unpaid[g], pars.unpaid_exit_multiplier, 1.0)
    u = draw(members)
    killed, arrested, left = members[u < k], members[(u >= k) & (u < a)], members[(u >= a) & (u < x)]
    groups.killed += np.bincount(p.group[killed], minlength=len(groups))
    groups.arrested += np.bincount(p.group[arrested], minlength=len(groups))
    groups.exited += np.bincount(p.group[left], minlength=len(groups))
    roster.set(killed, DEAD)
    roster.set(arrested, DETAINED)
    p.since[arrested] = day
    roster.set(left, np.where(p.active[left], UNEMPLOYED, INACTIVE))
    p.unemployed_since[left] = day
    for idx in (killed, arrested, left):
        p.group[idx] = -1


class GroupFinance:
    """The groups' funds, pay offer and members' attrition, day by day; who the members are today."""

    def __init__(self, model):
        """Build the groups and place their initial members among the eligible men of their districts."""
        self.model = model
        self.on = model.par.channels.group_finance
        self.pars = model.par.attrition
        self.finance = model.par.finance
        self.group_pars = model.par.recruitment.groups
        scale = model.par.population.scale
        self.groups = build_groups(self.group_pars, model.districts.names, scale)
        seed_members(model.people, self.groups, self.group_pars, scale, model.recruitment.eligible, model.streams)
        self.members = np.empty(0, dtype=np.int64)  # person indices of today's members, sorted
        self.members_by_district = np.zeros((len(self.groups), len(model.districts)), dtype=np.int64)

    def count_members(self) -> None:
        """Today's members (from who is away from home) and their count by group and district."""
        self.members = self.model.roster.away_in(MILITANT)  # sorted, as a pass over everyone would give
        self.recount()

    def recount(self) -> None:
        p, gr = self.model.people, self.groups
        self.members_by_district = members_by_district(p, self.members, len(gr), len(self.model.districts))
        gr.members[:] = self.members_by_district.sum(axis=1)

    def collect_revenue(self) -> None:
        """Today's revenue of every group from the traders' margins and the business income of its districts."""
        informal, formal = self.model.trade.taxable_margins()
        collect_revenue(self.groups, self.members_by_district, informal, formal, self.business_income())

    def business_income(self) -> np.ndarray:
        """Per district: business and transport income, PKR/day: wages paid in trade and local services and the
        profit traders withdraw (the base of extortion)."""
        model = self.model
        tr = model.trade.traders
        return model.labour_market.wage_bill((TRADE, SERVICES)) + \
            np.bincount(tr.district, weights=tr.withdrawn, minlength=len(model.districts))

    def close_budget(self) -> None:
        """Day 0: revenue, the operations budget that balances it, initial funds in days of payroll."""
        self.count_members()
        self.collect_revenue()
        close_budget(self.groups, self.finance)
        self.groups.funds[:] = np.array([group.initial_funds_days for group in self.group_pars]) * self.groups.pay * \
            self.groups.members
        self.groups.attacks[:] = expected_attacks(self.groups, self.finance)
        self.apportion(self.members_by_district)

    def apportion(self, members_by_district: np.ndarray) -> None:
        """Each group's funds and expected attacks apportioned to districts by its members there."""
        share = members_by_district / np.maximum(members_by_district.sum(axis=1, keepdims=True), 1)
        self.model.districts.group_funds = (share * self.groups.funds[:, None]).sum(axis=0)
        self.model.districts.attacks = (share * self.groups.attacks[:, None]).sum(axis=0)

    def step(self, day: int) -> None:
        """Taxes and payroll, then attrition (kills, arrests, exits, releases)."""
        model, p = self.model, self.model.people
        self.count_members()
        self.collect_revenue()
        finance_day(self.groups, self.finance, self.on)
        attrition_day(p, self.groups, self.members, day, lambda idx: model.streams.uniform_at("attrition", day, idx),
                      model.districts.ct_intensity, self.pars, model.roster)
        self.members = self.members[p.status[self.members] == MILITANT]
        self.recount()
