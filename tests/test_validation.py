"""Every declared key is validated: bad values are refused with one line naming the key.

The checks are generated from the declarations (:mod:`sim.params`), so these tests walk the
declarations too: for every number, values outside its valid range, NaN and ±inf; for every
boolean, values that are not true or false. Hypothesis then draws random valid values.
"""

from __future__ import annotations

import copy
import math
import re

import pytest
from hypothesis import given, settings, strategies as st

from sim.config import Config, ConfigError, load_config, validate
from sim.params import entries

NUMBERS = [e for e in entries(Config) if e.type in (int, float)]
BOOLEANS = [e for e in entries(Config) if e.type is bool]


def concrete(key: str) -> str:
    """A list-item key of the first item (``recruitment.groups[].pay_pkr`` -> ``recruitment.groups.0.pay_pkr``)."""
    return key.replace("[]", ".0")


def with_value(key: str, value) -> Config:
    """The default config (as plain dataclasses) with one key set, without any type conversion."""
    cfg = copy.deepcopy(DEFAULT)
    if key.startswith("state.strikes"):
        from sim.state_actions import StrikeParams

        cfg.state.strikes = [StrikeParams(district="panjgur")]
    *path, last = concrete(key).split(".")
    node = cfg
    for part in path:
        node = node[int(part)] if part.isdigit() else getattr(node, part)
    setattr(node, last, value)
    return cfg


DEFAULT = Config()


def bad_values(entry) -> list:
    valid = entry.spec.valid
    out = []
    if valid.low > -math.inf:
        out.append(valid.low - (1 if entry.type is int else max(abs(valid.low) * 1e-6, 1e-9)))
    if valid.high < math.inf:
        out.append(valid.high + (1 if entry.type is int else max(abs(valid.high) * 1e-6, 1e-9)))
    if entry.type is float:
        out += [math.nan, math.inf, -math.inf]
    else:
        out += [1.5, True]
    return out


@pytest.mark.parametrize("entry", NUMBERS, ids=lambda e: e.key)
def test_every_number_out_of_range_nan_or_inf_is_refused_naming_its_key(entry):
    for value in bad_values(entry):
        if entry.spec.valid.low_open and value == entry.spec.valid.low:
            continue
        with pytest.raises(ConfigError) as err:
            validate(with_value(entry.key, value))
        message = str(err.value)
        assert message.startswith(concrete(entry.key) + "=") and "\n" not in message, message


@pytest.mark.parametrize("entry", BOOLEANS, ids=lambda e: e.key)
def test_every_boolean_is_strict(entry):
    for value in (2, 0, "yes", None):
        with pytest.raises(ConfigError, match=re.escape(concrete(entry.key)) + r"=.*true or false"):
            validate(with_value(entry.key, value))


def test_bad_dates_and_strict_booleans_through_load_config():
    with pytest.raises(ConfigError, match=r"^start_date='2024-13-01': a date"):
        load_config("baseline", {"start_date": "2024-13-01"})
    with pytest.raises(ConfigError, match=r"^channels.grievance=2: true or false$"):
        load_config("baseline", {"channels.grievance": 2})
    with pytest.raises(ConfigError, match=r"^recruitment.groups.1.pay_pkr=inf: "):
        load_config("baseline", {"recruitment.groups.1.pay_pkr": math.inf})


# keys that rules tying several keys together may also refuse (sim.config.validate)
CROSS_FIELD = {"replicate", "border.enforcement", "border.max_interdiction", "labour.agriculture_share",
               "labour.public_share", "recruitment.eligible_min_age", "recruitment.eligible_max_age",
               "border.closure.start_day", "border.closure.duration_days", "policy.cash_transfer.start_day",
               "policy.public_works.start_day", "state.ct_cooperation_day", "state.strikes[].day"}


@settings(max_examples=80, deadline=None)
@given(st.data())
def test_any_value_in_its_valid_range_is_accepted(data):
    entry = data.draw(st.sampled_from([e for e in NUMBERS if e.key not in CROSS_FIELD]))
    v = entry.spec.valid
    low, high = v.low, min(v.high, 1e12)
    if entry.type is int:
        value = data.draw(st.integers(int(low) + v.low_open, int(high) - v.high_open))
    else:
        value = data.draw(st.floats(low, high, exclude_min=v.low_open, exclude_max=v.high_open, allow_nan=False))
    validate(with_value(entry.key, value))
