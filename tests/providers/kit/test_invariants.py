"""Each invariant of an emitted update, broken and held; and properties: updates built from
parsed prices hold them all, and no field value of any type makes the check raise."""

from __future__ import annotations

import dataclasses
import math
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oddswatch.model import Market, OddsUpdate, PriceStatus, Side
from oddswatch.odds import (
    MAX_AMERICAN,
    MAX_DECIMAL,
    MAX_LINE,
    MIN_DECIMAL,
    american_to_decimal,
    decimal_to_american,
    parse_american,
    parse_line,
)
from providers.kit.invariants import REASONS, violation

NOW = datetime(2025, 1, 5, 19, 30, tzinfo=UTC)


def _update(**changes: object) -> OddsUpdate:
    """A sound spread update, with `changes` applied."""
    base = OddsUpdate(
        provider="dk",
        league="nba",
        event_id="e1",
        market_id="m1",
        selection_id="s1",
        market=Market.SPREAD,
        side=Side.HOME,
        line=-6.5,
        price_american=-110,
        price_decimal=1.9091,
        received_at=NOW,
        source_ts=NOW - timedelta(seconds=1),
        seq=3,
    )
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


MONEYLINE = {"market": Market.MONEYLINE, "line": None}
TOTAL = {"market": Market.TOTAL, "side": Side.OVER, "line": 221.5}


@pytest.mark.parametrize(
    "changes",
    [
        {},
        {"seq": 0},
        {"status": PriceStatus.SUSPENDED},
        {**MONEYLINE, "side": Side.AWAY},
        {**MONEYLINE, "side": Side.DRAW},  # three-way
        {"side": Side.AWAY, "line": 6.5},
        {"line": 0},  # an int line, a pick'em
        {**TOTAL, "side": Side.UNDER},
        {**TOTAL, "line": 0.0},
        {**TOTAL, "line": -0.0},
        {"market": Market.OTHER, "side": Side.OTHER, "line": None},
        {"market": Market.OTHER, "side": Side.OVER, "line": -3.5},
        {"line": -MAX_LINE},
        {"price_american": -100, "price_decimal": 2.0},
        {"price_american": 100, "price_decimal": 2},  # an int decimal
        {"price_decimal": 1.91},  # the book's own 2-place decimal
        {"price_decimal": 1.9},  # at the edge of the 0.01 slack
        {"price_american": -MAX_AMERICAN, "price_decimal": 1.0001},
        {"price_american": MAX_AMERICAN, "price_decimal": MAX_DECIMAL},
        {"price_american": 50_000, "price_decimal": 500.0},  # 1% of the payout
        {"source_ts": None},
        {"received_at": datetime(2025, 1, 5, 14, 30, tzinfo=timezone(timedelta(hours=-5)))},
        {"received_at": datetime(2000, 1, 1, tzinfo=UTC)},
    ],
    ids=repr,
)
def test_sound_updates_pass(changes: dict[str, object]) -> None:
    assert violation(_update(**changes)) is None


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"seq": -1}, "seq_invalid"),
        ({"seq": True}, "seq_invalid"),
        ({"seq": 1.0}, "seq_invalid"),
        ({"status": "open"}, "status_invalid"),
        ({"market": "spread"}, "market_invalid"),
        ({**MONEYLINE, "side": Side.OVER}, "side_not_in_market"),
        ({**MONEYLINE, "side": Side.OTHER}, "side_not_in_market"),
        ({"side": Side.DRAW}, "side_not_in_market"),
        ({**TOTAL, "side": Side.HOME}, "side_not_in_market"),
        ({"side": "home"}, "side_not_in_market"),
        ({**MONEYLINE, "line": 1.5}, "line_on_moneyline"),
        ({"line": None}, "line_missing"),
        ({**TOTAL, "line": None}, "line_missing"),
        ({"line": "-6.5"}, "line_not_a_number"),
        ({"line": True}, "line_not_a_number"),
        ({"line": math.nan}, "line_not_finite"),
        ({**TOTAL, "line": math.inf}, "line_not_finite"),
        ({"line": MAX_LINE + 0.5}, "line_out_of_range"),
        ({"line": -(10**400)}, "line_out_of_range"),
        ({**TOTAL, "line": -0.5}, "negative_total"),
        ({"price_american": -110.0}, "american_not_int"),
        ({"price_american": True}, "american_not_int"),
        ({"price_american": "-110"}, "american_not_int"),
        ({"price_american": 99}, "american_out_of_range"),
        ({"price_american": -99}, "american_out_of_range"),
        ({"price_american": 0}, "american_out_of_range"),
        ({"price_american": -MAX_AMERICAN - 1}, "american_out_of_range"),
        ({"price_american": 10**400}, "american_out_of_range"),
        ({"price_decimal": "1.9091"}, "price_decimal_not_a_number"),
        ({"price_decimal": None}, "price_decimal_not_a_number"),
        ({"price_decimal": True}, "price_decimal_not_a_number"),
        ({"price_decimal": 1.0}, "price_decimal_not_above_1"),
        ({"price_decimal": 0.5}, "price_decimal_not_above_1"),
        ({"price_decimal": math.nan}, "price_decimal_not_above_1"),
        ({"price_american": -MAX_AMERICAN, "price_decimal": 1.0}, "price_decimal_not_above_1"),
        ({"price_decimal": 1.92}, "decimal_inconsistent_with_american"),
        ({"price_decimal": 2.1}, "decimal_inconsistent_with_american"),  # the other side's
        ({"price_american": 150, "price_decimal": 1.5}, "decimal_inconsistent_with_american"),
        ({"price_decimal": math.inf}, "decimal_inconsistent_with_american"),
        ({"price_decimal": 10**400}, "decimal_inconsistent_with_american"),
        ({"received_at": NOW.replace(tzinfo=None)}, "time_not_aware"),
        ({"source_ts": NOW.replace(tzinfo=None)}, "time_not_aware"),
        ({"received_at": NOW.isoformat()}, "time_not_datetime"),
        ({"source_ts": date(2025, 1, 5)}, "time_not_datetime"),
        ({"received_at": datetime(1970, 1, 1, tzinfo=UTC)}, "time_out_of_range"),
        ({"source_ts": datetime(2100, 1, 1, tzinfo=UTC)}, "time_out_of_range"),
        ({"source_ts": datetime.max.replace(tzinfo=UTC)}, "time_out_of_range"),
    ],
    ids=repr,
)
def test_broken_updates_name_their_rule(changes: dict[str, object], reason: str) -> None:
    assert reason in REASONS
    assert violation(_update(**changes)) == reason


# --- Properties ---------------------------------------------------------------------------

_FAST = settings(max_examples=200, deadline=None)
_AMERICAN = st.integers(100, MAX_AMERICAN) | st.integers(-MAX_AMERICAN, -100)
_SIDED = st.sampled_from(
    [
        (Market.MONEYLINE, Side.HOME),
        (Market.MONEYLINE, Side.AWAY),
        (Market.MONEYLINE, Side.DRAW),
        (Market.SPREAD, Side.HOME),
        (Market.SPREAD, Side.AWAY),
        (Market.TOTAL, Side.OVER),
        (Market.TOTAL, Side.UNDER),
        (Market.OTHER, Side.OTHER),
    ]
)
_LINE_TEXT = st.decimals(-MAX_LINE, MAX_LINE, places=1).map(lambda d: f"{d:+}".replace("-", "−"))


@st.composite
def _parsed_updates(draw: st.DrawFn) -> OddsUpdate:
    """An update the way a parser builds one: American text or a decimal, line text."""
    market, side = draw(_SIDED)
    if draw(st.booleans()):
        american = parse_american(draw(_AMERICAN.map(lambda odds: f"{odds:+d}")))
        decimal = american_to_decimal(american)
    else:
        decimal = draw(st.floats(MIN_DECIMAL, MAX_DECIMAL))
        american = decimal_to_american(decimal)
    line = None if market is Market.MONEYLINE else parse_line(draw(_LINE_TEXT))
    if market is Market.TOTAL and line is not None:
        line = abs(line)
    return _update(
        market=market, side=side, line=line, price_american=american, price_decimal=decimal
    )


@_FAST
@given(_parsed_updates())
def test_updates_from_parsed_prices_hold(update: OddsUpdate) -> None:
    assert violation(update) is None


_ANY_VALUE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(0, 5000).map(lambda n: -(10**n)),
    st.floats(),
    st.text(max_size=5),
    st.sampled_from([*Market, *Side, *PriceStatus]),
    st.datetimes(timezones=st.none() | st.just(UTC)),
    st.dates(),
    st.lists(st.integers(), max_size=2),
)
_FIELDS = [field.name for field in dataclasses.fields(OddsUpdate)]


@_FAST
@given(st.dictionaries(st.sampled_from(_FIELDS), _ANY_VALUE))
def test_any_field_values_give_a_known_reason_never_an_exception(
    changes: dict[str, object],
) -> None:
    found = violation(_update(**changes))
    assert found is None or found in REASONS
