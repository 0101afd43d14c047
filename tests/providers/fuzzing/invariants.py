"""What every emitted OddsUpdate must satisfy (issue 8, item 3).

`violation(update)` is the kit's `providers.kit.invariants.violation` once it exists and
a local equivalent until then: None for a valid update, else the broken rule.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from datetime import UTC, datetime

from oddswatch.model import Market, OddsUpdate, Side

KIT = "providers.kit.invariants"
SIDES = {
    Market.MONEYLINE: (Side.HOME, Side.AWAY, Side.DRAW),
    Market.SPREAD: (Side.HOME, Side.AWAY),
    Market.TOTAL: (Side.OVER, Side.UNDER),
}
EARLIEST, LATEST = datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC)
DECIMAL_TOLERANCE = 0.01  # a book's decimal is its American price shown to two places


def local_violation(update: OddsUpdate) -> str | None:
    for rule in (_ids, _american, _decimal, _line, _side, _times):
        if (broken := rule(update)) is not None:
            return broken
    return None


def _number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _ids(u: OddsUpdate) -> str | None:
    ids = (u.provider, u.event_id, u.market_id, u.selection_id)
    return None if all(isinstance(i, str) and i for i in ids) else "an id is empty or not text"


def _american(u: OddsUpdate) -> str | None:
    if type(u.price_american) is not int:
        return "American price is not an int"
    return "|American price| < 100" if abs(u.price_american) < 100 else None


def _decimal(u: OddsUpdate) -> str | None:
    decimal, american = u.price_decimal, u.price_american
    if not _number(decimal) or not math.isfinite(decimal) or decimal <= 1:
        return "decimal price not > 1"
    exact = 1 + american / 100 if american > 0 else 1 - 100 / american
    return (
        "decimal price disagrees with American"
        if abs(decimal - exact) > DECIMAL_TOLERANCE
        else None
    )


def _line(u: OddsUpdate) -> str | None:
    if u.line is not None and (not _number(u.line) or not math.isfinite(u.line)):
        return "line not a finite number"
    if u.market in (Market.SPREAD, Market.TOTAL) and u.line is None:
        return f"{u.market.value} without a line"
    return (
        "negative total" if u.market is Market.TOTAL and u.line is not None and u.line < 0 else None
    )


def _side(u: OddsUpdate) -> str | None:
    fits = SIDES.get(u.market)
    return f"{u.side.value} side in a {u.market.value}" if fits and u.side not in fits else None


def _times(u: OddsUpdate) -> str | None:
    for name, when in (("received_at", u.received_at), ("source_ts", u.source_ts)):
        if when is None and name == "source_ts":
            continue
        if when is None or when.tzinfo is None or not EARLIEST <= when < LATEST:
            return f"{name} out of range"
    return None


def _kit_violation() -> Callable[[OddsUpdate], str | None] | None:
    try:
        module = importlib.import_module(KIT)
    except ImportError:
        return None
    found: Callable[[OddsUpdate], str | None] | None = getattr(module, "violation", None)
    return found


_KIT = _kit_violation()
violation: Callable[[OddsUpdate], str | None] = _KIT or local_violation
CHECKER = f"{KIT}.violation" if _KIT else "local (tests/providers/fuzzing/invariants.py)"
