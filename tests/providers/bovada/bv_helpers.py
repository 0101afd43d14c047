"""Helpers for the Bovada tests against the simulator: settings, control calls, a live
game's two views (the model's and the scrape's), sessions and what they yield."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from oddswatch.metrics import StreamStats
from oddswatch.model import Event, OddsUpdate, Snapshot
from oddswatch.settings import Settings
from providers.bovada import Bovada, BovadaStream
from simulator import SimHandle
from tests.providers.simtools import sim_call
from tests.waiting import wait_for_async

TZ = "America/New_York"
HEARTBEAT_S = 0.2  # the fake book's heartbeat interval in these tests

Session = AsyncIterator[list[OddsUpdate]]


def bv_settings(handle: SimHandle) -> Settings:
    return Settings(_env_file=None, mode="demo", simulator_url=handle.url, timezone=TZ)  # type: ignore[call-arg]


async def sim_async(handle: SimHandle, method: str, path: str, body: Any = None) -> Any:
    return await asyncio.to_thread(sim_call, handle, method, path, body)


def book_stats(handle: SimHandle) -> dict[str, int]:
    return dict(sim_call(handle, "GET", "stats")["books"]["bovada"])


async def book_stats_async(handle: SimHandle) -> dict[str, int]:
    return await asyncio.to_thread(book_stats, handle)


def run(handle: SimHandle, job: Callable[[Bovada], Awaitable[Any]]) -> Any:
    """`job(provider)` on a fresh event loop, bounded; the provider closed after it."""

    async def main() -> Any:
        provider = Bovada.from_settings(bv_settings(handle))
        try:
            async with asyncio.timeout(20):
                return await job(provider)
        finally:
            await provider.aclose()

    return asyncio.run(main())


class Live:
    """A live game: the model's view and the scrape's."""

    def __init__(self, game: dict[str, Any], snapshot: Snapshot) -> None:
        self.game = game
        self.book = game["books"]["bovada"]
        self.event: Event = next(e for e in snapshot.events if e.event_id == self.book["event_id"])
        self.selections = snapshot.selections_for(self.event.event_id)

    def outcome_id(self, market: str, side: str) -> str:
        sid = next(
            s["selection_id"]
            for s in self.game["selections"]
            if (s["market"], s["side"]) == (market, side)
        )
        return str(self.book["selections"][sid])

    async def move(self, handle: SimHandle, market: str, side: str, american: int,
                   line: float | None = None) -> str:  # fmt: skip
        body = {"event_id": self.game["event_id"], "market": market, "side": side,
                "american": american, "line": line}  # fmt: skip
        await sim_async(handle, "POST", "move", body)
        return self.outcome_id(market, side)


async def live_games(handle: SimHandle, provider: Bovada, league: str = "nba") -> list[Live]:
    """Every live game of a league (the simulator lays out `live_games` of them)."""
    snapshot = await provider.scrape(league)
    state = await sim_async(handle, "GET", "state")
    games = [g for g in state["games"] if g["league"] == league and g["status"] == "live"]
    return [Live(game, snapshot) for game in games]


async def live_game(handle: SimHandle, provider: Bovada, league: str = "nba") -> Live:
    return (await live_games(handle, provider, league))[0]


def new_stream(provider: Bovada, live: Live, stats: StreamStats | None = None) -> BovadaStream:
    return provider.stream(live.event, live.selections, stats or StreamStats())


async def open_session(handle: SimHandle, stream: BovadaStream, live: Live) -> Any:
    """A session of `stream` whose subscription the book has registered."""
    session = stream.session()
    assert await anext(session) == []  # subscribed: SUBSCRIBE is sent by now
    await wait_for_async(lambda: subscribers(handle, live), 15, "the subscription")
    return session


async def subscribers(handle: SimHandle, live: Live) -> int:
    state = await sim_async(handle, "GET", "state")
    game = next(g for g in state["games"] if g["event_id"] == live.game["event_id"])
    return int(game["books"]["bovada"]["subscribers"])


async def collect_until(session: Session, selection_id: str) -> list[OddsUpdate]:
    """Every update up to and including the first one of `selection_id`."""
    seen: list[OddsUpdate] = []
    async for batch in session:
        seen += batch
        if any(u.selection_id == selection_id for u in batch):
            return seen
    raise AssertionError("the session ended before the update arrived")


async def anext_non_empty(session: Session) -> list[OddsUpdate]:
    async for batch in session:
        if batch:
            return batch
    raise AssertionError("the session ended")
