"""A frozen simulator over real sockets for the Bovada provider tests (fast heartbeats)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from bv_helpers import HEARTBEAT_S, TZ

from simulator import SimConfig, SimHandle, run_in_thread
from simulator.bovada import BovadaBook


@pytest.fixture
def sim(monkeypatch: pytest.MonkeyPatch) -> Iterator[SimHandle]:
    monkeypatch.setattr(BovadaBook, "heartbeat_s", HEARTBEAT_S)
    config = SimConfig(port=0, leagues=("nba", "mlb", "nhl"), games_per_league=4, live_games=2,
                       frozen=True, timezone=TZ)  # fmt: skip
    with run_in_thread(config) as handle:
        yield handle
