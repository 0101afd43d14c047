"""The Bovada client end to end against the simulator's fake book, over real sockets."""

from __future__ import annotations

import asyncio
from contextlib import aclosing
from datetime import UTC, datetime

import pytest
from bv_helpers import (
    anext_non_empty,
    bv_settings,
    collect_until,
    live_game,
    new_stream,
    open_session,
    run,
    sim_async,
)

from oddswatch.changes import ChangeFilter
from oddswatch.errors import TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import EventStatus, OddsUpdate, PriceStatus, Snapshot
from oddswatch.teams import canonical_team_key
from providers.base import providers
from providers.bovada import Bovada
from providers.scraping import window
from simulator import SimHandle
from tests.providers.simtools import sim_call

pytestmark = pytest.mark.timeout(60)


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
        rounds, changes = [], ChangeFilter()  # the monitor's change filter
        async with aclosing(
            await open_session(sim, new_stream(provider, live, stats), live)
        ) as session:
            for market, side, american, line in moves:
                wanted = await live.move(sim, market, side, american, line)
                rounds.append(changes.changed(await collect_until(session, wanted)))
            await live.move(sim, "moneyline", "home", -175)  # unchanged: pushed, filtered
            sentinel = await live.move(sim, "total", "over", -135, 230.5)
            after = await collect_until(session, sentinel)
        assert len(after) == 2  # the repeat came out of the stream
        return rounds, changes.changed(after), stats

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
        got, changes = [], ChangeFilter()
        async with aclosing(await open_session(sim, stream, live)) as session:
            got += await collect_until(session, await live.move(sim, "moneyline", "home", -190))
        async with aclosing(await open_session(sim, stream, live)) as session:
            await live.move(sim, "moneyline", "home", -190)  # as last seen: nothing new
            got += await collect_until(session, await live.move(sim, "total", "over", 120, 231.5))
        async with aclosing(await open_session(sim, stream, live)) as session:
            got += await collect_until(session, await live.move(sim, "moneyline", "home", -200))
        return changes.changed(got)

    got = run(sim, job)
    assert [(u.market.value, u.side.value, u.price_american, u.seq) for u in got] == [
        ("moneyline", "home", -190, 1),
        ("total", "over", 120, 3),  # seq 2: the repeat, dropped by the change filter
        ("moneyline", "home", -200, 4),
    ]
    book = sim_call(sim, "GET", "stats")["books"]["bovada"]
    # Quick resubscribes reuse the provider's socket; each session subscribes once.
    assert (book["connections_total"], book["subscribes"], book["unsubscribes"]) == (1, 3, 3)


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
