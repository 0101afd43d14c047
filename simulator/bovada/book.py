"""The Bovada fake book: the coupon JSON and the Atmosphere websocket, under `/services/`.

`route` answers the coupon (`preMatchOnly` and `eventsLimit` honoured) and checks each
subscription handshake: the path must end in a canonical UUID client id not used
recently, and the query must carry the Atmosphere transport parameters (else 400 / 409,
so a fixed client id is caught). `handle` then serves one connection: padding and the
Atmosphere handshake, subscribe / unsubscribe commands, delta pushes and heartbeats.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import OrderedDict
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any, ClassVar
from urllib.parse import parse_qs, urlsplit

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from simulator.book import Book
from simulator.bovada import view, wire
from simulator.bovada.feed import Conn, Feed
from simulator.config import SimConfig
from simulator.game import Game
from simulator.httpio import error, json_response, not_found
from simulator.market import Market

logger = logging.getLogger(__name__)

COUPON_PREFIX = "/services/sports/event/coupon/events/A/description"
DEFAULT_EVENTS_LIMIT = 50
RECENT_CLIENT_IDS = 10_000  # client ids remembered to refuse a reused one
_LEAGUES = {path: league for league, path in view.LEAGUE_PATHS.items()}


class BovadaBook(Book):
    name = "bovada"
    heartbeat_s: ClassVar[float] = 3.0  # Atmosphere heartbeat interval (tests shorten it)

    def __init__(self, market: Market, config: SimConfig) -> None:
        super().__init__(market, config)
        self.leagues = config.leagues
        self.feed = Feed(self.game_for, self.poison)
        self._recent_ids: OrderedDict[str, None] = OrderedDict()

    def owns(self, path: str) -> bool:
        return path.startswith("/services/")

    def route(self, path: str, request: Request) -> Response | None:
        if path.startswith(wire.SUBSCRIPTION_PATH):
            return self._check_handshake(path, request)
        if request.method != "GET":
            return error(405, "method not allowed")
        self.feed.stats.http_requests += 1
        league = (
            _LEAGUES.get(path[len(COUPON_PREFIX) :]) if path.startswith(COUPON_PREFIX) else None
        )
        if league is None or league not in self.leagues:
            return not_found()
        return self._coupon(league, parse_qs(urlsplit(request.path).query))

    def _coupon(self, league: str, query: dict[str, list[str]]) -> Response:
        prematch_only = query.get("preMatchOnly", ["false"])[0].lower() == "true"
        try:
            limit = int(query.get("eventsLimit", [str(DEFAULT_EVENTS_LIMIT)])[0])
        except ValueError:
            return error(400, "eventsLimit must be a number")
        games = self.market.league_games(league)
        groups = view.coupon(league, games, self.event_id, prematch_only=prematch_only, limit=limit)
        return json_response(groups)

    def _check_handshake(self, path: str, request: Request) -> Response | None:
        client_id = wire.client_id(path)
        problem = wire.query_problem(urlsplit(request.path).query)
        if client_id is None or problem is not None:
            self.feed.stats.handshakes_refused += 1
            return error(400, problem or "the client id must be a UUID")
        if client_id in self._recent_ids:
            self.feed.stats.handshakes_refused += 1
            return error(409, "client id already used")
        self._recent_ids[client_id] = None
        if len(self._recent_ids) > RECENT_CLIENT_IDS:
            self._recent_ids.popitem(last=False)
        return None

    async def handle(self, ws: ServerConnection) -> None:
        """One Atmosphere connection, from the handshake to close."""
        path = urlsplit(ws.request.path).path if ws.request else ""
        conn = self.feed.open(ws, wire.client_id(path) or "")
        beat = asyncio.create_task(self.feed.beat(conn, self.heartbeat_s))
        try:
            await ws.send(wire.PADDING)
            await ws.send(wire.handshake(str(uuid.uuid4()), self.heartbeat_s))
            async for frame in ws:
                self.feed.command(conn, frame)
        except ConnectionClosed:
            pass
        finally:
            beat.cancel()
            self.feed.close(conn)

    async def publish(self, game: Game, changed: Iterable[str], *, force: bool = False) -> None:
        """Push the changed quotes (a forced move of an unchanged price goes out as well)."""
        changed = list(changed)
        if changed:
            await self.feed.publish(self.event_id(game), changed)

    async def misbehave(
        self, action: str, event_id: str | None, seconds: float, count: int | None
    ) -> int:
        """Apply one wire fault to the websocket connections; returns how many it touched."""
        book_id = None if event_id is None else self.event_id(self.market.game(event_id))
        targets = self.feed.targets(book_id)
        if action == "drop":
            for conn in targets:
                conn.ws.transport.abort()
        elif action in ("malformed", "text"):
            await asyncio.gather(*(self._garbage(conn, action, book_id) for conn in targets))
        elif action == "stall":
            self.feed.stall(book_id, seconds)
        elif action == "schema":
            self.feed.set_drift(book_id, count)
        elif action == "clear":
            self.feed.clear()
        else:
            raise ValueError(f"unknown action {action!r}")
        logger.info(
            "misbehaving", extra={"book": self.name, "action": action, "event_id": event_id}
        )
        return len(targets)

    async def _garbage(self, conn: Conn, action: str, book_id: str | None) -> None:
        topic_id = book_id or next(iter(sorted(conn.events)), "0")
        await self.feed.send(conn, wire.malformed(topic_id) if action == "malformed" else wire.TEXT)

    def stats(self) -> dict[str, int]:
        counts = {"connections": len(self.feed.conns), "subscriptions": self.feed.subscriptions()}
        return counts | asdict(self.feed.stats) | self.poison.stats()

    def subscribers(self, game: Game) -> int:
        return self.feed.subscribers(self.event_id(game))

    def describe(self, game: Game) -> dict[str, Any]:
        return {
            "event_id": self.event_id(game),
            "subscribers": self.subscribers(game),
            "selections": {sid: view.outcome_id(quote) for sid, quote in game.quotes.items()},
        } | view.teams(game)
