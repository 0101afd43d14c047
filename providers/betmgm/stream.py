"""Per-game BetMGM state and the polling session.

`GameState` turns fixture-view bodies into OddsUpdates (no I/O). Each body is the
fixture's whole current state, so the state keeps the last (line, price, status) per
option (seeded from the scrape) and emits only options that changed: an unchanged
option is never emitted twice, and a frozen book yields nothing. Bodies that are not
JSON, shape drift and unmappable options are counted in StreamStats and logged (the
first of a kind at WARNING, repeats at DEBUG); they never end a session.

`BetMGMStream.session()` polls the fixture-view API every `poll_interval_s` over the
client's shared HTTP pool (no browser) until a request fails (TransportError). A refused
access id is re-read from the league page once and the request retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncGenerator, Sequence
from datetime import datetime

import httpx

from oddswatch.errors import AuthError, ParseError, SchemaDrift
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, PriceStatus, Selection, utcnow
from providers.base import GameStream
from providers.warnings import FirstWarning

from . import parse
from .client import BetMGMClient

logger = logging.getLogger(__name__)

PriceKey = tuple[float | None, int, float, PriceStatus]


class GameState:
    """The last price seen per option of one game; bodies in, changed options out."""

    def __init__(self, event: Event, selections: Sequence[Selection], stats: StreamStats) -> None:
        self.event, self.stats = event, stats
        self.seq = 0
        ours = [s for s in selections if s.event_id == event.event_id]
        self._seeds = {s.selection_id: s for s in ours}
        self._last: dict[str, PriceKey] = {
            s.selection_id: (s.line, s.price_american, s.price_decimal, s.status) for s in ours
        }
        self._warnings = FirstWarning(logger)

    def on_body(
        self, raw: bytes, received_at: datetime | None = None, source_ts: datetime | None = None
    ) -> list[OddsUpdate]:
        """One fixture-view body → the updates of the options that changed."""
        received_at = received_at or utcnow()
        self.stats.frames += 1
        self.stats.bytes += len(raw)
        view = self._read(raw)
        if view is None:
            return []
        self.stats.records += len(view.options)
        self.stats.skipped += view.skipped
        if view.skipped:
            self._log(("skipped",), "betmgm options skipped", count=view.skipped)
        updates = [
            u for option in view.options if (u := self._update(option, received_at, source_ts))
        ]
        self.stats.updates += len(updates)
        return updates

    def _read(self, raw: bytes) -> parse.FixtureView | None:
        event_id = self.event.event_id
        try:
            view = parse.read_fixture_view(parse.decode_body(raw), event_id)
        except SchemaDrift as exc:
            self.stats.drift += 1
            self._log(("drift", str(exc)), "betmgm fixture-view shape drift", payload=exc.payload)
            return None
        except ParseError as exc:
            self.stats.parse_errors += 1
            self._log(("parse_error",), "betmgm fixture-view not decodable", payload=exc.payload)
            return None
        if view is None:
            self._log(("absent",), "betmgm fixture not in its fixture-view", level=logging.INFO)
        elif view.drift:
            self.stats.drift += 1
            self._log(("drift", *view.drift), "betmgm fixture-view shape drift", fields=view.drift)
        return view

    def _update(
        self, option: parse.OptionPrice, received_at: datetime, source_ts: datetime | None
    ) -> OddsUpdate | None:
        sid = option.selection_id
        seed = self._seeds.get(sid)
        market = option.market or (seed.market if seed else None)
        side = option.side or (seed.side if seed else None)
        if market is None or side is None:
            self.stats.skipped += 1
            self._log(("unmapped", sid), "betmgm option skipped", selection_id=sid)
            return None
        line = None if market is Market.MONEYLINE else option.line
        key = (line, option.price_american, option.price_decimal, option.status)
        if self._last.get(sid) == key:
            return None
        self._last[sid] = key
        self.seq += 1
        return OddsUpdate(
            provider=parse.PROVIDER,
            league=self.event.league,
            event_id=self.event.event_id,
            market_id=option.market_id,
            selection_id=sid,
            market=market,
            side=side,
            line=line,
            price_american=option.price_american,
            price_decimal=option.price_decimal,
            received_at=received_at,
            status=option.status,
            source_ts=source_ts,
            seq=self.seq,
        )

    def _log(
        self, key: tuple[object, ...], message: str, level: int = logging.WARNING, **fields: object
    ) -> None:
        """`level` the first time a key is seen on this stream, DEBUG after."""
        extra = {"event_id": self.event.event_id, "league": self.event.league, **fields}
        self._warnings.log(key, message, extra, level)


class BetMGMStream(GameStream):
    """The live odds of one game: one poll loop per `session()`, state kept across them."""

    def __init__(
        self,
        client: BetMGMClient,
        event: Event,
        selections: Sequence[Selection],
        stats: StreamStats,
    ) -> None:
        self._client = client
        self._interval_s = client.mgm.poll_interval_s
        self._page_url = client.league_url(event.league)
        self.state = GameState(event, selections, stats)

    async def session(self) -> AsyncGenerator[list[OddsUpdate], None]:
        """One batch per poll (empty when nothing changed) until a poll fails."""
        loop = asyncio.get_running_loop()
        event_id = self.state.event.event_id
        logger.info("betmgm polling started", extra={"event_id": event_id})
        try:
            while True:
                started = loop.time()
                response = await self._poll()
                source_ts = parse.http_date(response.headers.get("date"))
                yield self.state.on_body(response.content, source_ts=source_ts)
                await asyncio.sleep(max(0.0, self._interval_s - (loop.time() - started)))
        finally:
            logger.info("betmgm polling stopped", extra={"event_id": event_id})

    async def _poll(self) -> httpx.Response:
        event_id = self.state.event.event_id
        access_id = await self._client.access_id(self._page_url)
        try:
            return await self._client.fixture_view(event_id, access_id)
        except AuthError:
            self._client.drop_access_id(access_id)
            logger.info("betmgm access id refused, reading it again", extra={"event_id": event_id})
        return await self._client.fixture_view(
            event_id, await self._client.access_id(self._page_url)
        )
