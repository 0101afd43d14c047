"""Pure DraftKings websocket frame reader: msgpack frames to typed delta records.

No I/O and no logging: `decode_frame` takes one frame and returns the records found
anywhere in it (`[24, [8 fields]]`, `[35, [13 fields]]`) still raw, the frame's send time
and RPC reply state; a frame that is not msgpack raises ParseError. `read_record` reads
one raw record (None meaning unchanged) and raises for a value it cannot read, so one bad
record never spoils its frame. The caller counts and logs. The record layouts are in
docs/draftkings-wire.md.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

import msgpack

from oddswatch.errors import InvalidPrice, ParseError, SchemaDrift
from oddswatch.odds import parse_decimal, parse_line

from .parse import PROVIDER, typed

RPC_ID = "dk-ws-client"
SCHEMA_LENGTHS = {35: 13, 24: 8}
# Payload positions of selection_id, label, odds_array, odds_decimal, line, side,
# market_id, market_tags in each known record type (None: the type has no such field).
_POSITIONS: dict[int, tuple[int | None, ...]] = {
    35: (0, 2, 3, 4, 5, 6, 8, 9),
    24: (0, 1, 2, 3, 4, None, 5, 6),
}
_NUMBER = (int, float)
_DECIMAL = (int, float, str)  # a decimal price sent as text ("2.70") is read too
_KINDS: tuple[Any, ...] = (str, str, list, _DECIMAL, (int, float, str), str, str, list)


class RecordDelta(NamedTuple):
    """One typed record; None in a field means unchanged. (A NamedTuple: built per record.)"""

    type_code: int
    length: int  # observed payload length
    selection_id: str | None = None
    label: str | None = None
    american: str | int | None = None  # odds_array[0], the display text
    decimal: float | None = None
    line: float | None = None
    side: str | None = None
    market_id: str | None = None
    market_type: str | None = None  # market_tags[0]
    bad_fields: int = 0  # fields present but of an unexpected type

    @property
    def drifted(self) -> bool:
        return self.length != SCHEMA_LENGTHS[self.type_code] or self.bad_fields > 0


RawRecord = tuple[int, list[Any]]  # (type code, payload) of a known record type


class Frame(NamedTuple):
    records: tuple[RawRecord, ...] = ()
    unknown_types: tuple[int, ...] = ()  # type codes of records we do not know
    sent_at: datetime | None = None
    acked: bool = False  # a reply to our subscribe with a result
    error_code: int | None = None  # a reply to our subscribe with an error


def decode_frame(raw: bytes | str) -> Frame:
    """A websocket frame → its typed records, `sentAt` and subscribe reply, if any."""
    try:
        data = raw.encode() if isinstance(raw, str) else raw
        value = msgpack.unpackb(data, raw=False, timestamp=0, strict_map_key=False)
    except (ValueError, TypeError, OverflowError, msgpack.UnpackException):
        raise ParseError("frame is not msgpack", provider=PROVIDER, payload=raw) from None
    records, unknown = [], []
    stack = [value]  # depth first, without recursion
    while stack:
        item = stack.pop()
        children = list(item.values()) if isinstance(item, dict) else item
        if not isinstance(children, list):
            continue
        if len(children) >= 2 and type(children[0]) is int and isinstance(children[1], list):
            if children[0] in SCHEMA_LENGTHS:
                records.append((children[0], children[1]))
                continue  # a known record's fields hold no records
            unknown.append(children[0])
        stack.extend(child for child in reversed(children) if isinstance(child, _CONTAINERS))
    return Frame(tuple(records), tuple(unknown), *_envelope(value))


_CONTAINERS = (list, dict)


def _envelope(value: object) -> tuple[datetime | None, bool, int | None]:
    if not isinstance(value, dict):
        return None, False, None
    params = value.get("params")
    sent_at = params.get("sentAt") if isinstance(params, dict) else value.get("sentAt")
    sent_at = _time(sent_at)
    if value.get("id") != RPC_ID:
        return sent_at, False, None
    if error := value.get("error"):  # null, false, 0 or empty: no error
        code = error.get("code") if isinstance(error, dict) else None
        return sent_at, False, code if isinstance(code, int) else -1
    return sent_at, "result" in value, None


def read_record(code: int, payload: list[Any]) -> RecordDelta:
    """One raw record → its typed fields. A line present but unreadable (`O 215.5`) is
    SchemaDrift: the record is dropped rather than sent with the previous line."""
    fields, bad, length = [], 0, len(payload)
    for position, kind in zip(_POSITIONS[code], _KINDS, strict=True):
        value = payload[position] if position is not None and position < length else None
        if value is not None and typed(value, kind) is None:
            value, bad = None, bad + 1
        fields.append(value)
    sid, label, odds, odds_decimal, line, side, market_id, tags = fields
    odds = odds or []
    decimal = typed(odds[1], _DECIMAL) if len(odds) > 1 else None
    decimal = odds_decimal if decimal is None else decimal
    try:
        points = parse_line(line)
    except InvalidPrice:
        raise SchemaDrift("line not readable", provider=PROVIDER, payload=line) from None
    return RecordDelta(
        type_code=code,
        length=length,
        selection_id=sid,
        label=label,
        american=typed(odds[0], (str, int)) if odds else None,
        decimal=None if decimal is None else parse_decimal(decimal),
        line=points,
        side=side,
        market_id=market_id,
        market_type=typed(tags[0], str) if tags else None,
        bad_fields=bad,
    )


def _time(value: object) -> datetime | None:
    """A msgpack timestamp as an aware UTC datetime; None when it is not one or lies
    outside what a datetime holds (year 0, year 99999): the frame's records still count."""
    if not isinstance(value, msgpack.Timestamp):
        return None
    try:
        when: datetime = value.to_datetime()
    except (OverflowError, ValueError, OSError):
        return None
    return when
