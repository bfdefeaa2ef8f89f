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

import numpy as np

OPEN, RESTRICTED, CLOSED = 0, 1, 2
STATUS_NAMES = ("open", "restricted", "closed")


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


def throughput_schedule(bcfg, policy_markets, crossings, days: int) -> dict[str, np.ndarray]:
    """Daily throughput (days+1, n_crossings), interdiction risk and status of every crossing.

    ``policy_markets`` is the ``policy.border_markets`` config: extra markets and
    their share of trade kept open during a closure.
    """
    c = closure_profile(bcfg.closure, days)[:, None]  # (T, 1)
    official = (crossings["kind"] == "official").to_numpy()[None, :]
    names = list(crossings["crossing"])
    market = np.zeros(len(names))
    for m in bcfg.markets:
        market[names.index(m)] = max(market[names.index(m)], bcfg.market_throughput)
    for m in policy_markets.crossings:
        market[names.index(m)] = max(market[names.index(m)], policy_markets.throughput)
    closed_level = np.maximum(bcfg.closure.official_throughput, market)[None, :]
    off = 1.0 - c * (1.0 - closed_level)

    base_risk = bcfg.enforcement * bcfg.max_interdiction
    open_inf = 1.0 - base_risk
    closed_inf = min(open_inf, bcfg.closure.informal_throughput)
    inf = open_inf - c * (open_inf - closed_inf)
    risk = 1.0 - inf  # interdiction risk on informal routes
    through = np.where(official, off, np.broadcast_to(inf, off.shape))
    risk = np.where(official, 0.0, np.broadcast_to(risk, off.shape))
    status = np.full(through.shape, RESTRICTED, dtype=np.int8)
    status[through <= 0.0] = CLOSED
    status[np.where(official, through >= 1.0, c == 0)] = OPEN
    # traders see volume and margin relative to the open-border level they were calibrated on
    open_level = np.where(official, 1.0, open_inf)
    premium = (1.0 + bcfg.smuggling_premium * risk) / (1.0 + bcfg.smuggling_premium * np.where(official, 0.0, base_risk))
    # policy markets only cost money while a closure makes them matter
    market_days = (c[:, 0] > 0) * len(policy_markets.crossings)
    return {"throughput": through, "risk": risk, "status": status, "closure": c[:, 0],
            "activity": through / open_level, "premium": premium, "policy_market_days": market_days}
