"""What every emitted `OddsUpdate` must hold. The kit checks each update once, on the hot
path, and counts one that breaks a rule as `invalid_value` under the reason returned here.

`violation(update)` is None for a sound update, else one constant reason from `REASONS`
(the first broken rule, in the order below):

- seq an int >= 0; status a PriceStatus; market a Market; side a Side that fits its
  market (moneyline: home, away, draw; spread: home, away; total: over, under; other: any);
- line None for a moneyline and present for a spread or total; when present an int or
  float, finite, |line| <= 1000, and >= 0 for a total;
- price_american an int (not bool) with 100 <= |odds| <= 1,000,000;
- price_decimal an int or float (not bool), > 1, and consistent with price_american: within
  max(0.01, 1% of the payout) of the exact decimal of the American price (1 + odds/100, or
  1 + 100/|odds|), the payout being that decimal minus 1. 0.01 covers a book's decimal
  rounded to 2 places (<= 0.005) and an American price rounded to a whole number from a
  decimal (<= 0.005 for |odds| >= 100); 1% of the payout covers long odds books round
  coarsely (+50000 sent as 500.0). A number on another scale read as a decimal (an
  American or fractional price) lies far outside;
- received_at, and source_ts when given, aware datetimes in [2000-01-01, 2100-01-01) UTC.

Types are checked before values are compared, so a field of a wrong type is a reason, not
an exception.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime

from oddswatch.model import Market, OddsUpdate, PriceStatus, Side
from oddswatch.odds import MAX_AMERICAN, MAX_LINE

REASONS = frozenset(
    {
        "seq_invalid",
        "status_invalid",
        "market_invalid",
        "side_not_in_market",
        "line_on_moneyline",
        "line_missing",
        "line_not_a_number",
        "line_not_finite",
        "line_out_of_range",
        "negative_total",
        "american_not_int",
        "american_out_of_range",
        "price_decimal_not_a_number",
        "price_decimal_not_above_1",
        "decimal_inconsistent_with_american",
        "time_not_datetime",
        "time_not_aware",
        "time_out_of_range",
    }
)

_SIDES = {
    Market.MONEYLINE: frozenset({Side.HOME, Side.AWAY, Side.DRAW}),
    Market.SPREAD: frozenset({Side.HOME, Side.AWAY}),
    Market.TOTAL: frozenset({Side.OVER, Side.UNDER}),
    Market.OTHER: frozenset(Side),
}
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)
_SLACK = 0.01  # absolute, and relative to the payout; see the module docstring
_EPSILON = 1e-9  # float noise at the edge of the slack


def violation(update: OddsUpdate) -> str | None:
    """None when `update` holds every rule, else the reason of the first it breaks."""
    return (
        _record_violation(update)
        or _line_violation(update.market, update.line)
        or _price_violation(update.price_american, update.price_decimal)
        or _time_violation(update.received_at)
        or (None if update.source_ts is None else _time_violation(update.source_ts))
    )


def _record_violation(update: OddsUpdate) -> str | None:
    if type(update.seq) is not int or update.seq < 0:
        return "seq_invalid"
    if type(update.status) is not PriceStatus:
        return "status_invalid"
    if type(update.market) is not Market:
        return "market_invalid"
    if type(update.side) is not Side or update.side not in _SIDES[update.market]:
        return "side_not_in_market"
    return None


def _line_violation(market: Market, line: object) -> str | None:
    if line is None:
        return "line_missing" if market is Market.SPREAD or market is Market.TOTAL else None
    if market is Market.MONEYLINE:
        return "line_on_moneyline"
    if type(line) is not float and type(line) is not int:
        return "line_not_a_number"
    if not -MAX_LINE <= line <= MAX_LINE:  # an int is compared exactly, however large
        return (
            "line_out_of_range" if type(line) is int or math.isfinite(line) else "line_not_finite"
        )
    if line < 0 and market is Market.TOTAL:
        return "negative_total"
    return None


def _price_violation(american: object, decimal: object) -> str | None:
    if type(american) is not int:
        return "american_not_int"
    if not (100 <= american <= MAX_AMERICAN or -MAX_AMERICAN <= american <= -100):
        return "american_out_of_range"
    if type(decimal) is not float and type(decimal) is not int:
        return "price_decimal_not_a_number"
    if not decimal > 1:  # nan too
        return "price_decimal_not_above_1"
    exact = 1 + american / 100 if american > 0 else 1 - 100 / american
    slack = (_SLACK * (exact - 1) if exact > 2 else _SLACK) + _EPSILON
    if not exact - slack <= decimal <= exact + slack:  # no arithmetic on decimal: inf, 10**400
        return "decimal_inconsistent_with_american"
    return None


def _time_violation(moment: object) -> str | None:
    if not isinstance(moment, datetime):
        return "time_not_datetime"
    if moment.tzinfo is not UTC and moment.utcoffset() is None:  # the cheap test first
        return "time_not_aware"
    if not _EARLIEST <= moment < _LATEST:
        return "time_out_of_range"
    return None
