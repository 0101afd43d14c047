"""Pure Bovada payload readers: Atmosphere frames, delta bodies, coupon groups and events.

No I/O and no logging: each function takes a payload and returns records; input that
cannot be read raises ParseError (SchemaDrift when its shape changed). Markets read the
same way from the coupon and from websocket deltas (`read_market`). The caller counts
and logs. The wire contract is docs/bovada-wire.md.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import Enum
from typing import Any, NamedTuple

import orjson

from oddswatch.errors import InvalidPrice, ParseError
from oddswatch.model import Market, PriceStatus, Side, Team
from oddswatch.odds import (
    american_to_decimal,
    decimal_to_american,
    parse_american,
    parse_decimal,
    parse_line,
)

PROVIDER = "bovada"

# -- Atmosphere frames -------------------------------------------------------------------

HEARTBEAT = "X"  # Atmosphere's default heartbeat padding; the handshake may name another
_HANDSHAKE_RE = re.compile(
    # The heartbeat interval in ms: at most 9 digits (a day is 8); a longer one is no
    # handshake of ours, and reading it could overflow.
    r"^([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\|(\d{1,9})\|([^|]*)\|?$",
    re.I,
)


class FrameKind(Enum):
    PADDING = "padding"  # whitespace only (Atmosphere pads the stream on open)
    HEARTBEAT = "heartbeat"  # the heartbeat padding alone
    HANDSHAKE = "handshake"  # `<tracking uuid>|<heartbeat ms>|<heartbeat padding>|`
    MESSAGE = "message"  # `<header>|<json body>`


class Frame(NamedTuple):
    kind: FrameKind
    header: str = ""
    body: str = ""
    tracking_id: str = ""
    heartbeat_ms: int | None = None
    heartbeat: str = ""


def split_frame(text: str, heartbeat: str = HEARTBEAT) -> Frame:
    """Classify one text frame; a message is split at its first `|`.

    Raises ParseError for a frame that is neither a control frame nor `header|body`."""
    stripped = text.strip()
    if not stripped:
        return Frame(FrameKind.PADDING)
    if stripped == heartbeat:
        return Frame(FrameKind.HEARTBEAT)
    if match := _HANDSHAKE_RE.match(stripped):
        tracking_id, interval, padding = match.groups()
        return Frame(FrameKind.HANDSHAKE, tracking_id=tracking_id, heartbeat_ms=int(interval),
                     heartbeat=padding or HEARTBEAT)  # fmt: skip
    header, sep, body = text.partition("|")
    if not sep:
        raise ParseError("frame has no header", provider=PROVIDER, payload=text)
    return Frame(FrameKind.MESSAGE, header=header, body=body)


def decode_body(body: str) -> Any:
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError:
        raise ParseError("body is not JSON", provider=PROVIDER, payload=body) from None


class Body(NamedTuple):
    """A decoded delta body; `markets` is None for a body that carries no markets."""

    markets: list[Any] | None
    event_id: str | None = None
    source_ts: datetime | None = None


def read_body(data: Any) -> Body:
    if not isinstance(data, dict) or not isinstance(data.get("markets"), list):
        return Body(None)
    event_id = ident(data.get("eventId"))
    return Body(data["markets"], event_id, epoch_ms(data.get("lastModified")))


_TOPIC_RE = re.compile(r"^/events/([^/.?|]+)\.1(?:\?.*)?$")


def topic_event_id(header: str) -> str | None:
    """The event id of a message header `/events/{event_id}.1` (ours), else None."""
    match = _TOPIC_RE.match(header.strip())
    return match.group(1) if match else None


def message_event_id(frame: Frame) -> str | None:
    """The game a message belongs to: its header's topic, else its body's `eventId`.

    None when neither names one; ParseError when the body had to be read and is not JSON."""
    if (event_id := topic_event_id(frame.header)) is not None:
        return event_id
    data = decode_body(frame.body)
    return ident(data.get("eventId")) if isinstance(data, dict) else None


class Route(Enum):
    CONTROL = "control"  # padding, heartbeat, handshake: the connection's
    MESSAGE = "message"  # a message of the game `event_id`
    NO_GAME = "no_game"  # a readable message that names no game
    UNDECODABLE = "undecodable"  # not UTF-8, no `|`, or no topic and a body that is not JSON


class Routed(NamedTuple):
    route: Route
    frame: Frame | None = None
    event_id: str | None = None
    error: ParseError | UnicodeDecodeError | None = None


def route(raw: bytes, heartbeat: str = HEARTBEAT) -> Routed:
    """Where one frame of a shared connection belongs (see `Route`)."""
    try:
        frame = split_frame(raw.decode(), heartbeat)
        if frame.kind is not FrameKind.MESSAGE:
            return Routed(Route.CONTROL, frame)
        event_id = message_event_id(frame)
    except (UnicodeDecodeError, ParseError) as exc:
        return Routed(Route.UNDECODABLE, error=exc)
    if event_id is None:
        return Routed(Route.NO_GAME, frame)
    return Routed(Route.MESSAGE, frame, event_id)


def subscribe_frame(event_id: str) -> str:
    return f"SUBSCRIBE|A|/events/{event_id}.1?delta=true"


def unsubscribe_frame(event_id: str) -> str:
    return f"UNSUBSCRIBE|{event_id}"


# -- markets (coupon and deltas) ---------------------------------------------------------

_MARKETS = {name: Market.MONEYLINE for name in ("moneyline", "money line", "head to head")}
_MARKETS |= {
    name: Market.SPREAD for name in ("spread", "point spread", "runline", "run line", "puck line")
}
_MARKETS |= {
    name: Market.TOTAL
    for name in ("total", "totals", "total points", "total runs", "total goals", "over/under")
}
_KEY_MARKETS = {"2W-12": Market.MONEYLINE, "2W-HCAP": Market.SPREAD, "2W-OU": Market.TOTAL}
_MARKER_SIDES = {"H": Side.HOME, "A": Side.AWAY, "O": Side.OVER, "U": Side.UNDER}
_STATUSES = {"O": PriceStatus.OPEN, "S": PriceStatus.SUSPENDED, "C": PriceStatus.CLOSED}
_SIDES_OF = {
    Market.MONEYLINE: (Side.HOME, Side.AWAY),
    Market.SPREAD: (Side.HOME, Side.AWAY),
    Market.TOTAL: (Side.OVER, Side.UNDER),
}
GAME_PERIOD = "G"


@dataclass(frozen=True, slots=True)
class Quote:
    """One outcome of a tracked market as the wire states it (None: not stated)."""

    market_id: str
    selection_id: str
    market: Market
    label: str
    marker: str | None  # outcome `type`: H, A, O, U
    competitor_id: str | None
    american: int | None
    decimal: float | None
    handicap: float | None
    status: PriceStatus


class MarketRead(NamedTuple):
    quotes: tuple[Quote, ...] = ()
    tracked: bool = False  # a main full-game moneyline, spread or total
    drift: tuple[str, ...] = ()  # what changed shape, e.g. ("outcomes",)
    unreadable: int = 0  # outcomes of a tracked market without an id or a price


def market_kind(market: Mapping[str, Any]) -> Market:
    """From `description` (`Point Spread`, `Runline`, ...), else `descriptionKey`, else `key`."""
    for field in ("description", "descriptionKey"):
        name = market.get(field)
        if isinstance(name, str) and name.strip().lower() in _MARKETS:
            return _MARKETS[name.strip().lower()]
    key = market.get("key")
    return _KEY_MARKETS.get(key, Market.OTHER) if isinstance(key, str) else Market.OTHER


def is_main_game(period: Mapping[str, Any]) -> bool:
    """`period.abbreviation == "G"` and `period.main` (pre-match `Game`, live `Live Game`)."""
    return period.get("abbreviation") == GAME_PERIOD and period.get("main") is True


class MarketHead(NamedTuple):
    """A tracked main full-game market, its outcomes still raw."""

    market_id: str
    kind: Market
    status: PriceStatus
    outcomes: list[Any]


def market_head(raw: Any) -> tuple[MarketHead | None, tuple[str, ...]]:
    """(the market's head, what drifted): no head for a market that is not tracked or
    whose shape cannot be read (then the drift says what changed)."""
    if not isinstance(raw, dict):
        return None, ("market",)
    kind = market_kind(raw)
    if kind is Market.OTHER:
        return None, ()  # props, alternates: not ours, whatever their shape
    period, market_id = raw.get("period"), ident(raw.get("id"))
    if not isinstance(period, dict) or market_id is None:
        return None, ("period" if market_id else "id",)
    if not is_main_game(period):
        return None, ()
    outcomes = raw.get("outcomes")
    if not isinstance(outcomes, list):
        return None, ("outcomes",)
    status = _status(raw.get("status")) or PriceStatus.OPEN
    return MarketHead(market_id, kind, status, outcomes), ()


def read_market(raw: Any) -> MarketRead:
    """A market's quotes when it is a tracked main full-game market; drift is reported."""
    head, drift = market_head(raw)
    if head is None:
        return MarketRead(tracked=drift == ("outcomes",), drift=drift)
    quotes, drifted, unreadable = [], set(), 0
    for outcome in head.outcomes:
        quote, bad = read_quote(outcome, head)
        drifted.update(bad)
        unreadable += quote is None
        quotes += [] if quote is None else [quote]
    return MarketRead(tuple(quotes), True, tuple(sorted(drifted)), unreadable)


def read_quote(raw: Any, head: MarketHead) -> tuple[Quote | None, list[str]]:
    """One outcome of a tracked market (None when it has no id or no readable price) and
    the fields that drifted."""
    market_id, kind, market_status = head.market_id, head.kind, head.status
    if not isinstance(raw, dict) or ident(raw.get("id")) is None:
        return None, ["outcome"]
    price = raw.get("price")
    if not isinstance(price, dict):
        return None, ["price"]
    bad: list[str] = []
    american = _field(price, "american", parse_american, bad)
    decimal = _field(price, "decimal", _decimal, bad)
    handicap = _field(price, "handicap", parse_line, bad)
    if american is None and price.get("american") is not None:
        return None, bad  # stated but unreadable: never fall back to the rounded decimal
    if american is None and decimal is None:
        return None, [*bad, "price"]
    status = _status(raw.get("status", "O"))
    if status is None:
        status, bad = PriceStatus.OPEN, [*bad, "status"]
    marker = raw.get("type")
    quote = Quote(
        market_id=market_id,
        selection_id=str(raw["id"]),
        market=kind,
        label=raw["description"] if isinstance(raw.get("description"), str) else "",
        marker=marker.upper() if isinstance(marker, str) else None,
        competitor_id=ident(raw.get("competitorId")),
        american=american,
        decimal=decimal,
        handicap=handicap,
        status=max(status, market_status, key=_STATUS_ORDER.index),
    )
    return quote, bad


_STATUS_ORDER = (PriceStatus.OPEN, PriceStatus.SUSPENDED, PriceStatus.CLOSED)


def _status(value: Any) -> PriceStatus | None:
    """`O` open, `S` suspended, `C` closed; anything else → None."""
    return _STATUSES.get(value) if isinstance(value, str) else None


def _field(price: Mapping[str, Any], name: str, read: Any, bad: list[str]) -> Any:
    """A price field sent as text (its documented type); a number is read but is drift."""
    value = price.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        bad.append(name)
        return None
    if not isinstance(value, str):
        bad.append(name)
    try:
        return read(value)
    except InvalidPrice:
        bad.append(name)
        return None


def _decimal(value: str | float) -> float:
    return parse_decimal(value)


def side_of(
    quote: Quote, competitors: Mapping[str, Side], known: Side | None, home: Team, away: Team
) -> Side | None:
    """The outcome's `type` marker, else its competitorId, else a side already known for its
    id, else its label equal to a team's name (or Over/Under); None when none fits."""
    side = _MARKER_SIDES.get(quote.marker or "")
    if side is None and quote.competitor_id is not None:
        side = competitors.get(quote.competitor_id)
    side = side or known or _label_side(quote.label, home, away)
    return side if side in _SIDES_OF[quote.market] else None


def _label_side(label: str, home: Team, away: Team) -> Side | None:
    text = label.strip()
    words = {home.name: Side.HOME, away.name: Side.AWAY, "Over": Side.OVER, "Under": Side.UNDER}
    return words.get(text) or words.get(text.title())


def line_of(market: Market, handicap: float | None) -> float | None:
    """Moneyline: None. Spread: the outcome's own handicap. Total: the total, never negated."""
    if market is Market.MONEYLINE or handicap is None:
        return None
    return abs(handicap) + 0.0 if market is Market.TOTAL else handicap + 0.0


def prices(american: int | None, decimal: float | None) -> tuple[int, float]:
    """(price_american, price_decimal): decimal from American when American is stated."""
    if american is not None:
        return american, american_to_decimal(american)
    if decimal is not None:
        return decimal_to_american(decimal), decimal
    raise InvalidPrice("no price")


def dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def epoch_ms(value: Any) -> datetime | None:
    """Epoch milliseconds → aware UTC datetime; anything else → None."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        return datetime.fromtimestamp(value / 1000, UTC)
    except (OverflowError, OSError, ValueError):
        return None


def ident(value: Any) -> str | None:
    """An id sent as text or a whole number, as text; anything else → None."""
    if isinstance(value, str) and value:
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return None
