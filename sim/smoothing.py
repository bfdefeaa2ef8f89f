"""Exponential averages with a half-life: how households, traders' owners and job seekers smooth what they see.

One rule, used by :mod:`sim.labour_market` (the hiring rate and vacancy wage job seekers expect) and
:mod:`sim.trade` (the profit an owner household lives on).
"""

from __future__ import annotations

import numpy as np


def exponential_average(previous: np.ndarray, today: np.ndarray, half_life_days: float) -> np.ndarray:
    """One day of an exponential average: ``previous`` moves towards ``today`` so that a step change is half
    taken up after ``half_life_days`` days."""
    keep = 0.5 ** (1.0 / half_life_days)
    return keep * previous + (1.0 - keep) * today
