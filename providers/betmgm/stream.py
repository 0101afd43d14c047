"""Per-game BetMGM state and the polling session.

`GameState` (the kit's, `providers.kit.state`) turns fixture-view bodies into
OddsUpdates (no I/O). Each body is the fixture's whole current state; every option of
its main moneyline, spread and total markets is one record, its market and side taken
from the body or, when the body does not say, from the scrape. A bad option is counted
and skipped; the others still apply. Repeats are the monitor's change filter's.

`BetMGMStream.session()` polls the fixture-view API every `poll_interval_s` over the
client's shared HTTP pool (no browser) with the kit's poll loop until a request fails
(TransportError). A refused access id is re-read from the league page once and the
request retried.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from typing import Any

import httpx

from oddswatch.errors import AuthError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, Selection
from providers.base import GameStream
from providers.kit.poll import poll
from providers.kit.skips import Reason, Skip
from providers.kit.state import Change, Decoded
from providers.kit.state import GameState as KitState

from . import parse
from .client import BetMGMClient

logger = logging.getLogger(__name__)

Option = tuple[parse.Reader, dict[str, Any], parse.MarketHead]


class GameState(KitState[Option, Selection]):
    """Fixture-view bodies in, one update per readable option out."""

    provider = parse.PROVIDER

    def seed(self, selection: Selection) -> Selection:
        return selection

    def decode(self, payload: bytes | str, source_ts: datetime | None) -> Decoded[Option]:
        raw = payload.encode() if isinstance(payload, str) else payload
        fixture = parse.find_fixture(parse.decode_body(raw), self.event.event_id)
        if fixture is None:
            logger.debug("betmgm fixture not in its fixture-view", extra=self._extra())
            return Decoded((), source_ts)
        reader = parse.Reader(fixture, "")
        options = self.split([reader], lambda r: [(r, raw, head) for raw, head in r.options()])
        self._drift(reader)
        return Decoded(options, source_ts)

    def apply(
        self, record: Option, source_ts: datetime | None, received_at: datetime
    ) -> Change[Selection] | None:
        reader, raw, head = record
        try:
            option = parse.read_option(reader, raw, head)
        finally:
            self._drift(reader)
        if option is None:
            raise Skip(Reason.SKIPPED, "betmgm option without id")
        sid = option.selection_id
        seed = self.memory.get(sid)
        market = option.market or (seed.market if seed else None)
        side = option.side or (seed.side if seed else None)
        if market is None or side is None:
            raise Skip(Reason.SKIPPED, "betmgm option not mapped", selection_id=sid)
        line = None if market is Market.MONEYLINE else option.line
        price = (option.price_american, option.price_decimal)
        update = self.update(option.market_id, sid, market, side, line, price=price,
                             received_at=received_at, source_ts=source_ts,
                             status=option.status)  # fmt: skip
        return Change(sid, seed, update) if seed is not None else _unseeded(update)

    def _drift(self, reader: parse.Reader) -> None:
        for field in reader.take_drift():
            self.note(Reason.DRIFT, "betmgm fixture-view shape drift", field, field=field)

    def _extra(self) -> dict[str, object]:
        return {"event_id": self.event.event_id, "league": self.event.league}


def _unseeded(update: OddsUpdate) -> Change[Selection] | None:
    """An option the scrape did not list, read whole from the body: nothing to remember."""
    return Change(update.selection_id, _as_selection(update), update)


def _as_selection(u: OddsUpdate) -> Selection:
    return Selection(
        u.provider, u.league, u.event_id, u.market_id, u.selection_id, u.market, u.side, "",
        u.price_american, u.price_decimal, u.line, u.period, u.status,
    )  # fmt: skip


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
        self._interval_s = client.group.poll_interval_s
        self._page_url = client.league_url(event.league)
        self.state = GameState(event, selections, stats)

    async def session(self) -> AsyncGenerator[list[OddsUpdate], None]:
        """One batch per poll until a poll fails."""
        event_id = self.state.event.event_id
        logger.info("betmgm polling started", extra={"event_id": event_id})
        try:
            async for batch in poll(self._poll, self.state, self._interval_s):
                yield batch
        finally:
            logger.info("betmgm polling stopped", extra={"event_id": event_id})

    async def _poll(self) -> tuple[bytes, datetime | None]:
        response = await self._fetch()
        return response.content, parse.http_date(response.headers.get("date"))

    async def _fetch(self) -> httpx.Response:
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
