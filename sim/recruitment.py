"""Recruitment by militant groups through competing channels.

**Recruitment.** An eligible man (age ``eligible_min_age``-``eligible_max_age``,
employed, unemployed or inactive) is *reached* with daily probability
``1 - (1 - p_local)(1 - tie_reach)^ties``: ``p_local = local_reach × member
share of the district's free eligible men in %`` (local presence); ``ties`` =
the members who count him among their contacts (channel ``social_ties``: a
member reaches out along his own contact list). Reached, he joins with
probability ``logistic(Z)``::

    Z = b + youth_propensity·youth + w_G·G + w_O·O + w_S·S − w_N·N
    G = H (1 − L) + casualty shock          (grievance, Epstein 2002)
    O = (pay − E) / (pay + E)               (opportunity cost; E = expected legitimate income)
    S = min(ties, saturation) / saturation  (social ties)
    N = R · P,  P = 1 − exp(−k · CT)        (net risk, Epstein 2002, k = 2.3)

Epstein's deterministic rule G − N > T becomes a logistic choice whose
intercept b is calibrated once, at day 0 and with every channel on, so that expected
joins equal expected attrition. A channel switched off keeps its term (and, for social
ties, the tie reach) at each man's day-0 value: the baseline level stays what it is with
all channels on, and the channel no longer *responds* to the scenario. Runs with one
channel off therefore decompose a scenario's effect against the same intercept (ODD
§7.12). Nothing hard-wires "unemployment causes recruitment": O rises with unemployment,
while group finance and migration pull the other way (Berman et al. 2011).

A group takes at most its intake allowance (its scaled ``capacity`` a day, accumulating up to
capacity + 1) and what its funds allow; when more want to join, those with the lowest
``recruitment`` uniform go first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .group_finance import GroupParams, Groups, affordable, capacity_today, members_by_district
from .params import EMPIRICAL, SWITCH, param
from .population import INACTIVE, MILITANT, DistrictSlices, People, contacts_of
from .rng import below
from .roster import Roster, find_sorted, in_sorted


# a channel switched off keeps its term at each man's day-0 value: it no longer responds to the scenario
FROZEN_TERMS = {"grievance": "grievance", "opportunity_cost": "opportunity", "social_ties": "ties",
                "deterrence": "risk"}


def default_groups() -> list[GroupParams]:
    return [GroupParams(name="makran_front", districts=["kech", "panjgur", "gwadar"], members=2000),
            GroupParams(name="rakhshan_army", districts=["chagai", "washuk", "panjgur"], members=1000)]


@dataclass
class RecruitmentParams:
    enabled: bool = param(True, "bool", None, SWITCH, "design switch",
                          "run the recruitment step at all (off: no joins; attrition still runs)")
    eligible_min_age: int = param(15, "years", "[15, 64]", EMPIRICAL, "assumption: from the start of working age",
                                  "youngest eligible recruit", plausible=(15, 18, "integer"))
    eligible_max_age: int = param(49, "years", "[15, 64]", EMPIRICAL, "assumption: fighters are mostly under 50",
                                  "oldest eligible recruit", plausible=(35, 55, "integer"))
    youth_propensity: float = param(1.0, "logit units", "[-20, 20]", EMPIRICAL,
                                    "assumption: young men join more readily", "logit shift for youth (15-29)",
                                    plausible=(0.0, 2.0))
    weight_grievance: float = param(4.0, "logit units", "[0, 50]", EMPIRICAL,
                                    "assumption (mechanism: Epstein, PNAS 2002)", "weight w_G on G",
                                    plausible=(1.0, 8.0))
    weight_opportunity: float = param(
        2.0, "logit units", "[-50, 50]", EMPIRICAL,
        "anchored (ODD §7.8.2): the implied elasticity of joins to legitimate income, -w_O·2pE/(p+E)² (about -w_O/2 "
        "at E = p), set to about -1 within published responses of insurgent violence to earnings: -1.7 to -2.3 for "
        "labour-related aid in Iraq (Iyengar, Monten & Hanson 2011), about -0.15 per log coffee price in Colombia, "
        "larger per log wage (Dube & Vargas 2013), and no positive unemployment-attack link (Berman et al. 2011)",
        "weight w_O on O", plausible=(-1.0, 4.5))
    weight_ties: float = param(2.0, "logit units", "[0, 50]", EMPIRICAL, "assumption: recruitment runs through "
                               "kin and friends", "weight w_S on S", plausible=(0.5, 4.0))
    weight_risk: float = param(4.0, "logit units", "[0, 50]", EMPIRICAL,
                               "assumption (mechanism: Epstein, PNAS 2002)", "weight w_N on N", plausible=(1.0, 8.0))
    local_reach: float = param(0.002, "1/day per percentage point", "[0, 1]", EMPIRICAL,
                               "assumption: local presence reaches few men a day",
                               "p_local = local_reach × 100 × members / free eligible men in the district",
                               plausible=(0.0005, 0.005, "loguniform"))
    tie_reach: float = param(0.01, "1/day per member tie", "[0, 1]", EMPIRICAL,
                             "assumption: a member sounds out a contact about every 100 days",
                             "chance of being reached through each member tie", plausible=(0.003, 0.03, "loguniform"))
    ties_saturation: int = param(2, "ties", "[1, 100]", EMPIRICAL, "assumption: two member friends are enough",
                                 "member ties at which S saturates at 1", plausible=(1, 4, "integer"))
    arrest_constant: float = param(2.3, "1 per unit CT", "[0, 100]", EMPIRICAL,
                                   "Epstein, PNAS 2002 (k = 2.3; Epstein applies it to round(cops/actives), here "
                                   "to CT)", "k in P = 1 - exp(-k·CT)", plausible=(1.0, 4.0))
    groups: list[GroupParams] = field(default_factory=default_groups)


class Ties:
    """Member contacts per person: who has contacts among today's members, and how many.

    Built from the members' contact lists (sorted unique targets), so its cost
    scales with the number of members, not with the population.
    """

    def __init__(self, contacts: np.ndarray):
        """``contacts``: the members' contacts (:func:`sim.population.contacts_of`)."""
        self.people, self.counts = np.unique(contacts.ravel(), return_counts=True)

    def count(self, idx: np.ndarray) -> np.ndarray:
        """Member contacts of each person in ``idx`` (0 for most)."""
        if len(self.people) == 0:
            return np.zeros(len(idx), dtype=np.int64)
        pos, found = find_sorted(idx, self.people)
        return np.where(found, self.counts[pos], 0)


def sigmoid(z: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """The logistic function, as 0.5 (1 + tanh(z / 2)); with ``out``, computed in that array (no temporaries)."""
    if out is None:
        return 0.5 * (1.0 + np.tanh(0.5 * z))
    np.multiply(0.5, z, out=out)
    np.tanh(out, out=out)
    np.add(1.0, out, out=out)
    return np.multiply(0.5, out, out=out)


@dataclass
class ChannelTerms:
    """The channel terms of the join logit for a set of men (unweighted): G, O, member ties and N."""

    grievance: np.ndarray  # G = clip(H (1 - L) + shock, 0, 1)
    opportunity: np.ndarray  # O = (pay - E) / (pay + E)
    ties: np.ndarray  # member contacts (S = min(ties, saturation) / saturation)
    risk: np.ndarray  # N = R · P(CT)

    def take(self, idx: np.ndarray) -> ChannelTerms:
        return ChannelTerms(self.grievance[idx], self.opportunity[idx], self.ties[idx], self.risk[idx])


def channel_terms(p: People, cand: np.ndarray, hardship_hh: np.ndarray, legit_d: np.ndarray, shock_d: np.ndarray,
                  expected_income: np.ndarray, pay_d: np.ndarray, ties: Ties | None, risk_d: np.ndarray) -> ChannelTerms:
    """Today's channel terms for candidates ``cand`` (see module docstring); no ties without a ``Ties``."""
    d = p.district[cand]
    pay = pay_d[d]
    return ChannelTerms(
        grievance=np.clip(hardship_hh[p.hh[cand]] * (1.0 - legit_d[d]) + shock_d[d], 0.0, 1.0),
        opportunity=(pay - expected_income) / np.maximum(pay + expected_income, 1e-9),
        ties=ties.count(cand) if ties is not None else np.zeros(len(cand), dtype=np.int64),
        risk=p.risk_aversion[cand] * risk_d[d])


@dataclass
class JoinInputs:
    """Per-candidate terms of the join decision."""

    base: np.ndarray  # youth shift + weighted G, O, S, -N (without the intercept)
    reach: np.ndarray  # daily reach probability


def join_inputs(p: People, cand: np.ndarray, terms: ChannelTerms, p_local_d: np.ndarray,
                pars: RecruitmentParams) -> JoinInputs:
    """Z - b (all but the intercept) and the reach probability for candidates ``cand``."""
    z = pars.youth_propensity * p.youth[cand]
    z = z + pars.weight_grievance * terms.grievance
    z = z + pars.weight_opportunity * terms.opportunity
    z = z + pars.weight_ties * np.minimum(terms.ties, pars.ties_saturation) / pars.ties_saturation
    z = z - pars.weight_risk * terms.risk
    reach = reach_probability(p_local_d[p.district[cand]], terms.ties, pars.tie_reach)
    return JoinInputs(base=np.asarray(z, dtype=np.float64), reach=reach)


def reach_probability(p_local: np.ndarray, ties: np.ndarray, tie_reach: float) -> np.ndarray:
    """``1 - (1 - p_local)(1 - tie_reach)^ties``: reached by local presence or by a member contact."""
    reach = np.asarray(p_local, dtype=np.float64).copy()
    tied = ties > 0
    reach[tied] = 1.0 - (1.0 - reach[tied]) * (1.0 - tie_reach) ** ties[tied]
    return reach


def who_is_reached(u: np.ndarray, district: np.ndarray, p_local: np.ndarray, tied: np.ndarray,
                   tied_reach: np.ndarray) -> np.ndarray:
    """The positions (sorted) whose uniform ``u`` falls below their reach: their district's ``p_local`` or,
    for the ``tied`` (sorted positions, few), their own ``tied_reach``. Local reach is small, so the reached
    are found among those drawing below the highest, with no pass over everyone's reach
    (``tests/test_kernels.py`` compares them with the reach spread over everyone)."""
    drawn = below(u, p_local.max(initial=0.0))
    drawn = drawn[(u[drawn] < p_local[district[drawn]]) & ~in_sorted(drawn, tied)]
    return np.union1d(drawn, tied[u[tied] < tied_reach])


def calibrate_intercept(terms: JoinInputs, target_joins: float) -> float:
    """Find the intercept b with Σ reach · logistic(b + base) = target (bisection; monotone in b)."""
    if target_joins <= 0 or terms.reach.sum() <= 0:
        return -50.0
    lo, hi = -60.0, 20.0
    joins = np.empty_like(terms.base)  # each step's expected joins per man, computed in place
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        sigmoid(np.add(mid, terms.base, out=joins), out=joins)
        if np.multiply(terms.reach, joins, out=joins).sum() > target_joins:
            hi = mid
        else:
            lo = mid
    return 0.5 * (lo + hi)


def recruit_day(p: People, groups: Groups, day: int, cand: np.ndarray, terms: JoinInputs, intercept: float,
                uc: np.ndarray, members_gd: np.ndarray, cap: np.ndarray, jobs, roster: Roster) -> np.ndarray:
    """Draw joins among candidates, assign groups, enforce capacity; return recruit indices.

    ``uc`` holds the candidates' ``recruitment`` uniforms (the same that decided their reach).
    A recruit leaves his job, if he has one (through ``jobs``, the labour-market ledger); his state changes
    through ``roster``.
    """
    prob = terms.reach * sigmoid(intercept + terms.base)
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
    roster.set(idx, MILITANT)
    p.group[idx] = g
    p.since[idx] = day
    groups.recruits[:] = np.bincount(g, minlength=len(groups))
    groups.cumulative_recruits += groups.recruits
    return idx


class Recruitment:
    """Who is reached and who joins each day; the intercept calibrated on day 0."""

    def __init__(self, model):
        """The men of recruitable age (a set fixed at set-up: the ``recruitment`` stream's slots)."""
        self.model = model
        self.pars = pars = model.par.recruitment
        self.channels = model.par.channels
        p = model.people
        self.eligible = np.flatnonzero(p.male & (p.age >= pars.eligible_min_age) & (p.age <= pars.eligible_max_age))
        self.eligible_slices = DistrictSlices(p.district[self.eligible], len(model.districts))
        self.eligible_position = np.full(len(p), -1, dtype=np.int32)  # int32: half the bytes a gather reads
        self.eligible_position[self.eligible] = np.arange(len(self.eligible))
        self.intercept = -50.0
        self.day0: ChannelTerms | None = None  # every eligible man's terms on day 0, if a channel is frozen
        self.tied_day0: np.ndarray | None = None  # the positions of the men with member ties on day 0 (likewise)
        self.frozen = [term for channel, term in FROZEN_TERMS.items() if not getattr(self.channels, channel)]

    def member_ties(self) -> Ties:
        """Today's members' contacts, counted per person."""
        model = self.model
        return Ties(contacts_of(model.people, model.households, model.group_finance.members))

    def free_by_district(self) -> np.ndarray:
        """Per district: the eligible men who could join today (employed, unemployed or inactive), from the
        roster's lists of those away (few) rather than a pass over every eligible man."""
        away = self.eligible_position[self.model.roster.away]
        slices = self.eligible_slices
        return slices.counts - np.bincount(slices.district[away[away >= 0]], minlength=len(slices.counts))

    def local_reach(self, free_d: np.ndarray) -> np.ndarray:
        """Per district: the daily chance of being reached by the groups' local presence, among ``free_d`` free
        eligible men (:meth:`free_by_district`)."""
        eligible_d = np.maximum(free_d, 1)
        members_d = self.model.group_finance.members_by_district.sum(axis=0)
        return np.minimum(1.0, self.pars.local_reach * 100.0 * members_d / eligible_d)

    def terms_today(self, candidates: np.ndarray, ties: Ties | None) -> ChannelTerms:
        """The candidates' channel terms: today's, or their day-0 values for the channels switched off."""
        model, groups = self.model, self.model.group_finance.groups
        d = model.districts
        pay_d = np.where(groups.districts, groups.pay_offer[:, None], 0.0).max(axis=0, initial=0.0)
        risk_d = 1.0 - np.exp(-self.pars.arrest_constant * d.ct_intensity)
        terms = channel_terms(model.people, candidates, model.households.hardship, d.legitimacy, d.grievance_shock,
                              model.labour_market.expected_income(candidates), pay_d, ties, risk_d)
        if self.day0 is not None and self.frozen:
            frozen = self.day0.take(self.eligible_position[candidates])
            for term in self.frozen:
                setattr(terms, term, getattr(frozen, term))
        return terms

    def pool(self) -> JoinInputs:
        """Every free eligible man's join inputs today."""
        p = self.model.people
        p_local = self.local_reach(self.free_by_district())
        free = self.eligible[p.status[self.eligible] <= INACTIVE]
        terms = self.terms_today(free, self.member_ties())
        return join_inputs(p, free, terms, p_local, self.pars)

    def expected_joins(self) -> float:
        """Σ reach × logistic(Z) over the free eligible men today: the joins the day's decision expects."""
        inputs = self.pool()
        return float((inputs.reach * sigmoid(self.intercept + inputs.base)).sum())

    def target_joins(self) -> float:
        """Expected attrition of today's members (kills, arrests, exits): what the intercept makes the day-0
        joins equal."""
        model, attrition = self.model, self.model.par.attrition
        ct = model.districts.ct_intensity[model.people.district[model.group_finance.members]]
        return float(((attrition.kill_rate + attrition.arrest_rate) * ct + attrition.exit_rate).sum())

    def calibrate(self) -> None:
        """Day 0: if a channel is switched off, every eligible man's channel terms, at which its term stays; and
        the intercept at which expected joins equal expected attrition with every channel on."""
        self.day0 = self.tied_day0 = None
        if self.frozen:  # 16 MB at 1:1, kept only when read
            self.day0 = self.terms_today(self.eligible, self.member_ties())
            self.tied_day0 = np.flatnonzero(self.day0.ties).astype(np.int32)  # positions (few), read daily
        if self.pars.enabled:
            self.intercept = calibrate_intercept(self.pool(), self.target_joins())

    def step(self, day: int) -> None:
        """Reach, the join decision and the groups' capacity; then funds per district for the indicators."""
        model, p = self.model, self.model.people
        finance = model.group_finance
        groups = finance.groups
        recruits = np.empty(0, dtype=np.int64)
        if self.pars.enabled:
            eligible = self.eligible
            u = model.streams.uniform("recruitment", day, len(eligible))  # slot i: eligible man i
            ties = self.member_ties() if self.channels.social_ties else None
            p_local = self.local_reach(self.free_by_district())
            # only a free man reached today can join (join prob = reach x logistic), so the full decision
            # is evaluated only for those whose uniform falls below their reach probability
            if ties is not None:
                tied = self.eligible_position[ties.people]  # sorted, as ties.people
                ok = tied >= 0
                tied, counts = tied[ok], ties.counts[ok]
            else:  # ties frozen at day 0
                tied = self.tied_day0
                counts = self.day0.ties[tied]
            district = self.eligible_slices.district
            tied_reach = reach_probability(p_local[district[tied]], counts, self.pars.tie_reach)
            reached = who_is_reached(u, district, p_local, tied, tied_reach)  # positions in eligible
            reached = reached[p.status[eligible[reached]] <= INACTIVE]  # few: who is free is read for them alone
            candidates = eligible[reached]
            terms = join_inputs(p, candidates, self.terms_today(candidates, ties), p_local, self.pars)
            recruits = recruit_day(p, groups, day, candidates, terms, self.intercept, u[reached],
                                   finance.members_by_district,
                                   affordable(groups, capacity_today(groups), finance.on),
                                   model.labour_market.jobs, model.roster)
            groups.members += groups.recruits
            groups.intake_allowance -= groups.recruits
        else:
            groups.recruits[:] = 0
        n = len(model.districts)
        model.districts.recruits = np.bincount(p.district[recruits], minlength=n)
        members = np.concatenate([finance.members, recruits])
        finance.apportion(members_by_district(p, members, len(groups), n))
