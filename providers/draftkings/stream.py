"""Per-game DraftKings state: delta merge per selection id, and the websocket session.

`GameState` turns frames into OddsUpdates (no I/O); `DraftKingsStream` owns one
connection per `session()` and keeps the GameState across connections. Malformed
frames, unknown records, schema drift and unmappable records are counted in the
StreamStats and logged (the first of a kind at WARNING, repeats at DEBUG); they never
end a session.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from oddswatch.errors import AuthError, InvalidPrice, ParseError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, Selection, Side, utcnow
from oddswatch.odds import american_to_decimal, decimal_to_american, parse_american
from providers.base import GameStream
from providers.warnings import FirstWarning

from . import frames, parse
from .client import DraftKingsClient, subscribe_message

logger = logging.getLogger(__name__)

# Pure and hot (one call per update); books repeat a few hundred prices.
_american = lru_cache(maxsize=4096)(parse_american)
_decimal = lru_cache(maxsize=4096)(american_to_decimal)


@dataclass(slots=True)
class _Merged:
    """The running record of one selection; each field holds its last non-None value."""

    market_id: str | None = None
    market_type: str | None = None
    label: str | None = None
    american: str | int | None = None
    decimal: float | None = None
    line: float | None = None
    side: str | None = None
    period: str = "game"
    seed_side: Side | None = None  # from the scrape


class _Skip(Exception):
    """A record we read but cannot map; its message is the reason."""


class GameState:
    """Merges the delta records of one game into OddsUpdates."""

    def __init__(self, event: Event, selections: Sequence[Selection], stats: StreamStats) -> None:
        self.event, self.stats = event, stats
        self.seq = 0
        self._merged = {
            s.selection_id: _seed(s) for s in selections if s.event_id == event.event_id
        }
        self._warnings = FirstWarning(logger)
        self._label_sides: dict[str | None, Side | None] = {}

    def on_frame(self, raw: bytes | str, received_at: datetime | None = None) -> list[OddsUpdate]:
        """One frame → its updates. Raises AuthError only for a refused subscription."""
        received_at = received_at or utcnow()
        self.stats.frames += 1
        self.stats.bytes += len(raw)
        try:
            frame = frames.decode_frame(raw)
        except ParseError as exc:
            self.stats.parse_errors += 1
            self._log(("parse_error",), "draftkings frame not decodable", payload=exc.payload)
            return []
        self._check_reply(frame)
        self.stats.records += len(frame.records) + len(frame.unknown_types)
        for code in frame.unknown_types:
            self.stats.unknown_records += 1
            self._log(("unknown", code), "draftkings record of unknown type", type_code=code)
        updates = [u for record in frame.records if (u := self._apply(record, frame, received_at))]
        self.stats.updates += len(updates)
        return updates

    def _check_reply(self, frame: frames.Frame) -> None:
        if frame.error_code is not None:
            raise AuthError(
                f"subscribe refused (code {frame.error_code})",
                provider=parse.PROVIDER,
                endpoint=self.event.event_id,
            )
        if frame.acked:
            logger.info("draftkings subscribed", extra={"event_id": self.event.event_id})

    def _apply(
        self, record: frames.RecordDelta, frame: frames.Frame, received_at: datetime
    ) -> OddsUpdate | None:
        if record.drifted:
            self.stats.drift += 1
            expected = frames.SCHEMA_LENGTHS[record.type_code]
            self._log(
                ("drift", record.type_code, record.length),
                "draftkings record shape drift",
                type_code=record.type_code,
                length=record.length,
                expected_length=expected,
                bad_fields=record.bad_fields,
                selection_id=record.selection_id,
            )
        try:
            return self._update(record, frame, received_at)
        except _Skip as reason:
            self.stats.skipped += 1
            sid = record.selection_id
            self._log(
                ("skip", sid, str(reason)),
                "draftkings record skipped",
                selection_id=sid,
                reason=str(reason),
            )
            return None

    def _update(
        self, record: frames.RecordDelta, frame: frames.Frame, received_at: datetime
    ) -> OddsUpdate:
        sid = record.selection_id
        if sid is None:
            raise _Skip("no selection id")
        merged = self._merged.setdefault(sid, _Merged())
        _merge(merged, record)
        if not self._belongs(sid, merged):
            raise _Skip("other event")
        if merged.market_id is None:
            raise _Skip("no market id")
        market = parse.market_from_selection_id(sid) or parse.market_from_name(merged.market_type)
        if market is Market.OTHER:
            raise _Skip("market not tracked")
        side = self._side(merged)
        american = _price(merged)
        self.seq += 1
        return OddsUpdate(
            provider=parse.PROVIDER,
            league=self.event.league,
            event_id=self.event.event_id,
            market_id=merged.market_id,
            selection_id=sid,
            market=market,
            side=side,
            line=None if market is Market.MONEYLINE else merged.line,
            price_american=american,
            price_decimal=_decimal(american),
            received_at=received_at,
            period=merged.period,
            source_ts=frame.sent_at,
            seq=self.seq,
        )

    def _belongs(self, sid: str, merged: _Merged) -> bool:
        """Scraped, or its market id or selection id names this event's id."""
        event_id = self.event.event_id
        if merged.seed_side is not None:
            return True
        in_market = merged.market_id is not None and event_id in merged.market_id.split("_")
        return in_market or sid[3:].startswith(event_id)

    def _side(self, merged: _Merged) -> Side:
        if merged.label not in self._label_sides:
            home, away = self.event.home, self.event.away
            self._label_sides[merged.label] = parse.side_from_label(merged.label, home, away)
        side = self._label_sides[merged.label] or parse.side_word(merged.side) or merged.seed_side
        if side is None:
            raise _Skip("side unknown")
        return side

    def _log(self, key: tuple[object, ...], message: str, **fields: object) -> None:
        """WARNING the first time a key is seen on this stream, DEBUG after."""
        extra = {"event_id": self.event.event_id, "league": self.event.league, **fields}
        self._warnings.log(key, message, extra)


def _seed(selection: Selection) -> _Merged:
    return _Merged(
        market_id=selection.market_id,
        label=selection.label,
        american=selection.price_american,
        line=selection.line,
        period=selection.period,
        seed_side=selection.side,
    )


_MERGED_FIELDS = ("market_id", "market_type", "label", "american", "decimal", "line", "side")


def _merge(merged: _Merged, record: frames.RecordDelta) -> None:
    """Take every field the record carries; None means unchanged."""
    for name in _MERGED_FIELDS:
        value = getattr(record, name)
        if value is not None:
            setattr(merged, name, value)
    if record.american is None and record.decimal is not None:
        merged.american = None  # a newer decimal price wins over an older American one


def _price(merged: _Merged) -> int:
    try:
        if merged.american is not None:
            return _american(merged.american)
        if merged.decimal is not None:
            return decimal_to_american(merged.decimal)
    except InvalidPrice:
        raise _Skip("price unreadable") from None
    raise _Skip("no price yet")


class DraftKingsStream(GameStream):
    """The live odds of one game: one websocket per `session()`, state kept across them."""

    def __init__(
        self,
        client: DraftKingsClient,
        event: Event,
        selections: Sequence[Selection],
        stats: StreamStats,
        *,
        site: str,
        client_version: str,
    ) -> None:
        self._client, self._site, self._version = client, site, client_version
        self.state = GameState(event, selections, stats)

    async def session(self) -> AsyncGenerator[list[OddsUpdate], None]:
        event_id = self.state.event.event_id
        token = await self._client.token()
        socket = await self._client.connect()
        logger.info("draftkings websocket open", extra={"event_id": event_id})
        try:
            await socket.send(
                subscribe_message(event_id, token, site=self._site, client_version=self._version)
            )
            async for raw in socket.frames():
                yield self.state.on_frame(raw)
        except AuthError:
            self._client.drop_token()
            raise
        finally:
            await socket.close()
            logger.info("draftkings websocket closed", extra={"event_id": event_id})
