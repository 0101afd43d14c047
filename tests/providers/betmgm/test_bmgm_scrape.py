"""The BetMGM scrape end to end against the fake book, over real sockets, in Chromium.

Without Chromium at `chromium_path` these tests skip locally and fail under CI (CI=true).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from bmgm_helpers import book, mgm_settings, sim_call, sim_config, with_provider

from oddswatch.model import Snapshot
from oddswatch.teams import canonical_team_key
from providers.base import providers
from providers.betmgm import BetMGM
from providers.scraping import window
from simulator import SimHandle, run_in_thread
from tests.providers.simtools import need_chromium

pytestmark = pytest.mark.timeout(90)


@pytest.fixture
def sim() -> Iterator[SimHandle]:
    with run_in_thread(sim_config(leagues=("nba", "nhl"))) as handle:
        yield handle


def test_registered_under_its_name() -> None:
    assert providers.get("betmgm") is BetMGM


def league_games(sim: SimHandle, league: str) -> list[dict[str, Any]]:
    return [g for g in sim_call(sim, "GET", "state")["games"] if g["league"] == league]


def expected_games(
    sim: SimHandle, league: str, low: datetime, high: datetime
) -> dict[str, dict[str, Any]]:
    """The simulator's games of the league in today's window, by BetMGM fixture id."""
    return {
        g["books"]["betmgm"]["event_id"]: g
        for g in league_games(sim, league)
        if g["status"] != "final" and low <= datetime.fromisoformat(g["starts_at"]) < high
    }


@pytest.mark.parametrize("league", ["nba", "nhl"])
def test_scrape_returns_the_sims_games_with_prices(
    sim: SimHandle, caplog: pytest.LogCaptureFixture, league: str
) -> None:
    settings = mgm_settings(sim)
    need_chromium(settings)
    final = league_games(sim, league)[-1]
    sim_call(sim, "POST", "status", {"event_id": final["event_id"], "status": "final"})
    with caplog.at_level(logging.INFO):
        snapshot: Snapshot = asyncio.run(with_provider(settings, lambda p: p.scrape(league)))
    low, high = window(settings, league, datetime.now().astimezone())
    games = expected_games(sim, league, low, high)
    assert len(games) == 3, "the simulator laid out fewer games for today than expected"
    assert sorted(snapshot.listed) == sorted(games)  # the final game is not linked
    assert [e.event_id for e in snapshot.events] == sorted(
        games, key=lambda i: (games[i]["starts_at"], i)
    )
    for event in snapshot.events:
        game, spelled = games[event.event_id], games[event.event_id]["books"]["betmgm"]
        assert (event.home.name, event.away.name) == (spelled["home"], spelled["away"])
        assert event.home.key == canonical_team_key(league, spelled["home"]) is not None
        assert event.away.key == canonical_team_key(league, spelled["away"]) is not None
        assert event.starts_at == datetime.fromisoformat(game["starts_at"])
        assert event.starts_at.utcoffset() == timedelta(0)
        assert event.url.endswith(game["books"]["betmgm"]["url"])
        assert event.status.value == game["status"]
        ids = game["books"]["betmgm"]["selections"]
        expected = {
            ids[s["selection_id"]]: (s["market"], s["side"], s["line"], s["american"])
            for s in game["selections"]
        }
        got = {
            s.selection_id: (s.market.value, s.side.value, s.line, s.price_american)
            for s in snapshot.selections_for(event.event_id)
        }
        assert got == expected
        markets = game["books"]["betmgm"]["markets"]
        for s in snapshot.selections_for(event.event_id):
            assert s.market_id == markets[s.market.value]
    stats = book(sim).stats()
    assert stats["api_requests"] == len(snapshot.listed)  # one capture per event page
    assert not any("x-bwin-accessid=" in r.getMessage() for r in caplog.records)


def test_an_unreadable_event_is_skipped_but_still_listed(sim: SimHandle) -> None:
    settings = mgm_settings(sim)
    need_chromium(settings)
    state = league_games(sim, "nba")
    broken = state[0]
    fault = {"action": "text", "book": "betmgm", "event_id": broken["event_id"], "count": 1}
    sim_call(sim, "POST", "misbehave", fault)  # its page's request gets an HTML error page
    snapshot: Snapshot = asyncio.run(with_provider(settings, lambda p: p.scrape("nba")))
    broken_id = broken["books"]["betmgm"]["event_id"]
    assert broken_id in snapshot.listed and len(snapshot.listed) == len(state)
    assert broken_id not in {e.event_id for e in snapshot.events}
    assert len(snapshot.events) == len(state) - 1
    assert book(sim).stats()["faults_served"] == 1
