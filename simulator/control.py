"""The `/_sim/` control API: JSON over HTTP on the books' port (docs/draftkings-wire.md).

GET  /_sim/state      games with status, start, selections and current prices
GET  /_sim/stats      connections, subscriptions, frames and records sent
POST /_sim/misbehave  {"action": drop|malformed|stall|schema|text|clear,
                       "event_id"?, "seconds"?, "count"?}
POST /_sim/move       {"event_id", "selection_id", "american", "line"?}: set and push
POST /_sim/freeze     {"frozen": bool}: stop/start the random walk
POST /_sim/status     {"event_id", "status": scheduled|live|suspended|final}
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import asdict
from typing import Any

from websockets.http11 import Request, Response

from oddswatch.model import EventStatus
from oddswatch.odds import parse_american
from simulator.draftkings.book import DraftKingsBook
from simulator.httpio import HttpRequest, error, json_response, not_found
from simulator.market import Market, UnknownGame

logger = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], Awaitable[Response]]
STATUSES = {s.value: s for s in EventStatus if s is not EventStatus.CANCELLED}


class Control:
    def __init__(self, market: Market, draftkings: DraftKingsBook) -> None:
        self.market = market
        self.draftkings = draftkings
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
        subscribers = self.draftkings.feed.subscribers
        for game in state["games"]:
            game["subscribers"] = len(subscribers.get(game["event_id"], ()))
        return json_response(state)

    async def stats(self, body: dict[str, Any]) -> Response:
        feed = self.draftkings.feed
        counts = {
            "connections": len(feed.connections),
            "subscriptions": feed.subscription_count(),
            "games": len(self.market.games),
            "live_games": sum(g.status is EventStatus.LIVE for g in self.market.games.values()),
        }
        return json_response(counts | asdict(feed.stats))

    async def misbehave(self, body: dict[str, Any]) -> Response:
        count = body.get("count")
        touched = await self.draftkings.misbehave(
            action=str(body["action"]),
            event_id=_optional_str(body.get("event_id")),
            seconds=float(body.get("seconds", 5.0)),
            count=None if count is None else int(count),
        )
        return json_response({"ok": True, "connections": touched})

    async def move(self, body: dict[str, Any]) -> Response:
        event_id = str(body["event_id"])
        line = body.get("line")
        quote = self.market.move(
            event_id,
            str(body["selection_id"]),
            parse_american(body["american"]),
            None if line is None else float(line),
        )
        game = self.market.game(event_id)
        await self.draftkings.feed.publish(game, [quote.selection_id], force=True)
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
