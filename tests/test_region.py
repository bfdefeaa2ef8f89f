"""Region data: the bundled files, the optional Iranian side, and validation of user-supplied files."""

import pandas as pd
import pytest

from sim import BorderModel, ConfigError
from sim.region import DATA_DIR, load_region


def test_bundled_region_matches_census_and_links_crossings():
    r = load_region()
    assert r.names == ["chagai", "washuk", "panjgur", "kech", "gwadar"]
    assert r.districts.population.sum() == pytest.approx(2.32e6, rel=0.01)
    assert r.official_crossings == ["taftan_mirjaveh", "mand_pishin", "gabd_rimdan"]
    assert r.links.any(axis=1).all()  # every district trades through at least one crossing
    informal_points = r.crossings.loc[r.crossings.kind == "informal", "points"]
    assert informal_points[:3].sum() == 8 + 5 + 4  # Makran's 17 informal fuel crossing points
    assert r.crossings.fuel_litres_m.sum() == pytest.approx(10.0, abs=0.01)  # ~10 M litres/day


def test_iranian_side_is_optional_and_linked():
    r = load_region(include_iran=True)
    assert {"mirjaveh", "saravan"} <= set(r.names) and (r.districts.side == "IR").sum() == 4
    m = BorderModel("closure_30d", population_scale=0.003, days=40, rng=1, population__include_iran=True).run()
    ts = m.timeseries()
    assert "saravan" in set(ts.district) and ts.border_throughput.notna().any()


def write(tmp_path, df, name="region.csv"):
    path = tmp_path / name
    df.to_csv(path, index=False)
    return str(path)


@pytest.mark.parametrize("change, key", [
    (lambda df: df.drop(columns=["household_size"]), "population.region_file"),
    (lambda df: df.assign(population=[-1, 2, 3, 4, 5]), "population.region_file[chagai].population"),
    (lambda df: df.assign(legitimacy=[1.5, 0.5, 0.5, 0.5, 0.5]), "population.region_file[chagai].legitimacy"),
    (lambda df: df.assign(population=["x", 2, 3, 4, 5]), "population.region_file[0].population"),
    (lambda df: df.assign(district=["a", "a", "b", "c", "d"]), "population.region_file"),
])
def test_bad_region_files_are_rejected_with_the_key(tmp_path, change, key):
    df = change(pd.read_csv(DATA_DIR / "region_pakistan.csv", comment="#"))
    with pytest.raises(ConfigError) as err:
        load_region(write(tmp_path, df))
    assert err.value.key == key
    assert len(str(err.value).splitlines()) == 1


def test_bad_crossings_file_is_rejected(tmp_path):
    df = pd.read_csv(DATA_DIR / "crossings.csv", comment="#").assign(kind="bridge")
    with pytest.raises(ConfigError, match="official or informal"):
        load_region(crossings_file=write(tmp_path, df, "crossings.csv"))
    with pytest.raises(ConfigError, match="existing CSV"):
        load_region("/nonexistent/region.csv")
