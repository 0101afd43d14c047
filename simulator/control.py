"""The `/_sim/` control API: JSON over HTTP on the books' port (docs/draftkings-wire.md).

GET  /_sim/state      games with status, start, selections, current prices and, under
                      "books", each book's ids for the game, its subscribers and its
                      "home"/"away" as the book spells them ("<City> <Nickname>" unless
                      the book's describe() says otherwise)
GET  /_sim/stats      counters summed over the books, and per book under "books"
POST /_sim/misbehave  {"action": drop|malformed|stall|schema|text|poison|clear, "book"?,
                       "event_id"?, "seconds"?, "count"?, "rate"?}: no "book" means every
                      book; poison: `rate` (0..1, default 0.1) of the records carry one
                      poisoned value (simulator/poison.py), `count` records at most
POST /_sim/move       {"event_id", "selection_id" | "market"+"side", "american", "line"?}:
                      set one quote and push it on every book
POST /_sim/freeze     {"frozen": bool}: stop/start the random walk
POST /_sim/status     {"event_id", "status": scheduled|live|suspended|final}
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from websockets.http11 import Request, Response

from oddswatch.model import EventStatus, Side
from oddswatch.model import Market as MarketKind
from oddswatch.odds import parse_american
from simulator.book import FAULTS, Book
from simulator.game import Game, selection_id
from simulator.httpio import HttpRequest, error, json_response, not_found
from simulator.market import Market, UnknownGame
from simulator.poison import check_rate

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[Response]]


class Publish(Protocol):
    async def __call__(self, game: Game, changed: list[str], *, force: bool = False) -> None: ...


STATUSES = {s.value: s for s in EventStatus if s is not EventStatus.CANCELLED}


class Control:
    def __init__(self, market: Market, books: Mapping[str, Book], publish: Publish) -> None:
        self.market = market
        self.books = books
        self._publish = publish
        self._routes: dict[tuple[str, str], Handler] = {
            ("GET", "/_sim/state"): self.state,
            ("GET", "/_sim/stats"): self.stats,
            ("POST", "/_sim/misbehave"): self.misbehave,
            ("POST", "/_sim/move"): self.move,
            ("POST", "/_sim/freeze"): self.freeze,
            ("POST", "/_sim/status"): self.status,
        }

    async def handle(self, path: str, request: Request) -> Response:
        handler = self._routes.get((request.method, path))
        if handler is None:
            return not_found()
        try:
            body = request.json() if isinstance(request, HttpRequest) else {}
            if not isinstance(body, dict):
                raise ValueError("the body must be a JSON object")
            return await handler(body)
        except UnknownGame as exc:
            return error(404, str(exc))
        except (KeyError, TypeError, ValueError) as exc:
            return error(400, f"bad request: {exc!s}")

    async def state(self, body: dict[str, Any]) -> Response:
        state = self.market.state()
        for entry in state["games"]:
            game = self.market.game(entry["event_id"])
            books = {name: book.describe(game) for name, book in self.books.items()}
            entry["books"] = books
            entry["subscribers"] = sum(book["subscribers"] for book in books.values())
        return json_response(state)

    async def stats(self, body: dict[str, Any]) -> Response:
        per_book = {name: book.stats() for name, book in self.books.items()}
        totals: Counter[str] = Counter()
        for counts in per_book.values():
            totals.update(counts)
        games = {
            "games": len(self.market.games),
            "live_games": sum(g.status is EventStatus.LIVE for g in self.market.games.values()),
        }
        return json_response(dict(totals) | games | {"books": per_book})

    async def misbehave(self, body: dict[str, Any]) -> Response:
        action, count = str(body["action"]), body.get("count")
        if action not in FAULTS:
            raise ValueError(f"unknown action {action!r}; known: {', '.join(FAULTS)}")
        name = body.get("book")
        if name is not None and name not in self.books:
            raise ValueError(f"unknown book {name!r}; known: {', '.join(self.books)}")
        event_id = _optional_str(body.get("event_id"))
        if event_id is not None:
            self.market.game(event_id)  # 404 for an unknown game
        rate = None if body.get("rate") is None else check_rate(body["rate"])
        touched = 0
        for book in self.books.values() if name is None else [self.books[name]]:
            touched += await book.fault(
                action,
                event_id,
                seconds=float(body.get("seconds", 5.0)),
                count=None if count is None else int(count),
                rate=rate,
            )
        return json_response({"ok": True, "connections": touched})

    async def move(self, body: dict[str, Any]) -> Response:
        event_id = str(body["event_id"])
        line = body.get("line")
        sid = body.get("selection_id")
        if sid is None:
            sid = selection_id(event_id, MarketKind(body["market"]), Side(body["side"]))
        quote = self.market.move(
            event_id,
            str(sid),
            parse_american(body["american"]),
            None if line is None else float(line),
        )
        game = self.market.game(event_id)
        await self._publish(game, [quote.selection_id], force=True)
        return json_response(quote.to_dict())

    async def freeze(self, body: dict[str, Any]) -> Response:
        frozen = body.get("frozen", True)
        if not isinstance(frozen, bool):
            raise ValueError("frozen must be true or false")
        self.market.frozen = frozen
        logger.info("market frozen" if frozen else "market thawed")
        return json_response({"frozen": frozen})

    async def status(self, body: dict[str, Any]) -> Response:
        status = STATUSES[str(body["status"])]
        game = self.market.set_status(str(body["event_id"]), status)
        return json_response({"event_id": game.event_id, "status": game.status.value})


def _optional_str(value: object) -> str | None:
    return None if value is None else str(value)
