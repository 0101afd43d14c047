"""Fixtures for the simulator's tests: a frozen simulator over real sockets, an HTTP
client, and a msgpack websocket subscriber speaking the DraftKings wire contract."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from sim_helpers import TOKEN_PATH, open_ws, recv, subscribe_message
from websockets.sync.client import ClientConnection

from simulator.config import SimConfig
from simulator.server import SimHandle, run_in_thread


@pytest.fixture
def sim() -> Iterator[SimHandle]:
    """Frozen (scripted), no random repeats; ticks fast so stalls resolve quickly."""
    config = SimConfig(
        port=0, seed=7, games_per_league=4, live_games=2, updates_per_s=20.0,
        repeat_probability=0.0, frozen=True,
    )  # fmt: skip
    handle = run_in_thread(config)
    yield handle
    handle.stop()


@pytest.fixture
def http(sim: SimHandle) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sim.url, timeout=5) as client:
        yield client


@pytest.fixture
def live_game(http: httpx.Client) -> dict[str, Any]:
    games = http.get("/_sim/state").json()["games"]
    return next(g for g in games if g["league"] == "nba" and g["status"] == "live")


@pytest.fixture
def subscribed(
    sim: SimHandle, http: httpx.Client, live_game: dict[str, Any]
) -> Iterator[ClientConnection]:
    """A websocket subscribed (and acknowledged) to `live_game`."""
    token = http.get(TOKEN_PATH).json()["token"]
    with open_ws(sim.url) as ws:
        ws.send(subscribe_message(live_game["event_id"], token))
        assert "result" in recv(ws)
        yield ws
