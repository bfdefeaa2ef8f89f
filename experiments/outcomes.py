"""Outcomes at fixed horizons and paired effects with bootstrap intervals: what the report and the analyses
measure, defined once here (both import this module; it imports neither).

Plain functions on plain frames:

- :func:`horizons`: the days at which a closure's effect is measured — the end of the closure (the last
  restricted day, phased reopening included), 6 months and 1 year after it, and the end of the run
  (:data:`HORIZONS`); horizons past the end of the run are dropped (nothing is extrapolated);
- :func:`run_outcomes`: from one run's region-wide time series (``district == "ALL"`` rows, or any frame with
  one row per day) and a closure window, every outcome of :data:`OUTCOMES` at every horizon;
- :func:`pair_differences`: scenario minus reference, one row per pair of runs sharing their pairing keys
  (the seed, the replicate and any swept value);
- :func:`paired_effects`: per scenario, outcome and horizon, the mean paired difference with a 90% t-interval
  over pairs (honest at the small numbers of pairs a report usually has, where a percentile bootstrap is too
  narrow); :data:`MIN_PAIRS` is the fewest pairs on which the report calls an effect detectable.

The effect of an outcome is ``sign * factor * (scenario - reference)``: ``sign`` = -1 turns a fall into a
loss (jobs lost, traders who exited), ``factor`` = 100 turns shares into percentage points. A peak (low point)
effect is the scenario's peak minus the reference's peak, each over days 1 to the horizon ("peak vs peak"): not
the peak of the daily difference, so it can be smaller than the difference at a later horizon.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

CONFIDENCE = 0.90
MIN_PAIRS = 8  # fewer paired runs than this: the report says "too few pairs to tell", whatever the interval
BOOTSTRAP_SEED = 20240116  # the report's cost-per-unit interval (a ratio of means) is a paired bootstrap
REGION = "ALL"


@dataclass(frozen=True)
class Horizon:
    """A day at which an effect is measured: ``after_closure`` days after the closure's last restricted day, or
    (``None``) the last day of the run. ``label`` names it in tables, figures and config values (the ``horizon``
    column); ``phrase`` in a sentence."""

    label: str
    after_closure: int | None
    phrase: str

    def __str__(self) -> str:
        return self.label


CLOSURE_END = Horizon("closure end", 0, "at the end of the closure")
SIX_MONTHS_AFTER = Horizon("+6 months", 182, "six months after the closure")
ONE_YEAR_AFTER = Horizon("+1 year", 365, "a year after it")
END_OF_RUN = Horizon("end of run", None, "at the end of the run")
HORIZONS = (CLOSURE_END, SIX_MONTHS_AFTER, ONE_YEAR_AFTER, END_OF_RUN)  # in time order
HORIZON_LABELS = tuple(h.label for h in HORIZONS)


@dataclass(frozen=True)
class Window:
    """A closure: first closed day, first day after it, first day after its phased reopening (NaN: no closure)."""

    start: float = math.nan
    end: float = math.nan
    reopen_end: float = math.nan

    @property
    def closed(self) -> bool:
        return np.isfinite(self.start)

    @property
    def last_restricted_day(self) -> int:
        """The last day with any restriction (the end of a phased reopening, else the last closed day)."""
        last = self.reopen_end if np.isfinite(self.reopen_end) and self.reopen_end > self.end else self.end
        return int(last) - 1


@dataclass(frozen=True)
class Level:
    """One run's own level of an outcome (at the end of the run), as the summary and runs tables hold it: ``key``
    names its column (what it is, not the effect's name), ``unit`` its unit in the data (shares as fractions),
    ``shown`` the multiplier for text and ``shown_unit`` the unit after it (a share as %)."""

    key: str
    label: str
    unit: str
    shown: float = 1.0
    shown_unit: str = ""
    decimals: int = 0

    @property
    def display_unit(self) -> str:
        return self.shown_unit or self.unit


@dataclass(frozen=True)
class Outcome:
    """One outcome: per-run statistic (``column``, ``how``), how its paired effect is shown, and (``level``) how
    a run's own level is shown in the summary table (None: not shown there)."""

    key: str
    label: str  # the effect, in words
    unit: str  # unit of the effect
    column: str
    how: str  # "sum" (days 1..h), "at" (day h), "max" / "min" (over days 1..h), "closure_mean" (closed days)
    factor: float = 1.0
    sign: float = 1.0
    decimals: int = 0
    at_closure_end_only: bool = False  # the same number at every horizon: shown once
    short: str = ""  # a few words, for titles and lists
    level: Level | None = None

    @property
    def name(self) -> str:
        return self.short or self.key.replace("_", " ")

    def effect(self, diff):
        return self.sign * self.factor * diff


OUTCOMES: list[Outcome] = [
    Outcome("recruits", "extra recruits (cumulative to the horizon)", "people", "recruits", "sum", short="recruits",
            level=Level("recruits_whole_run", "Cumulative recruits (whole run)", "people")),
    Outcome("members", "extra militant members (at the horizon)", "people", "militants", "at", short="members",
            level=Level("members_end_of_run", "Militant members at the end of the run", "people")),
    Outcome("members_peak", "higher peak membership (peak vs peak)", "people", "militants", "max",
            short="peak members", level=Level("members_peak", "Peak militant members", "people")),
    Outcome("youth_unemployment_peak", "higher peak youth unemployment (peak vs peak)", "percentage points",
            "youth_unemployment_rate", "max", factor=100.0, decimals=1, short="peak youth unemployment",
            level=Level("youth_unemployment_rate_peak", "Peak youth unemployment rate", "share of youth labour force", 100.0,
                        "% of youth labour force", 1)),
    Outcome("food_insecure_peak", "higher peak food insecurity (peak vs peak)", "percentage points",
            "food_insecure_share", "max", factor=100.0, decimals=1, short="peak food insecurity",
            level=Level("food_insecure_share_peak", "Peak food-insecure households", "share of households", 100.0,
                        "% of households", 1)),
    Outcome("food_insecure_closure_mean", "extra food-insecure households (closure mean)",
            "percentage points", "food_insecure_share", "closure_mean", factor=100.0, decimals=1,
            at_closure_end_only=True, short="food insecurity over the closure",
            level=Level("food_insecure_share_closure_mean", "Food-insecure households, mean over the closure",
                        "share of households", 100.0, "% of households", 1)),
    Outcome("food_price_peak", "higher peak food price (peak vs peak)", "% of the open-border price", "food_price_index",
            "max", factor=100.0, decimals=1, short="peak food price",
            level=Level("food_price_index_peak", "Peak food price index", "index, open border = 1", decimals=3)),
    Outcome("jobs_lost_peak", "jobs lost (low point vs low point)", "jobs", "employed", "min", sign=-1.0,
            short="jobs lost", level=Level("employment_lowest", "Lowest employment", "people employed")),
    Outcome("trade_jobs_lost_peak", "direct trade jobs lost (low point vs low point)", "jobs", "trade_employed", "min",
            sign=-1.0, short="trade jobs lost"),
    Outcome("traders_exited", "traders who exited (net, at the horizon)", "traders", "active_traders", "at",
            sign=-1.0, short="traders exited", level=Level("active_traders_end_of_run", "Active traders at the end of the run", "traders")),
    Outcome("spending", "extra policy spending (cumulative to the horizon)", "PKR million", "policy_spending", "sum",
            decimals=1, short="policy spending", level=Level("policy_spending_whole_run", "Policy spending (whole run)", "PKR million", decimals=1)),
    Outcome("youth_unemployed_person_days", "extra youth unemployment (person-days, cumulative to the horizon)",
            "person-days", "youth_unemployed", "sum", short="youth unemployment in person-days"),
]
BY_KEY = {o.key: o for o in OUTCOMES}
UNIT_ONE = {"people": "person", "jobs": "job", "traders": "trader", "percentage points": "percentage point",
            "% of the open-border price": "percentage point of the food price"}  # "per <one unit>" in prose
COLUMNS = sorted({o.column for o in OUTCOMES} | {"day"})


def horizons(window: Window, days: int) -> list[tuple[str, int]]:
    """(name, day) of every horizon within the run, in time order; without a closure, only the end of the run."""
    out: list[tuple[str, int]] = []
    if window.closed:
        end = window.last_restricted_day
        for h in HORIZONS:
            if h.after_closure is not None and 1 <= end + h.after_closure < days:
                out.append((h.label, end + h.after_closure))
    out.append((END_OF_RUN.label, int(days)))
    return out


def run_outcomes(ts: pd.DataFrame, window: Window, days: int | None = None) -> pd.DataFrame:
    """Every outcome of one run at every horizon: columns horizon, day, outcome, value (the run's own level,
    not yet a difference). ``ts``: one row per day (region-wide), with the columns of :data:`COLUMNS`."""
    if "district" in ts:
        ts = ts[ts["district"] == REGION]
    ts = ts[ts["day"] >= 1].sort_values("day")
    days = int(ts["day"].max()) if days is None else int(days)
    day = ts["day"].to_numpy()
    rows = []
    for hname, h in horizons(window, days):
        upto = day <= h
        for o in OUTCOMES:
            if o.column not in ts:
                continue
            v = ts[o.column].to_numpy(dtype=float)
            if o.how == "sum":
                value = v[upto].sum()
            elif o.how == "at":
                value = v[day == h][0] if (day == h).any() else np.nan
            elif o.how == "max":
                value = v[upto].max()
            elif o.how == "min":
                value = v[upto].min()
            else:  # closure_mean
                if not window.closed or (o.at_closure_end_only and hname != CLOSURE_END.label):
                    continue
                closed = (day >= window.start) & (day < window.end)
                value = v[closed].mean() if closed.any() else np.nan
            rows.append({"horizon": hname, "day": h, "outcome": o.key, "value": float(value)})
    return pd.DataFrame(rows, columns=["horizon", "day", "outcome", "value"])


def pair_differences(scenario: pd.DataFrame, reference: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    """Scenario minus reference per pair: both frames hold run outcomes (:func:`run_outcomes` rows) with the
    pairing ``keys`` as columns. Horizons are the scenario's (its days are looked up in the reference). Returns
    the scenario rows with ``reference``, ``diff`` and ``effect`` (signed and scaled, see :class:`Outcome`)."""
    ref = reference.groupby([*keys, "day", "outcome"], dropna=False)["value"].mean().rename("reference")
    out = scenario.merge(ref.reset_index(), on=[*keys, "day", "outcome"], how="inner")
    out["diff"] = out["value"] - out["reference"]
    out["effect"] = [BY_KEY[o].effect(d) for o, d in zip(out["outcome"], out["diff"])]
    return out


def t_interval(values, confidence: float = CONFIDENCE) -> tuple[float, float, float]:
    """(mean, low, high): the mean of the values (the pairs' differences) and its Student-t interval,
    mean ± t(n-1) · sd / sqrt(n). One value gives no interval (NaN); identical values a zero-width one."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if len(v) == 0:
        return math.nan, math.nan, math.nan
    mean = float(v.mean())
    if len(v) == 1:
        return mean, math.nan, math.nan
    from scipy.stats import t

    half = float(t.ppf(0.5 + confidence / 2, len(v) - 1) * v.std(ddof=1) / math.sqrt(len(v)))
    return mean, mean - half, mean + half


def paired_effects(diffs: pd.DataFrame, by: tuple[str, ...] = ("scenario", "compared_to")) -> pd.DataFrame:
    """One row per group of ``by``, outcome and horizon: mean effect, 90% t-interval and number of pairs.
    ``diffs``: :func:`pair_differences` rows with the ``by`` columns."""
    rows = []
    order = {o.key: i for i, o in enumerate(OUTCOMES)}
    for key, g in diffs.groupby([*by, "outcome", "horizon", "day"], sort=False, dropna=False):
        mean, lo, hi = t_interval(g["effect"])
        rec = dict(zip([*by, "outcome", "horizon", "day"], key))
        rec.update({"mean": mean, "ci_low": lo, "ci_high": hi, "n_pairs": int(g["effect"].notna().sum())})
        rows.append(rec)
    out = pd.DataFrame(rows, columns=[*by, "outcome", "horizon", "day", "mean", "ci_low", "ci_high", "n_pairs"])
    out["_o"] = out["outcome"].map(order)
    return out.sort_values([*by, "_o", "day"], kind="stable").drop(columns="_o").reset_index(drop=True)


def excludes_zero(row) -> bool:
    """True when the 90% interval lies wholly above or wholly below zero."""
    return bool(np.isfinite(row["ci_low"]) and np.isfinite(row["ci_high"])
                and (row["ci_low"] > 0 or row["ci_high"] < 0))


def enough_pairs(row) -> bool:
    """At least :data:`MIN_PAIRS` pairs behind an effect: below that the report names no direction."""
    return int(row["n_pairs"]) >= MIN_PAIRS
