"""FanDuel client end to end against the simulator's fake book, over real sockets.

League and event pages are read by headless Debian Chromium: without it those tests skip
locally and fail under CI (CI=true) with a clear message. Streams poll getMarketPrices
with httpx and need no browser.
"""

from __future__ import annotations

import asyncio
import dataclasses
import time
from datetime import datetime, timedelta

import pytest
from fd_helpers import (
    acall,
    event_and_selections,
    fd_ids,
    fd_settings,
    live_game,
    polls,
    sim_call,
    with_provider,
)

from oddswatch.changes import ChangeFilter
from oddswatch.errors import NotConfigured, ScrapeError, TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import OddsUpdate, PriceStatus, Snapshot
from oddswatch.odds import american_to_decimal
from oddswatch.teams import canonical_team_key
from providers.base import providers
from providers.fanduel import FanDuel, FanDuelSettings
from providers.fanduel.scrape import scrape
from providers.scraping import window
from simulator import SimHandle
from tests.providers.simtools import changed, need_chromium

pytestmark = pytest.mark.timeout(90)


def test_registered_and_configured(sim: SimHandle) -> None:
    assert providers.get("fanduel") is FanDuel
    settings = fd_settings(sim, api_url="", poll_interval_s=0)
    with pytest.raises(NotConfigured, match=r"api_url.*poll_interval_s"):
        FanDuel.from_settings(settings)


@pytest.mark.parametrize("league", ["nba", "nhl"])
def test_scrape_returns_the_sims_games_with_prices(sim_nhl: SimHandle, league: str) -> None:
    sim = sim_nhl
    settings = fd_settings(sim)
    need_chromium(settings)
    state = [g for g in sim_call(sim, "GET", "state")["games"] if g["league"] == league]
    final = state[-1]
    sim_call(sim, "POST", "status", {"event_id": final["event_id"], "status": "final"})
    snapshot: Snapshot = asyncio.run(with_provider(settings, lambda p: p.scrape(league)))
    low, high = window(settings, league, datetime.now().astimezone())
    games = {
        g["books"]["fanduel"]["event_id"]: g
        for g in state
        if g is not final and low <= datetime.fromisoformat(g["starts_at"]) < high
    }
    assert len(games) == 3, "the simulator laid out no game for today"
    assert sorted(snapshot.listed) == sorted(games)  # the final game is no longer linked
    assert [e.event_id for e in snapshot.events] == sorted(
        games, key=lambda i: (games[i]["starts_at"], i)
    )
    for event in snapshot.events:
        game, spelled = games[event.event_id], games[event.event_id]["books"]["fanduel"]
        assert (event.home.name, event.away.name) == (spelled["home"], spelled["away"])
        assert event.home.key == canonical_team_key(league, spelled["home"]) is not None
        assert event.away.key == canonical_team_key(league, spelled["away"]) is not None
        assert event.starts_at == datetime.fromisoformat(game["starts_at"])
        assert event.starts_at.utcoffset() == timedelta(0)
        paths = settings.group("fanduel", FanDuelSettings).league_paths
        assert event.url.startswith(f"{sim.url}{paths[league]}/")
        ids = game["books"]["fanduel"]["selections"]
        expected = {
            ids[s["selection_id"]]: (s["market"], s["side"], s["line"], s["american"])
            for s in game["selections"]
        }
        got = {
            s.selection_id: (s.market.value, s.side.value, s.line, s.price_american)
            for s in snapshot.selections_for(event.event_id)
        }
        assert got == expected  # the first-half moneyline is left out


def test_nhl_puck_line_and_total_goals_moves_come_out_once(sim_nhl: SimHandle) -> None:
    game = live_game(sim_nhl, "nhl")
    event, selections = event_and_selections(sim_nhl, game)
    moves = [("spread", "home", 155, -1.5), ("total", "under", -130, 6.5)]

    async def job(provider: FanDuel) -> list[list[OddsUpdate]]:
        session = changed(
            provider.stream(event, selections, StreamStats()).session(), ChangeFilter(selections)
        )
        try:
            seen = [await polls(session, 2)]
            for market, side, american, line in moves:
                move = {"market": market, "side": side, "american": american, "line": line}
                await acall(sim_nhl, "POST", "move", {"event_id": game["event_id"], **move})
                seen.append(await polls(session, 3))
            return seen
        finally:
            await session.aclose()

    seen = asyncio.run(with_provider(fd_settings(sim_nhl), job))
    got = [[(u.league, u.market.value, u.side.value, u.price_american, u.line) for u in b]
           for b in seen]  # fmt: skip
    assert got == [[]] + [[("nhl", *move)] for move in moves]


def test_scrape_of_another_day_lists_every_game_and_keeps_none(sim: SimHandle) -> None:
    settings = fd_settings(sim)
    need_chromium(settings)

    async def job(provider: FanDuel) -> Snapshot:
        later = datetime.now().astimezone() + timedelta(days=2)
        return await scrape(provider.client, settings, "nba", now=later)

    snapshot = asyncio.run(with_provider(settings, job))
    assert (len(snapshot.listed), snapshot.events, snapshot.selections) == (4, (), ())


def test_scripted_moves_come_out_once_each_and_unchanged_moves_not_at_all(
    sim: SimHandle,
) -> None:
    settings = fd_settings(sim)
    game = live_game(sim)
    event, selections = event_and_selections(sim, game)
    eid = game["event_id"]
    moves = [  # (market, side, american, line): one quote each
        ("moneyline", "away", 240, None),
        ("spread", "home", -120, -3.5),
        ("total", "under", 100, 231.5),
    ]

    async def job(provider: FanDuel) -> tuple[list[list[OddsUpdate]], list[OddsUpdate]]:
        session = changed(
            provider.stream(event, selections, StreamStats()).session(), ChangeFilter(selections)
        )
        try:
            assert await polls(session, 2) == []  # frozen: nothing
            seen = []
            for market, side, american, line in moves:
                move = {"market": market, "side": side, "american": american, "line": line}
                await acall(sim, "POST", "move", {"event_id": eid, **move})
                seen.append(await polls(session, 3))
            quote = (await acall(sim, "GET", "state"))["games"]
            current = next(g for g in quote if g["event_id"] == eid)["selections"][0]
            same = {"event_id": eid, "selection_id": current["selection_id"]}
            await acall(sim, "POST", "move", same | {"american": current["american"]})
            return seen, await polls(session, 3)
        finally:
            await session.aclose()

    seen, after_unchanged = asyncio.run(with_provider(settings, job))
    for (market, side, american, line), updates in zip(moves, seen, strict=True):
        assert len(updates) == 1, updates
        got = updates[0]
        assert (got.market.value, got.side.value, got.line) == (market, side, line)
        assert (got.price_american, got.price_decimal) == (american, american_to_decimal(american))
        assert (got.status, got.period, got.event_id) == (PriceStatus.OPEN, "game", event.event_id)
        model_sid = next(
            s["selection_id"]
            for s in game["selections"]
            if (s["market"], s["side"]) == (market, side)
        )
        assert (got.market_id, got.selection_id) == fd_ids(game, model_sid)
    seqs = [u.seq for batch in seen for u in batch]
    assert seqs == sorted(set(seqs))
    assert after_unchanged == []


def test_a_drop_ends_the_session_and_the_next_one_resumes(sim: SimHandle) -> None:
    settings = fd_settings(sim)
    game = live_game(sim)
    event, selections = event_and_selections(sim, game)
    eid = game["event_id"]

    async def job(provider: FanDuel) -> tuple[list[OddsUpdate], StreamStats]:
        stats = StreamStats()
        stream = provider.stream(event, selections, stats)
        changes = ChangeFilter(selections)
        first = changed(stream.session(), changes)
        await acall(
            sim,
            "POST",
            "move",
            {"event_id": eid, "market": "moneyline", "side": "home", "american": -300},
        )
        got = await polls(first, 2)
        await acall(
            sim, "POST", "misbehave", {"action": "drop", "book": "fanduel", "event_id": eid}
        )
        with pytest.raises(TransportError):
            await polls(first, 5)
        await acall(
            sim,
            "POST",
            "move",
            {"event_id": eid, "market": "moneyline", "side": "home", "american": -310},
        )
        second = changed(stream.session(), changes)
        try:
            got += await polls(second, 3)  # -300 is not emitted again
        finally:
            await second.aclose()
        return got, stats

    got, stats = asyncio.run(with_provider(settings, job))
    assert [(u.side.value, u.price_american) for u in got] == [("home", -300), ("home", -310)]
    assert got[0].seq < got[1].seq
    assert stats.frames == 5  # the dropped poll brought nothing
    assert sim_call(sim, "GET", "stats")["books"]["fanduel"]["dropped"] == 1


def test_faults_are_counted_and_the_session_goes_on(sim: SimHandle) -> None:
    settings = fd_settings(sim)
    game = live_game(sim)
    event, selections = event_and_selections(sim, game)
    eid = game["event_id"]

    async def job(provider: FanDuel) -> tuple[list[OddsUpdate], StreamStats]:
        stats = StreamStats()
        session = changed(
            provider.stream(event, selections, stats).session(), ChangeFilter(selections)
        )
        try:
            for action in (
                {"action": "malformed"},
                {"action": "text"},
                {"action": "schema", "count": 1},
            ):
                await acall(sim, "POST", "misbehave", action | {"book": "fanduel"})
            assert await polls(session, 4) == []  # malformed, text, drifted, normal
            move = {"event_id": eid, "market": "total", "side": "over", "american": -150}
            await acall(sim, "POST", "move", move)
            return await polls(session, 2), stats
        finally:
            await session.aclose()

    updates, stats = asyncio.run(with_provider(settings, job))
    assert [(u.market.value, u.side.value, u.price_american) for u in updates] == [
        ("total", "over", -150)
    ]
    assert (stats.parse_errors, stats.drift, stats.frames) == (2, 6, 6)


def test_a_stall_holds_prices_and_then_releases_them_once(sim: SimHandle) -> None:
    settings = fd_settings(sim)
    game = live_game(sim)
    event, selections = event_and_selections(sim, game)
    eid = game["event_id"]

    async def job(provider: FanDuel) -> tuple[list[OddsUpdate], list[OddsUpdate]]:
        session = changed(
            provider.stream(event, selections, StreamStats()).session(), ChangeFilter(selections)
        )
        try:
            stall = {"action": "stall", "book": "fanduel", "event_id": eid, "seconds": 1.0}
            await acall(sim, "POST", "misbehave", stall)
            started = time.monotonic()
            move = {"event_id": eid, "market": "spread", "side": "away", "american": 150}
            await acall(sim, "POST", "move", move)
            held = await polls(session, 5)
            await asyncio.sleep(max(0.0, 1.1 - (time.monotonic() - started)))
            return held, await polls(session, 3)
        finally:
            await session.aclose()

    held, released = asyncio.run(with_provider(settings, job))
    assert held == []
    assert [(u.side.value, u.price_american) for u in released] == [("away", 150)]


def test_an_event_page_that_requests_no_json_fails_within_the_bound(sim: SimHandle) -> None:
    settings = fd_settings(sim, capture_timeout_s=1.0)
    need_chromium(settings)

    async def job(provider: FanDuel) -> float:
        started = time.monotonic()
        async with provider.client.pages() as pages:
            with pytest.raises(ScrapeError, match="did not request the event JSON"):
                await pages.event_json(f"{sim.url}/basketball/nba/a-@-b-99999999", "99999999")
        return time.monotonic() - started

    assert asyncio.run(with_provider(settings, job)) < 10


def test_a_stream_without_selections_learns_its_markets_from_the_event_page(sim: SimHandle) -> None:
    settings = fd_settings(sim)
    need_chromium(settings)
    game = live_game(sim)
    event, _ = event_and_selections(sim, game)
    event_page = f"{sim.url}/basketball/nba/x-@-y-{event.event_id}"
    event = dataclasses.replace(event, url=event_page)

    async def job(provider: FanDuel) -> list[OddsUpdate]:
        session = changed(provider.stream(event, [], StreamStats()).session(), ChangeFilter([]))
        try:
            first = await polls(session, 1)  # the learned markets' prices, once: no scrape had them
            assert len(first) == len(game["selections"])
            move = {
                "event_id": game["event_id"],
                "market": "moneyline",
                "side": "away",
                "american": 400,
            }
            await acall(sim, "POST", "move", move)
            updates: list[OddsUpdate] = await polls(session, 2)
            return updates
        finally:
            await session.aclose()

    updates = asyncio.run(with_provider(settings, job))
    assert [(u.side.value, u.price_american) for u in updates] == [("away", 400)]
    away = next(s for s in game["selections"] if (s["market"], s["side"]) == ("moneyline", "away"))
    assert (updates[0].market_id, updates[0].selection_id) == fd_ids(game, away["selection_id"])
