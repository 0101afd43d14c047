import math
import sys
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from oddswatch.errors import InvalidPrice
from oddswatch.odds import (
    MAX_AMERICAN,
    MAX_DECIMAL,
    MAX_LINE,
    MIN_DECIMAL,
    american_to_decimal,
    decimal_to_american,
    implied_probability,
    no_vig,
    parse_american,
    parse_decimal,
    parse_line,
    probability_to_american,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("+150", 150),
        ("150", 150),
        ("-110", -110),
        ("\u2212110", -110),  # Unicode minus
        ("\u2013115", -115),  # en dash
        ("\uff0d120", -120),  # full-width hyphen-minus
        ("\uff0b130", 130),  # full-width plus
        (" + 200 ", 200),
        ("EVEN", 100),
        ("even", 100),
        (-105, -105),
        (250.0, 250),
    ],
)
def test_parse_american_spellings(text: str | int | float, expected: int) -> None:
    assert parse_american(text) == expected


@pytest.mark.parametrize("bad", ["PK", "pick", "", "abc", "+99", "-50", "1.5", "--110", True, 99.5])
def test_parse_american_rejects(bad: object) -> None:
    with pytest.raises(InvalidPrice):
        parse_american(bad)


def test_line_parsing() -> None:
    assert parse_line("PK") == 0.0
    assert parse_line("\u22126.5") == -6.5
    assert parse_line("+3") == 3.0
    assert parse_line(None) is None
    with pytest.raises(InvalidPrice):
        parse_line("nan")


@pytest.mark.parametrize(
    ("american", "decimal"), [(150, 2.5), (-110, 1.9091), (100, 2.0), (-200, 1.5), (-100, 2.0)]
)
def test_american_decimal_round_trip(american: int, decimal: float) -> None:
    assert american_to_decimal(american) == decimal
    assert decimal_to_american(decimal) == (100 if american == -100 else american)


def test_probabilities() -> None:
    assert implied_probability(-110) == pytest.approx(0.5238, abs=1e-4)
    assert implied_probability(150) == pytest.approx(0.4)
    fair_a, fair_b = no_vig(-110, -110)
    assert fair_a == pytest.approx(0.5) and fair_b == pytest.approx(0.5)
    fair_fav, fair_dog = no_vig(-200, 170)
    assert fair_fav + fair_dog == pytest.approx(1.0)
    assert fair_fav > 0.6
    assert probability_to_american(0.6) == -150
    assert probability_to_american(0.4) == 150
    with pytest.raises(InvalidPrice):
        decimal_to_american(1.0)


# --- Bounds -------------------------------------------------------------------------------


def test_american_bounds() -> None:
    assert american_to_decimal(-MAX_AMERICAN) == MIN_DECIMAL == 1.0001
    assert american_to_decimal(MAX_AMERICAN) == MAX_DECIMAL == 10001.0
    for beyond in (-MAX_AMERICAN - 1, MAX_AMERICAN + 1, -(10**7), 10**400, -(10**400)):
        with pytest.raises(InvalidPrice):
            american_to_decimal(beyond)
        with pytest.raises(InvalidPrice):
            parse_american(beyond)
    assert parse_american("-1000000") == -MAX_AMERICAN
    with pytest.raises(InvalidPrice):
        parse_american("-1000001")


def test_decimal_bounds() -> None:
    assert decimal_to_american(MIN_DECIMAL) == -MAX_AMERICAN
    assert decimal_to_american(MAX_DECIMAL) == MAX_AMERICAN
    for beyond in (1.0, 1.00009, MAX_DECIMAL + 0.01, math.inf, math.nan, 10**400):
        with pytest.raises(InvalidPrice):
            decimal_to_american(beyond)
        with pytest.raises(InvalidPrice):
            parse_decimal(beyond)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (2.7, 2.7),
        (3, 3.0),
        ("2.70", 2.7),
        (" 1.893 ", 1.893),
        ("10001", 10001.0),
        ("1.0001", 1.0001),
    ],
)
def test_parse_decimal(value: object, expected: float) -> None:
    result = parse_decimal(value)
    assert result == expected and type(result) is float


@pytest.mark.parametrize(
    "bad",
    ["2,70", "1", "1.0", "0.5", "-2.5", "", "EVEN", "inf", "nan", "1e999", True, None, b"2.5"],
)
def test_parse_decimal_rejects(bad: object) -> None:
    with pytest.raises(InvalidPrice):
        parse_decimal(bad)


def test_line_bounds() -> None:
    assert parse_line(1000) == 1000.0 and type(parse_line(1000)) is float
    assert parse_line("-1000") == -1000.0
    for bad in (1000.5, -1001, 10**400, math.inf, -math.inf, math.nan, "1e999", "inf", True, [1]):
        with pytest.raises(InvalidPrice):
            parse_line(bad)


def test_probability_bounds() -> None:
    assert probability_to_american(0.5) == -100
    for bad in (0.0, 1.0, 5e-324, 1 - 1e-16, 1e-5, math.nan, 0, True, "0.5"):
        with pytest.raises(InvalidPrice):
            probability_to_american(bad)  # type: ignore[arg-type]


@pytest.mark.parametrize("read", [parse_american, parse_line, parse_decimal])
def test_huge_strings_are_invalid_prices(read: Callable[[object], object]) -> None:
    # int() refuses digit strings past sys.get_int_max_str_digits(); none gets that far.
    for text in ("9" * 5000, "-" + "1" * 4301, "1" * 65, " " * 10**6 + "150"):
        with pytest.raises(InvalidPrice):
            read(text)


def test_lowest_int_digit_limit() -> None:
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(640)  # the lowest limit Python allows
    try:
        assert parse_american("+" + "0" * 60 + "150") == 150
        for read in (parse_american, parse_line, parse_decimal):
            with pytest.raises(InvalidPrice):
                read("9" * 700)
    finally:
        sys.set_int_max_str_digits(old)


class _HostileRepr:
    def __repr__(self) -> str:
        raise RuntimeError("repr must not be called")

    __str__ = __repr__


def _nested(depth: int) -> list[object]:
    value: list[object] = []
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    "value",
    [_HostileRepr(), _nested(100_000), 10**5000, "x" * 10**6, "\U00012544\x1f" * 20],
    ids=["hostile-repr", "deep-list", "huge-int", "long-str", "escaped-str"],
)
def test_error_messages_never_repr_the_value(value: object) -> None:
    with pytest.raises(InvalidPrice) as caught:
        parse_american(value)
    assert len(str(caught.value)) < 120


# --- Properties ---------------------------------------------------------------------------

_FAST = settings(max_examples=300, deadline=None)


class _IntSub(int):
    def __repr__(self) -> str:
        raise RuntimeError("repr must not be called")


class _StrSub(str):
    def lower(self) -> str:
        raise RuntimeError("a str subclass is not read")


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.integers(-(10**7), 10**7),
    st.tuples(st.integers(0, 6000), st.sampled_from([1, -1])).map(lambda e: e[1] * 10 ** e[0]),
    st.floats(),  # nan and ±inf included
    st.floats(0, 1),
    st.floats(MIN_DECIMAL / 2, MAX_DECIMAL * 2),
    st.text(),
    st.from_regex(r"\A[ +\-−]?\d{1,8}(\.\d{0,5})?\Z"),
    st.integers(4000, 6000).map(lambda n: "9" * n),
    st.sampled_from(["EVEN", "PK", "nan", "-inf", "1e400", "1_000", "２.５", "+0150", "0x10"]),
    st.binary(),
    st.decimals(allow_nan=True),
    st.fractions(),
    st.integers(0, 20_000).map(_nested),
    st.builds(_IntSub, st.integers()),
    st.builds(_StrSub, st.text()),
    st.builds(_HostileRepr),
    st.builds(object),
    st.just(float),
)
ANYTHING = st.one_of(
    _SCALARS,
    st.lists(st.integers() | st.text() | st.floats(), max_size=3),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=3),
)


def _is_american(value: object) -> bool:
    return type(value) is int and 100 <= abs(value) <= MAX_AMERICAN


def _is_decimal(value: object) -> bool:
    return type(value) is float and MIN_DECIMAL <= value <= MAX_DECIMAL


def _is_line(value: object) -> bool:
    return type(value) is float and -MAX_LINE <= value <= MAX_LINE


def _is_probability(value: object) -> bool:
    return type(value) is float and 0 < value < 1


def _is_fair_pair(value: object) -> bool:
    return (
        isinstance(value, tuple)
        and all(map(_is_probability, value))
        and math.isclose(sum(value), 1.0)
    )


_CHECKS: list[tuple[Callable[[object], object], Callable[[object], bool]]] = [
    (parse_american, _is_american),
    (parse_decimal, _is_decimal),
    (parse_line, lambda result: result is None or _is_line(result)),
    (american_to_decimal, _is_decimal),  # type: ignore[list-item]
    (decimal_to_american, _is_american),  # type: ignore[list-item]
    (implied_probability, _is_probability),  # type: ignore[list-item]
    (probability_to_american, _is_american),  # type: ignore[list-item]
    (lambda value: no_vig(value, -110), _is_fair_pair),  # type: ignore[arg-type]
    (lambda value: no_vig(120, value), _is_fair_pair),  # type: ignore[arg-type]
]


@_FAST
@given(ANYTHING)
def test_odds_math_raises_only_invalid_price(value: object) -> None:
    for function, is_valid in _CHECKS:
        try:
            result = function(value)
        except InvalidPrice as exc:
            assert len(str(exc)) < 100
        else:
            assert is_valid(result), (function, result)


_AMERICAN = st.integers(100, MAX_AMERICAN) | st.integers(-MAX_AMERICAN, -100)


@_FAST
@given(_AMERICAN)
def test_decimal_is_never_one_and_reads_back(odds: int) -> None:
    decimal = american_to_decimal(odds)
    assert decimal >= MIN_DECIMAL > 1
    assert parse_decimal(decimal) == decimal
    assert _is_american(decimal_to_american(decimal))
    assert parse_american(str(odds)) == odds == parse_american(f"{odds:+d}".replace("-", "−"))


@_FAST
@given(st.integers(100, MAX_AMERICAN) | st.integers(-1022, -101))
def test_american_decimal_american_round_trip(odds: int) -> None:
    # Exact for every positive price; for negative ones the 4-place decimal keeps the
    # price exactly down to -1022 (beyond, neighbouring prices share a decimal).
    assert decimal_to_american(american_to_decimal(odds)) == odds


@_FAST
@given(st.floats(MIN_DECIMAL, MAX_DECIMAL))
def test_decimal_american_decimal_stays_close(decimal: float) -> None:
    # An American price rounded to a whole number moves the decimal by at most 0.005.
    assert abs(american_to_decimal(decimal_to_american(decimal)) - decimal) <= 0.005 + 1e-4
