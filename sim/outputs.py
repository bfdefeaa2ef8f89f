"""Tables of one finished run, read from the model: the headline summary and the border schedule.

The time series and the group table come from :class:`sim.indicators.Recorder`
(``BorderModel.timeseries()``, ``BorderModel.group_frame()``); these two complete
what a run directory holds (see :mod:`experiments.rundir` for how it is written).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd


# Plausible range of the local multiplier (total jobs lost / direct trade jobs lost): from 1.0 (no local
# effect: low-tech manufacturing in China, Wang & Chanda 2017) to 2.6 (each tradable job supporting 1.6 local
# jobs in US cities, Moretti 2010); 1.34 for Chinese manufacturing (Wang & Chanda 2017) and about 2.0 for
# unskilled US jobs (Moretti 2010; van Dijk 2014). Estimated from job gains: applying them to losses is an
# assumption. docs/ODD.md §7.7.3.
LOCAL_MULTIPLIER_RANGE = (1.0, 2.6)


def local_multiplier(reg: pd.DataFrame) -> float | None:
    """Jobs lost at the low point of employment (public works left out) over the direct trade jobs lost by
    then; None while trade has lost fewer than 1% of its day-0 jobs (nothing to multiply)."""
    jobs = (reg["employed"] - reg["public_works_employed"]).to_numpy()
    trade = reg["trade_employed"].to_numpy()
    low = int(np.argmin(jobs))
    trade_lost = trade[0] - trade[low]
    return float((jobs[0] - jobs[low]) / trade_lost) if trade_lost >= 0.01 * max(trade[0], 1) else None


def summary(ts: pd.DataFrame, model) -> dict[str, Any]:
    """Headline scalars of one run, from its region-level time series."""
    reg = ts[ts["district"] == "ALL"]
    after = reg[reg["day"] >= 1]
    gr = model.groups
    return {
        "scenario": model.par.scenario_name,
        "seed": int(model.par.seed),
        "days": int(model.days),
        "population_scale": float(model.par.population.scale),
        "people": int(model.households.size.sum()),
        "households": int(len(model.households)),
        "working_age": int(len(model.people)),
        "cumulative_recruits": int(after["recruits"].sum()),
        "final_militants": int(reg["militants"].iloc[-1]),
        "peak_youth_unemployment_rate": float(after["youth_unemployment_rate"].max()),
        "mean_youth_unemployment_rate": float(after["youth_unemployment_rate"].mean()),
        "youth_unemployed_person_days": float(after["youth_unemployed"].sum()),
        "peak_unemployment_rate": float(after["unemployment_rate"].max()),
        "mean_food_price_index": float(after["food_price_index"].mean()),
        "peak_food_price_index": float(after["food_price_index"].max()),
        "mean_food_insecure_share": float(after["food_insecure_share"].mean()),
        "peak_food_insecure_share": float(after["food_insecure_share"].max()),
        "local_multiplier": local_multiplier(reg),
        "min_active_traders": int(after["active_traders"].min()),
        "trader_exits": int(model.traders.exits),
        "final_migrants": int(reg["migrants"].iloc[-1]),
        "killed": int(gr.killed.sum()),
        "arrested": int(gr.arrested.sum()),
        "policy_spending_pkr_m": float(after["policy_spending"].sum()),
        "final_group_funds_pkr_m": float(reg["group_funds"].iloc[-1]),
    }


def border_frame(model) -> pd.DataFrame:
    """Day × crossing throughput, interdiction risk and status (pre-computed schedule)."""
    import pandas as pd

    from .border import STATUS_NAMES

    s = model.border.schedule
    T, C = s["throughput"].shape
    return pd.DataFrame({
        "day": np.repeat(np.arange(T), C),
        "crossing": np.tile(model.crossing_names, T),
        "kind": np.tile(model.region.crossings["kind"].to_numpy(), T),
        "throughput": s["throughput"].ravel(),
        "interdiction_risk": s["risk"].ravel(),
        "status": np.array(STATUS_NAMES)[s["status"].ravel()],
    })
