"""From paired effects to answers: Morris and Sobol indices (SALib), PRIM and CART boxes (EMA Workbench),
and the ensemble's distribution of each effect.

Every function takes plain tables and returns a tidy table (one row per parameter/box step and per
scenario, outcome and horizon), so the same code serves the command, the tests and the report.

- ``effects``: one row per design point, replicate, scenario, outcome and horizon with the paired
  ``effect`` (:mod:`experiments.analysis.pairs`). Replicates of a point are averaged before an index is
  computed (the response of a point is its mean paired effect).
- Morris: ``SALib.analyze.morris`` on the unit-cube design (elementary effects per unit of each factor's
  range: mu* and sigma are in the outcome's unit per full plausible range / (levels-1) steps); mu_star_conf
  is SALib's bootstrap interval half-width.
- Sobol: ``SALib.analyze.sobol`` (first-order S1 by Saltelli 2010, total ST by Jansen 1999), with
  bootstrap confidence half-widths.
- PRIM: ``ema_workbench.analysis.prim.Prim`` on a Latin hypercube ensemble, cases of interest
  ``effect > threshold`` ("raises") and ``effect < -threshold`` ("lowers"); the whole peeling trajectory
  is kept, and the reported box is the one with most coverage among those of density >= min_density.
- CART: ``ema_workbench.analysis.cart.CART`` on the same cases, as a second view.
"""

from __future__ import annotations

import logging
import warnings

import numpy as np
import pandas as pd

KEYS = ["scenario", "outcome", "horizon"]
MORRIS_COLUMNS = ["parameter", "scenario", "outcome", "horizon", "mu", "mu_star", "mu_star_conf", "sigma"]
SOBOL_COLUMNS = ["parameter", "scenario", "outcome", "horizon", "S1", "S1_conf", "ST", "ST_conf"]


def responses(effects: pd.DataFrame, n_points: int) -> dict[tuple, np.ndarray]:
    """(scenario, outcome, horizon) -> the mean effect of every point 0..n_points-1 (NaN where missing)."""
    mean = effects.groupby([*KEYS, "point"])["effect"].mean()
    out = {}
    for key, g in mean.groupby(level=[0, 1, 2]):
        y = np.full(n_points, np.nan)
        y[g.index.get_level_values("point").to_numpy()] = g.to_numpy()
        out[key] = y
    return out


def _quiet():
    warnings.filterwarnings("ignore", category=RuntimeWarning)
    logging.getLogger("SALib").setLevel(logging.ERROR)


def complete_trajectories(problem: dict, n_points: int, points) -> np.ndarray:
    """The Morris trajectories (blocks of g + 1 consecutive points) whose every point is in ``points``."""
    g = len(set(problem["groups"])) if "groups" in problem else problem["num_vars"]
    have = np.zeros(n_points, dtype=bool)
    have[np.asarray(list(points), dtype=int)] = True
    return np.flatnonzero(have.reshape(-1, g + 1).all(axis=1))


def morris_indices(problem: dict, unit: np.ndarray, effects: pd.DataFrame, settings,
                   partial: bool = False) -> pd.DataFrame:
    """mu, mu*, its confidence half-width and sigma per factor (or group), scenario, outcome and horizon.
    With ``partial``, only the complete trajectories are used (column ``r``: how many)."""
    from SALib.analyze import morris

    _quiet()
    rows = []
    g1 = (len(set(problem["groups"])) if "groups" in problem else problem["num_vars"]) + 1
    keep = np.arange(len(unit))
    if partial:
        traj = complete_trajectories(problem, len(unit), effects["point"].unique())
        keep = (traj[:, None] * g1 + np.arange(g1)[None, :]).ravel()
    r = len(keep) // g1
    for (scen, outcome, horizon), y in responses(effects, len(unit)).items():
        y = y[keep]
        if len(y) == 0 or not np.all(np.isfinite(y)):
            continue
        si = morris.analyze(problem, unit[keep], y, num_resamples=int(settings.num_resamples),
                            conf_level=float(settings.conf_level), num_levels=int(settings.levels),
                            seed=int(settings.seed))
        for i, name in enumerate(si["names"]):
            rows.append({"parameter": name, "scenario": scen, "outcome": outcome, "horizon": horizon,
                         "mu": float(si["mu"][i]), "mu_star": float(si["mu_star"][i]),
                         "mu_star_conf": float(si["mu_star_conf"][i]), "sigma": float(si["sigma"][i]), "r": r})
    return pd.DataFrame(rows, columns=[*MORRIS_COLUMNS, "r"])


def sobol_indices(problem: dict, n_points: int, effects: pd.DataFrame, settings) -> pd.DataFrame:
    """S1, ST and their confidence half-widths per factor (or group), scenario, outcome and horizon."""
    from SALib.analyze import sobol

    _quiet()
    rows = []
    for (scen, outcome, horizon), y in responses(effects, n_points).items():
        if not np.all(np.isfinite(y)) or np.ptp(y) == 0:
            continue
        si = sobol.analyze(problem, y, calc_second_order=False, num_resamples=int(settings.num_resamples),
                           conf_level=float(settings.conf_level), seed=int(settings.seed))
        names = sorted(set(problem["groups"]), key=problem["groups"].index) if "groups" in problem else problem["names"]
        for i, name in enumerate(names):
            rows.append({"parameter": name, "scenario": scen, "outcome": outcome, "horizon": horizon,
                         "S1": float(si["S1"][i]), "S1_conf": float(si["S1_conf"][i]), "ST": float(si["ST"][i]),
                         "ST_conf": float(si["ST_conf"][i])})
    return pd.DataFrame(rows, columns=SOBOL_COLUMNS)


def screened(morris_csv, top: int, outcome: str = "recruits", scenario: str = "") -> list[str]:
    """The ``top`` parameters of a Morris screening by their largest mu* (relative to the outcome's largest
    mu* at each scenario and horizon, so horizons weigh alike) over ``outcome``."""
    m = pd.read_csv(morris_csv)
    m = m[m["outcome"] == outcome]
    if scenario:
        m = m[m["scenario"] == scenario]
    m = m.assign(rel=m["mu_star"] / m.groupby(KEYS)["mu_star"].transform("max").replace(0, np.nan))
    order = m.groupby("parameter")["rel"].max().sort_values(ascending=False)
    return list(order.index[:top]) if top > 0 else list(order.index)


def prim_boxes(x: pd.DataFrame, y: np.ndarray, threshold: float, settings, units: dict | None = None) -> pd.DataFrame:
    """PRIM over ``x`` (one row per point; numbers, categorical options as text) for both directions.

    One row per step of each peeling trajectory (``direction`` raises/lowers, ``step``, ``coverage``,
    ``density``, ``mass``, ``mean``, ``res_dim``, ``n``, ``k``, ``chosen``) and, for the chosen step, one row
    per restricted parameter (``parameter``, ``low``, ``high`` or ``values``; numbers in the parameter's
    unit; ``qp_low``, ``qp_high``: the quasi-p value of each restricted side, Bryant and Lempert 2010, NaN for
    a side left open) with ``kind = "limit"``.
    """
    from ema_workbench.analysis import prim

    logging.getLogger("EMA").setLevel(logging.ERROR)
    _quiet()
    out = []
    x = x.reset_index(drop=True).copy()
    for col in x.columns:  # EMA's pasting writes fractional limits into integer columns (fails on pandas 3)
        if pd.api.types.is_integer_dtype(x[col]):
            x[col] = x[col].astype(float)
    for direction, cases in (("raises", y > threshold), ("lowers", y < -threshold)):
        base = {"direction": direction, "threshold": threshold, "cases": int(cases.sum()), "n_points": len(y)}
        if cases.sum() == 0 or cases.all():
            out.append({**base, "kind": "none", "note": "no case of interest" if cases.sum() == 0 else
                        "every point is a case of interest"})
            continue
        p = prim.Prim(x.reset_index(drop=True), cases.astype(int), peel_alpha=float(settings.peel_alpha),
                      mass_min=float(settings.mass_min))
        box = p.find_box()
        traj = box.peeling_trajectory.reset_index(drop=True)
        ok = np.flatnonzero(traj["density"].to_numpy() >= float(settings.min_density))
        chosen = int(ok[np.argmax(traj["coverage"].to_numpy()[ok])]) if len(ok) else int(len(traj) - 1)
        for i, row in traj.iterrows():
            out.append({**base, "kind": "step", "step": int(i), "coverage": float(row["coverage"]),
                        "density": float(row["density"]), "mass": float(row["mass"]), "mean": float(row["mean"]),
                        "res_dim": int(row["res_dim"]), "n": int(row["n"]), "k": int(row["k"]),
                        "chosen": i == chosen})
        lims, init, qp = box.box_lims[chosen], box.box_lims[0], box.p_values[chosen]
        for col in lims.columns:
            a, b = lims[col].tolist(), init[col].tolist()
            if a == b:
                continue
            rec = {**base, "kind": "limit", "step": chosen, "parameter": col,
                   "coverage": float(traj.loc[chosen, "coverage"]), "density": float(traj.loc[chosen, "density"]),
                   "unit": (units or {}).get(col, "")}
            side = list(qp.get(col, [-1.0, -1.0]))  # EMA writes -1 for a side that is not restricted
            rec["qp_low"], rec["qp_high"] = (float(v) if v is not None and v >= 0 else np.nan for v in side)
            if isinstance(a[0], (set, frozenset)):
                rec["values"] = ";".join(sorted(str(v) for v in a[0]))
            else:
                rec["low"], rec["high"] = float(a[0]), float(a[1])
                rec["range_low"], rec["range_high"] = float(b[0]), float(b[1])
            out.append(rec)
    return pd.DataFrame(out)


def cart_boxes(x: pd.DataFrame, y: np.ndarray, threshold: float, mass_min: float = 0.05) -> pd.DataFrame:
    """CART (EMA Workbench) on the same cases of interest: one row per leaf box and restricted parameter."""
    from ema_workbench.analysis import cart

    logging.getLogger("EMA").setLevel(logging.ERROR)
    _quiet()
    rows = []
    for direction, cases in (("raises", y > threshold), ("lowers", y < -threshold)):
        if cases.sum() == 0 or cases.all():
            continue
        # EMA's CART takes int(mass_min * n) points per leaf, which must be at least 1
        c = cart.CART(x.reset_index(drop=True), cases.astype(int), mass_min=max(mass_min, 1.0 / len(y)))
        c.build_tree()
        stats = c.stats
        for i, (lims, st) in enumerate(zip(c.boxes, stats)):
            for col in lims.columns:
                lo, hi = lims[col].iloc[0], lims[col].iloc[1]
                init_lo, init_hi = x[col].min(), x[col].max()
                if lo == init_lo and hi == init_hi:
                    continue
                rows.append({"direction": direction, "box": i, "parameter": col, "low": float(lo), "high": float(hi),
                             "coverage": float(st.get("coverage", np.nan)), "density": float(st.get("density", np.nan)),
                             "mass": float(st.get("mass", np.nan))})
    return pd.DataFrame(rows, columns=["direction", "box", "parameter", "low", "high", "coverage", "density", "mass"])


def ensemble(effects: pd.DataFrame) -> pd.DataFrame:
    """Per scenario, outcome and horizon: the distribution of the paired effect over the points and seeds
    (mean, 10/50/90% quantiles) and the share of pairs where it is positive, P(effect > 0)."""
    g = effects.groupby([*KEYS, "compared_to"], sort=False)["effect"]
    out = g.agg(n="count", mean="mean", q10=lambda s: s.quantile(0.1), median="median",
                q90=lambda s: s.quantile(0.9), p_positive=lambda s: float((s > 0).mean()),
                p_negative=lambda s: float((s < 0).mean())).reset_index()
    return out
