"""Population: households and their working-age members as struct-of-arrays.

Households are built district by district (so a district is a contiguous slice),
and each household's working-age members are contiguous in the person arrays.
Children and the elderly are counted per household (``dependants``): they eat but
do not enter the labour market. Rules, all vectorised:

- District *d* gets ``round(scale * population_d / household_size_d)`` households;
  the ``round(scale * population_d)`` people are spread over them multinomially
  (every household has at least one member), so totals match the census exactly.
- Each member is of working age (15-64) with probability ``working_age_share``
  (assumption); at least one per household. Ages follow p(a) ∝ exp(-decay·(a-15)).
- Sex is 50/50; labour-force participation by sex is an assumption (Balochistan's
  female participation is very low).
- Contacts: each person has ``k`` contacts drawn uniformly within their village
  (``village_households`` consecutive households of the district).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

import numpy as np

from .params import EMPIRICAL, RUN, SWITCH, param
from .region import Region
from .rng import Streams


@dataclass
class PopulationParams:
    scale: float = param(1.0, "share of the 1:1 census population", "(0, 1]", RUN,
                         "run control", "fraction of the 1:1 census population simulated; traders, group members, "
                         "group capacity and trade volumes scale with it")
    region_file: str = param("pakistan", "name or CSV path", None, RUN, "run control (input file, ODD §6)",
                             "district table: bundled `sim/data/region_<name>.csv` or a path ending in `.csv`")
    crossings_file: str = param("crossings", "name or CSV path", None, RUN, "run control (input file, ODD §6)",
                                "crossings table: bundled `sim/data/<name>.csv` or a path ending in `.csv`")
    include_iran: bool = param(False, "bool", None, SWITCH, "design switch; the Iranian figures are assumptions",
                               "append the Iranian counties of `sim/data/region_iran.csv`, linked to crossings "
                               "via `iran_districts`")
    working_age_share: float = param(
        0.52, "share", "[0.2, 0.9]", EMPIRICAL,
        "assumption: Balochistan's young age structure (about half the population under 15-64)",
        "probability that a household member is of working age (15-64); at least one per household",
        plausible=(0.45, 0.58))
    age_decay: float = param(0.03, "1/year", "[0, 0.2]", EMPIRICAL,
                             "assumption: a pyramid narrowing by about 3% a year of age",
                             "slope of the working-age pyramid, p(a) ∝ exp(-decay·(a-15)) for a = 15…64",
                             plausible=(0.015, 0.045))
    male_participation: float = param(
        0.85, "share", "[0, 1]", EMPIRICAL,
        "assumption: above Pakistan's male LFPR of 69.8% (LFS 2024-25), as border men mostly work informally",
        "labour-force participation of working-age men (fixed for the run)", plausible=(0.70, 0.90))
    female_participation: float = param(
        0.12, "share", "[0, 1]", EMPIRICAL,
        "assumption: below Pakistan's female LFPR of 24.4% (LFS 2024-25); Balochistan's is very low",
        "labour-force participation of working-age women (fixed for the run)", plausible=(0.05, 0.25))
    contacts_per_person: int = param(8, "contacts", "[1, 100]", EMPIRICAL,
                                     "assumption: a small circle of close male contacts",
                                     "directed contacts each working-age person draws in their village",
                                     plausible=(4, 16, "integer"))
    village_households: int = param(150, "households", "[2, 100000]", EMPIRICAL,
                                    "assumption: a village or urban neighbourhood",
                                    "consecutive households of a district forming one village (contact pool)",
                                    plausible=(50, 400, "integer"))

# person status (exactly one per working-age person per day)
class Status(IntEnum):
    """A person's state on a day (``People.status``, int8): exactly one of these (as Mesa's Epstein example's
    citizen condition). The order matters: ``status <= INACTIVE`` is "at home and free to join"."""

    EMPLOYED = 0
    UNEMPLOYED = 1
    INACTIVE = 2
    MILITANT = 3
    MIGRANT = 4
    DETAINED = 5
    DEAD = 6


EMPLOYED, UNEMPLOYED, INACTIVE, MILITANT, MIGRANT, DETAINED, DEAD = Status
STATUS_NAMES = ("employed", "unemployed", "inactive", "militants", "migrants", "detained", "killed")
# employment sectors
TRADE, AGRICULTURE, SERVICES, PUBLIC, PUBLIC_WORKS = range(5)
SECTOR_NAMES = ("trade", "agriculture", "services", "public", "public_works")
N_MARKET_SECTORS = 4  # sectors filled by the job-finding hazard (public works is a policy)


@dataclass
class Households:
    district: np.ndarray  # int16
    size: np.ndarray  # int16, all members
    first: np.ndarray  # int64, index of first working-age member
    n_working: np.ndarray  # int16
    savings: np.ndarray  # float64, PKR
    income: np.ndarray  # float64, PKR/day (last day)
    spending: np.ndarray  # float64, PKR/day consumption spending (last day)
    food_spending: np.ndarray  # float64, PKR/day of it on food (last day)
    hardship: np.ndarray  # float32 in [0, 1]
    food_ratio: np.ndarray  # float32, food spending / food need (last day)
    transfer_eligible: np.ndarray  # bool, enrolled in the cash transfer
    village_first: np.ndarray  # int32, the first working-age member of the household's village (contacts_of)

    def __len__(self) -> int:
        return len(self.district)


@dataclass
class People:
    hh: np.ndarray  # int32 household index
    district: np.ndarray  # int16
    age: np.ndarray  # int8, years at day 0
    male: np.ndarray  # bool
    youth: np.ndarray  # bool, 15-29
    active: np.ndarray  # bool, in the labour force
    status: np.ndarray  # int8, one of EMPLOYED..DEAD
    sector: np.ndarray  # int8, -1 when not employed
    employer: np.ndarray  # int32 trader index, -1 when not in trade
    unemployed_since: np.ndarray  # int32 day, valid when UNEMPLOYED
    group: np.ndarray  # int8 militant group, -1 when not a member
    since: np.ndarray  # int32 day the current militant/migrant/detained spell began
    risk_aversion: np.ndarray  # float32 ~ U(0, 1) (Epstein R)
    contact_offsets: np.ndarray  # unsigned (n, k): each contact's position in the person's village (contacts_of)

    def __len__(self) -> int:
        return len(self.hh)


class DistrictSlices:
    """Rows stored contiguously by district (households, people, eligible men): per-district sums
    and fills are slice operations (``reduceat``/``repeat``), much cheaper than gathers or bincounts."""

    def __init__(self, district: np.ndarray, n_districts: int):
        if np.any(np.diff(district) < 0):
            raise ValueError("rows must be sorted by district")
        self.counts = np.bincount(district, minlength=n_districts)
        self.starts = np.concatenate([[0], np.cumsum(self.counts)[:-1]])
        self.dense = bool(np.all(self.counts > 0))
        self.district = district

    def sum(self, values: np.ndarray) -> np.ndarray:
        """Per-district sum of ``values`` (one value per row)."""
        if self.dense:
            return np.add.reduceat(np.asarray(values, dtype=np.float64), self.starts)
        return np.bincount(self.district, weights=values, minlength=len(self.counts))

    def spread(self, per_district: np.ndarray) -> np.ndarray:
        """One value per row from one value per district."""
        return np.repeat(per_district, self.counts)


def district_counts(region: Region, scale: float) -> tuple[np.ndarray, np.ndarray]:
    """People and households per district at ``scale`` (each at least 1)."""
    pop = np.maximum(1, np.round(region.districts["population"].to_numpy() * scale)).astype(np.int64)
    hh = np.maximum(1, np.round(pop / region.districts["household_size"].to_numpy())).astype(np.int64)
    return pop, np.minimum(hh, pop)


def build_population(region: Region, pars: PopulationParams, streams: Streams) -> tuple[Households, People]:
    """Create households and working-age people for every district (see module docstring)."""
    return population_from(draw_structure(region, pars, streams))


# what the population's draws decide (never changed after the build); the rest is derived or starts at a default
STRUCTURE = {"households": ("district", "size", "n_working", "village_first"),
             "people": ("age", "male", "active", "risk_aversion", "contact_offsets")}


def draw_structure(region: Region, pars: PopulationParams, streams: Streams) -> dict[str, np.ndarray]:
    """The draws of :data:`STRUCTURE`, as ``"<store>.<field>"``: households and their sizes, each member's
    age, sex, participation and risk aversion, and the contacts."""
    rng = streams.generator("population")
    pop, n_hh = district_counts(region, pars.scale)
    H = int(n_hh.sum())
    hh_district = np.repeat(np.arange(len(pop), dtype=np.int16), n_hh)
    size = np.empty(H, dtype=np.int64)
    start = 0
    for d, (p, h) in enumerate(zip(pop, n_hh)):
        size[start:start + h] = 1 + rng.multinomial(p - h, np.full(h, 1.0 / h))
        start += h
    n_working = np.maximum(1, rng.binomial(size, pars.working_age_share))
    N = int(n_working.sum())

    ages = np.arange(15, 65)
    w = np.exp(-pars.age_decay * (ages - 15))
    age = rng.choice(ages, size=N, p=w / w.sum()).astype(np.int8)
    male = rng.random(N) < 0.5
    part = np.where(male, pars.male_participation, pars.female_participation)
    active = rng.random(N) < part
    risk = rng.random(N, dtype=np.float32)

    contact_offsets, village_first = build_contacts(hh_district, n_working, first_members(n_working), pars, streams)
    return {"households.district": hh_district, "households.size": size.astype(np.int16),
            "households.n_working": n_working.astype(np.int16), "households.village_first": village_first,
            "people.age": age, "people.male": male, "people.active": active, "people.risk_aversion": risk,
            "people.contact_offsets": contact_offsets}


def first_members(n_working: np.ndarray) -> np.ndarray:
    """Each household's first working-age member (members are contiguous, households in order)."""
    first = np.zeros(len(n_working), dtype=np.int64)
    first[1:] = np.cumsum(n_working)[:-1]
    return first


def population_from(structure: dict[str, np.ndarray]) -> tuple[Households, People]:
    """Households and people at set-up from their structure (:func:`draw_structure`'s draws, or the copy a
    warm-up cache entry keeps: :mod:`sim.warmup_cache`); every state starts at its default."""
    s = structure
    n_working, active = s["households.n_working"], s["people.active"]
    H, N = len(n_working), len(active)
    person_hh = np.repeat(np.arange(H, dtype=np.int32), n_working)
    hh = Households(
        district=s["households.district"], size=s["households.size"], first=first_members(n_working),
        n_working=n_working, savings=np.zeros(H), income=np.zeros(H), spending=np.zeros(H),
        food_spending=np.zeros(H), hardship=np.zeros(H, dtype=np.float32), food_ratio=np.ones(H, dtype=np.float32),
        transfer_eligible=np.zeros(H, dtype=bool), village_first=s["households.village_first"],
    )
    people = People(
        hh=person_hh, district=s["households.district"][person_hh], age=s["people.age"], male=s["people.male"],
        youth=s["people.age"] <= 29, active=active,
        status=np.where(active, UNEMPLOYED, INACTIVE).astype(np.int8), sector=np.full(N, -1, dtype=np.int8),
        employer=np.full(N, -1, dtype=np.int32), unemployed_since=np.zeros(N, dtype=np.int32),
        group=np.full(N, -1, dtype=np.int8), since=np.zeros(N, dtype=np.int32),
        risk_aversion=s["people.risk_aversion"], contact_offsets=s["people.contact_offsets"],
    )
    return hh, people


def structure_of(hh: Households, people: People) -> dict[str, np.ndarray]:
    """The :data:`STRUCTURE` arrays of a population (unchanged since the build)."""
    stores = {"households": hh, "people": people}
    return {f"{store}.{name}": getattr(stores[store], name) for store, names in STRUCTURE.items() for name in names}


CONTACTS_CHUNK = 1 << 16  # people per block of contact uniforms (a 4 MB buffer at k = 8)


def build_contacts(hh_district, n_working, first, pars: PopulationParams,
                   streams: Streams) -> tuple[np.ndarray, np.ndarray]:
    """k contacts per person, uniform within the person's village (consecutive households of a district):
    each contact's position in the village (the smallest unsigned type the largest village needs: a
    quarter or half of the bytes of person indices), and each household's village's first member
    (:func:`contacts_of` adds them). Made in blocks of people: the (N, k) temporaries of one pass cost
    more than the arithmetic."""
    rng = streams.generator("network")
    H = len(hh_district)
    N = int(n_working.sum())
    # village id: consecutive blocks of `village_households` households, restarting at each district
    d_start = np.r_[0, np.flatnonzero(np.diff(hh_district)) + 1]
    pos_in_d = np.arange(H) - np.repeat(d_start, np.diff(np.r_[d_start, H]))
    block = pos_in_d // pars.village_households
    village = np.cumsum(np.r_[1, (np.diff(block) != 0) | (np.diff(hh_district) != 0)]) - 1
    v_first_hh = np.r_[0, np.flatnonzero(np.diff(village)) + 1]
    v_start = first[v_first_hh]
    v_size = np.diff(np.r_[v_start, N])
    person_village = np.repeat(village, n_working)
    k = pars.contacts_per_person
    offsets = np.empty((N, k), dtype=np.min_scalar_type(int(v_size.max()) - 1))
    r = np.empty((min(N, CONTACTS_CHUNK), k))
    for lo in range(0, N, CONTACTS_CHUNK):  # the stream's uniforms row by row, as one (N, k) draw gives them
        hi = min(N, lo + CONTACTS_CHUNK)
        rows, offset = r[:hi - lo], offsets[lo:hi]
        rng.random(out=rows)
        last = (v_size[person_village[lo:hi]] - 1).astype(offsets.dtype)[:, None]  # the village's last member
        rows *= last
        offset[...] = rows  # truncation
        offset += offset >= (np.arange(lo, hi) - v_start[person_village[lo:hi]])[:, None]  # skip self: <= last
        np.minimum(offset, last, out=offset)  # (a one-person village keeps offset 0: self-contact)
    return offsets, v_start[village].astype(np.int32)


def contacts_of(p: People, hh: Households, idx: np.ndarray) -> np.ndarray:
    """The contacts of people ``idx`` as person indices (int32, (len(idx), k))."""
    return hh.village_first[p.hh[idx]][:, None] + p.contact_offsets[idx]
