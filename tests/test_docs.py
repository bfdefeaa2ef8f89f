"""The model description docs/ODD.md: ODD sections present, every config key documented.

The parameter table must hold one row per key of the schema in ``sim/config.py``:
nested dataclasses give dotted keys (``labour.separation_rate``), a list of
dataclasses gives ``[]`` keys for the fields of its items
(``recruitment.groups[].pay_pkr``), and any other field (number, string, bool,
list of names, mapping) is a key of its own. Each row needs a unit, the current
default and a source (a cited publication, or the word *assumption*, or one of
the declared non-empirical roles such as *run control*).
"""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import typing
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.config import Config  # noqa: E402

ODD = ROOT / "docs" / "ODD.md"

ODD_SECTIONS = [
    "Purpose and patterns",
    "Entities, state variables and scales",
    "Process overview and scheduling",
    "Design concepts",
    "Initialization",
    "Input data",
    "Submodels",
]
DESIGN_CONCEPTS = ["basic principles", "emergence", "adaptation", "objectives", "learning", "prediction", "sensing",
                   "interaction", "stochasticity", "collectives", "observation"]

# a source cell is a citation (a year), the word assumption, or one of these declared roles of a key that is not
# an empirical quantity (see the preamble of the parameter table in docs/ODD.md)
ROLES = ("run control", "input file", "design switch", "scenario input")
EMPTY = {"", "-", "—", "–", "?", "todo", "tbd", "n/a"}


# --------------------------------------------------------------------------- schema and document parsing


def schema_keys(cls: type = Config, prefix: str = "") -> dict[str, typing.Any]:
    """Every documented key of the schema with its default: dotted paths, ``[]`` for items of lists of dataclasses."""
    hints = typing.get_type_hints(cls)
    instance = cls()
    out: dict[str, typing.Any] = {}
    for f in dataclasses.fields(cls):
        tp, key = hints[f.name], prefix + f.name
        args = typing.get_args(tp)
        if dataclasses.is_dataclass(tp):
            out.update(schema_keys(tp, key + "."))
        elif typing.get_origin(tp) is list and args and dataclasses.is_dataclass(args[0]):
            out.update(schema_keys(args[0], key + "[]."))
        else:
            out[key] = getattr(instance, f.name)
    return out


def split_row(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parameter_rows(text: str) -> dict[str, dict[str, str]]:
    """Rows of every Markdown table whose header has parameter, unit, default and source columns, by key."""
    rows: dict[str, dict[str, str]] = {}
    header: list[str] | None = None
    for line in text.splitlines():
        if not line.lstrip().startswith("|"):
            header = None
            continue
        cells = split_row(line)
        if header is None:
            header = [c.lower() for c in cells]
            continue
        if all(set(c) <= set("-: ") for c in cells):  # the separator row
            continue
        if not {"parameter", "unit", "default", "source"} <= set(header):
            continue
        row = dict(zip(header, cells))
        m = re.fullmatch(r"`([^`]+)`", row["parameter"])
        if m:
            assert m.group(1) not in rows, f"{m.group(1)} is documented twice"
            rows[m.group(1)] = row
    return rows


def headings(text: str, level: int) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(rf"^{'#' * level}\s+(.+?)\s*#*\s*$", text, re.MULTILINE)]


def undocumented(keys: typing.Iterable[str], rows: dict[str, dict[str, str]]) -> list[str]:
    return [k for k in keys if k not in rows]


def is_blank(cell: str) -> bool:
    return cell.strip().strip("*_`").strip().lower() in EMPTY


def has_source(cell: str) -> bool:
    low = cell.lower()
    return ("assumption" in low or re.search(r"\b(19|20)\d\d\b", cell) is not None
            or any(low.startswith(r) or f"{r} " in low or f"({r}" in low for r in ROLES))


@pytest.fixture(scope="module")
def text() -> str:
    assert ODD.is_file(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def rows(text) -> dict[str, dict[str, str]]:
    return parameter_rows(text)


# --------------------------------------------------------------------------- tests


def test_the_seven_odd_sections_are_present_in_order(text):
    top = headings(text, 2)
    numbered = [re.sub(r"^\d+\.\s*", "", h) for h in top if re.match(r"^\d+\.", h)]
    for n, title in enumerate(ODD_SECTIONS, start=1):
        assert f"{n}. {title}".lower() in [h.lower() for h in top], f"missing ODD heading '## {n}. {title}'"
    assert [t.lower() for t in numbered] == [t.lower() for t in ODD_SECTIONS], f"ODD sections out of order: {top}"


def test_design_concepts_has_every_subsection(text):
    body = text.split("## 4. Design concepts", 1)[1].split("\n## 5.", 1)[0]
    subs = [re.sub(r"^[\d.]+\s*", "", h).lower() for h in headings(body, 3)]
    for concept in DESIGN_CONCEPTS:
        assert any(s.startswith(concept) for s in subs), f"design concept '{concept}' has no subsection"


def test_every_config_key_is_in_the_parameter_table(rows):
    missing = undocumented(schema_keys(), rows)
    assert not missing, "config keys missing from the parameter table in docs/ODD.md: " + ", ".join(missing)


def test_every_row_has_a_unit_and_a_source(rows):
    keys = schema_keys()
    bad_unit = [k for k in keys if k in rows and is_blank(rows[k]["unit"])]
    bad_source = [k for k in keys if k in rows and (is_blank(rows[k]["source"]) or not has_source(rows[k]["source"]))]
    assert not bad_unit, "parameters without a unit: " + ", ".join(bad_unit)
    assert not bad_source, "parameters without a source or the word assumption: " + ", ".join(bad_source)


def test_documented_defaults_match_the_schema(rows):
    wrong = []
    for key, default in schema_keys().items():
        if key not in rows:
            continue
        cell = rows[key]["default"].strip().strip("`")
        try:
            documented = json.loads(cell)
        except ValueError:
            wrong.append(f"{key}: unreadable default {cell!r}")
            continue
        if documented != default or isinstance(documented, bool) != isinstance(default, bool):
            wrong.append(f"{key}: documented {cell}, schema {json.dumps(default)}")
    assert not wrong, "parameter table defaults out of date: " + "; ".join(wrong)


def test_no_stale_rows(rows):
    stale = sorted(set(rows) - set(schema_keys()))
    assert not stale, "parameter table documents keys that are not in the schema: " + ", ".join(stale)


def test_the_check_catches_an_undocumented_field(rows):
    """Guard against a vacuous check: a schema with one more field (top level, nested, in list items) fails."""
    extra_item = dataclasses.make_dataclass("GroupPlus", [("new_item_field", float, dataclasses.field(default=1.0))])
    extra_nested = dataclasses.make_dataclass("LabourPlus", [("new_nested_field", int, dataclasses.field(default=0))])
    Plus = dataclasses.make_dataclass("ConfigPlus", [
        ("new_top_field", float, dataclasses.field(default=0.5)),
        ("labour", extra_nested, dataclasses.field(default_factory=extra_nested)),
        ("groups", list[extra_item], dataclasses.field(default_factory=list)),
    ], bases=(Config,))
    keys = schema_keys(Plus)
    assert {"new_top_field", "labour.new_nested_field", "groups[].new_item_field"} <= set(undocumented(keys, rows))
    assert "labour.separation_rate" not in keys  # the overridden nested class is walked, not the original
    assert "recruitment.groups[].pay_pkr" in keys and "recruitment.groups[].pay_pkr" not in undocumented(keys, rows)
