"""DraftKings websocket frames: the subscribe request in, acks, errors and updates out.

Every frame is msgpack. Updates carry records `[35, <13 fields>]` (the first time a
selection is sent on a connection) and `[24, <8 fields>]` (later changes, None for what
did not change); see docs/draftkings-wire.md for the field order.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from typing import Any

import msgpack

from oddswatch.model import Market
from simulator.draftkings.pages import OUTCOME_TYPES, VENUE_ROLES
from simulator.game import MARKET_CODES, MARKET_NAMES, Game, Price, Quote
from simulator.pricing import american_text

FULL, DELTA = 35, 24
MALFORMED = b"\xc1\xc1 this is not msgpack"  # 0xc1 is never used by msgpack
TEXT = '{"jsonrpc": "2.0", "method": "heartbeat"}'
_EVENT_FILTER = re.compile(r"\bid eq '(\d+)'")


class BadSubscribe(ValueError):
    """The first frame is not a subscribe request we can serve."""


@dataclass(frozen=True, slots=True)
class Subscribe:
    request_id: str
    event_id: str
    jwt: str
    initial_data: bool


def parse_subscribe(frame: bytes | str) -> Subscribe:
    raw = frame.encode() if isinstance(frame, str) else frame
    try:
        request = msgpack.unpackb(raw, raw=False)
        params = request["params"]
        query = params["queryParams"]
    except (ValueError, KeyError, TypeError, msgpack.UnpackException) as exc:
        raise BadSubscribe(f"not a subscribe request: {exc}") from None
    if request.get("method") != "subscribe" or not isinstance(query, dict):
        raise BadSubscribe("not a subscribe request")
    match = _EVENT_FILTER.search(str(query.get("query", "")))
    if match is None:
        raise BadSubscribe("no event filter in queryParams.query")
    jwt = params.get("jwt")
    return Subscribe(
        request_id=str(request.get("id", "")),
        event_id=match.group(1),
        jwt=jwt if isinstance(jwt, str) else "",
        initial_data=query.get("initialData") is True,
    )


def ack_frame(request_id: str, subscription_id: str) -> bytes:
    return _pack(
        {"jsonrpc": "2.0", "id": request_id, "result": {"subscriptionId": subscription_id}}
    )


def error_frame(request_id: str, code: int, message: str) -> bytes:
    return _pack({"jsonrpc": "2.0", "id": request_id, "error": {"code": code, "message": message}})


def update_frame(records: list[list[Any]], sent_at: Any = None) -> bytes:
    """An update frame; `sent_at` (the poison fault's bad dates) defaults to now."""
    if sent_at is None:
        sent_at = msgpack.Timestamp.from_unix_nano(time.time_ns())
    params = {"entity": "events", "sentAt": sent_at, "data": records}
    return _pack({"jsonrpc": "2.0", "method": "update", "params": params})


def _pack(value: Any) -> bytes:
    packed: bytes = msgpack.packb(value, use_bin_type=True)
    return packed


def full_record(game: Game, quote: Quote, *, drift: bool = False) -> list[Any]:
    """The 13-field record (14 with `drift`, the schema change the client must survive)."""
    participants = (
        []
        if quote.market is Market.TOTAL
        else [{"name": quote.label, "venueRole": VENUE_ROLES[quote.side]}]
    )
    payload = [
        quote.selection_id,
        MARKET_CODES[quote.market],
        quote.label,
        [american_text(quote.american), quote.decimal],
        quote.decimal,
        quote.line,
        OUTCOME_TYPES[quote.side],
        participants,
        quote.market_id,
        [MARKET_NAMES[quote.market]],
        linked_selection_id(quote.selection_id),
        0,
        {"eventId": game.event_id},
    ]
    if drift:
        payload.append({"schema": "next"})
    return [FULL, payload]


def delta_record(quote: Quote, last: Price, *, repeat: bool = False) -> list[Any] | None:
    """The 8-field change record against what the connection was sent last, or None.

    `repeat` turns "nothing changed" into a no-change record: the same price again,
    which the client's change filter must drop.
    """
    odds_changed = quote.american != last[0]
    line_changed = quote.line != last[1]
    if not (odds_changed or line_changed):
        if not repeat:
            return None
        odds_changed = True
    odds = [american_text(quote.american), quote.decimal] if odds_changed else None
    decimal = quote.decimal if odds_changed else None
    line = quote.line if line_changed else None
    return [DELTA, [quote.selection_id, None, odds, decimal, line, None, None, None]]


def linked_selection_id(selection_id: str) -> str:
    """The other side of a two-way market: `…_1` ↔ `…_3`."""
    head, _, tail = selection_id.rpartition("_")
    return f"{head}_{'3' if tail == '1' else '1'}"
