"""Lay out a day of games per league, deterministically from the seed.

`live_games` games per league started 0-60 min before `now` (never before local
midnight), the others start later the same local day, spread evenly and on the
five minutes. Teams are paired at random; past half the league they pair again.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, time, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from simulator.config import SimConfig
from simulator.game import Game, new_game
from simulator.leagues import LEAGUES

EVENT_IDS = (30_000_000, 40_000_000)  # 8-digit numeric event ids
FIRST_START = timedelta(minutes=10)  # earliest start of a scheduled game after now
LAST_START = timedelta(minutes=5)  # latest start before local midnight
GRID = timedelta(minutes=5)
T = TypeVar("T")


def build_day(config: SimConfig, now: datetime) -> list[Game]:
    rng = random.Random(config.seed)
    count = config.games_per_league * len(config.leagues)
    event_ids = [str(n) for n in rng.sample(range(*EVENT_IDS), count)]
    games: list[Game] = []
    for league in config.leagues:
        pairs = pairings(LEAGUES[league].teams, config.games_per_league, rng)
        starts = start_times(config, now, rng)
        duration = timedelta(seconds=config.game_duration_s[league])
        for pair, start in zip(pairs, starts, strict=True):
            game_rng = random.Random(rng.getrandbits(64))
            times = (start, start + duration)
            games.append(new_game(league, event_ids.pop(0), pair, times, game_rng))
    return games


def pairings(teams: tuple[T, ...], count: int, rng: random.Random) -> list[tuple[T, T]]:
    """`count` (away, home) pairs; a team plays at most once per round of pairings."""
    pairs: list[tuple[T, T]] = []
    while len(pairs) < count:
        shuffled = list(teams)
        rng.shuffle(shuffled)
        pairs.extend(zip(shuffled[0::2], shuffled[1::2], strict=False))
    return pairs[:count]


def start_times(config: SimConfig, now: datetime, rng: random.Random) -> list[datetime]:
    midnight, next_midnight = _local_day(now, ZoneInfo(config.timezone))
    live = []
    for _ in range(config.live_games):
        ago = timedelta(seconds=rng.uniform(0, 3600))
        live.append(max(midnight, (now - ago).replace(second=0, microsecond=0)))
    later = config.games_per_league - config.live_games
    low = _ceil(now + FIRST_START)
    high = max(low, next_midnight - LAST_START)
    step = (high - low) / max(1, later - 1)
    scheduled = [_floor(low + step * i) for i in range(later)]
    return sorted(live) + scheduled


def _local_day(now: datetime, tz: ZoneInfo) -> tuple[datetime, datetime]:
    day = now.astimezone(tz).date()
    start = datetime.combine(day, time(0), tzinfo=tz)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
    return start.astimezone(UTC), end.astimezone(UTC)


def _floor(t: datetime) -> datetime:
    return t - (t - datetime.min.replace(tzinfo=UTC)) % GRID


def _ceil(t: datetime) -> datetime:
    floored = _floor(t)
    return floored if floored == t else floored + GRID
