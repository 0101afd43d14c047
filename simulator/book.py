"""What a fake book is to the simulator: HTTP routes, websocket paths, a price fan-out.

Every book is a view of the one market model: the same games, teams, start times and
prices, under the book's own ids and wire format. A book claims the paths it serves
(`owns`), answers plain HTTP from `route` (None lets a websocket handshake through to
`handle`), is told of every price change (`publish`), and applies the control API's
faults (`fault`: `poison` is armed the same way on every book, in `self.poison`, which
the book consults as it writes records; the rest go to the book's own `misbehave`).
Books are found by `simulator.books`: each subpackage `simulator/<name>/` exposes its
class as `BOOK`.
"""

from __future__ import annotations

import hashlib
from abc import ABC, abstractmethod
from collections.abc import Iterable
from typing import Any, ClassVar

from websockets.asyncio.server import ServerConnection
from websockets.http11 import Request, Response

from simulator.config import SimConfig
from simulator.game import Game
from simulator.market import Market
from simulator.poison import Poison

FAULTS = ("drop", "malformed", "stall", "schema", "text", "poison", "clear")


def derived_id(event_id: str, book: str, digits: int = 8) -> str:
    """A book's own id for a market-model game: stable per (game, book), `digits` long."""
    digest = hashlib.blake2b(f"{book}:{event_id}".encode(), digest_size=8).digest()
    low = 10 ** (digits - 1)
    return str(low + int.from_bytes(digest) % (9 * low))


class Book(ABC):
    name: ClassVar[str]

    def __init__(self, market: Market, config: SimConfig) -> None:
        self.market = market
        self.config = config
        self.poison = Poison.seeded(config.seed, self.name, config.poison_rate)
        self.by_id: dict[str, Game] = {self.event_id(g): g for g in market.games.values()}

    def event_id(self, game: Game) -> str:
        """The book's id for a game (the model's own id unless the book overrides it)."""
        return derived_id(game.event_id, self.name)

    def game_for(self, book_event_id: str) -> Game | None:
        """The game a book id names, if any."""
        return self.by_id.get(book_event_id)

    @abstractmethod
    def owns(self, path: str) -> bool:
        """Whether a request path (query excluded) belongs to this book."""

    @abstractmethod
    def route(self, path: str, request: Request) -> Response | None:
        """The response to a plain HTTP request, or None to accept a websocket handshake."""

    async def handle(self, ws: ServerConnection) -> None:
        """Serve one websocket connection (books without websockets never get one)."""
        await ws.close(1008, "no websocket here")

    async def publish(  # noqa: B027 - polling books have nothing to push
        self, game: Game, changed: Iterable[str], *, force: bool = False
    ) -> None:
        """A game's quotes `changed` (model selection ids); `force`: send even if unchanged."""

    async def fault(
        self,
        action: str,
        event_id: str | None,
        *,
        seconds: float = 5.0,
        count: int | None = None,
        rate: float | None = None,
    ) -> int:
        """Apply one fault of FAULTS (event_id is the model's id); returns connections touched.

        `poison` arms `self.poison` (`rate`, default 0.1; `count` records at most) and
        touches no connection; `clear` ends it along with the book's own faults."""
        if action == "poison":
            self.poison.arm(rate, event_id, count)
            return 0
        if action == "clear":
            self.poison.clear()
        return await self.misbehave(action, event_id, seconds, count)

    @abstractmethod
    async def misbehave(
        self, action: str, event_id: str | None, seconds: float, count: int | None
    ) -> int:
        """Apply one of the book's own faults (FAULTS but `poison`); returns connections
        touched."""

    @abstractmethod
    def stats(self) -> dict[str, int]:
        """Counters: at least connections, subscriptions, http_requests, and the poison
        fault's (`self.poison.stats()`)."""

    def subscribers(self, game: Game) -> int:
        """Live subscriptions to a game (polling books: 0)."""
        return 0

    def describe(self, game: Game) -> dict[str, Any]:
        """The book's ids and team spellings for a game, for the control API's state
        (most books spell teams `<City> <Nickname>`; DraftKings overrides it)."""
        return {
            "event_id": self.event_id(game),
            "subscribers": self.subscribers(game),
            "home": game.home_full,
            "away": game.away_full,
        }
