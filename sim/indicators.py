"""Indicators recorded every day for each district and for the region (district ``ALL``).

``UNITS`` is the single list of recorded columns with their units; the result
writer, the Mesa DataCollector and the report's axis labels all read it.

A run records every indicator unless told otherwise: ``Recorder(model, metrics=[...])`` records only those
(an analysis records what its outcomes read, :mod:`experiments.analysis.pairs`). Each recorded indicator's
values do not depend on which others are recorded (no rule reads the record), so they are the full
record's bit for bit; the others are neither computed nor in :meth:`Recorder.frame`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import kernels
from .population import (DEAD, DETAINED, EMPLOYED, INACTIVE, MIGRANT, MILITANT, PUBLIC_WORKS, SECTOR_NAMES, TRADE,
                         UNEMPLOYED)
from .roster import count_by_state

UNITS: dict[str, str] = {
    "working_age": "people",
    "employed": "people",
    "unemployed": "people",
    "inactive": "people",
    "militants": "people",
    "migrants": "people",
    "detained": "people",
    "killed": "people (cumulative)",
    "unemployment_rate": "share of labour force without a regular job (census basis)",
    "unemployment_rate_lfs": "share of labour force without a regular job or casual work (LFS basis)",
    "youth_labour_force": "people",
    "youth_unemployed": "people",
    "youth_unemployment_rate": "share of youth (15-29) labour force",
    "trade_employed": "people",
    "public_works_employed": "people",
    "food_price_index": "index (baseline = 1)",
    "fuel_price_index": "index (Iranian fuel at the open border = 1)",
    "food_insecure_share": "share of households",
    "median_household_income": "PKR/month (30 × the median daily income in whole rupees; model prices, about 2021)",
    "mean_household_income": "PKR/month (model prices, about 2021)",
    "food_share": "share of household consumption spending",
    "trade_dependent_people": "people in households with a trade job or a trader",
    "mean_hardship": "index [0, 1]",
    "mean_grievance": "index [0, 1]",
    "active_traders": "traders",
    "trade_volume": "PKR million/day (official trade)",
    "smuggling_volume": "million litres/day (fuel)",
    "informal_goods_value": "PKR million/day",
    "import_index": "index (baseline = 1)",
    "recruits": "people/day",
    "group_funds": "PKR million",
    "attacks": "expected attacks/day",
    "remittances": "PKR million/day",
    "policy_spending": "PKR million/day",
    "ct_intensity": "index",
    "border_throughput": "share of open-border official trade",
}
METRICS = list(UNITS)
INCOME_BINS = 50_000  # PKR/day: household incomes are binned to whole rupees below this cap
GROUP_UNITS: dict[str, str] = {
    "members": "people",
    "recruits": "people/day",
    "funds": "PKR million",
    "pay_offer": "PKR/day",
    "revenue": "PKR million/day (all sources)",
    "trade_revenue": "PKR million/day (taxes on informal and formal trade)",
    "operations": "PKR million/day",
    "attacks": "expected attacks/day",
    "killed": "people (cumulative)",
    "arrested": "people (cumulative)",
    "exited": "people (cumulative)",
}
_COL = {m: i for i, m in enumerate(METRICS)}
COUNTS = ("working_age", "employed", "unemployed", "inactive", "militants", "migrants", "detained", "killed",
          "youth_labour_force", "youth_unemployed", "trade_employed", "public_works_employed", "active_traders",
          "recruits", "trade_dependent_people")  # whole numbers: int64 in the frame


class Recorder:
    """Preallocated (days+1, districts+1, metrics) array; one row per day and district, ALL last.

    The counts of people by state are the tallies kept by the roster and the jobs ledger (:mod:`sim.roster`,
    :class:`sim.labour_market.Jobs`), the median income a compiled pass (:mod:`sim.kernels`); ``compiled=False``
    records with their NumPy references, a recount from the people (``tests/test_kernels.py`` compares the two).
    ``metrics``: the indicators to record (default: every one of :data:`METRICS`).
    """

    def __init__(self, model, compiled: bool = True, metrics=None):
        self.compiled = compiled
        unknown = sorted(set(metrics or ()) - set(METRICS))
        if unknown:
            raise ValueError(f"metrics: unknown indicators {unknown}; recorded indicators are sim.indicators.METRICS")
        self.metrics = METRICS if metrics is None else [name for name in METRICS if name in set(metrics)]
        self.recorded = frozenset(self.metrics)
        districts, days = model.districts, model.days
        self.names = list(districts.names) + ["ALL"]
        self.group_names = list(model.groups.names)
        self.groups = np.zeros((days + 1, len(self.group_names), len(GROUP_UNITS)))
        D = len(districts)
        self.D = D
        self.data = np.full((days + 1, D + 1, len(METRICS)), np.nan)
        self.hh = model.household_slices  # households are contiguous by district
        # median income from a histogram of whole rupees per district
        self.district_key = self.hh.district.astype(np.int64)
        self.weights = districts.population / districts.population.sum()

    def record(self, t: int, m) -> None:
        """Write day ``t`` from model ``m`` (a BorderModel)."""
        D = self.D
        p, hh, tr, districts = m.people, m.households, m.traders, m.districts
        row = self.data[t]
        wanted = self.recorded.__contains__
        by_state, sec, trade_home = self.people_counts(m)
        counts, youth = by_state.sum(axis=1), by_state[:, 1]

        def put(name, values, total=None):
            """District values, and the region total (sum unless given); nothing for an indicator not recorded."""
            if name not in self.recorded:
                return
            values = np.asarray(values, dtype=float)
            row[:D, _COL[name]] = values
            row[D, _COL[name]] = values.sum() if total is None else total

        wmean = self.weights.dot  # population-weighted regional mean

        for name, s in (("employed", EMPLOYED), ("unemployed", UNEMPLOYED), ("inactive", INACTIVE),
                        ("militants", MILITANT), ("migrants", MIGRANT), ("detained", DETAINED), ("killed", DEAD)):
            put(name, counts[:, s])
        put("working_age", counts[:, [EMPLOYED, UNEMPLOYED, INACTIVE, MILITANT, MIGRANT]].sum(axis=1))
        lf = counts[:, EMPLOYED] + counts[:, UNEMPLOYED]
        put("unemployment_rate", _ratio(counts[:, UNEMPLOYED], lf),
            total=_ratio(counts[:, UNEMPLOYED].sum(), lf.sum()))
        lfs_unemployed = counts[:, UNEMPLOYED] * (1.0 - m.par.labour.casual_work_share)
        put("unemployment_rate_lfs", _ratio(lfs_unemployed, lf), total=_ratio(lfs_unemployed.sum(), lf.sum()))
        ylf = youth[:, EMPLOYED] + youth[:, UNEMPLOYED]
        put("youth_labour_force", ylf)
        put("youth_unemployed", youth[:, UNEMPLOYED])
        put("youth_unemployment_rate", _ratio(youth[:, UNEMPLOYED], ylf),
            total=_ratio(youth[:, UNEMPLOYED].sum(), ylf.sum()))
        put("trade_employed", sec[:, TRADE])
        put("public_works_employed", sec[:, PUBLIC_WORKS])
        put("food_price_index", districts.food_price_index, total=wmean(districts.food_price_index))
        put("fuel_price_index", districts.fuel_price_index, total=wmean(districts.fuel_price_index))

        n_hh = self.hh.counts
        if wanted("food_insecure_share"):
            insecure = self.hh.sum(hh.food_ratio < m.par.households.food_insecure_threshold)
            put("food_insecure_share", insecure / n_hh, total=insecure.sum() / n_hh.sum())
        if wanted("median_household_income"):
            median_d, median_all = self.median_income(hh.income)
            put("median_household_income", median_d * 30.0, total=median_all * 30.0)  # PKR/month, as the mean
        if wanted("mean_household_income"):
            income = self.hh.sum(hh.income)
            put("mean_household_income", income / n_hh * 30.0, total=income.sum() / n_hh.sum() * 30.0)
        if wanted("food_share"):
            spending, food = self.hh.sum(hh.spending), self.hh.sum(hh.food_spending)
            put("food_share", _ratio(food, spending), total=_ratio(food.sum(), spending.sum()))
        if wanted("trade_dependent_people"):
            trade_home[tr.owner[tr.active]] = True  # or the household owns an active trader
            put("trade_dependent_people", self.hh.sum(hh.size * trade_home))
        if wanted("mean_hardship") or wanted("mean_grievance"):
            hard = self.hh.sum(hh.hardship)
            put("mean_hardship", hard / n_hh, total=hard.sum() / n_hh.sum())
            griev = np.clip(hard / n_hh * (1.0 - districts.legitimacy) + districts.grievance_shock, 0.0, 1.0)
            put("mean_grievance", griev, total=wmean(griev))

        if wanted("active_traders"):
            put("active_traders", np.bincount(tr.district, weights=tr.active, minlength=D))
        official = m.trade.is_formal
        if wanted("trade_volume"):
            put("trade_volume", np.bincount(tr.district, weights=tr.value0 * tr.activity * official, minlength=D) / 1e6)
        if wanted("smuggling_volume"):
            put("smuggling_volume", np.bincount(tr.district, weights=tr.litres0 * tr.activity, minlength=D) / 1e6)
        if wanted("informal_goods_value"):
            put("informal_goods_value",
                np.bincount(tr.district, weights=tr.value0 * tr.activity * ~official, minlength=D) / 1e6)
        put("import_index", districts.import_index, total=wmean(districts.import_index))
        put("recruits", districts.recruits)
        put("group_funds", districts.group_funds / 1e6)
        put("attacks", districts.attacks)
        put("remittances", districts.remittances / 1e6)
        put("policy_spending", districts.policy_spending / 1e6)
        put("ct_intensity", districts.ct_intensity, total=wmean(districts.ct_intensity))
        if wanted("border_throughput"):
            throughput = districts.official_throughput  # NaN for a district with no official crossing
            linked = ~np.isnan(throughput)
            put("border_throughput", throughput, total=np.dot(self.weights[linked], throughput[linked])
                / self.weights[linked].sum() if linked.any() else np.nan)

        g = m.groups
        self.groups[t] = np.stack([g.members, g.recruits, g.funds / 1e6, g.pay_offer, g.revenue / 1e6, g.revenue_trade / 1e6,
                                   g.operations / 1e6, g.attacks,
                                   g.killed, g.arrested, g.exited], axis=1)

    def people_counts(self, m) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """People by district, youth and state (shape (D, 2, states)), the employed by district and sector
        (D, sectors), and per household whether a member has a trade job (a new array): the roster's and the
        jobs ledger's tallies, or (``compiled=False``) a recount from the people."""
        if self.compiled:
            jobs = m.labour_market.jobs
            return m.roster.by_state, jobs.by_sector, jobs.trade_members > 0
        p, D = m.people, self.D
        by_state = count_by_state(p, D)
        employed = p.sector >= 0
        sec = np.bincount(p.district[employed].astype(np.int64) * len(SECTOR_NAMES) + p.sector[employed],
                          minlength=D * len(SECTOR_NAMES)).reshape(D, len(SECTOR_NAMES))
        trade_home = np.zeros(len(m.households), dtype=bool)
        trade_home[p.hh[np.flatnonzero(p.sector == TRADE)]] = True
        return by_state, sec, trade_home

    def frame(self, last_day: int) -> pd.DataFrame:
        """Tidy table: one row per day and district (districts, then ALL)."""
        T = last_day + 1
        D1 = self.D + 1
        data = self.data[:T] if len(self.metrics) == len(METRICS) else self.data[:T, :, [_COL[c] for c in self.metrics]]
        df = pd.DataFrame(data.reshape(T * D1, len(self.metrics)), columns=self.metrics)
        df.insert(0, "district", np.tile(self.names, T))
        df.insert(0, "day", np.repeat(np.arange(T), D1))
        for c in COUNTS:
            if c in self.recorded:
                df[c] = df[c].astype(np.int64)
        return df

    def median_income(self, income: np.ndarray) -> tuple[np.ndarray, float]:
        """Lower median of household income per district and for the region, in whole rupees (PKR/day).

        Exact to the rupee: a histogram of incomes rounded down to whole rupees (capped at
        ``INCOME_BINS - 1``) is cumulated and the median bin read off.
        """
        if self.compiled:
            med = kernels.median_income(income, self.hh.district, self.D, INCOME_BINS)
            return med[:-1], float(med[-1])
        whole = np.minimum(income, INCOME_BINS - 1).astype(np.int64)
        bins = int(whole.max()) + 1
        hist = np.bincount(self.district_key * bins + whole, minlength=self.D * bins).reshape(self.D, bins)
        hist = np.vstack([hist, hist.sum(axis=0)])
        cum = np.cumsum(hist, axis=1)
        half = (cum[:, -1] + 1) // 2
        med = np.array([np.searchsorted(c, h) for c, h in zip(cum, half)], dtype=float)
        return med[:-1], float(med[-1])

    def group_frame(self, last_day: int) -> pd.DataFrame:
        """Tidy table: one row per day and militant group."""
        T, G = last_day + 1, len(self.group_names)
        df = pd.DataFrame(self.groups[:T].reshape(T * G, len(GROUP_UNITS)), columns=list(GROUP_UNITS))
        df.insert(0, "group", np.tile(self.group_names, T))
        df.insert(0, "day", np.repeat(np.arange(T), G))
        for c in ("members", "recruits", "killed", "arrested", "exited"):
            df[c] = df[c].astype(np.int64)
        return df

    def region_value(self, t: int, name: str) -> float:
        return float(self.data[t, self.D, _COL[name]])

    def region_series(self, name: str) -> np.ndarray:
        """One recorded indicator for the region, by day (row t = day t; days not yet run are NaN). A view:
        read it, do not write it."""
        return self.data[:, self.D, _COL[name]]

    def district_series(self, name: str) -> np.ndarray:
        """One recorded indicator per district, by day: shape (days + 1, districts), districts in
        ``names`` order (days not yet run are NaN). A view: read it, do not write it."""
        return self.data[:, : self.D, _COL[name]]


def _ratio(a, b):
    a = np.asarray(a, dtype=float)
    b = np.asarray(b, dtype=float)
    return np.divide(a, b, out=np.zeros_like(a), where=b > 0)
