"""The Bovada client end to end against the simulator's fake book, over real sockets."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import aclosing
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from oddswatch.errors import TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, EventStatus, OddsUpdate, PriceStatus, Snapshot
from oddswatch.settings import Settings
from oddswatch.teams import canonical_team_key
from providers.base import providers
from providers.bovada import Bovada
from providers.bovada.scrape import window
from simulator import SimConfig, SimHandle, run_in_thread
from simulator.bovada import BovadaBook

pytestmark = pytest.mark.timeout(60)
TZ = "America/New_York"
HEARTBEAT_S = 0.2

Session = AsyncIterator[list[OddsUpdate]]


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimHandle]:
    monkeypatch.setattr(BovadaBook, "heartbeat_s", HEARTBEAT_S)
    config = SimConfig(port=0, leagues=("nba", "mlb", "nhl"), games_per_league=4, live_games=2,
                       frozen=True, timezone=TZ)  # fmt: skip
    with run_in_thread(config) as handle:
        yield handle


def bv_settings(handle: SimHandle) -> Settings:
    return Settings(_env_file=None, mode="demo", simulator_url=handle.url, timezone=TZ)  # type: ignore[call-arg]


def sim_call(handle: SimHandle, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    response = httpx.request(method, f"{handle.url}/_sim/{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


async def sim_async(handle: SimHandle, method: str, path: str, body: Any = None) -> Any:
    return await asyncio.to_thread(sim_call, handle, method, path, body)


def run(handle: SimHandle, job: Callable[[Bovada], Awaitable[Any]]) -> Any:
    async def main() -> Any:
        provider = Bovada.from_settings(bv_settings(handle))
        try:
            async with asyncio.timeout(20):
                return await job(provider)
        finally:
            await provider.aclose()

    return asyncio.run(main())


class Live:
    """The first live NBA game: the model's view and the scrape's."""

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


async def live_game(handle: SimHandle, provider: Bovada, league: str = "nba") -> Live:
    snapshot = await provider.scrape(league)
    state = await sim_async(handle, "GET", "state")
    game = next(g for g in state["games"] if g["league"] == league and g["status"] == "live")
    return Live(game, snapshot)


def new_stream(provider: Bovada, live: Live, stats: StreamStats | None = None) -> Any:
    return provider.stream(live.event, live.selections, stats or StreamStats())


async def open_session(handle: SimHandle, stream: Any, live: Live) -> Any:
    """A session of `stream` whose subscription the book has registered."""
    session = stream.session()
    assert await anext(session) == []  # the padding frame: SUBSCRIBE is sent by now
    while not await subscribers(handle, live):
        await asyncio.sleep(0.02)
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


def test_registered_under_its_name() -> None:
    assert providers.get("bovada") is Bovada


@pytest.mark.parametrize("league", ["nba", "mlb", "nhl"])
def test_scrape_returns_the_sims_games_with_prices(sim: SimHandle, league: str) -> None:
    snapshot: Snapshot = run(sim, lambda provider: provider.scrape(league))
    state = sim_call(sim, "GET", "state")
    settings = bv_settings(sim)
    low, high = window(settings, league, datetime.now(UTC))
    games = {
        g["books"]["bovada"]["event_id"]: g
        for g in state["games"]
        if g["league"] == league and g["status"] != "final"
    }
    assert sorted(snapshot.listed) == sorted(games), "the decoy group must not be listed"
    today = {i: g for i, g in games.items() if low <= datetime.fromisoformat(g["starts_at"]) < high}
    assert today, "the simulator laid out no game for today"
    assert [e.event_id for e in snapshot.events] == sorted(
        today, key=lambda i: (today[i]["starts_at"], i)
    )
    for event in snapshot.events:
        game, spelled = today[event.event_id], today[event.event_id]["books"]["bovada"]
        assert (event.home.name, event.away.name) == (spelled["home"], spelled["away"])
        assert event.home.key == canonical_team_key(league, spelled["home"]) is not None
        assert event.away.key == canonical_team_key(league, spelled["away"]) is not None
        assert event.starts_at == datetime.fromisoformat(game["starts_at"])
        assert event.starts_at.tzinfo == UTC
        assert event.status is (
            EventStatus.LIVE if game["status"] == "live" else EventStatus.SCHEDULED
        )
        ids = game["books"]["bovada"]["selections"]
        expected = {
            str(ids[s["selection_id"]]): (s["market"], s["side"], s["line"], s["american"])
            for s in game["selections"]
        }
        got = {
            s.selection_id: (s.market.value, s.side.value, s.line, s.price_american)
            for s in snapshot.selections_for(event.event_id)
        }
        assert got == expected


def test_each_scripted_move_comes_out_once_and_an_unchanged_one_not_at_all(
    sim: SimHandle,
) -> None:
    moves = [
        ("moneyline", "home", -175, None),
        ("spread", "away", 105, 6.5),
        ("spread", "home", -125, -3.5),
        ("total", "under", 100, 230.5),
    ]

    async def job(provider: Bovada) -> tuple[list[list[OddsUpdate]], list[OddsUpdate], StreamStats]:
        live = await live_game(sim, provider)
        stats = StreamStats()
        rounds = []
        async with aclosing(
            await open_session(sim, new_stream(provider, live, stats), live)
        ) as session:
            for market, side, american, line in moves:
                wanted = await live.move(sim, market, side, american, line)
                rounds.append(await collect_until(session, wanted))
            await live.move(sim, "moneyline", "home", -175)  # unchanged: pushed, filtered
            sentinel = await live.move(sim, "total", "over", -135, 230.5)
            after = await collect_until(session, sentinel)
        return rounds, after, stats

    rounds, after, stats = run(sim, job)
    got = [[(u.market.value, u.side.value, u.line, u.price_american) for u in r] for r in rounds]
    assert got == [[(market, side, line, american)] for market, side, american, line in moves]
    assert rounds[3][0].price_decimal == 2.0 and rounds[2][0].price_decimal == 1.8
    assert [u.seq for r in rounds for u in r] == [1, 2, 3, 4]
    assert all(u.source_ts is not None and u.status is PriceStatus.OPEN for r in rounds for u in r)
    assert [(u.market.value, u.side.value, u.line, u.price_american) for u in after] == [
        ("total", "over", 230.5, -135)
    ]
    assert (stats.parse_errors, stats.unknown_records, stats.drift, stats.skipped) == (0, 0, 0, 0)
    assert stats.unchanged == 1
    book = sim_call(sim, "GET", "stats")["books"]["bovada"]
    assert (book["subscribes"], book["unsubscribes"], book["bad_commands"]) == (1, 1, 0)


def test_nhl_puck_line_and_total_goals_moves_come_out_once(sim: SimHandle) -> None:
    moves = [("spread", "home", 165, -1.5), ("total", "over", -120, 6.5)]

    async def job(provider: Bovada) -> tuple[list[OddsUpdate], StreamStats]:
        live = await live_game(sim, provider, "nhl")
        stats = StreamStats()
        got: list[OddsUpdate] = []
        async with aclosing(await open_session(sim, new_stream(provider, live, stats), live)) as s:
            for market, side, american, line in moves:
                got += await collect_until(s, await live.move(sim, market, side, american, line))
        return got, stats

    got, stats = run(sim, job)
    assert [(u.league, u.market.value, u.side.value, u.price_american, u.line) for u in got] == [
        ("nhl", market, side, american, line) for market, side, american, line in moves
    ]
    assert (stats.parse_errors, stats.drift, stats.skipped) == (0, 0, 0)


def test_a_dropped_connection_raises_and_the_next_session_resumes(sim: SimHandle) -> None:
    async def job(provider: Bovada) -> tuple[OddsUpdate, StreamStats]:
        live = await live_game(sim, provider)
        stats = StreamStats()
        stream = new_stream(provider, live, stats)
        async with aclosing(await open_session(sim, stream, live)) as session:
            await sim_async(sim, "POST", "misbehave", {"action": "drop", "book": "bovada"})
            with pytest.raises(TransportError):
                await collect_until(session, "never")
        async with aclosing(await open_session(sim, stream, live)) as session:
            wanted = await live.move(sim, "moneyline", "away", 210)
            [update] = await collect_until(session, wanted)
        return update, stats

    update, stats = run(sim, job)
    assert (update.market.value, update.side.value, update.price_american) == (
        "moneyline",
        "away",
        210,
    )
    assert (stats.updates, stats.parse_errors, stats.drift) == (1, 0, 0)
    book = sim_call(sim, "GET", "stats")["books"]["bovada"]
    # A new client id per connection: a reused one would have been refused (409).
    assert (book["connections_total"], book["handshakes_refused"]) == (2, 0)


def test_state_is_kept_across_sessions_of_one_stream(sim: SimHandle) -> None:
    async def job(provider: Bovada) -> list[OddsUpdate]:
        live = await live_game(sim, provider)
        stream = new_stream(provider, live)
        got = []
        async with aclosing(await open_session(sim, stream, live)) as session:
            got += await collect_until(session, await live.move(sim, "moneyline", "home", -190))
        async with aclosing(await open_session(sim, stream, live)) as session:
            await live.move(sim, "moneyline", "home", -190)  # as last seen: nothing new
            got += await collect_until(session, await live.move(sim, "total", "over", 120, 231.5))
        async with aclosing(await open_session(sim, stream, live)) as session:
            got += await collect_until(session, await live.move(sim, "moneyline", "home", -200))
        return got

    got = run(sim, job)
    assert [(u.market.value, u.side.value, u.price_american, u.seq) for u in got] == [
        ("moneyline", "home", -190, 1),
        ("total", "over", 120, 2),
        ("moneyline", "home", -200, 3),
    ]


def test_faults_are_counted_and_the_session_goes_on(sim: SimHandle) -> None:
    async def job(provider: Bovada) -> tuple[list[OddsUpdate], StreamStats]:
        live = await live_game(sim, provider)
        stats = StreamStats()
        got = []
        async with aclosing(
            await open_session(sim, new_stream(provider, live, stats), live)
        ) as session:
            for action in ({"action": "malformed"}, {"action": "text"},
                           {"action": "schema", "count": 1}):  # fmt: skip
                await sim_async(sim, "POST", "misbehave", {**action, "book": "bovada"})
            drifted = await live.move(sim, "spread", "home", -140, -2.5)
            got += await collect_until(session, drifted)
            wanted = await live.move(sim, "total", "over", 110, 229.5)
            got += await collect_until(session, wanted)
        return got, stats

    got, stats = run(sim, job)
    assert [(u.market.value, u.side.value, u.line, u.price_american) for u in got] == [
        ("spread", "home", -2.5, -140),
        ("total", "over", 229.5, 110),
    ]
    assert (stats.parse_errors, stats.drift, stats.updates, stats.skipped) == (2, 1, 2, 0)
    assert stats.frames > 4  # padding, handshake and heartbeats were read too, not counted


def test_a_stalled_feed_ends_the_session_once_heartbeats_are_missed(sim: SimHandle) -> None:
    async def job(provider: Bovada) -> float:
        live = await live_game(sim, provider)
        async with aclosing(await open_session(sim, new_stream(provider, live), live)) as session:
            await sim_async(sim, "POST", "misbehave", {"action": "stall", "seconds": 20})
            started = asyncio.get_running_loop().time()
            with pytest.raises(TransportError, match="no frame for"):
                await collect_until(session, "never")
            return asyncio.get_running_loop().time() - started

    assert run(sim, job) < 5.0


def test_suspension_is_streamed_for_every_outcome(sim: SimHandle) -> None:
    async def job(provider: Bovada) -> tuple[list[OddsUpdate], list[OddsUpdate]]:
        live = await live_game(sim, provider)
        status = {"event_id": live.game["event_id"]}
        async with aclosing(await open_session(sim, new_stream(provider, live), live)) as session:
            await sim_async(sim, "POST", "status", {**status, "status": "suspended"})
            held = await anext_non_empty(session)
            await sim_async(sim, "POST", "status", {**status, "status": "live"})
            reopened = await anext_non_empty(session)
        return held, reopened

    held, reopened = run(sim, job)
    assert len(held) == 6 and {u.status for u in held} == {PriceStatus.SUSPENDED}
    assert len(reopened) == 6 and {u.status for u in reopened} == {PriceStatus.OPEN}
    assert {u.selection_id for u in held} == {u.selection_id for u in reopened}


async def anext_non_empty(session: Session) -> list[OddsUpdate]:
    async for batch in session:
        if batch:
            return batch
    raise AssertionError("the session ended")
