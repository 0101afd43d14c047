"""The DraftKings fake book: HTTP routes and the msgpack websocket, on one port.

`route` is websockets' `process_request` hook: it answers every plain HTTP request
(pages, categories, token, the `/_sim/` control API) and lets `/websocket` through to
the handshake; `handle` then serves one websocket connection: one subscribe, checked
JWT, ack, and from then on the feed pushes that event's changes.
"""

from __future__ import annotations

import asyncio
import logging
import re
import uuid
from collections.abc import Iterable
from dataclasses import asdict
from typing import Any
from zoneinfo import ZoneInfo

from websockets.asyncio.server import ServerConnection
from websockets.exceptions import ConnectionClosed
from websockets.http11 import Request, Response

from simulator.book import Book
from simulator.config import SimConfig
from simulator.draftkings import pages, wire
from simulator.draftkings.feed import Feed, Subscriber
from simulator.draftkings.token import TokenError, TokenIssuer
from simulator.game import Game
from simulator.httpio import error, html, json_response, not_found
from simulator.market import Market

logger = logging.getLogger(__name__)

WS_PATH = "/websocket"
SUBSCRIBE_TIMEOUT_S = 30.0
UNAUTHORIZED = 4001
BAD_REQUEST = 4000
_EVENT = re.compile(r"^/event/[^/]+/(\d+)$")
_CATEGORIES = re.compile(r"^/api/sportscontent/[^/]+/v1/events/(\d+)/categories$")
_TOKEN = re.compile(r"^/sites/[^/]+/api/v1/anonymous-token$")
_LEAGUES = {path: league for league, path in pages.LEAGUE_PATHS.items()}
_PREFIXES = ("/event/", "/api/sportscontent/", "/sites/", "/leagues/")


class DraftKingsBook(Book):
    name = "draftkings"

    def __init__(self, market: Market, config: SimConfig) -> None:
        super().__init__(market, config)
        self.leagues = config.leagues
        self.tz = ZoneInfo(config.timezone)
        self.tokens = TokenIssuer(config.token_ttl_s)
        self.feed = Feed(market, config.repeat_probability, config.seed, self.poison)

    def event_id(self, game: Game) -> str:
        return game.event_id  # the market model's ids are DraftKings-style

    def owns(self, path: str) -> bool:
        return path in ("/", WS_PATH) or path.startswith(_PREFIXES)

    async def publish(self, game: Game, changed: Iterable[str], *, force: bool = False) -> None:
        await self.feed.publish(game, changed, force=force)

    def stats(self) -> dict[str, int]:
        counts = {
            "connections": len(self.feed.connections),
            "subscriptions": self.feed.subscription_count(),
        }
        return counts | asdict(self.feed.stats) | self.poison.stats()

    def subscribers(self, game: Game) -> int:
        return len(self.feed.subscribers.get(game.event_id, ()))

    def describe(self, game: Game) -> dict[str, Any]:
        """The base ids, and the teams as DraftKings spells them: `DET Pistons`."""
        return super().describe(game) | {"home": game.home, "away": game.away}

    def route(self, path: str, request: Request) -> Response | None:
        """The response to a plain GET, or None for the websocket path."""
        if path == WS_PATH:
            return None
        if request.method != "GET":
            return error(405, "method not allowed")
        self.feed.stats.http_requests += 1
        if path == "/":
            return html(pages.home_page())
        if _TOKEN.match(path):
            self.feed.stats.tokens_issued += 1
            return json_response({"token": self.tokens.issue()})
        league = _LEAGUES.get(path)
        if league in self.leagues:
            games = self.market.league_games(league)
            return html(pages.league_page(league, games, self.market.clock.now(), self.tz))
        return self._event_route(path)

    def _event_route(self, path: str) -> Response:
        if match := _EVENT.match(path):
            game = self.market.games.get(match.group(1))
            if game is not None:
                return html(pages.event_page(game, self.market.clock.now(), self.tz))
        if match := _CATEGORIES.match(path):
            game = self.market.games.get(match.group(1))
            if game is not None:
                return json_response(pages.categories(game))
        return not_found()

    async def handle(self, ws: ServerConnection) -> None:
        """One websocket connection, from subscribe to close."""
        self.feed.connections.add(ws)
        self.feed.stats.connections_total += 1
        try:
            frame = await asyncio.wait_for(ws.recv(), SUBSCRIBE_TIMEOUT_S)
            subscriber = await self._subscribe(ws, frame)
            if subscriber is not None:
                await self._serve(ws, subscriber)
        except (ConnectionClosed, TimeoutError):
            pass
        finally:
            self.feed.connections.discard(ws)

    async def _subscribe(self, ws: ServerConnection, frame: bytes | str) -> Subscriber | None:
        try:
            request = wire.parse_subscribe(frame)
        except wire.BadSubscribe as exc:
            logger.info("bad subscribe", extra={"reason": str(exc)})
            await ws.send(wire.error_frame("", 400, str(exc)))
            await ws.close(BAD_REQUEST, "bad request")
            return None
        try:
            self.tokens.verify(request.jwt)
        except TokenError as exc:
            self.feed.stats.auth_failures += 1
            logger.info("subscribe refused", extra={"reason": str(exc)})
            await ws.send(wire.error_frame(request.request_id, 401, str(exc)))
            await ws.close(UNAUTHORIZED, "unauthorized")
            return None
        await ws.send(wire.ack_frame(request.request_id, str(uuid.uuid4())))
        subscriber = self.feed.subscribe(ws, request.event_id)
        game = self.market.games.get(request.event_id)
        if request.initial_data and game is not None:
            subscriber.pending.update(game.quotes)
            await self.feed.publish(game, ())
        return subscriber

    async def _serve(self, ws: ServerConnection, subscriber: Subscriber) -> None:
        try:
            async for _ in ws:
                logger.debug(
                    "frame after subscribe ignored", extra={"event_id": subscriber.event_id}
                )
        finally:
            self.feed.unsubscribe(subscriber)

    async def misbehave(
        self, action: str, event_id: str | None, seconds: float, count: int | None
    ) -> int:
        """Apply one wire fault; returns how many connections it touched."""
        targets = self.feed.targets(event_id)
        if action == "drop":
            for ws in targets:
                ws.transport.abort()
        elif action in ("malformed", "text"):
            message: bytes | str = wire.MALFORMED if action == "malformed" else wire.TEXT
            await asyncio.gather(*(ws.send(message) for ws in targets), return_exceptions=True)
        elif action == "stall":
            self.feed.stall(event_id, seconds)
        elif action == "schema":
            self.feed.set_drift(event_id, count)
        elif action == "clear":
            self.feed.clear()
        else:
            raise ValueError(f"unknown action {action!r}")
        logger.info("misbehaving", extra={"action": action, "event_id": event_id})
        return len(targets)
