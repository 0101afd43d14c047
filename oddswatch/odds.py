"""Odds math: American ↔ decimal ↔ implied probability, no-vig fair prices, parsing.

A price is never a string after `parse_american`. American odds are integers with
|odds| >= 100 (``+100`` and ``-100`` are the same price, "EVEN"); decimal odds are > 1.
"""

from __future__ import annotations

import math
import re

from oddswatch.errors import InvalidPrice

# Characters books use in place of ASCII '-' and '+'.
_MINUS_LOOKALIKES = "\u2212\u2013\u2014\ufe63\uff0d\u2010\u2011\u2012"
_PLUS_LOOKALIKES = "\uff0b\u207a\ufe62"
_NORMALIZE = str.maketrans(
    {**{c: "-" for c in _MINUS_LOOKALIKES}, **{c: "+" for c in _PLUS_LOOKALIKES}}
)
_AMERICAN_RE = re.compile(r"^([+-]?)(\d+)(?:\.0+)?$")
_EVEN_WORDS = frozenset({"even", "evens", "ev"})
_PICK_WORDS = frozenset({"pk", "pick", "pick'em", "pickem", "pick em"})


def normalize_text(text: str) -> str:
    """Map look-alike signs to ASCII and drop whitespace."""
    return "".join(text.translate(_NORMALIZE).split())


def parse_american(value: str | int | float) -> int:
    """Read an American price: ``+150``, ``-110``, ``−110``, ``150``, ``EVEN``.

    Raises InvalidPrice for anything else, including ``PK`` (a line, not a price).
    """
    if isinstance(value, bool):
        raise InvalidPrice(f"not a price: {value!r}")
    if isinstance(value, int | float):
        return _checked_american(value)
    text = normalize_text(value).lower()
    if text in _EVEN_WORDS:
        return 100
    if text in _PICK_WORDS:
        raise InvalidPrice(f"'{value}' is a line (pick'em), not a price")
    match = _AMERICAN_RE.match(text)
    if match is None:
        raise InvalidPrice(f"not an American price: {value!r}")
    sign, digits = match.groups()
    return _checked_american(-int(digits) if sign == "-" else int(digits))


def _checked_american(value: float) -> int:
    if not math.isfinite(value) or value != int(value):
        raise InvalidPrice(f"American odds must be a whole number: {value!r}")
    odds = int(value)
    if -100 < odds < 100:
        raise InvalidPrice(f"American odds must satisfy |odds| >= 100: {odds}")
    return odds


def parse_line(value: str | int | float | None) -> float | None:
    """Read a points line: ``-6.5``, ``+3``, ``−1.5``, ``PK`` (0.0); None stays None."""
    if value is None:
        return None
    if isinstance(value, bool):
        raise InvalidPrice(f"not a line: {value!r}")
    if isinstance(value, int | float):
        number = float(value)
    else:
        text = normalize_text(value).lower()
        if text in _PICK_WORDS:
            return 0.0
        try:
            number = float(text)
        except ValueError:
            raise InvalidPrice(f"not a line: {value!r}") from None
    if not math.isfinite(number):
        raise InvalidPrice(f"not a finite line: {value!r}")
    return number


def american_to_decimal(odds: int) -> float:
    """+150 → 2.5, -110 → 1.9091 (rounded to 4 places)."""
    odds = _checked_american(odds)
    raw = 1 + odds / 100 if odds > 0 else 1 + 100 / -odds
    return round(raw, 4)


def decimal_to_american(price: float) -> int:
    """2.5 → +150, 1.9091 → -110 (nearest whole American price)."""
    if not math.isfinite(price) or price <= 1:
        raise InvalidPrice(f"decimal odds must be > 1: {price!r}")
    if price >= 2:
        return round((price - 1) * 100)
    return -round(100 / (price - 1))


def implied_probability(odds: int) -> float:
    """The book's probability for an American price, vig included."""
    odds = _checked_american(odds)
    return 100 / (odds + 100) if odds > 0 else -odds / (-odds + 100)


def probability_to_american(probability: float) -> int:
    """The fair American price for a probability in (0, 1)."""
    if not 0 < probability < 1:
        raise InvalidPrice(f"probability must be in (0, 1): {probability!r}")
    if probability >= 0.5:
        return -max(100, round(100 * probability / (1 - probability)))
    return max(100, round(100 * (1 - probability) / probability))


def no_vig(odds_a: int, odds_b: int) -> tuple[float, float]:
    """Fair probabilities of a two-way market with the overround removed."""
    p_a, p_b = implied_probability(odds_a), implied_probability(odds_b)
    total = p_a + p_b
    return p_a / total, p_b / total
