"""Migration (channel ``migration``): unemployed men of hard-pressed households leave to work abroad.

- Candidates: unemployed men of 15-``max_age``. A departure costs ``departure_cost_pkr``, paid
  from the household's savings as far as they go (the rest is borrowed, which the model does
  not follow), so sending a migrant empties a poor household's buffer.
- A candidate leaves with daily hazard k · clip((H - threshold) / (1 - threshold), 0, 1), H his
  household's hardship. While the border is closed, departures through Iran
  (``iran_route_share`` of them) are blocked (switch ``closure_blocks_routes``).
- Migrants return (unemployed) with hazard 1/``mean_stay_days``. The scale k is calibrated at
  day 0 so that expected departures balance expected returns; during the warm-up
  (``BorderModel._warm_up``) it is recalibrated daily and also closes any gap to the initial
  stock over 30 days (ODD §7.6.3).
- A migrant sends ``remittance_pkr`` a day home once he has been abroad
  ``remittance_lag_days``.
- At day 0, ``initial_share`` of the men of migrating age are abroad, remitting already.

Who is away from home (militants, migrants, detainees and the dead) is kept by the roster
(:meth:`sim.roster.Roster.away_in`), through which every move changes a person's state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import kernels
from .params import EMPIRICAL, SWITCH, param
from .population import MIGRANT, UNEMPLOYED, Households, People
from .roster import Roster


@dataclass
class MigrationParams:
    hardship_threshold: float = param(0.3, "hardship index", "[0, 1)", EMPIRICAL,
                                      "assumption: men leave once a household cannot cover 30% of its need",
                                      "household hardship above which unemployed men leave", plausible=(0.1, 0.5))
    mean_stay_days: float = param(1095.0, "days", "[30, 36500]", EMPIRICAL,
                                  "assumption: Gulf work contracts of two to three years",
                                  "mean stay abroad: migrants return with hazard 1/mean_stay_days",
                                  plausible=(365.0, 2190.0))
    departure_cost_pkr: float = param(150000.0, "PKR per departure", "[0, 1e8]", EMPIRICAL,
                                      "assumption: irregular travel to the Gulf via Iran or by sea; unskilled "
                                      "migrants need 5-9 years to recover migration costs (KNOMAD/ILO 2015)",
                                      "cost of a departure, paid from the household's savings as far as they go",
                                      plausible=(50000.0, 500000.0, "loguniform"))
    iran_route_share: float = param(0.5, "share of departures", "[0, 1]", EMPIRICAL,
                                    "assumption: much irregular migration from Makran passes through Iran",
                                    "share of departures that travel through Iran, blocked while the border is "
                                    "closed (closure_blocks_routes)", plausible=(0.2, 0.8))
    closure_blocks_routes: bool = param(True, "bool", None, SWITCH, "design switch",
                                        "a closure blocks the routes through Iran (iran_route_share of departures)")
    remittance_pkr: float = param(1200.0, "PKR/day per migrant", "[0, 100000]", EMPIRICAL,
                                  "assumption: a Gulf labourer sending home about Rs 36,000 a month",
                                  "remittance sent home by a migrant after the lag", plausible=(600.0, 2000.0))
    remittance_lag_days: int = param(60, "days", "[0, 3650]", EMPIRICAL,
                                     "assumption: two months to find work and send money",
                                     "days abroad before the first remittance", plausible=(30, 120, "integer"))
    initial_share: float = param(0.04, "share of men of migrating age", "[0, 1]", EMPIRICAL,
                                 "assumption: informal migration to the Gulf and Iran, far above the formal "
                                 "registrations (5,668 from all Balochistan in 2024: Daily Times)",
                                 "share of migration-eligible men abroad at day 0", plausible=(0.02, 0.08))
    max_age: int = param(39, "years", "[15, 64]", EMPIRICAL, "assumption: labour migrants are young men",
                         "oldest age (at day 0) that migrates", plausible=(30, 49, "integer"))


def departure_pressure(hardship: np.ndarray, pars: MigrationParams) -> np.ndarray:
    """Relative departure hazard of a candidate whose household has this ``hardship``:
    clip((H - threshold) / (1 - threshold), 0, 1)."""
    return np.clip((hardship - pars.hardship_threshold) / (1.0 - pars.hardship_threshold), 0.0, 1.0)


def migration_candidates(hh: Households, p: People, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Men of migrating age who are unemployed today, and their households' hardship: one compiled pass
    (:func:`sim.kernels.unemployed_among`; its NumPy reference is in ``tests/test_kernels.py``)."""
    return kernels.unemployed_among(eligible, p.status, p.hh, hh.hardship)


def calibrate_departure_scale(migrants: int, pressure: np.ndarray, pars: MigrationParams, target: int | None = None,
                              days_to_target: float = 30.0) -> float:
    """Departure hazard at pressure 1 that balances today's expected returns (``migrants`` / mean stay)
    and, given a ``target`` stock, also closes the gap to it over ``days_to_target`` days."""
    wanted = migrants / pars.mean_stay_days
    if target is not None:
        wanted += (target - migrants) / days_to_target
    total = pressure.sum()
    return float(np.clip(wanted / total, 0.0, 1.0)) if total > 0 else 0.0


def migration_day(p: People, hh: Households, day: int, draw, pars: MigrationParams, scale: float,
                  roster: Roster, cand: np.ndarray, hardship: np.ndarray) -> None:
    """Departures of unemployed men from hard-pressed households (at hazard ``scale`` × pressure, each
    paying the departure cost from his household's savings), and returns (hazard 1/mean stay).

    ``draw(idx)`` returns the ``migration`` stream's uniforms for persons ``idx``; ``cand`` and ``hardship``
    come from :func:`migration_candidates`; the moves change states through ``roster``.
    """
    migrants = roster.away_in(MIGRANT)
    back = migrants[draw(migrants) < 1.0 / pars.mean_stay_days]
    pressed = hardship > pars.hardship_threshold  # nobody else leaves (rate 0)
    cand, h = np.compress(pressed, cand), np.compress(pressed, hardship)
    leave = np.compress(draw(cand) < scale * departure_pressure(h, pars), cand)
    # each pays the cost from his household's savings as far as they go (the rest is borrowed: not modelled)
    homes = p.hh[leave]
    np.subtract.at(hh.savings, homes, pars.departure_cost_pkr)
    hh.savings[homes] = np.maximum(hh.savings[homes], 0.0)  # only their savings can have fallen below 0
    roster.set(leave, MIGRANT)
    p.since[leave] = day
    roster.set(back, UNEMPLOYED)
    p.unemployed_since[back] = day


class Migration:
    """Departures and returns of labour migrants; who is away from home; remittances."""

    def __init__(self, model):
        """Place the initial migrants: abroad at day 0 and remitting from the first warm-up day."""
        self.model = model
        self.pars = pars = model.par.migration
        self.on = model.par.channels.migration
        p = model.people
        self.eligible = np.flatnonzero(p.male & p.active & (p.age <= pars.max_age))
        draw = model.streams.generator("init_migrants").random(len(p))
        initial = self.eligible[draw[self.eligible] < pars.initial_share]
        p.status[initial] = MIGRANT
        p.sector[initial] = -1
        p.employer[initial] = -1
        abroad_days = np.floor(model.streams.generator("init_migrant_spell").random(len(p)) * 365).astype(np.int32)
        p.since[initial] = -model.par.households.warmup_days - pars.remittance_lag_days - abroad_days[initial]
        self.departure_scale = 0.0  # departure hazard at pressure 1 (calibrate)

    def remitting(self, day: int) -> np.ndarray:
        """The migrants abroad at least ``remittance_lag_days`` today (they send money home), sorted."""
        p, migrants = self.model.people, self.model.roster.away_in(MIGRANT)
        return migrants[day - p.since[migrants] >= self.pars.remittance_lag_days]

    def remittances(self, day: int) -> np.ndarray:
        """PKR/day each household receives today from its migrants abroad longer than the lag."""
        p = self.model.people
        return np.bincount(p.hh[self.remitting(day)], minlength=len(self.model.households)) * self.pars.remittance_pkr

    def calibrate(self) -> None:
        """Day 0: the departure hazard at pressure 1 that balances the expected returns."""
        _, hardship = migration_candidates(self.model.households, self.model.people, self.eligible)
        migrants = len(self.model.roster.away_in(MIGRANT))
        self.departure_scale = calibrate_departure_scale(migrants, departure_pressure(hardship, self.pars), self.pars)

    def warm_up_step(self, k: int, day: int, target: int) -> None:
        """Warm-up day ``k``: moves at a departure hazard that balances returns and also closes the gap to
        the ``target`` stock (stream ``warmup_migration``)."""
        if not self.on:
            return
        model, p = self.model, self.model.people
        candidates, hardship = migration_candidates(model.households, p, self.eligible)
        migrants = len(model.roster.away_in(MIGRANT))
        scale = calibrate_departure_scale(migrants, departure_pressure(hardship, self.pars), self.pars, target)
        migration_day(p, model.households, day, lambda idx: model.streams.uniform_at("warmup_migration", k, idx),
                      self.pars, scale, model.roster, candidates, hardship)

    def step(self, day: int) -> None:
        """The day's departures and returns; a closure blocks the routes through Iran."""
        model = self.model
        if self.on:
            scale = self.departure_scale
            if self.pars.closure_blocks_routes:
                scale *= 1.0 - self.pars.iran_route_share * model.border.schedule["closure"][day]
            candidates, hardship = migration_candidates(model.households, model.people, self.eligible)
            migration_day(model.people, model.households, day, lambda idx: model.streams.uniform_at("migration", day, idx),
                          self.pars, scale, model.roster, candidates, hardship)
