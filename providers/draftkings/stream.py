"""Per-game DraftKings state: delta merge per selection id, and the websocket session.

`GameState` (the kit's, `providers.kit.state`) turns frames into OddsUpdates (no I/O):
each record's fields merge onto what the selection last had, and the merged record
becomes an update. A bad record is dropped without touching the merge, so the next good
delta of that selection applies; an incomplete one (no price yet) is remembered and
counted as skipped. `DraftKingsStream` owns one connection per `session()` and keeps the
GameState across connections.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from functools import lru_cache
from typing import NamedTuple, TypeVar

from oddswatch.errors import AuthError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, Selection, Side
from oddswatch.odds import american_to_decimal, decimal_to_american, parse_american
from providers.base import GameStream
from providers.kit.skips import Reason, Skip
from providers.kit.state import Change, Decoded
from providers.kit.state import GameState as KitState

from . import frames, parse
from .client import DraftKingsClient, subscribe_message

logger = logging.getLogger(__name__)
T = TypeVar("T")

# Pure and hot (one call per update); books repeat a few hundred prices.
_american = lru_cache(maxsize=4096)(parse_american)
_decimal = lru_cache(maxsize=4096)(american_to_decimal)


class _Merged(NamedTuple):
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


class GameState(KitState[frames.RawRecord, _Merged]):
    """Merges the delta records of one game into OddsUpdates."""

    provider = parse.PROVIDER

    def __init__(self, event: Event, selections: Sequence[Selection], stats: StreamStats) -> None:
        super().__init__(event, selections, stats)
        self._label_sides: dict[str | None, Side | None] = {}

    def seed(self, selection: Selection) -> _Merged:
        return _Merged(
            market_id=selection.market_id,
            label=selection.label,
            american=selection.price_american,
            line=selection.line,
            period=selection.period,
            seed_side=selection.side,
        )

    def decode(self, payload: bytes | str, source_ts: datetime | None) -> Decoded[frames.RawRecord]:
        """A frame's records; AuthError (the session ends) for a refused subscription."""
        frame = frames.decode_frame(payload)
        self._check_reply(frame)
        for code in frame.unknown_types:
            self.stats.records += 1
            self.note(Reason.UNKNOWN, "draftkings record of unknown type", type_code=code)
        return Decoded(frame.records, frame.sent_at)

    def _check_reply(self, frame: frames.Frame) -> None:
        if frame.error_code is not None:
            raise AuthError(
                f"subscribe refused (code {frame.error_code})",
                provider=parse.PROVIDER,
                endpoint=self.event.event_id,
            )
        if frame.acked:
            logger.info("draftkings subscribed", extra={"event_id": self.event.event_id})

    def apply(
        self, raw: frames.RawRecord, source_ts: datetime | None, received_at: datetime
    ) -> Change[_Merged] | None:
        record = frames.read_record(*raw)
        if record.drifted:
            self._drifted(record)
        sid = record.selection_id
        if sid is None:
            raise Skip(Reason.SKIPPED, "draftkings record without selection id")
        merged = _merge(self.memory.get(sid) or _Merged(), record)
        if not self._belongs(sid, merged):
            raise Skip(Reason.SKIPPED, "draftkings record of another event", selection_id=sid)
        market = parse.market_from_selection_id(sid) or parse.market_from_name(merged.market_type)
        if market is Market.OTHER:
            raise Skip(Reason.SKIPPED, "draftkings market not tracked", selection_id=sid)
        side = self._side(merged)
        lineless = market is not Market.MONEYLINE and merged.line is None
        if merged.market_id is None or side is None or lineless or _unpriced(merged):
            self.note(Reason.SKIPPED, "draftkings record incomplete", selection_id=sid)
            return Change(sid, merged)  # remembered: a later delta may complete it
        american = _price(merged)
        line = None if market is Market.MONEYLINE else merged.line
        price = (american, _decimal(american))
        update = self.update(merged.market_id, sid, market, side, line, price=price,
                             received_at=received_at, source_ts=source_ts,
                             period=merged.period)  # fmt: skip
        return Change(sid, merged, update)

    def _drifted(self, record: frames.RecordDelta) -> None:
        self.note(
            Reason.DRIFT,
            "draftkings record shape drift",
            type_code=record.type_code,
            length=record.length,
            expected_length=frames.SCHEMA_LENGTHS[record.type_code],
            bad_fields=record.bad_fields,
            selection_id=record.selection_id,
        )

    def _belongs(self, sid: str, merged: _Merged) -> bool:
        """Scraped, or its market id or selection id names this event's id."""
        event_id = self.event.event_id
        if merged.seed_side is not None:
            return True
        in_market = merged.market_id is not None and event_id in merged.market_id.split("_")
        return in_market or sid[3:].startswith(event_id)

    def _side(self, merged: _Merged) -> Side | None:
        if merged.label not in self._label_sides:
            home, away = self.event.home, self.event.away
            if len(self._label_sides) > 1_000:
                self._label_sides.clear()
            self._label_sides[merged.label] = parse.side_from_label(merged.label, home, away)
        return self._label_sides[merged.label] or parse.side_word(merged.side) or merged.seed_side


def _merge(old: _Merged, record: frames.RecordDelta) -> _Merged:
    """Every field the record carries over the old ones; None means unchanged. A newer
    decimal price without an American one wins over the older American price."""
    american = record.american
    if american is None and record.decimal is None:
        american = old.american
    return _Merged(
        market_id=_newer(record.market_id, old.market_id),
        market_type=_newer(record.market_type, old.market_type),
        label=_newer(record.label, old.label),
        american=american,
        decimal=_newer(record.decimal, old.decimal),
        line=_newer(record.line, old.line),
        side=_newer(record.side, old.side),
        period=old.period,
        seed_side=old.seed_side,
    )


def _newer(new: T | None, old: T | None) -> T | None:
    return old if new is None else new


def _unpriced(merged: _Merged) -> bool:
    return merged.american is None and merged.decimal is None


def _price(merged: _Merged) -> int:
    """The merged American price (InvalidPrice when it is not one: the record is dropped)."""
    if merged.american is not None:
        return _american(merged.american)
    return decimal_to_american(merged.decimal or 0.0)


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
                yield self.state.feed(raw)
        except AuthError:
            self._client.drop_token()
            raise
        finally:
            await socket.close()
            logger.info("draftkings websocket closed", extra={"event_id": event_id})
