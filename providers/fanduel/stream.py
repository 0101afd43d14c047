"""Per-game FanDuel state and the polling session.

`GameState` (the kit's, `providers.kit.state`) turns getMarketPrices bodies into
OddsUpdates (no I/O). A poll returns every runner of the game's markets each time; each
runner is one record, mapped through what the scrape (or the event page) said of it: its
market and side, and its line when the poll's is unreadable. A bad runner is counted and
skipped; the others still apply. Repeats are the monitor's change filter's.
`FanDuelStream.session()` polls every `poll_interval_s` with the kit's poll loop until a
request fails (TransportError).
"""

from __future__ import annotations

import logging
from collections.abc import AsyncGenerator, Sequence
from datetime import datetime
from typing import NamedTuple

from oddswatch.errors import ProviderError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, PriceStatus, Selection, Side, utcnow
from providers.base import GameStream
from providers.kit.poll import poll
from providers.kit.skips import Reason, Skip
from providers.kit.state import Change, Decoded
from providers.kit.state import GameState as KitState

from . import parse
from .client import FanDuelClient

logger = logging.getLogger(__name__)


class _Runner(NamedTuple):
    """What we know of one runner: its market and side, its last line and status."""

    market_id: str
    market: Market
    side: Side
    line: float | None
    status: PriceStatus


class GameState(KitState[parse.RunnerRecord, _Runner]):
    provider = parse.PROVIDER

    @property
    def market_ids(self) -> list[str]:
        return sorted({runner.market_id for runner in self.memory.values()})

    def seed(self, selection: Selection) -> _Runner:
        s = selection
        return _Runner(s.market_id, s.market, s.side, s.line, s.status)

    def learn(self, selections: Sequence[Selection]) -> None:
        """Seed runners from scraped selections (e.g. read later from the event page)."""
        for s in selections:
            if s.event_id == self.event.event_id:
                self.memory[s.selection_id] = self.seed(s)

    def decode(
        self, payload: bytes | str, source_ts: datetime | None
    ) -> Decoded[parse.RunnerRecord]:
        raw = payload.encode() if isinstance(payload, str) else payload
        records, markets, drift = parse.runner_records(parse.decode(raw))
        for field in drift:
            self.note(Reason.DRIFT, "fanduel market shape drift", field, field=field)
        known = set(self.market_ids)
        for market_id in markets:
            if market_id not in known:
                self.note(Reason.UNKNOWN, "fanduel market not asked for", market_id,
                          market_id=market_id)  # fmt: skip
        return Decoded(records, source_ts)

    def apply(
        self, record: parse.RunnerRecord, source_ts: datetime | None, received_at: datetime
    ) -> Change[_Runner] | None:
        runner = parse.read_runner(record[2], record[0], record[1])
        if runner.drift:
            self.note(Reason.DRIFT, "fanduel runner shape drift", runner.drift,
                      fields=list(runner.drift), selection_id=runner.selection_id)  # fmt: skip
        known = self.memory.get(runner.selection_id or "")
        if known is None or known.market_id != runner.market_id:
            raise Skip(Reason.SKIPPED, "fanduel runner unknown", selection_id=runner.selection_id)
        if runner.price is None:  # not stated where we look (drift), or not a price
            reason = Reason.SKIPPED if runner.drift else Reason.INVALID_VALUE
            raise Skip(reason, "fanduel runner price unreadable", selection_id=runner.selection_id)
        line = parse.normalize_line(known.market, runner.handicap)
        if line is None and known.market is not Market.MONEYLINE:
            line = known.line  # the line was not readable: keep the last one
        seen = known._replace(line=line, status=runner.status or known.status)
        sid = runner.selection_id or ""
        update = self.update(runner.market_id, sid, known.market, known.side, line,
                             price=runner.price, received_at=received_at,
                             source_ts=source_ts, status=seen.status)  # fmt: skip
        return Change(sid, seen, update)


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
        logger.info("fanduel polling", extra={"event_id": self.state.event.event_id})

        async def fetch() -> tuple[bytes, datetime | None]:
            return await self._client.market_prices(body), None

        async for batch in poll(fetch, self.state, self._interval):
            yield batch

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
