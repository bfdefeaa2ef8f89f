"""Every comparison the report makes: each scenario against the scenario its file names (``compare_to``; the
baseline when empty), at fixed horizons, for every outcome of :mod:`experiments.outcomes`.

A comparison pairs the runs of a scenario (variant, when scenario keys were swept) with the runs of its
reference that share the pairing keys (:meth:`Results.reference_keys`). The outcomes of both runs of a pair are
measured at the *scenario's* horizons (its closure window), so a mitigation and its closure are compared on the
same days, and a closure and the open-border baseline too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import pandas as pd

from .data import BASELINE, Results
from experiments.outcomes import BY_KEY, OUTCOMES, Window, pair_differences, paired_effects, run_outcomes
from .stats import pair_ids

FINDING_FIELDS = ["scenario", "compared_to", "outcome", "horizon", "mean", "ci_low", "ci_high", "n_pairs"]
SERIES = ["militants", "recruits_30d", "youth_unemployment_rate", "food_insecure_share", "food_price_index",
          "employed", "active_traders"]


@dataclass
class Comparisons:
    """Paired effects of every scenario against its reference."""

    res: Results
    diffs: pd.DataFrame  # one row per pair, outcome and horizon (pair_differences + scenario, compared_to, variant)
    effects: pd.DataFrame  # paired_effects per variant
    pairs: pd.DataFrame  # scenario run_id, reference run_id, variant, scenario, compared_to

    @cached_property
    def findings(self) -> list[dict]:
        """The ``report.json`` records: one per scenario (variant), outcome and horizon."""
        out = []
        for r in self.effects.itertuples():
            out.append({"scenario": r.variant, "compared_to": r.compared_to, "outcome": r.outcome,
                        "horizon": r.horizon, "day": int(r.day), "unit": BY_KEY[r.outcome].unit,
                        "mean": _num(r.mean), "ci_low": _num(r.ci_low), "ci_high": _num(r.ci_high),
                        "n_pairs": int(r.n_pairs)})
        return out

    def effect(self, variant: str, outcome: str, horizon: str) -> pd.Series | None:
        """The paired effect of ``variant`` on ``outcome`` at ``horizon`` (a row of ``effects``), or None."""
        e = self.effects
        r = e[(e["variant"] == variant) & (e["outcome"] == outcome) & (e["horizon"] == horizon)]
        return None if r.empty else r.iloc[0]

    def difference_series(self, variant: str, column: str) -> pd.DataFrame:
        """Per day: mean, 5th and 95th percentile over pairs of (scenario - reference) of a time-series column."""
        p = self.pairs[self.pairs["variant"] == variant]
        ts = self.res.region_ts.set_index("run_id")
        rows = []
        for a, b in zip(p["run_id"], p["reference_run_id"]):
            x = ts.loc[[a], ["day", column]].set_index("day")[column]
            y = ts.loc[[b], ["day", column]].set_index("day")[column]
            rows.append((x - y).rename(a))
        if not rows:
            return pd.DataFrame(columns=["day", "mean", "lo", "hi", "n"])
        wide = pd.concat(rows, axis=1)
        return pd.DataFrame({"day": wide.index, "mean": wide.mean(axis=1).to_numpy(),
                             "lo": wide.quantile(0.05, axis=1).to_numpy(), "hi": wide.quantile(0.95, axis=1).to_numpy(),
                             "n": wide.shape[1]})

    def variants(self, reference: str | None = None, mitigations: bool | None = None) -> list[str]:
        e = self.effects
        if reference is not None:
            e = e[e["compared_to"] == reference]
        if mitigations is not None:
            e = e[(e["compared_to"] != BASELINE) == mitigations]
        return list(dict.fromkeys(e["variant"]))


def _num(v) -> float | None:
    return None if v is None or not np.isfinite(v) else float(v)


def compare(res: Results) -> Comparisons:
    """Pair every main run with its reference run and measure every outcome at the scenario's horizons."""
    main = res.main.copy()
    main["variant"] = res.variant(main)
    ts = {rid: g for rid, g in res.region_ts.groupby("run_id", sort=False)}
    cache: dict = {}

    def outcomes(run_id: str, window: Window, days: int) -> pd.DataFrame:
        key = (run_id, window, days)
        if key not in cache:
            cache[key] = run_outcomes(ts[run_id], window, days)
        return cache[key]

    diffs, pairs = [], []
    for scen in res.scenarios:
        ref_name = res.compare_to.get(scen)
        if not ref_name:
            continue
        runs = main[main["scenario"] == scen]
        ref = main[main["scenario"] == ref_name]
        if runs.empty or ref.empty:
            continue
        keys = res.reference_keys(ref)
        ref = ref.assign(pairkey=pair_ids(ref, keys))
        runs = runs.assign(pairkey=pair_ids(runs, keys))
        ref_by_pair = ref.drop_duplicates("pairkey").set_index("pairkey")
        for run in runs.itertuples():
            if run.pairkey not in ref_by_pair.index:
                continue
            other = ref_by_pair.loc[run.pairkey]
            window = res.window(res.main.loc[res.main["run_id"] == run.run_id].iloc[0])
            days = int(min(run.n_days, other["n_days"]))
            a = outcomes(run.run_id, window, days).assign(pair=run.pairkey)
            b = outcomes(other["run_id"], window, days).assign(pair=run.pairkey)
            d = pair_differences(a, b, ["pair"])
            d = d.assign(scenario=scen, compared_to=ref_name, variant=run.variant, run_id=run.run_id,
                         reference_run_id=other["run_id"], seed=run.seed)
            diffs.append(d)
            pairs.append({"run_id": run.run_id, "reference_run_id": other["run_id"], "variant": run.variant,
                          "scenario": scen, "compared_to": ref_name, "seed": run.seed})
    cols = ["scenario", "compared_to", "variant", "run_id", "reference_run_id", "seed", "pair", "horizon", "day",
            "outcome", "value", "reference", "diff", "effect"]
    diffs = pd.concat(diffs, ignore_index=True)[cols] if diffs else pd.DataFrame(columns=cols)
    effects = (paired_effects(diffs, by=("variant", "scenario", "compared_to")) if len(diffs) else
               pd.DataFrame(columns=["variant", "scenario", "compared_to", "outcome", "horizon", "day", "mean",
                                     "ci_low", "ci_high", "n_pairs"]))
    scen_rank = {s: i for i, s in enumerate(res.scenarios)}

    def rank(v: str, scen: str) -> tuple:
        nums = tuple(float(x) for x in re.findall(r"=(-?[\d.]+(?:e-?\d+)?)", v))
        return (scen_rank.get(scen, 99), v != scen, nums, v)

    pairs_v = diffs.drop_duplicates("variant")[["variant", "scenario"]] if len(diffs) else pd.DataFrame()
    ranked = sorted(zip(pairs_v.get("variant", []), pairs_v.get("scenario", [])), key=lambda t: rank(*t))
    order = {v: i for i, (v, _) in enumerate(ranked)}
    if len(effects):
        effects = effects.assign(_v=effects["variant"].map(order),
                                 _o=effects["outcome"].map({o.key: i for i, o in enumerate(OUTCOMES)}))
        effects = effects.sort_values(["_v", "_o", "day"], kind="stable").drop(columns=["_v", "_o"])
        effects = effects.reset_index(drop=True)
    return Comparisons(res, diffs, effects, pd.DataFrame(pairs, columns=["run_id", "reference_run_id", "variant",
                                                                         "scenario", "compared_to", "seed"]))
