"""The market model: a day of games whose prices move and whose status follows a clock.

`Market.step(game)` is one tick of one game: the clock may start it, suspend it for a
little while, or end it; while it is open (scheduled or live) and the market is not
frozen, its prices take one random step. Books read the quotes and push the changes.
`move` and `set_status` are the scripted counterparts used by tests.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from oddswatch.model import EventStatus, utcnow
from simulator.config import SimConfig
from simulator.game import Game, Quote, reprice, walk
from simulator.schedule import build_day

logger = logging.getLogger(__name__)


class UnknownGame(LookupError):
    """No game or selection with that id."""


class SimClock:
    """Game time: starts at `start` and runs `speed` times as fast as the wall clock."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        self.start = start if start.tzinfo else start.replace(tzinfo=UTC)
        self.speed = speed
        self._t0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._t0) * self.speed)


class Market:
    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.clock = SimClock(config.now or utcnow(), config.speed)
        self.frozen = config.frozen
        self.games: dict[str, Game] = {
            game.event_id: game for game in build_day(config, self.clock.start)
        }
        for game in self.games.values():
            self.advance(game, self.clock.start)

    def league_games(self, league: str) -> list[Game]:
        return [game for game in self.games.values() if game.league == league]

    def game(self, event_id: str) -> Game:
        try:
            return self.games[event_id]
        except KeyError:
            raise UnknownGame(f"no game {event_id!r}") from None

    def quote(self, event_id: str, selection_id: str) -> Quote:
        try:
            return self.game(event_id).quotes[selection_id]
        except KeyError:
            raise UnknownGame(f"no selection {selection_id!r} in {event_id!r}") from None

    def step(self, game: Game, *, move_prices: bool = True) -> list[str]:
        """One tick of one game; returns the ids of the quotes that changed."""
        self.advance(game, self.clock.now())
        if self.frozen or not move_prices or not game.is_open:
            return []
        walk(game)
        return reprice(game)

    def advance(self, game: Game, now: datetime) -> None:
        """Apply the clock to a game's status (not to a game whose status was set by hand)."""
        elapsed_s = (now - (game.checked_at or now)).total_seconds()
        game.checked_at = now
        if game.pinned:
            return
        before = game.status
        if game.status is EventStatus.SCHEDULED and now >= game.starts_at:
            game.status = EventStatus.LIVE
        if game.status is EventStatus.SUSPENDED and now >= (game.suspended_until or now):
            game.status = EventStatus.LIVE
        if game.status in (EventStatus.LIVE, EventStatus.SUSPENDED) and now >= game.ends_at:
            game.status = EventStatus.FINAL
        if game.status is EventStatus.LIVE and self._suspends(game, elapsed_s):
            game.status = EventStatus.SUSPENDED
            game.suspended_until = now + timedelta(seconds=game.rng.uniform(*self.config.suspend_s))
        if game.status is not before:
            logger.info(
                "game status changed",
                extra={"event_id": game.event_id, "status": game.status.value},
            )

    def _suspends(self, game: Game, elapsed_s: float) -> bool:
        every_s = self.config.suspend_every_s
        if self.frozen or every_s <= 0 or elapsed_s <= 0:
            return False
        return game.rng.random() < elapsed_s / every_s

    def move(self, event_id: str, selection_id: str, american: int, line: float | None) -> Quote:
        """Set one quote exactly (it holds until the next random step of its game)."""
        quote = self.quote(event_id, selection_id)
        quote.american = american
        if line is not None:
            quote.line = line
        return quote

    def set_status(self, event_id: str, status: EventStatus) -> Game:
        """Set a game's status by hand; the clock leaves it alone from then on."""
        game = self.game(event_id)
        game.status, game.pinned, game.suspended_until = status, True, None
        return game

    def state(self) -> dict[str, Any]:
        return {
            "now": self.clock.now().isoformat(),
            "frozen": self.frozen,
            "games": [game_state(game) for game in self.games.values()],
        }


def game_state(game: Game) -> dict[str, Any]:
    return {
        "event_id": game.event_id,
        "league": game.league,
        "name": game.name,
        "home": game.home,
        "away": game.away,
        "home_full": game.home_full,
        "away_full": game.away_full,
        "status": game.status.value,
        "starts_at": game.starts_at.isoformat(),
        "ends_at": game.ends_at.isoformat(),
        "selections": [quote.to_dict() for quote in game.quotes.values()],
    }
