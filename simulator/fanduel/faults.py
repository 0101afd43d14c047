"""The faults in force on FanDuel's polling API (getMarketPrices), set by the control API.

Plain HTTP connections close after every response, so there is never an open connection
to cut; each fault acts on the replies to come:

* `drop`: the next `count` (default 1) requests get no response at all: the connection
  closes before a byte is sent.
* `malformed`: the next `count` (default 1) replies are a body that is not JSON.
* `text`: the next `count` (default 1) replies are an HTML error page with status 200.
* `schema`: the next `count` replies (until `clear` when count is absent) have every
  runner's American price renamed and re-shaped (wire.drifted).
* `stall`: for `seconds` a game's replies hold the prices and status it had when the
  stall began, as a stuck feed behind the endpoint would; what moved meanwhile shows up,
  coalesced, when it ends. (A reply held back in time would need the server to await a
  book's route; see docs/fanduel-wire.md.)
* `clear`: ends every fault.

An `event_id` (the model's id) limits a fault to requests that ask for one of that game's
markets; None means every game.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

from oddswatch.model import EventStatus
from simulator.game import Game, Price

ONE_OFF = ("drop", "malformed", "text")  # served one per reply, in this order


@dataclass(slots=True)
class Countdown:
    left: float = 0.0
    event_id: str | None = None

    def take(self, games: Collection[str]) -> bool:
        """Use one, if any is left and the reply is for the fault's game."""
        if self.left <= 0 or (self.event_id is not None and self.event_id not in games):
            return False
        self.left -= 1
        return True


@dataclass(frozen=True, slots=True)
class Hold:
    until: float
    prices: dict[str, Price]
    status: EventStatus


def current(game: Game) -> tuple[dict[str, Price], EventStatus]:
    return {sid: quote.price for sid, quote in game.quotes.items()}, game.status


@dataclass(slots=True)
class Faults:
    armed: dict[str, Countdown] = field(
        default_factory=lambda: {name: Countdown() for name in (*ONE_OFF, "schema")}
    )
    holds: dict[str, Hold] = field(default_factory=dict)

    def arm(self, action: str, event_id: str | None, count: int | None) -> None:
        left = (math.inf if action == "schema" else 1) if count is None else count
        self.armed[action] = Countdown(left, event_id)

    def take(self, games: Collection[str]) -> str | None:
        """The one-off fault the next reply for `games` gets, if any."""
        return next((name for name in ONE_OFF if self.armed[name].take(games)), None)

    def drift(self, games: Collection[str]) -> bool:
        return self.armed["schema"].take(games)

    def stall(self, games: Iterable[Game], until: float) -> None:
        for game in games:
            prices, status = current(game)
            self.holds[game.event_id] = Hold(until, prices, status)

    def view(self, game: Game, now: float) -> tuple[dict[str, Price], EventStatus]:
        """The prices and status a game's replies show now."""
        hold = self.holds.get(game.event_id)
        if hold is not None and now < hold.until:
            return hold.prices, hold.status
        self.holds.pop(game.event_id, None)
        return current(game)

    def clear(self) -> None:
        for name in self.armed:
            self.armed[name] = Countdown()
        self.holds.clear()
