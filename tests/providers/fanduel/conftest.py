"""A frozen simulator over real sockets for the FanDuel provider tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fd_helpers import TZ

from simulator import SimConfig, SimHandle, run_in_thread


@pytest.fixture
def sim() -> Iterator[SimHandle]:
    config = SimConfig(
        port=0, leagues=("nba",), games_per_league=4, live_games=2, frozen=True, timezone=TZ
    )
    with run_in_thread(config) as handle:
        yield handle


@pytest.fixture
def sim_nhl() -> Iterator[SimHandle]:
    """As `sim`, with the NHL's games besides the NBA's."""
    config = SimConfig(
        port=0, leagues=("nba", "nhl"), games_per_league=4, live_games=2, frozen=True, timezone=TZ
    )
    with run_in_thread(config) as handle:
        yield handle
