"""The simulator's one configuration object, built by tests and by the CLI."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from simulator.leagues import LEAGUES


def _default_durations() -> dict[str, float]:
    return {name: league.duration_s for name, league in LEAGUES.items()}


@dataclass(slots=True)
class SimConfig:
    """What the fake books serve and how the market behaves.

    Counts are per league. Times are UTC; `now` (None: the wall clock at build time) is
    the moment the simulated day is laid out around: `live_games` games per league started
    0-60 min before it, the rest start later that day (in `timezone`).
    """

    host: str = "127.0.0.1"
    port: int = 8700  # 0: an ephemeral port (tests)
    seed: int = 1
    leagues: tuple[str, ...] = ("nba", "nfl", "mlb", "nhl")
    games_per_league: int = 8
    live_games: int = 3
    updates_per_s: float = 1.0  # price ticks per second per game
    speed: float = 1.0  # how fast the game clock runs against the wall clock
    token_ttl_s: float = 120.0
    repeat_probability: float = 0.02  # chance per tick to re-send an unchanged price
    frozen: bool = False  # no random price moves, suspensions or repeats
    now: datetime | None = None
    timezone: str = "America/New_York"
    game_duration_s: dict[str, float] = field(default_factory=_default_durations)
    suspend_every_s: float = 1800.0  # mean game-clock seconds between suspensions; 0: never
    suspend_s: tuple[float, float] = (10.0, 40.0)  # how long a suspension lasts
    poison_rate: float = 0.0  # share of records every book poisons from the start (0: off)

    def __post_init__(self) -> None:
        unknown = [name for name in self.leagues if name not in LEAGUES]
        if unknown:
            raise ValueError(f"unknown leagues: {unknown}; known: {sorted(LEAGUES)}")
        if self.live_games > self.games_per_league:
            raise ValueError("live_games cannot exceed games_per_league")
        if self.speed <= 0 or self.updates_per_s < 0:
            raise ValueError("speed must be > 0 and updates_per_s >= 0")
        if not 0.0 <= self.poison_rate <= 1.0:
            raise ValueError("poison_rate must be between 0 and 1")
