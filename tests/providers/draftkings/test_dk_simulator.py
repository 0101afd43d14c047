"""DraftKings client end to end against the simulator's fake book, over real sockets.

The league page is read by headless Debian Chromium: without it these tests skip
locally and fail under CI (CI=true) with a clear message.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from typing import Any

import pytest

from oddswatch.errors import AuthError, TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import OddsUpdate, Snapshot
from oddswatch.settings import Settings
from oddswatch.teams import canonical_team_key
from providers.base import providers
from providers.draftkings import DraftKings, DraftKingsSettings, parse
from providers.draftkings.client import Token
from providers.scraping import window
from simulator import SimConfig, SimHandle, run_in_thread
from tests.providers.simtools import need_chromium, sim_call
from tests.waiting import wait_for_async

pytestmark = pytest.mark.timeout(90)
TZ = "America/New_York"
LINES = {"nba": 4.5, "nhl": 1.5}  # a spread line to move to: points, or the puck line


@pytest.fixture
def sim() -> Iterator[SimHandle]:
    config = SimConfig(
        port=0, leagues=("nba", "nhl"), games_per_league=4, live_games=2, frozen=True, timezone=TZ
    )
    with run_in_thread(config) as handle:
        yield handle


def dk_settings(handle: SimHandle, **dk: Any) -> Settings:
    settings = Settings(_env_file=None, mode="demo", simulator_url=handle.url, timezone=TZ)  # type: ignore[call-arg]
    group = settings.group("draftkings", DraftKingsSettings)
    return settings.with_group("draftkings", group.model_copy(update=dk))


async def with_provider(settings: Settings, job: Any) -> Any:
    provider = DraftKings.from_settings(settings)
    try:
        async with asyncio.timeout(60):
            return await job(provider)
    finally:
        await provider.aclose()


def test_registered_under_its_name() -> None:
    assert providers.get("draftkings") is DraftKings


@pytest.mark.parametrize("league", ["nba", "nhl"])
def test_scrape_returns_the_sims_games_with_prices(sim: SimHandle, league: str) -> None:
    settings = dk_settings(sim)
    need_chromium(settings)
    snapshot: Snapshot = asyncio.run(with_provider(settings, lambda p: p.scrape(league)))
    state = sim_call(sim, "GET", "state")
    low, high = window(settings, league, datetime.now().astimezone())
    games = {
        g["event_id"]: g
        for g in state["games"]
        if g["league"] == league
        and g["status"] != "final"
        and low <= datetime.fromisoformat(g["starts_at"]) < high
    }
    assert games, "the simulator laid out no game for today"
    assert [e.event_id for e in snapshot.events] == sorted(
        games, key=lambda i: (games[i]["starts_at"], i)
    )
    for event in snapshot.events:
        game, spelled = games[event.event_id], games[event.event_id]["books"]["draftkings"]
        assert (event.home.name, event.away.name) == (spelled["home"], spelled["away"])
        assert event.home.key == canonical_team_key(league, spelled["home"]) is not None
        assert event.away.key == canonical_team_key(league, spelled["away"]) is not None
        assert event.starts_at == datetime.fromisoformat(game["starts_at"])
        expected = {
            s["selection_id"]: (s["market"], s["side"], s["line"], s["american"])
            for s in game["selections"]
        }
        got = {
            s.selection_id: (s.market.value, s.side.value, s.line, s.price_american)
            for s in snapshot.selections_for(event.event_id)
        }
        assert got == expected
    assert [e.starts_at for e in snapshot.events] == sorted(e.starts_at for e in snapshot.events)


async def first_game(handle: SimHandle, league: str = "nba") -> dict[str, Any]:
    state = await asyncio.to_thread(sim_call, handle, "GET", "state")
    return next(g for g in state["games"] if g["league"] == league and g["status"] == "live")


async def wait_subscribed(handle: SimHandle, event_id: str) -> None:
    async def subscribed() -> bool:
        state = await asyncio.to_thread(sim_call, handle, "GET", "state")
        return any(g["event_id"] == event_id and g["subscribers"] for g in state["games"])

    await wait_for_async(subscribed, 15, "the subscription", every_s=0.05)


async def until(batches: AsyncIterator[list[OddsUpdate]], wanted: Any) -> OddsUpdate:
    async for batch in batches:
        for update in batch:
            if wanted(update):
                return update
    raise AssertionError("session ended before the update arrived")


@pytest.mark.parametrize("league", ["nba", "nhl"])
def test_stream_session_receives_a_move(
    sim: SimHandle, caplog: pytest.LogCaptureFixture, league: str
) -> None:
    settings = dk_settings(sim)

    async def job(provider: DraftKings) -> tuple[OddsUpdate, int, StreamStats, str]:
        game = await first_game(sim, league)
        event, selections = await _event_and_selections(provider, game)
        stats = StreamStats()
        session = provider.stream(event, selections, stats).session()
        try:
            first = await anext(session)  # the subscribe ack
            assert first == []
            await wait_subscribed(sim, event.event_id)
            spread = next(s for s in game["selections"] if s["market"] == "spread")
            price = 135 if spread["american"] != 135 else 140
            move = {
                "event_id": event.event_id,
                "selection_id": spread["selection_id"],
                "american": price,
                "line": LINES[league],
            }
            await asyncio.to_thread(sim_call, sim, "POST", "move", move)
            update = await until(session, lambda u: u.selection_id == spread["selection_id"])
        finally:
            await session.aclose()
        token = await provider.client.token()
        return update, price, stats, token

    with caplog.at_level(logging.DEBUG):
        update, price, stats, token = asyncio.run(with_provider(settings, job))
    assert (update.market.value, update.line, update.price_american) == (
        "spread",
        LINES[league],
        price,
    )
    assert update.league == league
    assert update.source_ts is not None and update.seq == 1
    assert stats.frames >= 2 and (stats.parse_errors, stats.drift, stats.skipped) == (0, 0, 0)
    ours = [r for r in caplog.records if not r.name.startswith(("websockets.server", "simulator"))]
    leaked = [r for r in ours if token in str(r.__dict__)]
    assert not leaked, "the token appeared in a log record"


async def _event_and_selections(provider: DraftKings, game: dict[str, Any]) -> tuple[Any, Any]:
    """The game's Event and Selections as a scrape would give them, without the browser."""
    page = await provider.client.event_page(
        f"{provider.settings.group('draftkings', DraftKingsSettings).site_url}"
        f"/event/x-%40-y/{game['event_id']}"
    )
    now = datetime.now().astimezone()
    start = parse.start_from_event_page(page, now, provider.settings.tz)
    ref = parse.EventRef(game["event_id"], "")
    found = parse.parse_categories(
        await provider.client.categories(game["event_id"]), ref, game["league"], start, now
    )
    return found.event, found.selections


def test_faults_are_counted_and_the_session_goes_on(sim: SimHandle) -> None:
    settings = dk_settings(sim)

    async def job(provider: DraftKings) -> StreamStats:
        game = await first_game(sim)
        event, selections = await _event_and_selections(provider, game)
        stats = StreamStats()
        session = provider.stream(event, selections, stats).session()
        try:
            await anext(session)
            await wait_subscribed(sim, event.event_id)
            for action in (
                {"action": "malformed"},
                {"action": "text"},
                {"action": "schema", "count": 1},
            ):
                await asyncio.to_thread(sim_call, sim, "POST", "misbehave", action)
            moved = game["selections"][0]
            move = {
                "event_id": event.event_id,
                "selection_id": moved["selection_id"],
                "american": -150,
            }
            await asyncio.to_thread(sim_call, sim, "POST", "move", move)
            update = await until(session, lambda u: u.selection_id == moved["selection_id"])
            assert update.price_american == -150
            await asyncio.to_thread(sim_call, sim, "POST", "misbehave", {"action": "drop"})
            with pytest.raises(TransportError):
                await until(session, lambda u: False)
        finally:
            await session.aclose()
        return stats

    stats = asyncio.run(with_provider(settings, job))
    assert (stats.parse_errors, stats.drift, stats.updates) == (2, 1, 1)


def test_refused_token_raises_auth_error_and_is_dropped(sim: SimHandle) -> None:
    # A negative margin makes the client keep its token past expiry, so the book refuses it.
    settings = dk_settings(sim, token_refresh_margin_s=-3600.0)

    async def job(provider: DraftKings) -> list[OddsUpdate]:
        game = await first_game(sim)
        event, selections = await _event_and_selections(provider, game)
        provider.client._token = _expired_token()  # the cache is the unit here
        stream = provider.stream(event, selections, StreamStats())
        with pytest.raises(AuthError) as refused:
            async for _ in stream.session():
                pass
        assert "eyJ" not in str(refused.value)
        assert provider.client._token is None
        session = stream.session()  # a fresh token is fetched and accepted
        try:
            return await anext(session)
        finally:
            await session.aclose()

    assert asyncio.run(with_provider(settings, job)) == []


def _expired_token() -> Token:
    header, claims = "eyJhbGciOiJIUzI1NiJ9", "eyJleHAiOjF9"  # {"exp": 1}
    return Token(f"{header}.{claims}.c2ln", time.time() - 5)  # expired 5 s ago


def test_browser_token_source(sim: SimHandle) -> None:
    settings = dk_settings(sim, token_source="browser")
    need_chromium(settings)

    async def job(provider: DraftKings) -> str:
        return await provider.client.token()

    token = asyncio.run(with_provider(settings, job))
    assert token.count(".") == 2
    stats = sim_call(sim, "GET", "stats")
    assert stats["tokens_issued"] >= 1
