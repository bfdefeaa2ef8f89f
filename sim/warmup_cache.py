"""The warm-up, paid once: the state the 365-day warm-up leaves, cached on disk for every run that would redo it.

The warm-up (``BorderModel._warm_up``) depends on the seed, the region tables, the model's code, and a
subset of the configuration: the keys that the build reads before day 0 (population, labour,
households, migration and whatever else the set-up consults). Which keys those are is not written by
hand: the build reads its parameters through a :class:`Reads` view of ``model.par`` that records the
declared key (:func:`sim.params.schema_key`) of every value read, and an entry is stored under a hash of
exactly those keys and their values (with the seed, ``days``, the region tables, the source of the
``sim`` package and the versions of NumPy and numba). Control flow depends only on the values read, so
a config that agrees on every recorded key runs the same build and reads the same keys: a hit is exact.
A config that differs in a key the warm-up never read (a recruitment weight, a scenario input, a policy
lever) hits.

- **What is stored**: the population's structure (what its draws decide: households, ages, sexes,
  participation, risk aversion, contacts; :data:`sim.population.STRUCTURE`), and every array and number
  of the model's state stores and submodels that the warm-up changed. A hit makes the population from the
  stored structure instead of drawing it (its keys are among those recorded, so it is the same), builds
  the submodels as usual (the same draws), then puts the warm-up's changes back in place of the 365 days,
  so aliases (the traders' head counts the jobs ledger keeps) stay aliases.
- **Safe under concurrent writers**: an entry is written to a temporary file in the cache directory and
  renamed into place (``os.replace``, atomic); readers see a whole entry or none.
- **Bounded**: after each write, entries beyond ``WARMUP_CACHE_MB`` (default 2048 MB) are removed, least
  recently used first (a hit refreshes an entry's time).
- **Where**: ``$BORDER_SIM_WARMUP_CACHE`` if set, else ``$XDG_CACHE_HOME/border-closure-sim/warmup``
  (``~/.cache/...``).
- **Off with one switch**: the config key ``warmup_cache=false`` (a run control that changes no result).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import numpy as np

from .branching import SCENARIO_KINDS
from .config import Config
from .params import kind_of
from .population import STRUCTURE

ENV_DIR = "BORDER_SIM_WARMUP_CACHE"
ENV_LIMIT = "BORDER_SIM_WARMUP_CACHE_MB"
DEFAULT_LIMIT_MB = 2048
FORMAT = 2  # raise when what an entry holds changes (2: the population's structure too)
SUFFIX = ".npz"


def cache_dir() -> Path:
    """Where entries live: ``$BORDER_SIM_WARMUP_CACHE``, else the user's cache directory."""
    if os.environ.get(ENV_DIR):
        return Path(os.environ[ENV_DIR])
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "border-closure-sim" / "warmup"


def limit_bytes() -> int:
    return int(float(os.environ.get(ENV_LIMIT, DEFAULT_LIMIT_MB)) * 2**20)


# --------------------------------------------------------------------------- which keys the build reads


class Reads:
    """A view of a parameter dataclass that records the dotted key of every value read through it
    (sections are views themselves; a list of items is read, and recorded, whole)."""

    __slots__ = ("_target", "_prefix", "_log")

    def __init__(self, target: Any, log: set[str], prefix: str = ""):
        object.__setattr__(self, "_target", target)
        object.__setattr__(self, "_prefix", prefix)
        object.__setattr__(self, "_log", log)

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._target, name)
        key = self._prefix + name
        if dataclasses.is_dataclass(value) and not isinstance(value, type):
            return Reads(value, self._log, key + ".")
        self._log.add(key)
        return value

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("parameters are read-only during the build")


def unwrap(model) -> None:
    """Give ``model`` and its submodels the plain parameter objects back (after the warm-up)."""
    for owner in (model, *[v for v in vars(model).values() if hasattr(v, "__dict__")]):
        for name, value in list(vars(owner).items()):
            if isinstance(value, Reads):
                setattr(owner, name, object.__getattribute__(value, "_target"))


def warm_up_keys(reads: set[str]) -> list[str]:
    """The keys an entry depends on: those the build read, less the scenario inputs and policy levers. The
    constructors read those to lay out their schedules, but no rule reads them before day 1 (the rule a
    shared start rests on, :mod:`sim.branching`, and its test over the scenario library), so scenarios of
    one seed and setting share one warm-up."""
    return sorted(key for key in reads if kind_of(Config, key) not in SCENARIO_KINDS)


def value_at(par: Any, key: str) -> Any:
    node = par
    for part in key.split("."):
        node = getattr(node, part)
    return node


def _plain(value: Any) -> Any:
    if dataclasses.is_dataclass(value):
        return dataclasses.asdict(value)
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def source_digest() -> str:
    """A digest of the model's code and bundled data (``sim/*.py``, ``sim/data/*``)."""
    here = Path(__file__).resolve().parent
    h = hashlib.sha256()
    for path in sorted([*here.glob("*.py"), *(here / "data").glob("*")]):
        h.update(path.name.encode())
        h.update(path.read_bytes())
    return h.hexdigest()


def fixed_inputs(model) -> dict[str, Any]:
    """What every entry depends on besides the recorded keys."""
    import numba
    import pandas as pd

    from . import __version__

    region = model.region
    tables = hashlib.sha256()
    for frame in (region.districts, region.crossings):
        tables.update(pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes())
        tables.update(repr(list(frame.columns)).encode())
    tables.update(np.ascontiguousarray(region.links).tobytes())
    return {"format": FORMAT, "model_version": __version__, "source": source_digest(), "numpy": np.__version__,
            "numba": numba.__version__, "seed": int(model.par.seed), "days": int(model.days),
            "region": tables.hexdigest()}


def digest(par: Any, keys: list[str], fixed: dict[str, Any]) -> str:
    """The entry name for ``par``: a hash of the values of ``keys`` and of the fixed inputs."""
    values = {key: _plain(value_at(par, key)) for key in sorted(keys)}
    text = json.dumps({"keys": values, "fixed": fixed}, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def keyset_name(keys: list[str]) -> str:
    return hashlib.sha256("\n".join(sorted(keys)).encode()).hexdigest()[:16]


# --------------------------------------------------------------------------- what the warm-up changes


def state_slots(model) -> dict[str, tuple[Any, str]]:
    """Every array and number of the model's state stores and submodels, by name: (owner, attribute)."""
    owners = {"people": model.people, "households": model.households, "districts": model.districts,
              "traders": model.trade.traders, "jobs": model.labour_market.jobs, "roster": model.roster}
    for name, value in vars(model).items():
        if hasattr(value, "model") and hasattr(value, "__dict__"):  # a submodel
            owners[name] = value
    slots = {}
    for owner_name, owner in owners.items():
        for attr, value in vars(owner).items():
            if isinstance(value, (np.ndarray, int, float, np.integer, np.floating)) and not isinstance(value, bool):
                slots[f"{owner_name}.{attr}"] = (owner, attr)
    return slots


def fingerprint(value: Any) -> Any:
    """What tells a slot's value apart (dtype, shape and a SHA-1 of the bytes for an array): no copy is kept,
    so finding what the warm-up changed costs no memory."""
    if isinstance(value, np.ndarray):
        return value.dtype.str, value.shape, hashlib.sha1(np.ascontiguousarray(value).view(np.uint8)).hexdigest()
    return type(value), value


def snapshot(model) -> dict[str, Any]:
    return {name: fingerprint(getattr(o, a)) for name, (o, a) in state_slots(model).items()}


def changes(model, before: dict[str, Any]) -> dict[str, np.ndarray]:
    """The slots whose value differs from ``before`` (the warm-up's work), as arrays."""
    out = {}
    for name, (owner, attr) in state_slots(model).items():
        value = getattr(owner, attr)
        if before.get(name) != fingerprint(value):
            out[name] = np.asarray(value)
    return out


def put_back(model, saved: dict[str, np.ndarray]) -> None:
    """Restore saved slots: arrays in place when the shape and dtype agree (aliases stay aliases)."""
    slots = state_slots(model)
    for name, value in saved.items():
        owner, attr = slots[name]
        current = getattr(owner, attr)
        if isinstance(current, np.ndarray) and current.shape == value.shape and current.dtype == value.dtype:
            current[...] = value
        elif isinstance(current, np.ndarray):
            setattr(owner, attr, value.copy())
        else:
            setattr(owner, attr, type(current)(value.item()))


# --------------------------------------------------------------------------- the cache on disk


@dataclasses.dataclass
class Entry:
    """What an entry holds: the population's structure and the warm-up's changes, by name."""

    structure: dict[str, np.ndarray]  # "<store>.<field>" (sim.population.STRUCTURE)
    changes: dict[str, np.ndarray]  # "<owner>.<attribute>" (state_slots)

    PARTS = ("structure", "changes")

    def arrays(self) -> dict[str, np.ndarray]:
        return {f"{part}.{name}": value for part in self.PARTS for name, value in getattr(self, part).items()}

    @classmethod
    def from_arrays(cls, arrays: dict[str, np.ndarray]) -> Entry:
        parts: dict[str, dict[str, np.ndarray]] = {part: {} for part in cls.PARTS}
        for key, value in arrays.items():
            part, _, name = key.partition(".")
            parts[part][name] = value  # KeyError for an array of no part: not an entry of this format
        expected = {f"{store}.{field}" for store, fields in STRUCTURE.items() for field in fields}
        if set(parts["structure"]) != expected:
            raise KeyError("structure")  # likewise
        return cls(**parts)


WRITE_CHUNK = 1 << 20  # bytes per write of an array's memory


def write_npz(f, arrays: dict[str, np.ndarray]) -> None:
    """``np.savez(f, **arrays)``'s format (an uncompressed zip of ``.npy`` members; ``np.load`` reads it), each
    array written from its own memory in 1 MB pieces. ``np.savez`` copies each array 16 MB at a time into
    bytes, which leaves the allocator holding memory that raised the peak of a run that stores its warm-up
    by 17 MB at 1:1."""
    with zipfile.ZipFile(f, "w", zipfile.ZIP_STORED, allowZip64=True) as archive:
        for name, value in arrays.items():
            array = np.asarray(value, order="C")  # (ascontiguousarray would make a number 1-d)
            with archive.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array_header_1_0(member, np.lib.format.header_data_from_array_1_0(array))
                data = array.reshape(-1).view(np.uint8)
                for start in range(0, len(data), WRITE_CHUNK):
                    member.write(data[start:start + WRITE_CHUNK])


class WarmupCache:
    """Entries ``<digest>.npz`` (:class:`Entry`) and ``keys-<name>.json`` (each set of keys some build has
    read) in one directory."""

    def __init__(self, directory: Path | None = None, limit: int | None = None):
        self.dir = Path(directory) if directory is not None else cache_dir()
        self.limit = limit_bytes() if limit is None else limit

    def keysets(self) -> list[list[str]]:
        out = []
        for path in sorted(self.dir.glob("keys-*.json")):
            try:
                out.append(json.loads(path.read_text()))
            except (OSError, ValueError):
                continue
        return out

    def lookup(self, par: Any, fixed: dict[str, Any]) -> Path | None:
        """The entry of a build that read keys on which ``par`` agrees, if any."""
        for keys in self.keysets():
            try:
                path = self.dir / (digest(par, keys, fixed) + SUFFIX)
            except AttributeError:  # a key this schema no longer has
                continue
            if path.exists():
                return path
        return None

    def find(self, par: Any, fixed: dict[str, Any]) -> Entry | None:
        """The entry for ``par`` (:meth:`lookup`, :meth:`load`), or None."""
        path = self.lookup(par, fixed)
        return self.load(path) if path is not None else None

    def load(self, path: Path) -> Entry | None:
        try:
            with np.load(path, allow_pickle=False) as data:
                saved = Entry.from_arrays({name: data[name] for name in data.files})
            os.utime(path)  # recently used
            return saved
        except (OSError, ValueError, KeyError):  # removed or half-read meanwhile: a miss
            return None

    def store(self, par: Any, keys: list[str], fixed: dict[str, Any], entry: Entry) -> Path:
        self.dir.mkdir(parents=True, exist_ok=True)
        self._write(self.dir / f"keys-{keyset_name(keys)}.json", lambda f: f.write(json.dumps(keys).encode()))
        path = self.dir / (digest(par, keys, fixed) + SUFFIX)
        self._write(path, lambda f: write_npz(f, entry.arrays()))
        self.evict()
        return path

    def _write(self, path: Path, write) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.dir, prefix=".tmp-", suffix=path.suffix)
        try:
            with os.fdopen(fd, "wb") as f:
                write(f)
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def evict(self) -> None:
        """Remove the least recently used entries until the rest fit in the size limit."""
        entries = []
        for path in self.dir.glob("*" + SUFFIX):
            try:
                st = path.stat()
            except OSError:
                continue
            entries.append((st.st_mtime, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries, key=lambda e: e[0]):
            if total <= self.limit:
                break
            path.unlink(missing_ok=True)
            total -= size

