"""Statistics shared by the figures and tables: intervals, paired differences, a fitted line.

Runs of two scenarios with the same seed (and the same values of any other swept
parameter) use the same random numbers, so their difference is the effect of the
scenario with most of the run-to-run noise removed (common random numbers).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as sps

BAND = (0.10, 0.90)  # time-series bands: 10th-90th percentile across replicates
INTERVAL = (0.05, 0.95)  # headline intervals: 90% (5th-95th percentile)


def spread(frame: pd.DataFrame, by: list[str], col: str, q: tuple[float, float] = BAND,
           centre: str = "median") -> pd.DataFrame:
    """Per group: centre (median or mean), lower and upper quantile and count of ``col``."""
    g = frame.groupby(by, sort=False, dropna=False)[col]
    out = pd.DataFrame({
        "centre": g.median() if centre == "median" else g.mean(),
        "lo": g.quantile(q[0]),
        "hi": g.quantile(q[1]),
        "n": g.count(),
    })
    return out.reset_index()


def paired_diff(frame: pd.DataFrame, reference: pd.DataFrame, keys: list[str], cols: list[str]) -> pd.DataFrame:
    """``frame`` rows with ``<col>_ref`` and ``<col>_diff`` (row minus the reference with equal keys)."""
    ref = reference.groupby(keys, dropna=False)[cols].mean().reset_index()
    out = frame.merge(ref, on=keys, how="inner", suffixes=("", "_ref"))
    for c in cols:
        out[c + "_diff"] = out[c] - out[c + "_ref"]
    return out


def paired_runs(runs: pd.DataFrame, keys: list[str], cols: list[str], reference: str) -> pd.DataFrame:
    """Every run of a scenario other than ``reference`` paired with the reference run of equal keys."""
    ref = runs[runs["scenario"] == reference]
    return paired_diff(runs[runs["scenario"] != reference], ref, keys, cols)


@dataclass
class Fit:
    """Least-squares line y = intercept + slope * x with a 95% confidence interval for the slope."""

    slope: float
    intercept: float
    slope_lo: float
    slope_hi: float
    r2: float
    n: int
    _x: np.ndarray
    _resid_var: float

    def line(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Fitted values and the 95% confidence band of the mean at ``x``."""
        x = np.asarray(x, dtype=float)
        mx, sxx = self._x.mean(), ((self._x - self._x.mean()) ** 2).sum()
        se = np.sqrt(self._resid_var * (1.0 / self.n + (x - mx) ** 2 / sxx))
        t = sps.t.ppf(0.975, self.n - 2)
        y = self.intercept + self.slope * x
        return y, y - t * se, y + t * se


def fit_line(x, y) -> Fit | None:
    """OLS fit; None with fewer than 3 points or no spread in x."""
    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if len(x) < 3 or np.ptp(x) == 0:
        return None
    res = sps.linregress(x, y)
    t = sps.t.ppf(0.975, len(x) - 2)
    resid = y - (res.intercept + res.slope * x)
    return Fit(float(res.slope), float(res.intercept), float(res.slope - t * res.stderr),
               float(res.slope + t * res.stderr), float(res.rvalue ** 2), len(x), x,
               float((resid ** 2).sum() / (len(x) - 2)))


def pair_ids(frame: pd.DataFrame, keys: list[str]) -> pd.Series:
    """One string per row naming its pairing keys (missing values included), for pivots and look-ups."""
    return frame[keys].map(str).agg("|".join, axis=1)
