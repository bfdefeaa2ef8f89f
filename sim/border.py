"""Border regime: each crossing's daily throughput and status, from the scenario's schedule.

Rules (pre-computed for every day, as Starsim pre-samples event dates):

- An official crossing passes fraction 1 of its baseline trade when open. From
  ``closure.start_day`` for ``closure.duration_days`` it passes
  ``closure.official_throughput`` (0 = closed, 0 < x < 1 = restricted/partial).
  A phased reopening then ramps it linearly back to 1 over ``reopening_days``.
- A crossing with a border sustenance market keeps at least the market's share of
  trade open during a closure (markets: April 2021 MoU; Mand-Pishin open since May 2023).
- An informal route passes ``1 - interdiction``, with interdiction risk
  ``enforcement * max_interdiction``. During a closure enforcement is stepped up
  and the route passes at most ``closure.informal_throughput`` (the 2021 crackdown
  cut vehicles from 2,000 to 400 a day, i.e. 0.2; Friday Times 2021). Reopening
  ramps it back like the official crossings.
- Interdiction risk raises the smuggler's margin by ``smuggling_premium * risk``
  (scarcity premium on the goods that get through).
- Traders are calibrated on the open border: their activity is throughput over
  the open-border throughput, and their margin is scaled by the premium relative
  to the open-border premium, so nothing changes while the border is open.

Status: open (throughput 1 for official, or no stepped-up enforcement for
informal), closed (0), otherwise restricted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from .params import EMPIRICAL, SCENARIO, param

OPEN, RESTRICTED, CLOSED = 0, 1, 2
STATUS_NAMES = ("open", "restricted", "closed")


@dataclass
class ClosureParams:
    start_day: int = param(0, "day", "[0, 100000]", SCENARIO, "scenario input",
                           "first closed day (1 = first simulated day); 0 = no closure")
    duration_days: int = param(0, "days", "[0, 100000]", SCENARIO,
                               "scenario input (the 2021 closure lasted about two months: RFE/RL Gandhara, 2021)",
                               "length of the closure; 0 = no closure")
    official_throughput: float = param(0.0, "share of open-border trade", "[0, 1]", SCENARIO,
                                       "scenario input (every crossing closed in 2021: RFE/RL Gandhara, 2021)",
                                       "share of official trade passing while closed (0 = sealed)")
    informal_throughput: float = param(0.2, "share of open-border traffic", "[0, 1]", SCENARIO,
                                       "Friday Times, 23 Apr 2021 (vehicles cut from 2,000 to 400 a day)",
                                       "share of informal traffic passing while closed (cap on the informal routes)")
    reopening_days: int = param(0, "days", "[0, 100000]", SCENARIO, "scenario input",
                                "length of the linear phased reopening after the closure")


@dataclass
class BorderParams:
    closure: ClosureParams = field(default_factory=ClosureParams)
    enforcement: float = param(0.1, "share", "[0, 1]", EMPIRICAL,
                               "assumption: routine patrols, light before a crackdown",
                               "baseline enforcement on informal routes", plausible=(0.05, 0.3))
    max_interdiction: float = param(0.5, "share of informal traffic", "[0, 1]", EMPIRICAL,
                                    "assumption: full enforcement halves traffic, as the 2021 crackdown cut "
                                    "vehicles by 80%", "share of informal traffic seized at enforcement 1; "
                                    "open-border risk = enforcement × max_interdiction", plausible=(0.3, 0.8))
    smuggling_premium: float = param(0.5, "1 per unit risk", "[0, 10]", EMPIRICAL,
                                     "assumption: scarcity raises margins when routes are risky",
                                     "smugglers' margin uplift per unit of interdiction risk", plausible=(0.0, 1.0))
    markets: list[str] = param(["mand_pishin"], "list of crossing names", None, SCENARIO,
                               "The News 1071469; The Nation, 19 Jun 2023 (Mand-Pishin market opened 18 May 2023)",
                               "crossings with an operating border sustenance market")
    market_throughput: float = param(0.1, "share of official trade", "[0, 1]", EMPIRICAL,
                                     "assumption: a market serves local needs only",
                                     "share of official trade a sustenance market keeps open during a closure "
                                     "(floor on official throughput)", plausible=(0.05, 0.25))


def closure_profile(closure, days: int) -> np.ndarray:
    """Closure intensity per day 0..days: 1 while closed, ramping to 0 over the reopening."""
    c = np.zeros(days + 1)
    if closure.duration_days <= 0 or closure.start_day <= 0:
        return c
    t = np.arange(days + 1)
    s, e = closure.start_day, closure.start_day + closure.duration_days
    c[(t >= s) & (t < e)] = 1.0
    if closure.reopening_days > 0:
        ramp = (t >= e) & (t < e + closure.reopening_days)
        c[ramp] = 1.0 - (t[ramp] - e + 1) / (closure.reopening_days + 1)
    return c


def throughput_schedule(pars: BorderParams, policy_markets, crossings, days: int) -> dict[str, np.ndarray]:
    """Daily throughput (days+1, n_crossings), interdiction risk and status of every crossing.

    ``policy_markets`` is the ``policy.border_markets`` config: extra markets and
    their share of trade kept open during a closure.
    """
    c = closure_profile(pars.closure, days)[:, None]  # (T, 1)
    official = (crossings["kind"] == "official").to_numpy()[None, :]
    names = list(crossings["crossing"])
    market = np.zeros(len(names))
    for m in pars.markets:
        market[names.index(m)] = max(market[names.index(m)], pars.market_throughput)
    for m in policy_markets.crossings:
        market[names.index(m)] = max(market[names.index(m)], policy_markets.throughput)
    closed_level = np.maximum(pars.closure.official_throughput, market)[None, :]
    off = 1.0 - c * (1.0 - closed_level)

    base_risk = pars.enforcement * pars.max_interdiction
    open_inf = 1.0 - base_risk
    closed_inf = min(open_inf, pars.closure.informal_throughput)
    inf = open_inf - c * (open_inf - closed_inf)
    risk = 1.0 - inf  # interdiction risk on informal routes
    through = np.where(official, off, np.broadcast_to(inf, off.shape))
    risk = np.where(official, 0.0, np.broadcast_to(risk, off.shape))
    status = np.full(through.shape, RESTRICTED, dtype=np.int8)
    status[through <= 0.0] = CLOSED
    status[np.where(official, through >= 1.0, c == 0)] = OPEN
    # traders see volume and margin relative to the open-border level they were calibrated on
    open_level = np.where(official, 1.0, open_inf)
    premium = (1.0 + pars.smuggling_premium * risk) / (1.0 + pars.smuggling_premium * np.where(official, 0.0, base_risk))
    # policy markets only cost money while a closure makes them matter
    market_days = (c[:, 0] > 0) * len(policy_markets.crossings)
    return {"throughput": through, "risk": risk, "status": status, "closure": c[:, 0],
            "activity": through / open_level, "premium": premium, "policy_market_days": market_days}


class Border:
    """Each crossing's throughput, interdiction risk and status today, read from the pre-computed schedule."""

    def __init__(self, model):
        self.model = model
        pars, region = model.par, model.region
        self.schedule = throughput_schedule(pars.border, pars.policy.border_markets, region.crossings, model.days)
        official = (region.crossings["kind"] == "official").to_numpy()
        links = region.links * official[None, :]
        self.official_weights = links / np.maximum(links.sum(axis=1, keepdims=True), 1e-12)
        self.has_official = links.sum(axis=1) > 0
        self.activity = self.schedule["activity"][0]  # per crossing, volume relative to the open border
        self.premium = self.schedule["premium"][0]  # per crossing, smugglers' margin relative to the open border
        model.districts.official_throughput = self.official_throughput(0)

    def official_throughput(self, day: int) -> np.ndarray:
        """Per district: throughput of its official crossings (NaN for a district with none)."""
        throughput = self.official_weights @ self.schedule["throughput"][day]
        return np.where(self.has_official, throughput, np.nan)

    def step(self, day: int) -> None:
        self.activity = self.schedule["activity"][day]
        self.premium = self.schedule["premium"][day]
        self.model.districts.official_throughput = self.official_throughput(day)
