"""Migration (channel ``migration``): unemployed men of hard-pressed households leave to work abroad.

- An unemployed man of 15-``max_age`` in a household whose hardship exceeds
  ``hardship_threshold`` leaves with daily hazard
  ``max_rate · (H - threshold) / (1 - threshold)``.
- Migrants return (unemployed) with hazard ``return_rate``, calibrated so that returns
  balance departures on day 0, after the warm-up has let who is abroad settle
  (``BorderModel._warm_up``; ODD §7.6 on the drift that remains). During the warm-up
  the return hazard also closes any gap to the initial stock over 30 days.
- A migrant sends ``remittance_pkr`` a day home once he has been abroad
  ``remittance_lag_days``.
- At day 0, ``initial_share`` of the men of migrating age are abroad, remitting already.

Members away from home (militants, migrants, detainees and the dead) are found by one
pass over everyone a day (:func:`members_away`); migration keeps that sorted list up to date
with its moves, and household budgets and the groups read it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .params import EMPIRICAL, param
from .population import MIGRANT, MILITANT, UNEMPLOYED, Households, People


@dataclass
class MigrationParams:
    hardship_threshold: float = param(0.3, "hardship index", "[0, 1)", EMPIRICAL,
                                      "assumption: men leave once a household cannot cover 30% of its need",
                                      "household hardship above which unemployed men leave", plausible=(0.1, 0.5))
    max_rate: float = param(0.005, "1/day", "[0, 1]", EMPIRICAL,
                            "assumption: at worst one candidate in 200 leaves a day",
                            "departure hazard at hardship 1", plausible=(0.001, 0.01, "loguniform"))
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


def members_away(p: People) -> np.ndarray:
    """Working-age members not at home: militants, migrants, detainees and the dead."""
    return np.flatnonzero(p.status >= MILITANT)


def departure_rate(hardship: np.ndarray, pars) -> np.ndarray:
    """Daily departure hazard of a candidate migrant whose household has this ``hardship``."""
    return pars.max_rate * np.clip((hardship - pars.hardship_threshold) / (1.0 - pars.hardship_threshold), 0.0, 1.0)


def migration_candidates(hh: Households, p: People, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Men of migrating age who are unemployed today, and their households' hardship."""
    cand = np.compress(p.status[eligible] == UNEMPLOYED, eligible)  # compress: ~6x faster than a boolean index
    return cand, hh.hardship[p.hh[cand]]


def calibrate_return_rate(p: People, away: np.ndarray, hardship: np.ndarray, pars, target: int | None = None,
                          days_to_target: float = 30.0) -> float:
    """Return hazard that balances today's expected departures (``away``: :func:`members_away`;
    ``hardship``: the candidates' from :func:`migration_candidates`) and, given a ``target``
    stock, also closes the gap to it over ``days_to_target`` days."""
    migrants = int((p.status[away] == MIGRANT).sum())
    departures = departure_rate(hardship, pars).sum()
    if target is not None:
        departures += (migrants - target) / days_to_target
    return float(np.clip(departures / migrants, 0.0, 1.0)) if migrants else 0.0


def migration_day(p: People, day: int, draw, pars, return_rate: float, away: np.ndarray, cand: np.ndarray,
                  hardship: np.ndarray) -> np.ndarray:
    """Departures of unemployed men from hard-pressed households, and returns.

    ``draw(idx)`` returns the ``migration`` stream's uniforms for persons ``idx``; ``away`` is
    today's :func:`members_away` (sorted), among them the migrants; ``cand`` and ``hardship``
    come from :func:`migration_candidates`. Returns ``away`` after the day's moves, still
    sorted, so that no later pass over everyone is needed to find it again.
    """
    migrants = away[p.status[away] == MIGRANT]
    back = migrants[draw(migrants) < return_rate]
    pressed = hardship > pars.hardship_threshold  # nobody else leaves (rate 0)
    cand, h = np.compress(pressed, cand), np.compress(pressed, hardship)
    leave = np.compress(draw(cand) < departure_rate(h, pars), cand)
    p.status[leave] = MIGRANT
    p.since[leave] = day
    p.status[back] = UNEMPLOYED
    p.unemployed_since[back] = day
    stay = away[p.status[away] >= MILITANT]  # all but those back
    return np.insert(stay, np.searchsorted(stay, leave), leave)  # leave is sorted, and none was away


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
        self.return_rate = 0.0
        self.away = np.empty(0, dtype=np.int64)  # who is away from home (members_away), kept sorted

    def remittances(self, day: int) -> np.ndarray:
        """PKR/day each household receives today from its migrants abroad longer than the lag."""
        p, away = self.model.people, self.away
        migrants = away[p.status[away] == MIGRANT]
        mature = migrants[day - p.since[migrants] >= self.pars.remittance_lag_days]
        return np.bincount(p.hh[mature], minlength=len(self.model.households)) * self.pars.remittance_pkr

    def calibrate(self) -> None:
        """Day 0: the return hazard that balances today's expected departures."""
        _, hardship = migration_candidates(self.model.households, self.model.people, self.eligible)
        self.return_rate = calibrate_return_rate(self.model.people, self.away, hardship, self.pars)

    def warm_up_step(self, k: int, day: int, target: int) -> None:
        """Warm-up day ``k``: moves at a return hazard that also closes the gap to the ``target`` stock
        (stream ``warmup_migration``)."""
        if not self.on:
            return
        model = self.model
        candidates, hardship = migration_candidates(model.households, model.people, self.eligible)
        rate = calibrate_return_rate(model.people, self.away, hardship, self.pars, target)
        self.away = migration_day(model.people, day, lambda idx: model.streams.uniform_at("warmup_migration", k, idx),
                                  self.pars, rate, self.away, candidates, hardship)

    def step(self, day: int) -> None:
        """Who is away today (one pass over everyone), then the day's departures and returns."""
        model = self.model
        self.away = members_away(model.people)
        if self.on:
            candidates, hardship = migration_candidates(model.households, model.people, self.eligible)
            self.away = migration_day(model.people, day, lambda idx: model.streams.uniform_at("migration", day, idx),
                                      self.pars, self.return_rate, self.away, candidates, hardship)
