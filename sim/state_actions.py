"""State actions: counter-terrorism, cross-border strikes and mitigation policies, as daily schedules.

- **Counter-terrorism intensity** ``CT_d(t)`` (scaled security presence per
  militant, assumption) is ``ct_intensity``, multiplied by
  ``ct_cooperation_multiplier`` from ``ct_cooperation_day`` (the January 2024
  de-escalation agreed to strengthen counter-terrorism coordination).
- **Strikes** add a grievance shock ``casualty_grievance × (killed +
  injured_weight × injured)`` to the district hit, and ``spillover`` shares of it
  to named districts (kin across the border; Bennett 2008: civilians angered by
  collateral damage join insurgents). The shock decays with half-life
  ``grievance_half_life_days``. Seed events: 16 Jan 2024, Panjgur, 2 children
  killed, 3 women injured; 18 Jan 2024, Saravan (Iran), 9 dead (Iran's figure).
- **Cash transfer**: ``amount`` PKR per household per month, paid daily as
  amount/30 from ``start_day`` for ``duration_days`` to households in the listed
  districts whose hardship on the first payment day is at least
  ``hardship_threshold``.
- **Public works**: ``jobs`` per 100,000 people in each covered district at
  ``wage_pkr`` a day, filled from the unemployed, youth first.
- **Border markets**: see :mod:`sim.border`; running cost
  ``cost_pkr_per_day`` per policy market while a closure lasts.
"""

from __future__ import annotations

import numpy as np


def window(start: int, duration: int, days: int) -> np.ndarray:
    """Bool per day 0..days: active from ``start`` for ``duration`` days (0 = to the end)."""
    t = np.arange(days + 1)
    end = days + 1 if duration <= 0 else start + duration
    return (t >= start) & (t < end)


def ct_schedule(scfg, n_districts: int, days: int) -> np.ndarray:
    """(days+1, D) counter-terrorism intensity."""
    ct = np.full((days + 1, n_districts), float(scfg.ct_intensity))
    if scfg.ct_cooperation_day > 0:
        ct[scfg.ct_cooperation_day:] *= scfg.ct_cooperation_multiplier
    return ct


def grievance_schedule(scfg, district_names: list[str], days: int) -> np.ndarray:
    """(days+1, D) grievance shock from civilian casualties, decaying exponentially."""
    D = len(district_names)
    shock = np.zeros((days + 1, D))
    t = np.arange(days + 1)
    decay = np.log(2.0) / scfg.grievance_half_life_days
    for st in scfg.strikes:
        size = scfg.casualty_grievance * (st.killed + scfg.injured_weight * st.injured)
        hit = {st.district: 1.0, **dict(st.spillover)}
        profile = np.where(t >= st.day, np.exp(-decay * (t - st.day)), 0.0)
        for name, share in hit.items():
            if name in district_names:
                shock[:, district_names.index(name)] += size * share * profile
    return shock


def public_works_slots(pwcfg, population: np.ndarray, district_names: list[str]) -> np.ndarray:
    """Public-works jobs per district: ``jobs`` per 100,000 people where covered."""
    covered = np.array([not pwcfg.districts or d in pwcfg.districts for d in district_names])
    return np.where(covered, np.round(pwcfg.jobs * population / 1e5), 0).astype(np.int64)
