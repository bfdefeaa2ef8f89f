"""The model description docs/ODD.md and the parameter declarations it is generated from.

Every config key is declared once, in its submodel's file, with :func:`sim.params.param`:
unit, valid range, plausible range, source and kind. The parameter table in docs/ODD.md is
generated from those declarations (``python -m experiments.params --update-odd``); these
tests fail when the two differ, and when a declaration is incomplete or inconsistent
(a default outside its valid range, an empirical number without a plausible range, ...).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from experiments.params import odd_block
from sim.config import Config
from sim.params import EMPIRICAL, KINDS, check_value, entries, param

ROOT = Path(__file__).resolve().parent.parent

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
EMPTY = {"", "-", "—", "–", "?", "todo", "tbd", "n/a"}


def headings(text: str, level: int) -> list[str]:
    return [m.group(1).strip() for m in re.finditer(rf"^{'#' * level}\s+(.+?)\s*#*\s*$", text, re.MULTILINE)]


def has_source(entry) -> bool:
    """A citation (a year), an assumption with its reason, or the role of a key that is not empirical."""
    source = entry.spec.source.lower()
    if entry.spec.kind != EMPIRICAL:
        return source.strip() not in EMPTY
    return (re.search(r"\bassumption\b", source) is not None and len(source) > len("assumption")) or \
        re.search(r"\b(19|20)\d\d\b", entry.spec.source) is not None


@pytest.fixture(scope="module")
def text() -> str:
    assert ODD.is_file(), f"{ODD} is missing"
    return ODD.read_text(encoding="utf-8")


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


def test_the_parameter_table_in_the_odd_is_the_generated_one(text):
    assert odd_block() in text, ("docs/ODD.md's parameter table differs from the declarations: "
                                 "run `python -m experiments.params --update-odd`")


def test_every_submodel_file_is_named_in_the_odd(text):
    for name in ("border", "trade", "prices", "labour_market", "household_budgets", "migration", "group_finance",
                 "recruitment", "state_actions"):
        assert f"`sim/{name}.py`" in text, f"sim/{name}.py has no ODD §7 section"


def test_every_key_has_a_unit_a_source_and_a_kind():
    for e in entries(Config):
        assert e.spec.unit.strip().lower() not in EMPTY, f"{e.key}: no unit"
        assert e.spec.doc.strip(), f"{e.key}: no meaning"
        assert e.spec.kind in KINDS, f"{e.key}: unknown kind {e.spec.kind!r}"
        assert has_source(e), f"{e.key}: source {e.spec.source!r} is neither a citation nor 'assumption: <why>'"


def test_numbers_have_valid_ranges_holding_their_defaults():
    for e in entries(Config):
        if e.type in (int, float):
            assert e.spec.valid is not None, f"{e.key}: a number without a valid range"
        assert check_value(e, e.default), f"{e.key}: default {e.default!r} is outside its own valid range"


def test_empirical_numbers_have_a_plausible_range_within_the_valid_one():
    for e in entries(Config):
        plausible = e.spec.plausible
        if e.spec.kind == EMPIRICAL and e.type in (int, float):
            assert plausible is not None, f"{e.key}: an empirical number without a plausible range"
        if plausible is None:
            continue
        assert e.spec.kind == EMPIRICAL, f"{e.key}: only empirical keys carry a plausible range"
        low, high, _ = plausible
        assert low in e.spec.valid and high in e.spec.valid, f"{e.key}: plausible range outside the valid range"
        if "[]" not in e.key:
            assert low <= e.default <= high, f"{e.key}: default {e.default} outside its plausible range {low}-{high}"


def test_an_undeclared_field_is_refused():
    """Guard against a vacuous check: a schema field made without param() has no metadata and fails."""
    import dataclasses

    Plus = dataclasses.make_dataclass("ConfigPlus", [("new_top_field", float, dataclasses.field(default=0.5))],
                                      bases=(Config,))
    with pytest.raises(TypeError, match="new_top_field"):
        entries(Plus)
    Declared = dataclasses.make_dataclass(
        "ConfigDeclared", [("new_top_field", float, param(0.5, "share", "[0, 1]", EMPIRICAL, "assumption: test",
                                                          "a test", plausible=(0.1, 0.9)))], bases=(Config,))
    assert "new_top_field" in [e.key for e in entries(Declared)]
    assert "recruitment.groups[].pay_pkr" in [e.key for e in entries(Config)]
