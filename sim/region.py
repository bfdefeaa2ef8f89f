"""Region: districts, crossings and the links between them, loaded from replaceable CSV files.

A region file has one row per district (``district, side, population, household_size,
lon, lat, unemployment_rate, trade_job_share, food_import_share, legitimacy``);
a crossings file has one row per official crossing or informal route. Both are
validated on load: a missing column, a value outside its column's finite range (a negative
population, a share outside [0, 1], inf or NaN), an empty or repeated name, or a district named
``ALL`` (the region's own row in the time series) raises :class:`~sim.config.ConfigError` naming
the file, column and row.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from .params import ConfigError

DATA_DIR = Path(__file__).resolve().parent / "data"

DISTRICT_COLUMNS = {
    "district": str, "side": str, "population": float, "household_size": float, "lon": float, "lat": float,
    "unemployment_rate": float, "trade_job_share": float, "food_import_share": float, "legitimacy": float,
}
CROSSING_COLUMNS = {
    "crossing": str, "kind": str, "districts": str, "lon": float, "lat": float, "official_value_pkr_m": float,
    "fuel_litres_m": float, "goods_value_pkr_m": float, "traders": float, "points": float, "iran_districts": str,
}
SHARES = ("unemployment_rate", "trade_job_share", "food_import_share", "legitimacy")
REGION_ROW = "ALL"  # the district name the time series gives the whole region: no district may take it
# The valid range of every numeric column (a finite bound on each, so no value can overflow what is built on it)
LON, LAT = (-180.0, 180.0, "a longitude in [-180, 180]"), (-90.0, 90.0, "a latitude in [-90, 90]")
DISTRICT_RANGES = {
    "population": (1e-9, 1e8, "a population in (0, 100,000,000] (a region file may not hold negative or empty "
                              "districts)"),
    "household_size": (1.0, 50.0, "a household size in [1, 50]"),
    "lon": LON, "lat": LAT,
    **{col: (0.0, 1.0, "a share in [0, 1]") for col in SHARES},
}
CROSSING_RANGES = {
    "lon": LON, "lat": LAT,
    "official_value_pkr_m": (0.0, 1e6, "a number in [0, 1,000,000]"),
    "fuel_litres_m": (0.0, 1e4, "a number in [0, 10,000]"),
    "goods_value_pkr_m": (0.0, 1e6, "a number in [0, 1,000,000]"),
    "traders": (0.0, 1e6, "a number in [0, 1,000,000]"),
    "points": (0.0, 1e4, "a number in [0, 10,000]"),
}


@dataclass
class Region:
    """Validated region tables plus index arrays used by the vectorised core."""

    districts: pd.DataFrame  # one row per district, in model order
    crossings: pd.DataFrame  # one row per crossing
    links: np.ndarray  # (n_districts, n_crossings) bool: district trades through crossing
    home: np.ndarray  # (n_crossings,) int: district index where a crossing's traders live

    @property
    def names(self) -> list[str]:
        return list(self.districts["district"])

    @property
    def crossing_names(self) -> list[str]:
        return list(self.crossings["crossing"])

    @property
    def official_crossings(self) -> list[str]:
        """Official crossings: the only sites where a border sustenance market can operate."""
        return list(self.crossings.loc[self.crossings["kind"] == "official", "crossing"])


def _resolve(name_or_path: str, prefix: str) -> Path:
    p = Path(name_or_path)
    if p.suffix == ".csv":
        return p
    return DATA_DIR / f"{prefix}{name_or_path}.csv"


def check_ranges(df: pd.DataFrame, name_column: str, ranges: dict, key: str) -> None:
    """Every numeric column within its finite range (NaN and inf are outside every range)."""
    for col, (low, high, allowed) in ranges.items():
        bad = ~df[col].between(low, high)
        if bad.any():
            row = df.loc[bad].iloc[0]
            raise ConfigError(f"{key}[{row[name_column]}].{col}", float(row[col]), allowed)


def read_table(path: Path, columns: dict[str, type], key: str) -> pd.DataFrame:
    """Read a commented CSV and check its columns and types; errors name ``key``."""
    if not path.exists():
        raise ConfigError(key, str(path), "an existing CSV file")
    try:
        df = pd.read_csv(path, comment="#", skipinitialspace=True)
    except Exception as exc:  # unreadable CSV
        raise ConfigError(key, str(path), f"a readable CSV ({str(exc).splitlines()[0]})") from None
    missing = [c for c in columns if c not in df.columns]
    if missing:
        raise ConfigError(key, str(path), f"a CSV with columns {', '.join(columns)}; missing {', '.join(missing)}")
    if df.empty:
        raise ConfigError(key, str(path), "at least one data row")
    for col, typ in columns.items():
        if typ is float:
            vals = pd.to_numeric(df[col], errors="coerce")
            bad = vals.isna()
            if bad.any():
                row = int(np.flatnonzero(bad)[0])
                raise ConfigError(f"{key}[{row}].{col}", df[col].iloc[row], "a number")
            df[col] = vals.astype(float)
        else:
            df[col] = df[col].fillna("").astype(str).str.strip()
    return df


def check_names(names: pd.Series, key: str, what: str) -> None:
    """Names that are non-empty, unique, and not the region's own row name (``ALL``)."""
    for name in names:
        if not name or name.upper() == REGION_ROW:
            raise ConfigError(f"{key}[{name}]", name, f"a {what} name, not empty and not {REGION_ROW} (the time "
                                                      "series' name for the whole region)")
    if names.duplicated().any():
        raise ConfigError(key, names[names.duplicated()].iloc[0], f"unique {what} names")


def input_paths(region_file: str = "pakistan", crossings_file: str = "crossings", include_iran: bool = False
                ) -> dict[str, Path]:
    """The files a region is read from, by the config key that names each."""
    paths = {"region_file": _resolve(region_file, "region_"), "crossings_file": _resolve(crossings_file, "")}
    if include_iran:
        paths["include_iran"] = DATA_DIR / "region_iran.csv"
    return paths


def load_region(region_file: str = "pakistan", crossings_file: str = "crossings",
                include_iran: bool = False) -> Region:
    """Load and validate the districts and crossings, and link them."""
    rpath = _resolve(region_file, "region_")
    districts = read_table(rpath, DISTRICT_COLUMNS, "population.region_file")
    if include_iran:
        iran = read_table(DATA_DIR / "region_iran.csv", DISTRICT_COLUMNS, "population.include_iran")
        districts = pd.concat([districts, iran], ignore_index=True)
    check_ranges(districts, "district", DISTRICT_RANGES, "population.region_file")
    check_names(districts["district"], "population.region_file", "district")

    cpath = _resolve(crossings_file, "")
    crossings = read_table(cpath, CROSSING_COLUMNS, "population.crossings_file")
    names = list(districts["district"])
    index = {d: i for i, d in enumerate(names)}
    links = np.zeros((len(names), len(crossings)), dtype=bool)
    home = np.zeros(len(crossings), dtype=np.int64)
    keep = []
    check_ranges(crossings, "crossing", CROSSING_RANGES, "population.crossings_file")
    check_names(crossings["crossing"], "population.crossings_file", "crossing")
    for j, row in crossings.iterrows():
        if row.kind not in ("official", "informal"):
            raise ConfigError(f"population.crossings_file[{row.crossing}].kind", row.kind, "official or informal")
        served = [d for d in row.districts.split(";") if d]
        if include_iran:
            served += [d for d in row.iran_districts.split(";") if d]
        served_known = [d for d in served if d in index]
        unknown = [d for d in row.districts.split(";") if d and d not in index]
        if unknown and region_file == "pakistan":
            raise ConfigError(f"population.crossings_file[{row.crossing}].districts", unknown[0],
                              "district names from the region file")
        if not served_known:
            continue  # a crossing of a region not modelled: dropped
        keep.append(j)
        home[j] = index[served_known[0]]
        for d in served_known:
            links[index[d], j] = True
    crossings = crossings.loc[keep].reset_index(drop=True)
    return Region(districts=districts.reset_index(drop=True), crossings=crossings,
                  links=links[:, keep], home=home[keep])
