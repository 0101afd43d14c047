"""Shared helpers of the BetMGM tests: payload builders and the fake book's control."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

from oddswatch.model import Event, OddsUpdate, Selection, utcnow
from oddswatch.settings import Settings
from providers.betmgm import BetMGM, BetMGMSettings, parse
from simulator import SimConfig, SimHandle
from simulator.betmgm.book import BetMGMBook
from tests.providers.simtools import sim_call

TZ = "America/New_York"
FID = "16012345"

# -- payloads -----------------------------------------------------------------------------


def option(oid: int, name: str, price: dict[str, Any], **more: Any) -> dict[str, Any]:
    return {"id": oid, "name": {"value": name}, "status": "Visible", "price": price, **more}


def market(mid: int, name: str, kind: str, options: list[Any], **more: Any) -> dict[str, Any]:
    params = [{"key": "MarketType", "value": kind}, {"key": "Period", "value": "RegularTime"}]
    body = {"id": mid, "name": {"value": name}, "status": "Visible", "isMain": True}
    return body | {"parameters": params, "options": options} | more


def payload() -> dict[str, Any]:
    """Away listed first everywhere: sides must come from the markers, not the order."""
    participants = [
        {"participantId": 11, "name": {"value": "BOS Celtics"}, "properties": {"type": "AwayTeam"}},
        {"participantId": 22, "name": {"value": "NY Knicks"}, "properties": {"type": "HomeTeam"}},
    ]
    moneyline = market(
        501,
        "Money Line",
        "2way",
        [
            option(1, "BOS Celtics", {"americanOdds": 150, "odds": 2.5}, participantId=11),
            option(2, "NY Knicks", {"americanOdds": -180, "odds": 1.56}, participantId=22),
        ],
    )
    spread = market(
        502,
        "Spread",
        "Handicap",
        [
            option(3, "BOS Celtics +6.5", {"americanOdds": 100, "odds": 2.0}, participantId=11,
                   attr="+6.5"),
            option(4, "NY Knicks −6.5", {"americanOdds": -120, "odds": 1.83}, participantId=22,
                   attr="\u22126.5"),
        ],
    )  # fmt: skip
    total = market(
        503,
        "Totals",
        "Over/Under",
        [
            option(5, "Over 221.5", {"americanOdds": -110, "odds": 1.91}, totalsPrefix="Over",
                   attr="221.5"),
            option(6, "Under 221.5", {"odds": 1.87}, totalsPrefix="Under", attr="221.5"),
        ],
    )  # fmt: skip
    first_half = market(504, "1st Half Spread", "Handicap", [option(7, "x", {"odds": 1.9})])
    first_half["parameters"][1]["value"] = "1stHalf"
    alternate = market(505, "Alt Spread", "Handicap", [option(8, "y", {"odds": 1.9})], isMain=False)
    props = market(506, "Player Points", "PlayerProps", [option(9, "z", {"odds": 1.9})])
    fixture = {
        "id": FID,
        "name": {"value": "BOS Celtics at NY Knicks"},
        "stage": "PreMatch",
        "startDate": "2026-11-22T00:30:00Z",
        "participants": participants,
        "optionMarkets": [moneyline, spread, total, first_half, alternate, props],
    }
    return {"fixtures": [{"id": "99999999", "optionMarkets": []}, fixture]}


# -- the fake book ------------------------------------------------------------------------


def sim_config(**more: Any) -> SimConfig:
    base: dict[str, Any] = {
        "port": 0, "leagues": ("nba",), "games_per_league": 4, "live_games": 2,
        "frozen": True, "timezone": TZ,
    }  # fmt: skip
    return SimConfig(**(base | more))


def mgm_settings(handle: SimHandle, **mgm: Any) -> Settings:
    settings = Settings(_env_file=None, mode="demo", simulator_url=handle.url, timezone=TZ)  # type: ignore[call-arg]
    group = settings.group("betmgm", BetMGMSettings)
    return settings.with_group("betmgm", group.model_copy(update={"poll_interval_s": 0.05} | mgm))


async def sim_async(handle: SimHandle, method: str, path: str, body: Any = None) -> Any:
    return await asyncio.to_thread(sim_call, handle, method, path, body)


def book(handle: SimHandle) -> BetMGMBook:
    found = handle.simulator.books["betmgm"]
    assert isinstance(found, BetMGMBook)
    return found


def live_game(handle: SimHandle, league: str = "nba") -> dict[str, Any]:
    state = sim_call(handle, "GET", "state")
    return next(g for g in state["games"] if g["league"] == league and g["status"] == "live")


async def fixture_of(provider: BetMGM, game: dict[str, Any]) -> tuple[Event, list[Selection]]:
    """A game's Event and Selections as a scrape gives them, read without the browser."""
    fixture_id, client = game["books"]["betmgm"]["event_id"], provider.client
    access_id = await client.access_id(client.league_url(game["league"]))
    response = await client.fixture_view(fixture_id, access_id)
    view = parse.read_fixture_view(parse.decode_body(response.content), fixture_id)
    assert view is not None
    event = parse.event_from_view(view, parse.EventRef(fixture_id, ""), game["league"], utcnow())
    return event, parse.selections_from_view(view, event)[0]


async def polls(session: AsyncIterator[list[OddsUpdate]], count: int) -> list[OddsUpdate]:
    """The updates of the next `count` polls."""
    return [u for _ in range(count) for u in await anext(session)]


async def with_provider(settings: Settings, job: Any) -> Any:
    provider = BetMGM.from_settings(settings)
    try:
        async with asyncio.timeout(60):
            return await job(provider)
    finally:
        await provider.aclose()
