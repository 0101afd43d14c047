"""Per-game FanDuel state and the polling session.

`GameState` turns getMarketPrices bodies into OddsUpdates (no I/O). A poll returns every
runner of the game's markets each time, so the state remembers the last (line, price,
status) it reported per runner, seeded from the scrape, and yields only runners whose
key changed: a frozen book yields nothing and an unchanged runner is never emitted twice,
across sessions too. Bodies that are not JSON, schema drift and runners we cannot map
are counted in the StreamStats and logged (the first of a kind at WARNING, repeats at
DEBUG); they never end a session. `FanDuelStream.session()` polls every
`poll_interval_s` until a request fails (TransportError).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Sequence
from dataclasses import dataclass
from datetime import datetime

from oddswatch.errors import ParseError, ProviderError
from oddswatch.metrics import StreamStats
from oddswatch.model import (
    Event,
    Market,
    OddsUpdate,
    PriceStatus,
    Selection,
    Side,
    utcnow,
)
from providers.base import GameStream
from providers.warnings import FirstWarning

from . import parse
from .client import FanDuelClient

logger = logging.getLogger(__name__)

PriceKey = tuple[float | None, int, float, PriceStatus]


@dataclass(slots=True)
class _Runner:
    """What we know of one runner: its market and side, and the last key reported."""

    market: Market
    side: Side
    line: float | None
    last: PriceKey


class _Skip(Exception):
    """A runner we read but cannot map; its message is the reason."""


class GameState:
    def __init__(self, event: Event, selections: Sequence[Selection], stats: StreamStats) -> None:
        self.event, self.stats = event, stats
        self.seq = 0
        self._runners: dict[tuple[str, str], _Runner] = {}
        self._warnings = FirstWarning(logger)
        self.learn(selections)

    @property
    def market_ids(self) -> list[str]:
        return sorted({market_id for market_id, _ in self._runners})

    def learn(self, selections: Sequence[Selection]) -> None:
        """Seed runners (and their last reported key) from scraped selections."""
        for s in selections:
            if s.event_id == self.event.event_id:
                key = (s.line, s.price_american, s.price_decimal, s.status)
                self._runners[(s.market_id, s.selection_id)] = _Runner(
                    s.market, s.side, s.line, key
                )

    def on_response(self, raw: bytes, received_at: datetime | None = None) -> list[OddsUpdate]:
        """One getMarketPrices body → the updates of the runners that changed."""
        received_at = received_at or utcnow()
        self.stats.frames += 1
        self.stats.bytes += len(raw)
        try:
            reply = parse.parse_prices(raw)
        except ParseError as exc:
            self.stats.parse_errors += 1
            self._log(("parse_error",), "fanduel prices not decodable", payload=exc.payload)
            return []
        for field in reply.drift:
            self.stats.drift += 1
            self._log(("drift", field), "fanduel market shape drift", field=field)
        self._count_unknown_markets(reply.markets)
        self.stats.records += len(reply.runners)
        updates = [u for r in reply.runners if (u := self._apply(r, received_at)) is not None]
        self.stats.updates += len(updates)
        return updates

    def _count_unknown_markets(self, markets: Sequence[str]) -> None:
        known = set(self.market_ids)
        for market_id in markets:
            if market_id not in known:
                self.stats.unknown_records += 1
                self._log(
                    ("unknown", market_id), "fanduel market not asked for", market_id=market_id
                )

    def _apply(self, runner: parse.RunnerPrice, received_at: datetime) -> OddsUpdate | None:
        if runner.drift:
            self.stats.drift += 1
            self._log(
                ("drift", *runner.drift),
                "fanduel runner shape drift",
                fields=list(runner.drift),
                market_id=runner.market_id,
                selection_id=runner.selection_id,
            )
        try:
            return self._update(runner, received_at)
        except _Skip as reason:
            self.stats.skipped += 1
            self._log(
                ("skip", runner.market_id, runner.selection_id, str(reason)),
                "fanduel runner skipped",
                market_id=runner.market_id,
                selection_id=runner.selection_id,
                reason=str(reason),
            )
            return None

    def _update(self, runner: parse.RunnerPrice, received_at: datetime) -> OddsUpdate | None:
        known = self._runners.get((runner.market_id, runner.selection_id or ""))
        if known is None:
            raise _Skip("unknown selection")
        if runner.price is None:
            raise _Skip("price unreadable")
        line = parse.normalize_line(known.market, runner.handicap)
        if line is None and known.market is not Market.MONEYLINE:
            line = known.line  # the line was not readable: keep the last one
        american, decimal = runner.price
        key = (line, american, decimal, runner.status or known.last[3])
        if key == known.last:
            return None
        known.last, known.line = key, line
        self.seq += 1
        return OddsUpdate(
            provider=parse.PROVIDER,
            league=self.event.league,
            event_id=self.event.event_id,
            market_id=runner.market_id,
            selection_id=runner.selection_id or "",
            market=known.market,
            side=known.side,
            line=line,
            price_american=american,
            price_decimal=decimal,
            received_at=received_at,
            status=key[3],
            seq=self.seq,
        )

    def _log(self, key: tuple[object, ...], message: str, **fields: object) -> None:
        """WARNING the first time a key is seen on this stream, DEBUG after."""
        extra = {"event_id": self.event.event_id, "league": self.event.league, **fields}
        self._warnings.log(key, message, extra)


class FanDuelStream(GameStream):
    """The live odds of one game: one poll loop per `session()`, state kept across them."""

    def __init__(
        self,
        client: FanDuelClient,
        event: Event,
        selections: Sequence[Selection],
        stats: StreamStats,
        *,
        poll_interval_s: float,
    ) -> None:
        self._client, self._interval = client, poll_interval_s
        self.state = GameState(event, selections, stats)

    async def session(self) -> AsyncGenerator[list[OddsUpdate], None]:
        if not self.state.market_ids and not await self._learn_markets():
            return
        body = parse.prices_request(self.state.market_ids)
        loop = asyncio.get_running_loop()
        logger.info("fanduel polling", extra={"event_id": self.state.event.event_id})
        while True:
            started = loop.time()
            raw = await self._client.market_prices(body)
            yield self.state.on_response(raw)
            await asyncio.sleep(max(0.0, self._interval - (loop.time() - started)))

    async def _learn_markets(self) -> bool:
        """A game scraped without selections: read its markets from its event page."""
        event = self.state.event
        extra = {"event_id": event.event_id, "league": event.league}
        if not event.url:
            logger.warning("fanduel game has no markets and no page to learn them", extra=extra)
            return False
        try:
            async with self._client.pages() as pages:
                data = await pages.event_json(event.url, event.event_id)
            ref = parse.EventRef(event.event_id, event.url)
            found = parse.parse_event(data, ref, event.league, utcnow())
        except ProviderError as exc:
            logger.warning("fanduel markets not learned", extra={**extra, "error": str(exc)})
            return False
        self.state.learn(found.selections)
        return bool(self.state.market_ids)
