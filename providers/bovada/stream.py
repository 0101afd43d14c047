"""Per-game Bovada state: Atmosphere frames → OddsUpdates, and the game's session.

`GameState` (the kit's, `providers.kit.state`) reads the frames routed to its game (no
I/O): each outcome of a `header|json` message's tracked markets is one record, read
against what was last seen of it (seeded from the scrape: its side, and its line when a
delta does not restate it). Control frames are ignored (the hub reads them). A bad
market or outcome is counted and skipped; the rest of the message still applies.
`BovadaStream` subscribes its game on the provider's shared socket (`hub.BovadaHub`) per
`session()` and keeps the GameState across sessions.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from typing import Any, NamedTuple

from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, PriceStatus, Selection, Side
from providers.base import GameStream
from providers.kit.skips import Reason, Skip
from providers.kit.state import Change, Decoded
from providers.kit.state import GameState as KitState

from . import parse
from .hub import BovadaHub, Subscription

logger = logging.getLogger(__name__)

Outcome = tuple[parse.MarketHead, Any]  # one raw outcome with its market


class _Known(NamedTuple):
    """What was last seen of one outcome."""

    market_id: str
    side: Side
    line: float | None
    american: int
    decimal: float
    status: PriceStatus


class GameState(KitState[Outcome, _Known]):
    provider = parse.PROVIDER

    def seed(self, selection: Selection) -> _Known:
        s = selection
        return _Known(s.market_id, s.side, s.line, s.price_american, s.price_decimal, s.status)

    def decode(self, payload: bytes | str, source_ts: datetime | None) -> Decoded[Outcome]:
        text = payload.decode() if isinstance(payload, bytes) else payload
        frame = parse.split_frame(text)
        if frame.kind is not parse.FrameKind.MESSAGE:
            return Decoded(())  # padding, heartbeat, handshake: the hub's business
        body = parse.read_body(parse.decode_body(frame.body))
        if body.markets is None:
            raise Skip(Reason.UNKNOWN, "bovada body without markets", header=frame.header[:200])
        if body.event_id not in (None, self.event.event_id):
            raise Skip(Reason.SKIPPED, "bovada body of another event", other=body.event_id)
        return Decoded(self.split(body.markets, self._outcomes), body.source_ts)

    def _outcomes(self, raw: object) -> list[Outcome]:
        head, drift = parse.market_head(raw)
        if drift:
            self.note(Reason.DRIFT, "bovada market shape drift", drift, fields=drift)
        return [] if head is None else [(head, outcome) for outcome in head.outcomes]

    def apply(
        self, record: Outcome, source_ts: datetime | None, received_at: datetime
    ) -> Change[_Known] | None:
        head, outcome = record
        quote, drift = parse.read_quote(outcome, head)
        if drift:
            self.note(Reason.DRIFT, "bovada outcome shape drift", tuple(drift), fields=drift)
        if quote is None:
            raise Skip(Reason.SKIPPED, "bovada outcome unreadable")
        known = self.memory.get(quote.selection_id)
        seen = self._read(quote, known)
        price = (seen.american, seen.decimal)
        update = self.update(quote.market_id, quote.selection_id, quote.market, seen.side,
                             seen.line, price=price, received_at=received_at,
                             source_ts=source_ts, status=quote.status)  # fmt: skip
        return Change(quote.selection_id, seen, update)

    def _read(self, quote: parse.Quote, known: _Known | None) -> _Known:
        """The outcome as it stands after this quote (side, line and price resolved)."""
        home, away = self.event.home, self.event.away
        side = parse.side_of(quote, {}, known.side if known else None, home, away)
        if side is None:
            raise Skip(
                Reason.SKIPPED, "bovada outcome side unknown", selection_id=quote.selection_id
            )
        line = parse.line_of(quote.market, quote.handicap)
        if line is None and quote.market is not Market.MONEYLINE:
            if known is None or known.line is None:
                raise Skip(Reason.SKIPPED, "bovada outcome without line",
                           selection_id=quote.selection_id)  # fmt: skip
            line = known.line  # a delta that does not restate the line keeps it
        american, decimal = parse.prices(quote.american, quote.decimal)
        return _Known(quote.market_id, side, line, american, decimal, quote.status)


class BovadaStream(GameStream):
    """The live odds of one game over the shared socket; state kept across sessions."""

    def __init__(
        self,
        hub: BovadaHub,
        event: Event,
        selections: Sequence[Selection],
        stats: StreamStats,
    ) -> None:
        self._hub = hub
        self.state = GameState(event, selections, stats)
        self._sub: Subscription | None = None

    async def session(self) -> AsyncGenerator[list[OddsUpdate], None]:
        """Subscribe (connecting the shared socket if needed), yield `[]` once subscribed,
        then a batch per frame of this game; UNSUBSCRIBE when the session ends."""
        sub = await self._hub.subscribe(self.state.event.event_id, self.state.stats)
        self._sub = sub
        try:
            yield []
            while True:
                raw, received_at = await sub.next()
                yield self.state.feed(raw, received_at)
        finally:
            if self._sub is sub:
                self._sub = None
            await self._hub.unsubscribe(sub)

    async def aclose(self) -> None:
        """End a session left open (a caller that broke out of it without closing it)."""
        if (sub := self._sub) is not None:
            self._sub = None
            await self._hub.unsubscribe(sub)
