"""One game of the simulator's market model as one book shows it, on both sides of the wire.

A `Wire` holds a game made by `simulator.game.new_game` from a seed, the client's view of
it (the `Event` and the scraped `Selection`s a state is built with, under the book's own
ids) and makes the book's valid payloads with the simulator's wire code: `valid()` moves
the game one tick (`walk`, `reprice`) and returns what the book would send. Each book
(books.py) fills in its ids, its payloads and where one selection's record sits in a
decoded payload (`scope`), for the poisoned-then-good check.
"""

from __future__ import annotations

import importlib
import random
from abc import ABC, abstractmethod
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

from oddswatch.metrics import StreamStats
from oddswatch.model import Event, EventStatus, Market, Selection, Team
from oddswatch.odds import american_to_decimal
from simulator.game import Game, Quote, new_game, reprice, walk
from simulator.leagues import LEAGUES

from .codecs import Codec
from .entry import Stage, state_stage

SEASON_START = datetime(2026, 11, 22, 0, 30, tzinfo=UTC)
TICK = timedelta(milliseconds=250)
SUSPENDED_SHARE = 0.05  # payloads sent while the game is suspended


def model_game(rng: random.Random) -> Game:
    """A live game of a random league between two of its teams."""
    league = rng.choice(sorted(LEAGUES))
    away, home = rng.sample(LEAGUES[league].teams, 2)
    event_id = str(rng.randrange(30_000_000, 40_000_000))
    start = SEASON_START + timedelta(minutes=5 * rng.randrange(120))
    times = (start, start + timedelta(hours=3))
    game = new_game(league, event_id, (away, home), times, random.Random(rng.getrandbits(64)))
    game.status = EventStatus.LIVE
    return game


class Wire(ABC):
    name: ClassVar[str]
    state_module: ClassVar[str]  # where the book's GameState lives
    codec: ClassVar[Codec]

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.game = model_game(self.rng)
        self.ticks = 0
        home, away = self.teams()
        self.event = Event(self.name, self.game.league, self.event_id, home, away,
                           self.game.starts_at, EventStatus.LIVE)  # fmt: skip
        self.selections = tuple(self._selection(q) for q in self.quotes())
        self.client_ids = {q.selection_id: self.selection_id(q) for q in self.quotes()}

    # -- the book's ids and payloads --

    @property
    @abstractmethod
    def event_id(self) -> str: ...

    @abstractmethod
    def teams(self) -> tuple[Team, Team]:
        """(home, away) as the book spells them."""

    @abstractmethod
    def market_id(self, quote: Quote) -> str: ...

    @abstractmethod
    def selection_id(self, quote: Quote) -> str: ...

    @abstractmethod
    def label(self, quote: Quote) -> str: ...

    @abstractmethod
    def payload(self, changed: list[str]) -> bytes:
        """What the book sends after the quotes `changed` (model ids) moved."""

    @abstractmethod
    def record(self, quote: Quote) -> bytes:
        """A valid payload that carries `quote`'s current price."""

    @abstractmethod
    def scope(self, tree: Any, selection_id: str) -> Any:
        """The node of a decoded payload that is one selection's record (None: absent)."""

    def follow_up(self, quote: Quote) -> bytes:
        """The payload that tells of a quote's new price or line (`record` unless the book
        sends only what changed)."""
        return self.record(quote)

    def refused(self, payload: bytes) -> bool:
        """Whether the payload means "subscription refused" (a TransportError is due)."""
        return False

    def stages(self, state: object) -> list[Stage]:
        return [state_stage(state)]

    # -- shared --

    def quotes(self) -> list[Quote]:
        return list(self.game.quotes.values())

    @property
    def now(self) -> datetime:
        return self.game.starts_at + self.ticks * TICK

    def new_state(self) -> object:
        """A fresh GameState of this game, seeded with the scraped selections."""
        state_class = importlib.import_module(self.state_module).GameState
        state: object = state_class(self.event, self.selections, StreamStats())
        return state

    def valid(self) -> bytes:
        """The next valid payload: the game moves one tick, then the book says so."""
        self.ticks += 1
        suspended = self.rng.random() < SUSPENDED_SHARE
        self.game.status = EventStatus.SUSPENDED if suspended else EventStatus.LIVE
        walk(self.game)
        return self.payload(reprice(self.game))

    def move(self, quote: Quote, american: int, line: float | None) -> bytes:
        """A valid payload carrying a new price or line for one quote (the game is open)."""
        self.ticks += 1
        self.game.status = EventStatus.LIVE
        quote.american, quote.line = american, line
        return self.follow_up(quote)

    def _selection(self, quote: Quote) -> Selection:
        return Selection(
            provider=self.name,
            league=self.game.league,
            event_id=self.event_id,
            market_id=self.market_id(quote),
            selection_id=self.selection_id(quote),
            market=quote.market,
            side=quote.side,
            label=self.label(quote),
            price_american=quote.american,
            price_decimal=american_to_decimal(quote.american),
            line=None if quote.market is Market.MONEYLINE else quote.line,
        )


def find(tree: Any, wanted: Any) -> Any:
    """The first node (depth first) for which `wanted(node)` holds, else None."""
    for node in _walk(tree):
        if wanted(node):
            return node
    return None


def _walk(tree: Any) -> Iterator[Any]:
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, dict):
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))
