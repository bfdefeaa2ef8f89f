"""Militant groups: finance, member attrition and recruitment through competing channels.

**Group finance** (channel ``group_finance``; Nardin et al. 2019, rapacity in
Dube & Vargas 2013). Daily income = external funding + ``smuggling_tax`` × the
informal trade margin + ``trade_tax`` × the official trade margin in the group's
districts (split between groups ∝ members there). A share of tax income goes
to operations (weapons, logistics), the rest and external funding to pay ×
members. The day-0 budget is closed by external funding where taxes fall short
of payroll, and by the operations share where they exceed it (assumption), so
funds are stationary with the border open and fall when a closure cuts the
taxable trade. The pay
offered is ``pay × min(1, adequacy)``, adequacy = funds / (pay × members ×
funding_horizon_days); a group recruits only while funds cover
``funding_horizon_days`` of payroll for the new member too; a group that cannot
pay its members sees exits rise by ``unpaid_exit_multiplier``.

**Attrition.** A member is killed with daily hazard ``kill_rate × CT_d``,
arrested with ``arrest_rate × CT_d`` (detained ``detention_days``, then home) and
leaves with ``exit_rate``; leavers and released detainees return to their
households as unemployed (or inactive). With no recruitment, membership decays as
``M0 (1 - h)^t``, half-life ``ln 2 / -ln(1 - h)``.

**Recruitment.** An eligible man (age ``eligible_min_age``-``eligible_max_age``,
employed, unemployed or inactive) is *reached* with daily probability
``1 - (1 - p_local)(1 - tie_reach)^ties``: ``p_local = local_reach × member
share of the district's free eligible men in %`` (local presence); ``ties`` =
the members who count him among their contacts (channel ``social_ties``: a
member reaches out along his own contact list). Reached, he joins with
probability ``logistic(Z)``::

    Z = b0 + youth_propensity·youth + w_G·G + w_O·O + w_S·S − w_N·N
    G = H (1 − L) + casualty shock          (grievance, Epstein 2002)
    O = (pay − E) / (pay + E)               (opportunity cost; E = expected legitimate income)
    S = min(ties, saturation) / saturation  (social ties)
    N = R · P,  P = 1 − exp(−k · CT)        (net risk, Epstein 2002, k = 2.3)

Epstein's deterministic rule G − N > T becomes a logistic choice whose
intercept ``b0`` is calibrated at day 0 so that expected joins equal expected
attrition: membership is stationary in the baseline whatever channels are on,
and a channel switched off (its weight set to 0) removes its *response* to the
scenario, not the baseline level. Nothing hard-wires "unemployment causes
recruitment": O rises with unemployment, while group finance and migration pull
the other way (Berman et al. 2011).

A group takes at most ``capacity`` recruits a day (and what its funds allow);
when more want to join, those with the lowest ``recruitment`` uniform go first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .population import DEAD, DETAINED, INACTIVE, MILITANT, UNEMPLOYED, People


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
    external: np.ndarray  # PKR/day
    operations_share: np.ndarray  # share of tax income spent on operations (not payroll)
    members: np.ndarray  # current members
    recruits: np.ndarray  # joins today
    unpaid: np.ndarray  # bool: could not pay today
    cumulative_recruits: np.ndarray
    killed: np.ndarray
    arrested: np.ndarray
    exited: np.ndarray

    def __len__(self) -> int:
        return len(self.names)


def build_groups(rcfg, district_names: list[str], scale: float) -> Groups:
    G, D = len(rcfg.groups), len(district_names)
    mask = np.zeros((G, D), dtype=bool)
    for g, gc in enumerate(rcfg.groups):
        for d in gc.districts:
            mask[g, district_names.index(d)] = True
    arr = lambda key: np.array([float(getattr(gc, key)) for gc in rcfg.groups])  # noqa: E731
    z = np.zeros(G)
    return Groups(
        names=[gc.name for gc in rcfg.groups], districts=mask, pay=arr("pay_pkr"), pay_offer=arr("pay_pkr"),
        capacity=np.maximum(1.0, np.round(arr("capacity") * scale)) * (arr("capacity") > 0),
        smuggling_tax=arr("smuggling_tax"), trade_tax=arr("trade_tax"), horizon=arr("funding_horizon_days"),
        funds=z.copy(), external=z.copy(), operations_share=z.copy(), members=z.copy(), recruits=z.copy(), unpaid=np.zeros(G, dtype=bool),
        cumulative_recruits=z.copy(), killed=z.copy(), arrested=z.copy(), exited=z.copy(),
    )


def seed_members(p: People, groups: Groups, rcfg, scale: float, eligible: np.ndarray, streams) -> None:
    """Place each group's initial members among eligible men in its districts (uniformly).

    A group with members keeps at least one at any scale. Each man has one fixed random key
    (stream ``initial_members``) and a group takes the men with the lowest keys in its pool,
    so the choice of one man never shifts another's.
    """
    key = streams.uniform_at("initial_members", 0, np.arange(len(p)))
    for g, gc in enumerate(rcfg.groups):
        n = max(1, int(round(gc.members * scale))) if gc.members > 0 else 0
        pool = eligible[groups.districts[g, p.district[eligible]] & (p.state[eligible] <= INACTIVE)]
        if n == 0 or len(pool) == 0:
            continue
        pick = pool[np.argsort(key[pool], kind="stable")[:n]]
        p.state[pick] = MILITANT
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
    """Day-0 calibration: external funding covers a payroll shortfall, an operations share absorbs a surplus."""
    payroll0 = groups.pay * groups.members
    groups.external[:] = np.maximum(0.0, payroll0 - taxes0)
    groups.operations_share[:] = np.where(taxes0 > payroll0, 1.0 - payroll0 / np.maximum(taxes0, 1e-12), 0.0)


def finance_day(groups: Groups, taxes: np.ndarray, finance_on: bool) -> None:
    """Income, payroll, pay offer and the unpaid flag for one day."""
    groups.funds += groups.external + taxes * (1.0 - groups.operations_share)
    payroll = groups.pay * groups.members
    groups.unpaid[:] = finance_on & (groups.funds < payroll)
    groups.funds -= np.minimum(groups.funds, payroll)
    if finance_on:
        adequacy = groups.funds / np.maximum(groups.pay * np.maximum(groups.members, 1) * groups.horizon, 1e-9)
        groups.pay_offer[:] = groups.pay * np.minimum(1.0, adequacy)
    else:
        groups.pay_offer[:] = groups.pay


def affordable(groups: Groups, finance_on: bool) -> np.ndarray:
    """New members each group can take today: capacity, and funds for the horizon when finance is on."""
    cap = groups.capacity.copy()
    if finance_on:
        room = np.floor(groups.funds / np.maximum(groups.pay * groups.horizon, 1e-9)) - groups.members
        cap = np.minimum(cap, np.maximum(room, 0.0))
    return cap


def attrition_day(p: People, groups: Groups, mil: np.ndarray, day: int, draw, ct_d: np.ndarray, acfg) -> None:
    """Kill, arrest or exit of the members ``mil``; release of detainees whose term is over.

    ``draw(idx)`` returns the ``attrition`` stream's uniforms for persons ``idx``.
    """
    detained = np.flatnonzero(p.state == DETAINED)
    free = detained[day - p.since[detained] >= acfg.detention_days]
    p.state[free] = np.where(p.active[free], UNEMPLOYED, INACTIVE)
    p.unemployed_since[free] = day

    if len(mil) == 0:
        return
    ct = ct_d[p.district[mil]]
    g = p.group[mil]
    k = acfg.kill_rate * ct
    a = k + acfg.arrest_rate * ct
    x = a + acfg.exit_rate * np.where(groups.unpaid[g], acfg.unpaid_exit_multiplier, 1.0)
    uu = draw(mil)
    killed, arrested, left = mil[uu < k], mil[(uu >= k) & (uu < a)], mil[(uu >= a) & (uu < x)]
    groups.killed += np.bincount(p.group[killed], minlength=len(groups))
    groups.arrested += np.bincount(p.group[arrested], minlength=len(groups))
    groups.exited += np.bincount(p.group[left], minlength=len(groups))
    p.state[killed] = DEAD
    p.state[arrested] = DETAINED
    p.since[arrested] = day
    p.state[left] = np.where(p.active[left], UNEMPLOYED, INACTIVE)
    p.unemployed_since[left] = day
    for idx in (killed, arrested, left):
        p.group[idx] = -1


class Ties:
    """Member contacts per person: who has contacts among today's members, and how many.

    Built from the members' contact lists (sorted unique targets), so its cost
    scales with the number of members, not with the population.
    """

    def __init__(self, contacts: np.ndarray, militants: np.ndarray):
        self.people, self.counts = np.unique(contacts[militants].ravel(), return_counts=True)

    def count(self, idx: np.ndarray) -> np.ndarray:
        """Member contacts of each person in ``idx`` (0 for most)."""
        if len(self.people) == 0:
            return np.zeros(len(idx), dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.people, idx), len(self.people) - 1)
        return np.where(self.people[pos] == idx, self.counts[pos], 0)


def sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


@dataclass
class JoinInputs:
    """Per-candidate terms of the join decision (already switched by channel)."""

    base: np.ndarray  # youth shift + weighted G, O, S, -N (without the intercept)
    reach: np.ndarray  # daily reach probability


def join_inputs(p: People, cand: np.ndarray, hardship_hh: np.ndarray, legit_d: np.ndarray, shock_d: np.ndarray,
                expected_income: np.ndarray, pay_d: np.ndarray, ties: Ties | None, p_local_d: np.ndarray,
                risk_d: np.ndarray, rcfg, ch) -> JoinInputs:
    """Assemble Z - b0 and the reach probability for candidates ``cand`` (see module docstring)."""
    d = p.district[cand]
    z = rcfg.youth_propensity * p.youth[cand]
    if ch.grievance:
        g = np.clip(hardship_hh[p.hh[cand]] * (1.0 - legit_d[d]) + shock_d[d], 0.0, 1.0)
        z = z + rcfg.weight_grievance * g
    if ch.opportunity_cost:
        pay = pay_d[d]
        o = (pay - expected_income) / np.maximum(pay + expected_income, 1e-9)
        z = z + rcfg.weight_opportunity * o
    t = ties.count(cand) if ch.social_ties else None
    if ch.social_ties:
        z = z + rcfg.weight_ties * np.minimum(t, rcfg.ties_saturation) / max(rcfg.ties_saturation, 1)
    if ch.deterrence:
        z = z - rcfg.weight_risk * p.risk_aversion[cand] * risk_d[d]
    reach = reach_probability(p_local_d[d], t, rcfg.tie_reach)
    return JoinInputs(base=np.asarray(z, dtype=np.float64), reach=reach)


def reach_probability(p_local: np.ndarray, ties: np.ndarray | None, tie_reach: float) -> np.ndarray:
    """``1 - (1 - p_local)(1 - tie_reach)^ties``: reached by local presence or by a member contact."""
    reach = np.asarray(p_local, dtype=np.float64).copy()
    if ties is not None:
        tied = ties > 0
        reach[tied] = 1.0 - (1.0 - reach[tied]) * (1.0 - tie_reach) ** ties[tied]
    return reach


def calibrate_intercept(ji: JoinInputs, target_joins: float) -> float:
    """Find b0 with Σ reach · logistic(b0 + base) = target (bisection; monotone in b0)."""
    if target_joins <= 0 or ji.reach.sum() <= 0:
        return -50.0
    lo, hi = -60.0, 20.0
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        if (ji.reach * sigmoid(mid + ji.base)).sum() > target_joins:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def recruit_day(p: People, groups: Groups, day: int, cand: np.ndarray, ji: JoinInputs, b0: float,
                uc: np.ndarray, members_gd: np.ndarray, cap: np.ndarray, jobs) -> np.ndarray:
    """Draw joins among candidates, assign groups, enforce capacity; return recruit indices.

    ``uc`` holds the candidates' ``recruitment`` uniforms (the same that decided their reach).
    A recruit leaves his job, if he has one (through ``jobs``, the labour-market ledger).
    """
    prob = ji.reach * sigmoid(b0 + ji.base)
    want = uc < prob
    if not want.any() or len(groups) == 0:
        groups.recruits[:] = 0
        return np.empty(0, dtype=np.int64)
    idx, u = cand[want], uc[want]
    v = np.clip(u / prob[want], 0.0, 1.0 - 1e-12)
    d = p.district[idx]
    presence = np.where(groups.districts[:, d].T, members_gd[:, d].T + 1.0, 0.0)  # (n, G)
    tot = presence.sum(axis=1)
    ok = tot > 0
    idx, u, v, presence, tot = idx[ok], u[ok], v[ok], presence[ok], tot[ok]
    cum = np.cumsum(presence, axis=1) / tot[:, None]
    g = np.minimum((v[:, None] >= cum).sum(axis=1), len(groups) - 1)
    # capacity: lowest uniform first within each group
    order = np.lexsort((u, g))
    idx, g = idx[order], g[order]
    first = np.searchsorted(g, np.arange(len(groups)))
    rank = np.arange(len(idx)) - first[g]
    keep = rank < cap[g]
    idx, g = idx[keep], g[keep]
    jobs.clear(idx)
    p.state[idx] = MILITANT
    p.group[idx] = g
    p.since[idx] = day
    groups.recruits[:] = np.bincount(g, minlength=len(groups))
    groups.cumulative_recruits += groups.recruits
    return idx

