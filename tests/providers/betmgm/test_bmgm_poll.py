"""The BetMGM poll loop end to end against the fake book, over real sockets (no browser):
scripted moves, faults, and the access id's life."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterator
from typing import Any

import pytest
from bmgm_helpers import (
    book,
    fixture_of,
    live_game,
    mgm_settings,
    polls,
    sim_async,
    sim_config,
    with_provider,
)

from oddswatch.changes import ChangeFilter
from oddswatch.errors import AuthError, TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import Market, OddsUpdate, PriceStatus, Side
from oddswatch.odds import american_to_decimal
from providers.betmgm import BetMGM
from simulator import SimHandle, run_in_thread
from tests.providers.simtools import changed

pytestmark = pytest.mark.timeout(60)


@pytest.fixture
def sim() -> Iterator[SimHandle]:
    with run_in_thread(sim_config(leagues=("nba", "nhl"))) as handle:
        yield handle


def seen(u: OddsUpdate) -> tuple[Any, ...]:
    return (u.market, u.side, u.line, u.price_american, u.price_decimal, u.status)


def move(game: dict[str, Any], market: str, side: str, american: int, line: float | None = None):  # type: ignore[no-untyped-def]
    body = {"event_id": game["event_id"], "market": market, "side": side, "american": american}
    return body | ({} if line is None else {"line": line})


def test_scripted_moves_come_out_exactly_once(sim: SimHandle) -> None:
    game = live_game(sim)
    ids = game["books"]["betmgm"]["selections"]

    async def job(provider: BetMGM) -> tuple[list[list[OddsUpdate]], StreamStats]:
        event, selections = await fixture_of(provider, game)
        stats = StreamStats()
        session = changed(
            provider.stream(event, selections, stats).session(), ChangeFilter(selections)
        )
        moves = [
            move(game, "spread", "home", -125, -7.5),
            move(game, "total", "under", 105, 230.5),
            move(game, "moneyline", "away", 180),
            move(game, "moneyline", "away", 180),  # unchanged: nothing comes out
        ]
        try:
            got = [await polls(session, 2)]  # seeded from the fixture: nothing new
            for body in moves:
                await sim_async(sim, "POST", "move", body)
                got.append(await polls(session, 3))
        finally:
            await session.aclose()
        return got, stats

    got, stats = asyncio.run(with_provider(mgm_settings(sim), job))
    assert got[0] == [] and got[4] == []
    sid = {(s["market"], s["side"]): ids[s["selection_id"]] for s in game["selections"]}
    assert [[(u.selection_id, *seen(u)) for u in batch] for batch in got[1:4]] == [
        [(sid["spread", "home"], Market.SPREAD, Side.HOME, -7.5, -125, 1.8, PriceStatus.OPEN)],
        [(sid["total", "under"], Market.TOTAL, Side.UNDER, 230.5, 105, 2.05, PriceStatus.OPEN)],
        [(sid["moneyline", "away"], Market.MONEYLINE, Side.AWAY, None, 180, 2.8, PriceStatus.OPEN)],
    ]
    seqs = [u.seq for batch in got for u in batch]  # per run, over every price read
    assert seqs == sorted(set(seqs))
    assert all(u.source_ts is not None and u.market_id for batch in got for u in batch)
    assert (stats.frames, stats.parse_errors, stats.drift, stats.bugs) == (14, 0, 0, 0)


def test_nhl_puck_line_and_total_goals_moves_come_out_once(sim: SimHandle) -> None:
    game = live_game(sim, "nhl")
    moves = [move(game, "spread", "away", 170, 1.5), move(game, "total", "over", -125, 6.5)]

    async def job(provider: BetMGM) -> tuple[list[list[OddsUpdate]], StreamStats]:
        event, selections = await fixture_of(provider, game)
        stats = StreamStats()
        session = changed(
            provider.stream(event, selections, stats).session(), ChangeFilter(selections)
        )
        try:
            got = [await polls(session, 2)]
            for body in moves:
                await sim_async(sim, "POST", "move", body)
                got.append(await polls(session, 3))
        finally:
            await session.aclose()
        return got, stats

    got, stats = asyncio.run(with_provider(mgm_settings(sim), job))
    assert [[(u.league, *seen(u)[:4]) for u in batch] for batch in got] == [
        [],
        [("nhl", Market.SPREAD, Side.AWAY, 1.5, 170)],
        [("nhl", Market.TOTAL, Side.OVER, 6.5, -125)],
    ]
    assert (stats.parse_errors, stats.drift, stats.skipped) == (0, 0, 0)


def test_prices_stated_only_in_decimal_are_converted(sim: SimHandle) -> None:
    game = live_game(sim)
    book(sim).odds_format = "decimal"
    home_ml = [s for s in game["selections"] if (s["market"], s["side"]) == ("moneyline", "home")]
    now = home_ml[0]["american"]
    target, stated = (-110, 1.91) if now != -110 else (-105, 1.95)

    async def job(provider: BetMGM) -> tuple[list[Any], list[OddsUpdate]]:
        event, selections = await fixture_of(provider, game)
        session = changed(
            provider.stream(event, selections, StreamStats()).session(), ChangeFilter(selections)
        )
        try:
            await polls(session, 1)
            await sim_async(sim, "POST", "move", move(game, "moneyline", "home", target))
            return selections, await polls(session, 2)
        finally:
            await session.aclose()

    selections, updates = asyncio.run(with_provider(mgm_settings(sim), job))
    assert [(u.market, u.side, u.price_american, u.price_decimal) for u in updates] == [
        (Market.MONEYLINE, Side.HOME, target, stated)  # the stated 1.91, not 1.9091
    ]
    shown = {round(american_to_decimal(s["american"]), 2) for s in game["selections"]}
    assert {s.price_decimal for s in selections} == shown


def test_a_drop_ends_the_session_and_the_next_one_resumes(sim: SimHandle) -> None:
    game = live_game(sim)

    async def job(provider: BetMGM) -> list[OddsUpdate]:
        event, selections = await fixture_of(provider, game)
        stream = provider.stream(event, selections, StreamStats())
        changes = ChangeFilter(selections)
        session = changed(stream.session(), changes)
        await polls(session, 1)
        await sim_async(sim, "POST", "misbehave", {"action": "drop", "book": "betmgm"})
        with pytest.raises(TransportError) as dropped:
            await polls(session, 1)
        assert "x-bwin-accessid" not in str(dropped.value)
        await sim_async(sim, "POST", "move", move(game, "spread", "away", 120, 3.5))
        session = changed(stream.session(), changes)  # the stream keeps its state across sessions
        try:
            return await polls(session, 3)
        finally:
            await session.aclose()

    updates = asyncio.run(with_provider(mgm_settings(sim), job))
    assert [(u.market, u.side, u.line, u.price_american) for u in updates] == [
        (Market.SPREAD, Side.AWAY, 3.5, 120)
    ]


def test_faults_are_counted_and_the_session_goes_on(sim: SimHandle) -> None:
    game = live_game(sim)

    async def job(provider: BetMGM) -> tuple[list[list[OddsUpdate]], StreamStats]:
        event, selections = await fixture_of(provider, game)
        stats = StreamStats()
        session = changed(
            provider.stream(event, selections, stats).session(), ChangeFilter(selections)
        )
        try:
            await polls(session, 1)
            for action in ("malformed", "text", "schema"):
                body = {"action": action, "count": 1, "event_id": game["event_id"]}
                await sim_async(sim, "POST", "misbehave", body)
            await sim_async(sim, "POST", "move", move(game, "moneyline", "home", -150))
            return [await anext(session) for _ in range(5)], stats
        finally:
            await session.aclose()

    batches, stats = asyncio.run(with_provider(mgm_settings(sim), job))
    # Poll 1 is not JSON, poll 2 an HTML page; poll 3 is drifted but still read.
    assert [[seen(u)[:4] for u in batch] for batch in batches] == [
        [], [], [(Market.MONEYLINE, Side.HOME, None, -150)], [], []
    ]  # fmt: skip
    assert stats.parse_errors == 2 and stats.drift > 0  # drift: once per drifted field read
    assert stats.bugs == stats.invalid_values == 0


def test_a_stall_holds_the_feed_then_the_move_comes_out(sim: SimHandle) -> None:
    game = live_game(sim)

    async def job(provider: BetMGM) -> tuple[float, list[OddsUpdate]]:
        event, selections = await fixture_of(provider, game)
        session = changed(
            provider.stream(event, selections, StreamStats()).session(), ChangeFilter(selections)
        )
        try:
            await polls(session, 1)
            stall = {"action": "stall", "seconds": 0.6, "book": "betmgm"}
            await sim_async(sim, "POST", "misbehave", stall)
            started = time.monotonic()
            await sim_async(sim, "POST", "move", move(game, "total", "over", -130))
            while not (updates := await anext(session)):
                pass
            return time.monotonic() - started, updates
        finally:
            await session.aclose()

    waited_s, updates = asyncio.run(with_provider(mgm_settings(sim), job))
    assert waited_s >= 0.5
    assert [seen(u)[:4] for u in updates] == [(Market.TOTAL, Side.OVER, updates[0].line, -130)]


def test_access_id_is_refreshed_on_refusal_and_never_logged(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with run_in_thread(sim_config(token_ttl_s=0.3)) as sim:  # the book's ids expire fast
        game = live_game(sim)

        async def job(provider: BetMGM) -> tuple[list[OddsUpdate], list[str]]:
            event, selections = await fixture_of(provider, game)
            session = changed(
                provider.stream(event, selections, StreamStats()).session(),
                ChangeFilter(selections),
            )
            ids = [await provider.client.access_id("")]
            try:
                await polls(session, 1)
                await asyncio.sleep(0.4)  # the cached id is now refused: re-read, retried
                await sim_async(sim, "POST", "move", move(game, "spread", "home", 140))
                updates = await polls(session, 1)
                ids.append(await provider.client.access_id(""))
                return updates, ids
            finally:
                await session.aclose()

        with caplog.at_level(logging.DEBUG):
            updates, ids = asyncio.run(with_provider(mgm_settings(sim), job))
        stats = book(sim).stats()
    assert [u.price_american for u in updates] == [140]
    assert ids[0] != ids[1] and stats["auth_failures"] >= 1 and stats["access_ids_issued"] >= 2
    ours = [r for r in caplog.records if not r.name.startswith(("websockets", "simulator"))]
    assert any("x-bwin-accessid=***" in r.getMessage() for r in ours)  # httpx's line, masked
    leaked = [r for r in ours for i in ids if i in f"{r.getMessage()} {r.__dict__}"]
    assert not leaked, "the access id appeared in a log record"


def test_access_id_is_re_read_after_its_ttl(sim: SimHandle) -> None:
    game = live_game(sim)

    async def job(provider: BetMGM) -> None:
        event, selections = await fixture_of(provider, game)
        session = changed(
            provider.stream(event, selections, StreamStats()).session(), ChangeFilter(selections)
        )
        try:
            await polls(session, 8)  # 8 polls, 50 ms apart, ids kept 100 ms
        finally:
            await session.aclose()

    asyncio.run(with_provider(mgm_settings(sim, access_id_ttl_s=0.1), job))
    stats = book(sim).stats()
    assert stats["access_ids_issued"] >= 3 and stats["auth_failures"] == 0


def test_an_id_refused_twice_raises_auth_error(sim: SimHandle) -> None:
    game = live_game(sim)

    async def job(provider: BetMGM) -> None:
        event, selections = await fixture_of(provider, game)
        book(sim).access_ids.ttl_s = -1.0  # every id the book issues from now on is stale
        with pytest.raises(AuthError) as refused:
            await polls(
                changed(
                    provider.stream(event, selections, StreamStats()).session(),
                    ChangeFilter(selections),
                ),
                2,
            )
        assert "x-bwin-accessid" not in str(refused.value)

    asyncio.run(with_provider(mgm_settings(sim, access_id_ttl_s=0.0), job))
    assert book(sim).stats()["auth_failures"] >= 2
