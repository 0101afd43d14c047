"""Odds math: American ↔ decimal ↔ implied probability, no-vig fair prices, parsing.

A price is never a string after `parse_american` or `parse_decimal`. American odds are
integers with 100 <= |odds| <= 1,000,000 (``+100`` and ``-100`` are the same price,
"EVEN"); decimal odds lie in [1.0001, 10001], the decimal range of those American odds, so
a decimal price rounded to 4 places is never 1.0. Lines are finite with |line| <= 1000.

Every function here raises only `InvalidPrice`, whatever it is given. Parsers take exact
`int`, `float` and `str` values (not `bool`, not subclasses, not bytes); a string longer
than 64 characters is not read, so no huge digit string reaches `int()` or `float()`. An
error message names a bad value through `_excerpt`, never through the value's own repr.
"""

from __future__ import annotations

import re

from oddswatch.errors import InvalidPrice

MAX_AMERICAN = 1_000_000
MIN_DECIMAL = 1 + 100 / MAX_AMERICAN  # 1.0001, the decimal of -MAX_AMERICAN
MAX_DECIMAL = 1 + MAX_AMERICAN / 100  # 10001.0, the decimal of +MAX_AMERICAN
MAX_LINE = 1000.0
_MAX_TEXT = 64  # longest string read as a number
_EXCERPT = 40  # characters of a bad value quoted in an error message

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


def parse_american(value: object) -> int:
    """Read an American price: ``+150``, ``-110``, ``−110``, ``150``, ``EVEN``, -110, 150.0.

    Raises InvalidPrice for anything else, including ``PK`` (a line, not a price).
    """
    if type(value) is int or type(value) is float:
        return _checked_american(value)
    text = _short_text(value, "an American price").lower()
    if text in _EVEN_WORDS:
        return 100
    if text in _PICK_WORDS:
        raise InvalidPrice(f"{_excerpt(value)} is a line (pick'em), not a price")
    match = _AMERICAN_RE.match(text)
    if match is None:
        raise InvalidPrice(f"not an American price: {_excerpt(value)}")
    sign, digits = match.groups()
    return _checked_american(-int(digits) if sign == "-" else int(digits))


def parse_decimal(value: object) -> float:
    """Read a decimal price: 2.7, 3, ``"2.70"``; returns a float in [1.0001, 10001].

    A comma as decimal separator (``"2,70"``) is not read: a book that writes one says so
    in its own parser, which replaces it before calling this."""
    if type(value) is float or type(value) is int:
        number: float = value
    else:
        number = _float(_short_text(value, "a decimal price"), value, "a decimal price")
    if MIN_DECIMAL <= number <= MAX_DECIMAL:
        return float(number)
    raise InvalidPrice(f"decimal odds must lie in [1.0001, 10001]: {_excerpt(value)}")


def parse_line(value: object) -> float | None:
    """Read a points line: ``-6.5``, ``+3``, ``−1.5``, ``PK`` (0.0); None stays None.

    Raises InvalidPrice for a value that is not finite or has |line| > 1000."""
    if value is None:
        return None
    if type(value) is float or type(value) is int:
        number: float = value
    else:
        text = _short_text(value, "a line")
        if text.lower() in _PICK_WORDS:
            return 0.0
        number = _float(text, value, "a line")
    if -MAX_LINE <= number <= MAX_LINE:
        return float(number)
    raise InvalidPrice(f"a line must be finite with |line| <= 1000: {_excerpt(value)}")


def american_to_decimal(odds: int) -> float:
    """+150 → 2.5, -110 → 1.9091 (rounded to 4 places; never below 1.0001)."""
    odds = _checked_american(odds)
    raw = 1 + odds / 100 if odds > 0 else 1 + 100 / -odds
    return round(raw, 4)


def decimal_to_american(price: float) -> int:
    """2.5 → +150, 1.9091 → -110 (nearest whole American price)."""
    if not ((type(price) is float or type(price) is int) and MIN_DECIMAL <= price <= MAX_DECIMAL):
        raise InvalidPrice(f"decimal odds must lie in [1.0001, 10001]: {_excerpt(price)}")
    if price >= 2:
        return round((price - 1) * 100)
    return -round(100 / (price - 1))


def implied_probability(odds: int) -> float:
    """The book's probability for an American price, vig included."""
    odds = _checked_american(odds)
    return 100 / (odds + 100) if odds > 0 else -odds / (-odds + 100)


def probability_to_american(probability: float) -> int:
    """The fair American price for a probability in (0, 1); InvalidPrice when that price
    would lie beyond ±1,000,000 (a probability within about 1e-4 of 0 or 1)."""
    if not (type(probability) is float and 0 < probability < 1):
        raise InvalidPrice(f"probability must be a float in (0, 1): {_excerpt(probability)}")
    if probability >= 0.5:
        ratio = 100 * probability / (1 - probability)
    else:
        ratio = 100 * (1 - probability) / probability
    if not ratio <= MAX_AMERICAN:  # also catches an overflow to inf
        raise InvalidPrice(f"probability too close to 0 or 1: {_excerpt(probability)}")
    odds = max(100, round(ratio))
    return -odds if probability >= 0.5 else odds


def no_vig(odds_a: int, odds_b: int) -> tuple[float, float]:
    """Fair probabilities of a two-way market with the overround removed."""
    p_a, p_b = implied_probability(odds_a), implied_probability(odds_b)
    total = p_a + p_b
    return p_a / total, p_b / total


def _checked_american(value: object) -> int:
    """An exact int, or a whole float, with 100 <= |value| <= MAX_AMERICAN, as an int."""
    if type(value) is int:
        odds = value
    elif type(value) is float and -MAX_AMERICAN <= value <= MAX_AMERICAN and value.is_integer():
        odds = int(value)
    else:
        raise InvalidPrice(f"American odds must be a whole number: {_excerpt(value)}")
    if 100 <= odds <= MAX_AMERICAN or -MAX_AMERICAN <= odds <= -100:
        return odds
    raise InvalidPrice(f"American odds must satisfy 100 <= |odds| <= 1e6: {_excerpt(odds)}")


def _short_text(value: object, what: str) -> str:
    """`value` normalized (`normalize_text`) when it is a str of at most 64 characters."""
    if type(value) is not str:
        raise InvalidPrice(f"not {what}: {_excerpt(value)}")
    if len(value) > _MAX_TEXT:
        raise InvalidPrice(f"too long for {what}: {_excerpt(value)}")
    return normalize_text(value)


def _float(text: str, value: object, what: str) -> float:
    """`text` (short, from `value`) as a float; inf or nan too, which callers range-check."""
    try:
        return float(text)
    except ValueError:
        raise InvalidPrice(f"not {what}: {_excerpt(value)}") from None


def _excerpt(value: object) -> str:
    """A short, safe stand-in for a value in an error message.

    Never the value's own repr: that may raise, recurse without end, run to megabytes, or
    (for an int past 4300 digits) be refused by Python itself."""
    if type(value) is str:  # escapes can make the repr of 40 characters 400 long
        text = repr(value[:_EXCERPT])
        whole = len(value) <= _EXCERPT and len(text) <= _EXCERPT + 2
        return text if whole else text[:_EXCERPT] + "…"
    if value is None or type(value) is bool or type(value) is float:
        return repr(value)
    if type(value) is int:
        return repr(value) if -(10**18) < value < 10**18 else f"<int of {value.bit_length()} bits>"
    return f"<{_type_name(value)}>"


def _type_name(value: object) -> str:
    try:  # a metaclass may make even the type's name raise or be huge
        return str(type(value).__name__)[:_EXCERPT]
    except Exception:
        return "object"
