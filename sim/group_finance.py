"""Militant groups: finance, expected attacks and member attrition.

**Revenue** (channel ``group_finance``; Nardin et al. 2019, rapacity in Dube & Vargas 2013).
Taxes T = ``smuggling_tax`` × the informal trade margin + ``trade_tax`` × the official trade
margin in the group's districts (split between groups ∝ members there). How taxes, other
revenue and spending fit together is a **structural choice** (``finance.budget_rule``), because
nothing observed pins it down and it decides the sign of a long closure's effect on recruitment
(ODD §7.8.1). Each rule balances the day-0 budget: payroll P0 = pay × members, and the day-0
operations budget O0 = max(0, T0 - P0), the surplus that taxes leave (weapons, logistics):

- ``tax_share`` (the model's first rule): external funding max(0, P0 - T0) a day, and a fixed
  share O0/T0 of every day's taxes goes to operations; the rest of income pays the members.
  All variable income is trade taxes, so funds track trade.
- ``payroll_first``: income = external + T; payroll is paid first, and operations take what
  is left of the day's income, up to O0.
- ``fixed_operations``: income = external + T; payroll, then O0 of operations from funds
  whatever the day's income (a standing commitment).
- ``mixed_revenue``: income = R0 · (s_T · T/T0 + s_X · Y/Y0 + s_E), R0 = P0 + O0, with the
  shares s of ``finance.*_weight`` (normalised): trade taxes, extortion of the local
  economy (Y = household income in the group's districts, Y0 its day-0 value) and external
  support; payroll first, then operations up to O0.

Funds start at ``initial_funds_days`` of payroll. The pay offered is ``pay × min(1, adequacy)``,
adequacy = funds / (pay × members × funding_horizon_days); a group recruits only while funds
cover ``funding_horizon_days`` of payroll for the new member too; a group that cannot pay its
members sees exits rise by ``unpaid_exit_multiplier``. With the channel off, funds are still
booked but never limit pay, recruitment or exits.

**Expected attacks** a day = ``attacks_per_member`` × members × operations spending relative to
day 0 (1 for a group with no day-0 operations budget): an output to compare with incident data,
read by no rule.

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
from .population import DEAD, DETAINED, INACTIVE, MILITANT, UNEMPLOYED, People


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
    pay_pkr: float = param(800.0, "PKR/day per member", "[0, 100000]", EMPIRICAL,
                           "assumption above the Rs 15,000/month (Rs 500/day) a fighter reported (NBC, about 2015)",
                           "nominal pay per member", plausible=(400.0, 1200.0))
    capacity: int = param(20, "recruits/day at scale 1", "[0, 100000]", EMPIRICAL,
                          "assumption: training and arms limit intake", "most recruits a group absorbs a day "
                          "(scaled, at least 1 if > 0)", plausible=(5, 50, "integer"))
    smuggling_tax: float = param(0.01, "share of informal margin", "[0, 1]", EMPIRICAL,
                                 "assumption: no sourced figure for taxes on the fuel trade (calibration-targets "
                                 "§6)", "share of the informal traders' margin taxed",
                                 plausible=(0.003, 0.03, "loguniform"))
    trade_tax: float = param(0.002, "share of formal margin", "[0, 1]", EMPIRICAL,
                             "assumption: extortion of formal trade, smaller than of smuggling",
                             "share of the formal traders' margin taxed", plausible=(0.0005, 0.005, "loguniform"))
    initial_funds_days: float = param(180.0, "days of payroll", "[0, 36500]", EMPIRICAL,
                                      "assumption: half a year of payroll in reserve",
                                      "initial funds = days × pay × initial members", plausible=(60.0, 365.0))
    funding_horizon_days: float = param(90.0, "days of payroll", "(0, 36500]", EMPIRICAL,
                                        "assumption: a group recruits while a quarter's payroll is covered",
                                        "payroll days a group wants covered (pay offer adequacy and recruitment "
                                        "room)", plausible=(30.0, 180.0))


BUDGET_RULES = ("tax_share", "payroll_first", "fixed_operations", "mixed_revenue")


@dataclass
class FinanceParams:
    budget_rule: str = param("mixed_revenue", "rule", None, STRUCTURAL,
                             "assumption: no source describes how Baloch groups budget; BLF revenue is reported as "
                             "extortion (calibration-targets §6) and fuel-smuggling proceeds as diverted to militancy "
                             "without a figure (Sept 2023 intelligence report)",
                             "how taxes, other revenue, payroll and operations fit together (module docstring of "
                             "sim/group_finance.py)", choices=BUDGET_RULES)
    trade_tax_weight: float = param(0.4, "weight", "[0, 100]", EMPIRICAL,
                                    "assumption: fuel-smuggling proceeds reach militants (Sept 2023 intelligence "
                                    "report; the minister's 'up to Rs 4bn a day', Metro Morning, is a claim)",
                                    "mixed_revenue: weight of trade taxes in day-0 revenue (shares are the weights "
                                    "normalised)", plausible=(0.1, 0.8))
    extortion_weight: float = param(0.4, "weight", "[0, 100]", EMPIRICAL,
                                    "assumption: BLF's means of revenue is extortion (Wikipedia infobox, "
                                    "calibration-targets §6)", "mixed_revenue: weight of extortion of the local "
                                    "economy", plausible=(0.1, 0.7))
    external_weight: float = param(0.2, "weight", "[0, 100]", EMPIRICAL,
                                   "assumption: outside support is alleged but unquantified",
                                   "mixed_revenue: weight of external support (fixed in PKR)", plausible=(0.0, 0.5))
    attacks_per_member: float = param(0.0003, "attacks/day per member", "[0, 1]", EMPIRICAL,
                                      "assumption: of the order of a few hundred attacks a year in Balochistan by a "
                                      "few thousand fighters", "expected attacks a day per member at day-0 "
                                      "operations spending", plausible=(0.0001, 0.001, "loguniform"))


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
    smuggling_tax: np.ndarray
    trade_tax: np.ndarray
    horizon: np.ndarray  # funding horizon days
    funds: np.ndarray  # PKR
    external: np.ndarray  # PKR/day external funding (tax_share, payroll_first, fixed_operations)
    operations_share: np.ndarray  # tax_share: share of tax income spent on operations
    operations_budget: np.ndarray  # PKR/day, O0: the day-0 surplus of taxes over payroll
    revenue_day0: np.ndarray  # PKR/day, R0 = payroll + operations at day 0 (mixed_revenue)
    taxes_day0: np.ndarray  # PKR/day, T0
    operations: np.ndarray  # PKR/day spent on operations today
    members_day0: np.ndarray  # M0: members at day 0 (size-dependent attrition)
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
        smuggling_tax=arr("smuggling_tax"), trade_tax=arr("trade_tax"), horizon=arr("funding_horizon_days"),
        funds=z.copy(), external=z.copy(), operations_share=z.copy(), operations_budget=z.copy(),
        revenue_day0=z.copy(), taxes_day0=z.copy(), operations=z.copy(), members_day0=z.copy(), attacks=z.copy(),
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
    key = streams.uniform_at("initial_members", 0, np.arange(len(p)))
    for g, group in enumerate(group_pars):
        n = max(1, int(round(group.members * scale))) if group.members > 0 else 0
        pool = eligible[groups.districts[g, p.district[eligible]] & (p.status[eligible] <= INACTIVE)]
        if n == 0 or len(pool) == 0:
            continue
        pick = pool[np.argsort(key[pool], kind="stable")[:n]]
        p.status[pick] = MILITANT
        p.group[pick] = g
        p.sector[pick] = -1
        p.employer[pick] = -1
        p.since[pick] = -np.floor(streams.uniform_at("initial_member_spell", 0, pick) * 1000).astype(np.int32)
    groups.members[:] = np.bincount(p.group[p.group >= 0], minlength=len(groups))


def members_by_district(p: People, militants: np.ndarray, n_groups: int, n_districts: int) -> np.ndarray:
    """(G, D) member counts."""
    key = p.group[militants].astype(np.int64) * n_districts + p.district[militants]
    return np.bincount(key, minlength=n_groups * n_districts).reshape(n_groups, n_districts)


def tax_shares(groups: Groups, members_gd: np.ndarray) -> np.ndarray:
    """(G, D) share of each district's taxable trade that each group collects."""
    w = np.where(groups.districts, members_gd + 1e-9, 0.0)
    tot = w.sum(axis=0, keepdims=True)
    return np.divide(w, tot, out=np.zeros_like(w), where=tot > 0)


def tax_income(groups: Groups, members_gd: np.ndarray, informal_margin_d: np.ndarray,
               formal_margin_d: np.ndarray) -> np.ndarray:
    share = tax_shares(groups, members_gd)
    return (share * informal_margin_d).sum(axis=1) * groups.smuggling_tax + \
        (share * formal_margin_d).sum(axis=1) * groups.trade_tax


def close_budget(groups: Groups, taxes0: np.ndarray) -> None:
    """Day-0 calibration of every rule: external funding covers a payroll shortfall, and the surplus of
    taxes over payroll is the operations budget (as a share of taxes for ``tax_share``)."""
    payroll0 = groups.pay * groups.members
    groups.external[:] = np.maximum(0.0, payroll0 - taxes0)
    groups.operations_share[:] = np.where(taxes0 > payroll0, 1.0 - payroll0 / np.maximum(taxes0, 1e-12), 0.0)
    groups.operations_budget[:] = np.maximum(0.0, taxes0 - payroll0)
    groups.revenue_day0[:] = payroll0 + groups.operations_budget
    groups.taxes_day0[:] = taxes0
    groups.members_day0[:] = groups.members


def revenue(groups: Groups, taxes: np.ndarray, economy_index: np.ndarray | None, pars: FinanceParams) -> np.ndarray:
    """Today's income (PKR/day) before spending, by the budget rule (module docstring); ``economy_index``
    (household income in the group's districts relative to day 0) is read by ``mixed_revenue`` only."""
    if pars.budget_rule == "tax_share":
        return groups.external + taxes * (1.0 - groups.operations_share)
    if pars.budget_rule == "mixed_revenue":
        weights = np.array([pars.trade_tax_weight, pars.extortion_weight, pars.external_weight])
        s_trade, s_extortion, s_external = weights / max(weights.sum(), 1e-12)
        tax_index = np.divide(taxes, groups.taxes_day0, out=np.ones_like(taxes), where=groups.taxes_day0 > 0)
        return groups.revenue_day0 * (s_trade * tax_index + s_extortion * economy_index + s_external)
    return groups.external + taxes


def finance_day(groups: Groups, taxes: np.ndarray, economy_index: np.ndarray | None, pars: FinanceParams,
                finance_on: bool) -> None:
    """Income, payroll, operations, pay offer and the unpaid flag for one day (module docstring)."""
    income = revenue(groups, taxes, economy_index, pars)
    groups.funds += income
    payroll = groups.pay * groups.members
    groups.unpaid[:] = finance_on & (groups.funds < payroll)
    groups.funds -= np.minimum(groups.funds, payroll)
    if pars.budget_rule == "tax_share":
        groups.operations[:] = taxes * groups.operations_share  # never entered funds
    elif pars.budget_rule == "fixed_operations":
        groups.operations[:] = np.minimum(groups.operations_budget, groups.funds)
    else:  # payroll first, then operations from what is left of today's income
        groups.operations[:] = np.clip(np.minimum(income - payroll, groups.funds), 0.0, groups.operations_budget)
    if pars.budget_rule != "tax_share":
        groups.funds -= groups.operations
    ops_index = np.divide(groups.operations, groups.operations_budget, out=np.ones_like(groups.operations),
                          where=groups.operations_budget > 0)
    groups.attacks[:] = pars.attacks_per_member * groups.members * ops_index
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
                  pars: AttritionParams) -> None:
    """Kill, arrest or exit of the members ``members``; release of detainees whose term is over.

    ``draw(idx)`` returns the ``attrition`` stream's uniforms for persons ``idx``.
    """
    detained = np.flatnonzero(p.status == DETAINED)
    free = detained[day - p.since[detained] >= pars.detention_days]
    p.status[free] = np.where(p.active[free], UNEMPLOYED, INACTIVE)
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
    p.status[killed] = DEAD
    p.status[arrested] = DETAINED
    p.since[arrested] = day
    p.status[left] = np.where(p.active[left], UNEMPLOYED, INACTIVE)
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
        self.taxes = np.zeros(len(self.groups))  # PKR/day collected today

    def count_members(self) -> None:
        """Today's members (from who is away from home) and their count by group and district."""
        p, away = self.model.people, self.model.migration.away
        self.members = away[p.status[away] == MILITANT]  # sorted, as a pass over everyone would give
        self.recount()

    def recount(self) -> None:
        p, gr = self.model.people, self.groups
        self.members_by_district = members_by_district(p, self.members, len(gr), len(self.model.districts))
        gr.members[:] = self.members_by_district.sum(axis=1)

    def collect_taxes(self) -> None:
        informal, formal = self.model.trade.taxable_margins()
        self.taxes = tax_income(self.groups, self.members_by_district, informal, formal)

    def economy_index(self) -> np.ndarray:
        """Per group: household income in its districts (weighted by its share of each) relative to day 0."""
        model = self.model
        shares = tax_shares(self.groups, self.members_by_district)
        today = shares @ model.household_slices.sum(model.households.income)
        day0 = shares @ model.districts.household_income_day0
        return np.divide(today, day0, out=np.ones_like(today), where=day0 > 0)

    def close_budget(self) -> None:
        """Day 0: external funding closes the budget; initial funds in days of payroll."""
        self.count_members()
        self.collect_taxes()
        close_budget(self.groups, self.taxes)
        self.groups.funds[:] = np.array([group.initial_funds_days for group in self.group_pars]) * self.groups.pay * \
            self.groups.members
        self.groups.operations[:] = self.groups.operations_budget
        self.groups.attacks[:] = self.finance.attacks_per_member * self.groups.members
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
        self.collect_taxes()
        economy = self.economy_index() if self.finance.budget_rule == "mixed_revenue" else None
        finance_day(self.groups, self.taxes, economy, self.finance, self.on)
        attrition_day(p, self.groups, self.members, day, lambda idx: model.streams.uniform_at("attrition", day, idx),
                      model.districts.ct_intensity, self.pars)
        self.members = self.members[p.status[self.members] == MILITANT]
        self.recount()
