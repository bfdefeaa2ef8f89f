"""Parameters declared once: each config key with its unit, ranges, source and kind.

A submodel declares its parameters as a dataclass whose fields are made with
:func:`param` (as Starsim's ``define_pars``; the range travels with the
parameter, as in EMA Workbench's ``RealParameter``)::

    @dataclass
    class MigrationParams:
        mean_stay_days: float = param(1095.0, "days", "[30, 36500]", EMPIRICAL, "assumption: ...",
                                      "mean stay abroad", plausible=(365.0, 2190.0))

From these declarations, and nowhere else, come:

- validation (:func:`validate_ranges`): every number finite and within its valid range,
  booleans strict, dates parsed;
- the parameter table of ``docs/ODD.md`` and ``python -m experiments.params`` (:func:`table`);
- the uncertainty space of the analyses (:func:`uncertainty_space`): the plausible ranges of
  every empirical parameter.

The valid range is what the model can run with; the plausible range is what the source
supports (or, for an assumption, a defensible range), with a distribution for sampling.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import re
import typing
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# kinds of parameter
EMPIRICAL = "empirical"  # a quantity of the world: sourced, or an assumption with a plausible range
SCENARIO = "scenario input"  # an event a scenario sets (closure, strikes)
POLICY = "policy lever"  # a mitigation's size, timing or coverage
SWITCH = "design switch"  # turns a mechanism on or off
RUN = "run control"  # how the simulation is run (seed, length, scale, files)
STRUCTURAL = "structural choice"  # one of several defensible model structures: a categorical uncertainty
KINDS = (EMPIRICAL, STRUCTURAL, SCENARIO, POLICY, SWITCH, RUN)
UNCERTAIN = (EMPIRICAL, STRUCTURAL)  # the kinds the uncertainty space covers
DISTRIBUTIONS = ("uniform", "loguniform", "integer", "categorical")


@dataclass(frozen=True)
class Interval:
    """A range of numbers, written as in mathematics: ``"[0, 1]"``, ``"(0, inf)"``, ``"[1, 365]"``."""

    low: float
    high: float
    low_open: bool = False
    high_open: bool = False

    @classmethod
    def parse(cls, text: str) -> Interval:
        m = re.fullmatch(r"\s*([\[(])\s*(-?[\w.+-]+)\s*,\s*(-?[\w.+-]+)\s*([\])])\s*", text)
        if not m:
            raise ValueError(f"not an interval: {text!r}")
        return cls(float(m.group(2)), float(m.group(3)), m.group(1) == "(", m.group(4) == ")")

    def __contains__(self, x: float) -> bool:
        above = x > self.low if self.low_open else x >= self.low
        below = x < self.high if self.high_open else x <= self.high
        return above and below

    def __str__(self) -> str:
        def num(v: float) -> str:
            if math.isinf(v):
                return "inf" if v > 0 else "-inf"
            return str(int(v)) if v == int(v) and abs(v) < 1e10 else f"{v:g}"

        return f"{'(' if self.low_open else '['}{num(self.low)}, {num(self.high)}{')' if self.high_open else ']'}"


@dataclass(frozen=True)
class Spec:
    """Everything known about one parameter besides its default."""

    unit: str
    kind: str
    source: str  # a publication from docs/sources/, or "assumption: <why>"
    doc: str  # what the parameter means in the model
    valid: Interval | None = None  # numbers: the values the model accepts
    plausible: tuple[float, float, str] | None = None  # (low, high, distribution) for uncertainty analysis
    choices: tuple[str, ...] | None = None  # a structural choice: the options
    changes_results: bool = True  # False for keys that only change how a run is shown or launched


def param(default: Any, unit: str, valid: str | None, kind: str, source: str, doc: str, *,
          plausible: tuple | None = None, choices: tuple[str, ...] | None = None, changes_results: bool = True) -> Any:
    """A dataclass field carrying its :class:`Spec`. Lists and dicts are copied per instance.

    ``plausible`` is ``(low, high)`` (uniform) or ``(low, high, distribution)``; empirical
    numbers must have one, other kinds must not. ``choices`` lists the options of a
    structural choice (sampled as a categorical uncertainty).
    """
    if kind not in KINDS:
        raise ValueError(f"unknown kind {kind!r}")
    if plausible is not None:
        low, high, *dist = plausible
        plausible = (low, high, dist[0] if dist else "uniform")
        if plausible[2] not in DISTRIBUTIONS or not low < high:
            raise ValueError(f"bad plausible range {plausible!r}")
    if (kind == STRUCTURAL) != (choices is not None) or (choices is not None and default not in choices):
        raise ValueError(f"a structural choice needs choices holding its default ({default!r}, {choices!r})")
    spec = Spec(unit=unit, kind=kind, source=source, doc=doc, valid=Interval.parse(valid) if valid else None,
                plausible=plausible, choices=tuple(choices) if choices else None, changes_results=changes_results)
    if isinstance(default, (list, dict)):
        return field(default_factory=lambda: _copy(default), metadata={"spec": spec})
    return field(default=default, metadata={"spec": spec})


def _copy(value):
    import copy

    return copy.deepcopy(value)


class ConfigError(ValueError):
    """A bad configuration value: ``key=value: what is allowed``."""

    def __init__(self, key: str, value: Any, allowed: str):
        self.key, self.value, self.allowed = key, value, allowed
        super().__init__(f"{key}={value!r}: {allowed}")

    def __reduce__(self):  # a sweep job's error travels back from its worker process pickled
        return ConfigError, (self.key, self.value, self.allowed)


# --------------------------------------------------------------------------- walking the schema


@dataclass(frozen=True)
class Entry:
    """One documented key: ``key`` is dotted, with ``[]`` for the fields of list items."""

    key: str
    type: Any
    default: Any
    spec: Spec


@functools.cache
def entries(cls: type, prefix: str = "") -> list[Entry]:
    """Every key of a schema dataclass, in declaration order (nested sections walked, list items as ``[]``)."""
    hints = typing.get_type_hints(cls)
    instance = cls()
    out: list[Entry] = []
    for f in dataclasses.fields(cls):
        tp, key = hints[f.name], prefix + f.name
        args = typing.get_args(tp)
        if dataclasses.is_dataclass(tp):
            out += entries(tp, key + ".")
        elif typing.get_origin(tp) is list and args and dataclasses.is_dataclass(args[0]):
            out += entries(args[0], key + "[].")
        else:
            if "spec" not in f.metadata:
                raise TypeError(f"{key} is declared without param(): it has no unit, range or source")
            out.append(Entry(key, tp, getattr(instance, f.name), f.metadata["spec"]))
    return out


@functools.cache
def item_classes(cls: type) -> dict[str, type]:
    """The dataclass of each list-of-dataclasses key (``"recruitment.groups"`` -> GroupParams)."""
    out: dict[str, type] = {}

    def walk(c: type, prefix: str) -> None:
        hints = typing.get_type_hints(c)
        for f in dataclasses.fields(c):
            tp, args = hints[f.name], typing.get_args(hints[f.name])
            if dataclasses.is_dataclass(tp):
                walk(tp, prefix + f.name + ".")
            elif typing.get_origin(tp) is list and args and dataclasses.is_dataclass(args[0]):
                out[prefix + f.name] = args[0]
                walk(args[0], prefix + f.name + "[].")

    walk(cls, "")
    return out


def schema_key(key: str) -> str:
    """How the schema names a flattened key: list items by index become ``[]`` (``state.strikes.0.day`` ->
    ``state.strikes[].day``, ``state.strikes.0`` -> ``state.strikes[]``). The one place this rule is written."""
    return re.sub(r"\.\d+(?=\.|$)", "[]", key)


@functools.cache
def kind_map(cls: type) -> dict[str, str]:
    """The kind of every declared key of a schema (``[]`` for list items): the one key -> kind map."""
    return {e.key: e.spec.kind for e in entries(cls)}


def kind_of(cls: type, key: str) -> str | None:
    """The declared kind of a flattened key (list items by index); for a whole list of items
    (``state.strikes``) the kind its fields share, or ``"mixed"``; None if the key is not declared."""
    name = schema_key(key)
    if name in kind_map(cls):
        return kind_map(cls)[name]
    for list_key, item_cls in item_classes(cls).items():
        if name == list_key or name.startswith(list_key + "[]"):
            item_kinds = set(kind_map(item_cls).values())
            return item_kinds.pop() if len(item_kinds) == 1 else "mixed"
    return None


# --------------------------------------------------------------------------- validation


def allowed(entry: Entry) -> str:
    """What a key accepts, in words (the end of a one-line error)."""
    tp, spec = entry.type, entry.spec
    if tp is bool:
        return "true or false"
    if spec.choices:
        return "one of " + ", ".join(spec.choices)
    if entry.key.endswith("date"):
        return "a date, YYYY-MM-DD"
    if tp in (int, float) and spec.valid is not None:
        v = spec.valid
        what = "an integer" if tp is int else "a fraction" if (v.low, v.high) == (0, 1) else "a number"
        if v.high == math.inf:
            return f"{what} {'>' if v.low_open else '>='} {v.low:g}"
        return f"{what} in {v}"
    return f"a value of type {getattr(tp, '__name__', tp)}"


def check_value(entry: Entry, value: Any) -> bool:
    """True when ``value`` is acceptable for ``entry`` (type, finiteness, valid range)."""
    tp, spec = entry.type, entry.spec
    if tp is bool:
        return isinstance(value, bool)
    if spec.choices:
        return value in spec.choices
    if tp is int:
        return isinstance(value, int) and not isinstance(value, bool) and (spec.valid is None or value in spec.valid)
    if tp is float:
        return (isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
                and (spec.valid is None or value in spec.valid))
    if entry.key.endswith("date"):
        try:
            date.fromisoformat(str(value))
        except ValueError:
            return False
    return True


def validate_ranges(cls: type, values: Any, error: type[Exception]) -> None:
    """Check every declared key of ``values`` (a config of schema ``cls``, attribute access) against
    its declaration; raise ``error(key, value, allowed)`` on the first bad one. List items are
    checked one by one (``recruitment.groups.1.pay_pkr``)."""
    items = item_classes(cls)
    for entry in entries(cls):
        if "[]." in entry.key:
            continue
        value = _select(values, entry.key)
        if not check_value(entry, value):
            raise error(entry.key, value, allowed(entry))
    for list_key, item_cls in items.items():
        if "[]" in list_key:
            continue
        for i, item in enumerate(_select(values, list_key)):
            for entry in entries(item_cls):
                value = _select(item, entry.key)
                if not check_value(entry, value):
                    raise error(f"{list_key}.{i}.{entry.key}", value, allowed(entry))


def check_booleans(cls: type, values: dict[str, Any], error: type[Exception]) -> None:
    """Booleans are strict: a declared bool given as anything but true or false (``2``, ``"yes"``) is
    refused before OmegaConf would convert it. ``values`` maps dotted keys (list items by index) to the
    values as given, from an override or a scenario file."""
    booleans = {e.key for e in entries(cls) if e.type is bool}
    for key, value in values.items():
        if schema_key(key) in booleans and not isinstance(value, bool):
            raise error(key, value, "true or false")


def flatten(mapping: Any, prefix: str = "") -> dict[str, Any]:
    """Dotted keys of a nested mapping (lists of mappings by index): ``{"channels.grievance": True, ...}``."""
    out: dict[str, Any] = {}
    items = mapping.items() if isinstance(mapping, dict) else enumerate(mapping)
    for key, value in items:
        if isinstance(value, dict) or (isinstance(value, list) and value and isinstance(value[0], dict)):
            out.update(flatten(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def _select(node: Any, key: str) -> Any:
    for part in key.split("."):
        if isinstance(node, dict):
            node = node[part]
        elif isinstance(node, (list, tuple)) or (hasattr(node, "__getitem__") and part.isdigit()):
            node = node[int(part)]
        else:
            node = getattr(node, part)
    return node


# --------------------------------------------------------------------------- derived views


def uncertainty_space(cls: type, kinds: tuple[str, ...] = UNCERTAIN) -> list[dict[str, Any]]:
    """The plausible ranges of every parameter of the given kinds (default: the empirical ones and the
    structural choices, the latter as categorical with their options), for sampling designs.
    List-item keys are expanded over the default items (``recruitment.groups.0.pay_pkr``)."""
    defaults = cls()
    out = []
    for e in entries(cls):
        if e.spec.kind not in kinds:
            continue
        if e.spec.choices:
            out.append({"key": e.key, "low": None, "high": None, "distribution": "categorical",
                        "choices": list(e.spec.choices), "unit": e.spec.unit, "default": e.default})
            continue
        if e.spec.plausible is None:
            continue
        keys = [e.key]
        if "[]." in e.key:
            list_key, _, rest = e.key.partition("[].")
            keys = [f"{list_key}.{i}.{rest}" for i in range(len(_select(defaults, list_key)))]
        low, high, dist = e.spec.plausible
        for key in keys:
            out.append({"key": key, "low": low, "high": high, "distribution": dist, "choices": None, "unit": e.spec.unit,
                        "default": _select(defaults, key) if "[]" not in key else e.default})
    return out


TABLE_COLUMNS = ("parameter", "unit", "default", "valid", "plausible", "kind", "source", "meaning")


def table(cls: type) -> list[dict[str, str]]:
    """One row per key with every declared field, as text (JSON defaults)."""
    import json

    rows = []
    for e in entries(cls):
        s = e.spec
        plausible = ""
        if s.plausible is not None:
            low, high, dist = s.plausible
            plausible = f"{low:g} – {high:g}" + ("" if dist == "uniform" else f" ({dist})")
        if s.choices:
            plausible = "any (categorical)"
        valid = str(s.valid) if s.valid else "one of " + ", ".join(s.choices) if s.choices else ""
        rows.append({"parameter": e.key, "unit": s.unit, "default": json.dumps(e.default), "valid": valid,
                     "plausible": plausible, "kind": s.kind, "source": s.source, "meaning": s.doc})
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """A Markdown table of ``rows`` (keys and defaults in code font)."""
    header = list(rows[0]) if rows else list(TABLE_COLUMNS)
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for row in rows:
        cells = [f"`{row[c]}`" if c in ("parameter", "key", "default") else str(row[c]) for c in header]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


def markdown_table(cls: type) -> str:
    """The parameter table of docs/ODD.md."""
    return markdown(table(cls))
