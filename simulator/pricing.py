"""Pure price math of the market model: probabilities to two-way American prices.

A two-way market is priced from the fair probability of one side plus a fixed vig per
side, so an even market is -110/-110. Spreads and totals keep their line while the
fair probability of a side stays within `BAND` of one half, which keeps their juice in
-105..-115; past the band the line moves to the nearest half point.
"""

from __future__ import annotations

import math

from oddswatch.odds import american_to_decimal, probability_to_american

VIG = 0.0238  # per side: 0.5 + VIG prices at -110
BAND = 0.012  # 0.5 ± BAND + VIG prices within -105..-115
MIN_P, MAX_P = 0.03, 0.97


def normal_cdf(x: float) -> float:
    return 0.5 * (1.0 + math.erf(x / math.sqrt(2.0)))


def round_half(x: float) -> float:
    """The nearest multiple of 0.5."""
    return round(x * 2.0) / 2.0


def two_way(p: float) -> tuple[int, int]:
    """American prices of (side, other side) for the side's fair probability p."""
    p = min(MAX_P, max(MIN_P, p))
    return _american(p + VIG), _american(1.0 - p + VIG)


def _american(q: float) -> int:
    odds = probability_to_american(q)
    return 100 if odds == -100 else odds


def cover_probability(expected: float, line: float, sd: float) -> float:
    """P(outcome + line > 0) for an outcome ~ N(expected, sd): the home side of a spread."""
    return normal_cdf((expected + line) / sd)


def over_probability(expected: float, line: float, sd: float) -> float:
    return normal_cdf((expected - line) / sd)


def in_band(p: float) -> bool:
    return abs(p - 0.5) <= BAND


def decimal_odds(american: int) -> float:
    """Decimal odds as the book displays them: two places (-110 → 1.91)."""
    return round(american_to_decimal(american), 2)


def american_text(american: int) -> str:
    """DraftKings display text: explicit '+', Unicode minus (−110)."""
    return f"+{american}" if american > 0 else f"\u2212{-american}"
