"""Several Bovada games over ONE Atmosphere websocket per provider (`providers.bovada.hub`):
frame routing (pure), then sessions sharing the socket against the simulator's fake book."""

from __future__ import annotations

import asyncio
from contextlib import AsyncExitStack, aclosing
from typing import Any

import pytest
from bv_helpers import (
    Live,
    Session,
    book_stats,
    book_stats_async,
    collect_until,
    live_games,
    new_stream,
    open_session,
    run,
    sim_async,
    subscribers,
)

from oddswatch.errors import ParseError, TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import OddsUpdate
from providers.bovada import Bovada, parse
from simulator import SimHandle
from tests.waiting import wait_for_async

pytestmark = pytest.mark.timeout(60)
Route = parse.Route


def test_messages_are_routed_by_topic_then_by_body_event_id() -> None:
    routed = parse.route(b'/events/123.1|{"eventId": "999", "markets": []}')
    assert (routed.route, routed.event_id) == (Route.MESSAGE, "123")  # the topic wins
    assert parse.route(b'/events/123.1?delta=true|{"markets": []}').event_id == "123"
    assert parse.route(b'/clock|{"eventId": 456, "markets": []}').event_id == "456"
    bad_body = parse.route(b"/events/77.1|{not json")  # routed: its game counts the error
    assert (bad_body.route, bad_body.event_id) == (Route.MESSAGE, "77")
    assert parse.route(b'/clock|{"clock": "Q3 5:12"}').route is Route.NO_GAME
    assert parse.topic_event_id("events/1.1") is parse.topic_event_id("/events/.1") is None


def test_frames_of_no_game_and_control_frames() -> None:
    for raw in (b"<html>502 Bad Gateway</html>", b"/clock|{not json", b"\xff\xfe|{}"):
        routed = parse.route(raw)
        assert (routed.route, routed.event_id) == (Route.UNDECODABLE, None), raw
    assert isinstance(parse.route(b"<html></html>").error, ParseError)
    assert isinstance(parse.route(b"\xff|{}").error, UnicodeDecodeError)
    handshake = b"6f1d1f7e-4a3b-4c2d-9e8f-0a1b2c3d4e5f|2000|~|"
    for raw in (b" " * 64, handshake, b"X", b"\n"):
        assert parse.route(raw).route is Route.CONTROL, raw
    frame = parse.route(handshake).frame
    assert frame is not None and (frame.heartbeat_ms, frame.heartbeat) == (2000, "~")
    assert parse.route(b"~", heartbeat="~").route is Route.CONTROL
    assert parse.route(b"~").route is Route.UNDECODABLE  # only once the handshake named it


# -- over real sockets -------------------------------------------------------------------


class Game:
    """A live game with its stream, stats and open session."""

    def __init__(self, provider: Bovada, live: Live) -> None:
        self.live, self.stats = live, StreamStats()
        self.stream = new_stream(provider, live, self.stats)
        self.session: Session | None = None

    async def open(self, sim: SimHandle, stack: AsyncExitStack) -> Session:
        self.session = await stack.enter_async_context(
            aclosing(await open_session(sim, self.stream, self.live))
        )
        return self.session

    async def until(self, selection_id: str) -> list[OddsUpdate]:
        assert self.session is not None
        updates: list[OddsUpdate] = await collect_until(self.session, selection_id)
        return updates


async def two_games(sim: SimHandle, provider: Bovada) -> tuple[Game, Game]:
    lives = await live_games(sim, provider)
    assert len(lives) >= 2, "the simulator laid out fewer than two live NBA games"
    return Game(provider, lives[0]), Game(provider, lives[1])


def moves_of(updates: list[OddsUpdate]) -> list[tuple[str, str, str, float | None, int]]:
    return [(u.event_id, u.market.value, u.side.value, u.line, u.price_american) for u in updates]


def test_two_games_share_one_connection_and_each_gets_only_its_own_moves(
    sim: SimHandle,
) -> None:
    script_a = [("moneyline", "home", -175, None), ("total", "over", -120, 230.5)]
    script_b = [("spread", "away", 110, 4.5), ("moneyline", "away", 150, None)]

    async def job(provider: Bovada) -> Any:
        a, b = await two_games(sim, provider)
        async with AsyncExitStack() as stack:
            await a.open(sim, stack)
            await b.open(sim, stack)
            during = await book_stats_async(sim)
            last = {}
            for move_a, move_b in zip(script_a, script_b, strict=True):  # interleaved
                last["a"] = await a.live.move(sim, *move_a)
                last["b"] = await b.live.move(sim, *move_b)
            got_a, got_b = await a.until(last["a"]), await b.until(last["b"])
        return a, b, during, got_a, got_b, provider.hub.stats

    a, b, during, got_a, got_b, hub = run(sim, job)
    assert (during["connections"], during["connections_total"]) == (1, 1)
    assert (during["subscriptions"], during["subscribes"]) == (2, 2)
    a_id, b_id = a.live.event.event_id, b.live.event.event_id
    assert moves_of(got_a) == [(a_id, m, s, line, p) for m, s, p, line in script_a]
    assert moves_of(got_b) == [(b_id, m, s, line, p) for m, s, p, line in script_b]
    for game in (a, b):  # another game's frame would be `skipped`, a repeated one `unchanged`
        stats = game.stats
        assert (stats.updates, stats.skipped, stats.unchanged, stats.parse_errors) == (2, 0, 0, 0)
    assert (hub.connections, hub.unrouted, hub.unroutable) == (1, 0, 0)
    book = book_stats(sim)
    assert (book["unsubscribes"], book["bad_commands"], book["connections"]) == (2, 0, 0)


async def _none_left(sim: SimHandle, live: Live) -> bool:
    return not await subscribers(sim, live)


async def _no_connections(sim: SimHandle) -> bool:
    return not (await book_stats_async(sim))["connections"]


def test_unsubscribing_one_game_keeps_the_other_flowing(sim: SimHandle) -> None:
    async def job(provider: Bovada) -> Any:
        a, b = await two_games(sim, provider)
        async with AsyncExitStack() as stack:
            session_a = await a.open(sim, stack)
            await b.open(sim, stack)
            await session_a.aclose()  # UNSUBSCRIBE|a on the shared socket
            await wait_for_async(lambda: _none_left(sim, a.live), 15, "the unsubscribe")
            after_leave = await book_stats_async(sim)
            await a.live.move(sim, "moneyline", "home", -190)  # nobody listens: not pushed
            got_b = await b.until(await b.live.move(sim, "total", "under", 105, 231.5))
        return a, got_b, after_leave, provider.hub.stats

    a, got_b, after_leave, hub = run(sim, job)
    assert (after_leave["connections"], after_leave["subscriptions"]) == (1, 1)
    assert (after_leave["unsubscribes"], after_leave["bad_commands"]) == (1, 0)
    assert [(u.market.value, u.side.value, u.price_american) for u in got_b] == [
        ("total", "under", 105)
    ]
    assert a.stats.updates == 0 and hub.unrouted == 0  # the book pushed nothing of game a
    assert (hub.connections, book_stats(sim)["connections_total"]) == (1, 1)


def test_a_quick_resubscribe_reuses_the_socket_which_closes_after_the_grace_period(
    sim: SimHandle,
) -> None:
    async def job(provider: Bovada) -> tuple[list[int], float]:
        provider.hub.linger_s = 0.5
        (live, *_) = await live_games(sim, provider)
        stream = new_stream(provider, live)
        totals = []
        for _ in range(2):
            async with aclosing(await open_session(sim, stream, live)):
                totals.append((await book_stats_async(sim))["connections_total"])
        left = asyncio.get_running_loop().time()
        await wait_for_async(lambda: _no_connections(sim), 15, "the socket to close")
        closed_after = asyncio.get_running_loop().time() - left
        assert provider.hub.client_id is None
        async with aclosing(await open_session(sim, stream, live)):
            totals.append((await book_stats_async(sim))["connections_total"])
        return totals, closed_after

    totals, closed_after = run(sim, job)
    assert totals == [1, 1, 2]  # reused within the grace period, a new one after it
    assert 0.4 <= closed_after < 3.0


def test_a_drop_fails_every_session_and_the_next_ones_share_one_new_connection(
    sim: SimHandle,
) -> None:
    async def job(provider: Bovada) -> Any:
        a, b = await two_games(sim, provider)
        async with AsyncExitStack() as stack:
            sessions = [await a.open(sim, stack), await b.open(sim, stack)]
            first_id = provider.hub.client_id
            await sim_async(sim, "POST", "misbehave", {"action": "drop", "book": "bovada"})
            for session in sessions:
                with pytest.raises(TransportError):
                    await collect_until(session, "never")
        async with AsyncExitStack() as stack:  # both monitors come back at once
            await asyncio.gather(a.open(sim, stack), b.open(sim, stack))
            during = await book_stats_async(sim)
            second_id = provider.hub.client_id
            got_a = await a.until(await a.live.move(sim, "moneyline", "away", 210))
            got_b = await b.until(await b.live.move(sim, "moneyline", "away", 220))
        return first_id, second_id, during, got_a, got_b

    first_id, second_id, during, got_a, got_b = run(sim, job)
    assert first_id is not None and second_id is not None and first_id != second_id
    # One reconnect for both sessions; a reused client id would have been refused (409).
    assert (during["connections"], during["connections_total"]) == (1, 2)
    assert (during["subscriptions"], during["handshakes_refused"]) == (2, 0)
    assert [u.price_american for u in got_a] == [210]
    assert [u.price_american for u in got_b] == [220]


def test_frames_of_no_game_count_in_every_session_and_a_games_bad_frame_in_its_own(
    sim: SimHandle,
) -> None:
    async def job(provider: Bovada) -> Any:
        a, b = await two_games(sim, provider)
        async with AsyncExitStack() as stack:
            await a.open(sim, stack)
            await b.open(sim, stack)
            await sim_async(sim, "POST", "misbehave", {"action": "text", "book": "bovada"})
            bad_a = {"action": "malformed", "book": "bovada", "event_id": a.live.game["event_id"]}
            await sim_async(sim, "POST", "misbehave", bad_a)
            got_a = await a.until(await a.live.move(sim, "spread", "home", -140, -2.5))
            got_b = await b.until(await b.live.move(sim, "spread", "home", -150, -3.5))
        return a.stats, b.stats, got_a, got_b, provider.hub.stats

    stats_a, stats_b, got_a, got_b, hub = run(sim, job)
    assert [u.price_american for u in got_a + got_b] == [-140, -150]  # the sessions went on
    assert (stats_a.parse_errors, stats_b.parse_errors) == (2, 1)  # text: both; malformed: a
    assert hub.unroutable == 1
    assert stats_a.drift == stats_b.drift == 0


def test_two_streams_of_one_game_share_its_subscription(sim: SimHandle) -> None:
    async def job(provider: Bovada) -> Any:
        (live, *_) = await live_games(sim, provider)
        first, second = Game(provider, live), Game(provider, live)
        async with AsyncExitStack() as stack:
            session = await first.open(sim, stack)
            await second.open(sim, stack)
            wanted = await live.move(sim, "moneyline", "home", -160)
            both = [await first.until(wanted), await second.until(wanted)]
            await session.aclose()  # the game keeps a subscriber: no UNSUBSCRIBE
            still = await book_stats_async(sim)
            later = await second.until(await live.move(sim, "moneyline", "home", -170))
        return both, still, later

    both, still, later = run(sim, job)
    assert [[u.price_american for u in got] for got in both] == [[-160], [-160]]
    assert (still["subscribes"], still["unsubscribes"], still["subscriptions"]) == (1, 0, 1)
    assert [u.price_american for u in later] == [-170]
    assert book_stats(sim)["unsubscribes"] == 1
