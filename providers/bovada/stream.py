"""Per-game Bovada state: Atmosphere frames → OddsUpdates, and the game's session.

`GameState` reads the frames routed to its game (no I/O): a `header|json` message's
markets become updates for the outcomes whose (line, price, status) changed since last
seen (seeded from the scrape); control frames are ignored (the hub reads them).
Undecodable frames, unknown bodies, schema drift and unmappable outcomes are counted in
the StreamStats and logged (the first of a kind at WARNING, repeats at DEBUG); they never
end a session. `BovadaStream` subscribes its game on the provider's shared socket
(`hub.BovadaHub`) per `session()` and keeps the GameState across sessions.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import datetime

from oddswatch.errors import InvalidPrice, ParseError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, PriceStatus, Selection, Side, utcnow
from providers.base import GameStream
from providers.warnings import FirstWarning

from . import parse
from .hub import BovadaHub, Subscription

logger = logging.getLogger(__name__)

MAX_KNOWN = 2_000  # outcomes remembered per game (a game has a few dozen)


@dataclass(slots=True)
class _Known:
    """What was last seen of one outcome."""

    market_id: str
    side: Side
    line: float | None
    american: int
    status: PriceStatus

    @property
    def price_key(self) -> tuple[float | None, int, PriceStatus]:
        return self.line, self.american, self.status


class _Skip(Exception):
    """An outcome we read but cannot map; its message is the reason."""


class GameState:
    def __init__(self, event: Event, selections: Sequence[Selection], stats: StreamStats) -> None:
        self.event, self.stats = event, stats
        self.seq = 0
        self._known = {
            s.selection_id: _Known(s.market_id, s.side, s.line, s.price_american, s.status)
            for s in selections
            if s.event_id == event.event_id
        }
        self._warnings = FirstWarning(logger)

    def on_frame(self, raw: bytes | str, received_at: datetime | None = None) -> list[OddsUpdate]:
        received_at = received_at or utcnow()
        self.stats.frames += 1
        self.stats.bytes += len(raw)
        try:
            text = raw.decode() if isinstance(raw, bytes) else raw
            frame = parse.split_frame(text)
            if frame.kind is not parse.FrameKind.MESSAGE:
                return []  # padding, heartbeat, handshake: the hub's business
            body = parse.read_body(parse.decode_body(frame.body))
        except (UnicodeDecodeError, ParseError) as exc:
            self.stats.parse_errors += 1
            payload = exc.payload if isinstance(exc, ParseError) else None
            self._log(("parse_error", type(exc).__name__), "bovada frame not decodable",
                      error=str(exc.args[0]) if exc.args else "", payload=payload)  # fmt: skip
            return []
        return self._on_body(body, frame.header, received_at)

    def _on_body(self, body: parse.Body, header: str, received_at: datetime) -> list[OddsUpdate]:
        if body.markets is None:
            self.stats.unknown_records += 1
            self._log(("unknown", header), "bovada body without markets", header=header)
            return []
        if body.event_id not in (None, self.event.event_id):
            self.stats.skipped += 1
            self._log(("other_event",), "bovada body of another event", other=body.event_id)
            return []
        updates: list[OddsUpdate] = []
        for raw in body.markets:
            updates += self._on_market(raw, body.source_ts, received_at)
        self.stats.updates += len(updates)
        return updates

    def _on_market(
        self, raw: object, source_ts: datetime | None, received_at: datetime
    ) -> list[OddsUpdate]:
        self.stats.records += 1
        read = parse.read_market(raw)
        if read.drift:
            self.stats.drift += 1
            self._log(("drift", read.drift), "bovada market shape drift", fields=read.drift)
        self.stats.skipped += read.unreadable
        updates = []
        for quote in read.quotes:
            try:
                update = self._update(quote, source_ts, received_at)
            except _Skip as reason:
                self.stats.skipped += 1
                self._log(("skip", str(reason)), "bovada outcome skipped",
                          selection_id=quote.selection_id, reason=str(reason))  # fmt: skip
                continue
            if update is not None:
                updates.append(update)
        return updates

    def _update(
        self, quote: parse.Quote, source_ts: datetime | None, received_at: datetime
    ) -> OddsUpdate | None:
        """The update of one outcome, or None when nothing changed since last seen."""
        known = self._known.get(quote.selection_id)
        home, away = self.event.home, self.event.away
        side = parse.side_of(quote, {}, known.side if known else None, home, away)
        if side is None:
            raise _Skip("side unknown")
        line = parse.line_of(quote.market, quote.handicap)
        if line is None and quote.market is not Market.MONEYLINE:
            if known is None or known.line is None:
                raise _Skip("no line")
            line = known.line  # a delta that does not restate the line keeps it
        american, decimal = self._price(quote, known)
        seen = _Known(quote.market_id, side, line, american, quote.status)
        if known is not None and known.price_key == seen.price_key:
            self.stats.unchanged += 1
            return None
        self._remember(quote.selection_id, seen)
        self.seq += 1
        return OddsUpdate(
            provider=parse.PROVIDER,
            league=self.event.league,
            event_id=self.event.event_id,
            market_id=quote.market_id,
            selection_id=quote.selection_id,
            market=quote.market,
            side=side,
            line=line,
            price_american=american,
            price_decimal=decimal,
            received_at=received_at,
            status=quote.status,
            source_ts=source_ts,
            seq=self.seq,
        )

    @staticmethod
    def _price(quote: parse.Quote, known: _Known | None) -> tuple[int, float]:
        try:
            return parse.prices(quote.american, quote.decimal)
        except InvalidPrice:
            if known is None:
                raise _Skip("no price") from None
            return parse.prices(known.american, None)

    def _remember(self, selection_id: str, known: _Known) -> None:
        self._known.pop(selection_id, None)
        self._known[selection_id] = known
        if len(self._known) > MAX_KNOWN:
            del self._known[next(iter(self._known))]  # the longest unchanged

    def _log(self, key: tuple[object, ...], message: str, **fields: object) -> None:
        """WARNING the first time a key is seen on this stream, DEBUG after."""
        extra = {"event_id": self.event.event_id, "league": self.event.league, **fields}
        self._warnings.log(key, message, extra)


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
                yield self.state.on_frame(raw, received_at)
        finally:
            if self._sub is sub:
                self._sub = None
            await self._hub.unsubscribe(sub)

    async def aclose(self) -> None:
        """End a session left open (a caller that broke out of it without closing it)."""
        if (sub := self._sub) is not None:
            self._sub = None
            await self._hub.unsubscribe(sub)
