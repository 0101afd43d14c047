import pytest

from oddswatch.errors import InvalidPrice
from oddswatch.odds import (
    american_to_decimal,
    decimal_to_american,
    implied_probability,
    no_vig,
    parse_american,
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
        parse_american(bad)  # type: ignore[arg-type]


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
