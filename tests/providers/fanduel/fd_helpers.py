"""Helpers for the FanDuel tests: settings aimed at a simulator, control calls, and a
game's Event and Selections read from the fake book's event JSON without a browser."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from oddswatch.model import Event, OddsUpdate, Selection
from oddswatch.settings import Settings
from providers.fanduel import FanDuel, FanDuelSettings, parse
from simulator import SimHandle
from tests.providers.simtools import sim_call

TZ = "America/New_York"


def fd_settings(handle: SimHandle, **fd: Any) -> Settings:
    settings = Settings(_env_file=None, mode="demo", simulator_url=handle.url, timezone=TZ)  # type: ignore[call-arg]
    group = settings.group("fanduel", FanDuelSettings)
    return settings.with_group("fanduel", group.model_copy(update={"poll_interval_s": 0.05, **fd}))


async def acall(
    handle: SimHandle, method: str, path: str, body: dict[str, Any] | None = None
) -> Any:
    return await asyncio.to_thread(sim_call, handle, method, path, body)


async def with_provider(settings: Settings, job: Callable[[FanDuel], Any]) -> Any:
    provider = FanDuel.from_settings(settings)
    try:
        async with asyncio.timeout(60):
            return await job(provider)
    finally:
        await provider.aclose()


def live_game(handle: SimHandle, league: str = "nba") -> dict[str, Any]:
    state = sim_call(handle, "GET", "state")
    return next(g for g in state["games"] if g["league"] == league and g["status"] == "live")


def event_and_selections(handle: SimHandle, game: dict[str, Any]) -> tuple[Event, list[Selection]]:
    """The game as a scrape would read it, from the event JSON fetched over plain HTTP."""
    event_id = game["books"]["fanduel"]["event_id"]
    data = httpx.get(f"{handle.url}/api/event-page", params={"eventId": event_id}).json()
    ref = parse.EventRef(event_id, f"{handle.url}/basketball/nba/x-@-y-{event_id}")
    found = parse.parse_event(data, ref, game["league"], datetime.now(UTC))
    return found.event, list(found.selections)


async def polls(session: AsyncIterator[list[OddsUpdate]], count: int) -> list[OddsUpdate]:
    """The updates of the next `count` polls."""
    updates: list[OddsUpdate] = []
    for _ in range(count):
        updates += await anext(session)
    return updates


def fd_ids(game: dict[str, Any], model_selection_id: str) -> tuple[str, str]:
    """FanDuel's (market id, selection id) of one model selection."""
    books = game["books"]["fanduel"]
    model_market = next(
        s["market_id"] for s in game["selections"] if s["selection_id"] == model_selection_id
    )
    return books["markets"][model_market], books["selections"][model_selection_id]
