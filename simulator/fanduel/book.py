"""The FanDuel fake book: pages, the event JSON and getMarketPrices, on the shared port.

Paths (docs/fanduel-wire.md): league pages `/basketball/nba`, `/football/nfl`,
`/baseball/mlb`; event pages `/<sport>/<league>/<away>-@-<home>-<eventId>`; the event
JSON `GET /api/event-page?eventId=<id>`; prices `POST /api/sports/fixedodds/readonly/v1/
getMarketPrices?priceHistory=1` with `{"marketIds": [...]}`. FanDuel is polled, so
`publish` has nothing to push: every reply is built from the market model when asked.
With the poison fault armed, runners may carry one poisoned value (simulator/fanduel/
poison.py); a runner poisoned in one reply is clean in the next reply that carries it.
"""

from __future__ import annotations

import logging
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from simulator.book import Book
from simulator.config import SimConfig
from simulator.fanduel import pages, poison, wire
from simulator.fanduel.faults import Faults
from simulator.game import Game
from simulator.httpio import HTML, JSON, HttpRequest, error, html, json_response, not_found, respond
from simulator.market import Market
from simulator.poison import dumps

logger = logging.getLogger(__name__)

PRICES_PATH = "/api/sports/fixedodds/readonly/v1/getMarketPrices"
_PREFIXES = ("/basketball/", "/football/", "/baseball/", "/hockey/", "/api/sports/")
_LEAGUES = {path: league for league, path in pages.LEAGUE_PATHS.items()}
_EVENT = re.compile(r"^(/[a-z]+/[a-z0-9-]+)/[a-z0-9\-.%@]+-(\d+)$")
MALFORMED = b'[{"marketId": "734.1", "marketStatus": "OPEN", "runnerDetails": [{"selecti'
TEXT = (
    "<!DOCTYPE html><html><head><title>Sorry</title></head>"
    "<body><h1>Something went wrong</h1><p>Please try again later.</p></body></html>"
)


class NoResponse(Response):
    """Nothing is written; the server then closes the connection, as after every response
    that is not a websocket upgrade. The client sees the connection end without a reply."""

    def serialize(self) -> bytes:
        return b""


@dataclass(slots=True)
class BookStats:
    http_requests: int = 0
    price_polls: int = 0
    event_json_requests: int = 0
    dropped: int = 0
    malformed_sent: int = 0
    text_sent: int = 0
    drifted_sent: int = 0


class FanDuelBook(Book):
    name = "fanduel"

    def __init__(self, market: Market, config: SimConfig) -> None:
        super().__init__(market, config)
        self.leagues = config.leagues
        self.ids = wire.Ids(market.games.values())
        self.faults = Faults()
        self.counts = BookStats()
        self.polls: Counter[str] = Counter()  # model event id → prices requests for it
        self.repairs: set[str] = set()  # model selection ids sent poisoned in their last reply

    def owns(self, path: str) -> bool:
        return path.startswith(_PREFIXES) or path == pages.EVENT_JSON_PATH

    def route(self, path: str, request: Request) -> Response | None:
        self.counts.http_requests += 1
        if path == PRICES_PATH:
            return self._prices(request)
        if request.method != "GET":
            return error(405, "method not allowed")
        if path == pages.EVENT_JSON_PATH:
            return self._event_json(request)
        league = _LEAGUES.get(path)
        if league in self.leagues:
            games = [(game, self.event_id(game)) for game in self.market.league_games(league)]
            return html(pages.league_page(league, games))
        return self._event_page(path)

    def _event_page(self, path: str) -> Response:
        match = _EVENT.match(path)
        game = self.game_for(match.group(2)) if match else None
        if match is None or game is None or pages.LEAGUE_PATHS[game.league] != match.group(1):
            return not_found()
        return html(pages.event_page(game, match.group(2)))

    def _event_json(self, request: Request) -> Response:
        self.counts.event_json_requests += 1
        event_id = parse_qs(urlsplit(request.path).query).get("eventId", [""])[0]
        game = self.game_for(event_id)
        if game is None:
            return not_found()
        prices, status = self.faults.view(game, time.monotonic())
        return json_response(wire.event_json(game, event_id, self.ids, prices, status))

    def _prices(self, request: Request) -> Response:
        if request.method != "POST":
            return error(405, "method not allowed")
        market_ids = _market_ids(request)
        if market_ids is None:
            return error(400, 'the body must be {"marketIds": [<market id>, ...]}')
        self.counts.price_polls += 1
        games = {
            ref.game.event_id: ref.game for m in market_ids if (ref := self.ids.markets.get(m))
        }
        self.polls.update(games.keys())
        fault = self.faults.take(games.keys())
        if fault is not None:
            return self._fault_reply(fault)
        now = time.monotonic()
        views = {event_id: self.faults.view(game, now) for event_id, game in games.items()}
        reply = wire.market_prices(self.ids, market_ids, views)
        if self.faults.drift(games.keys()):
            self.counts.drifted_sent += 1
            reply = wire.drifted(reply)
        return self._poisoned(reply)

    def _poisoned(self, reply: list[dict[str, Any]]) -> Response:
        """The reply, its runners poisoned at the poison fault's rate."""
        dosed = poison.dose_reply(self.poison, self.ids, reply, self.repairs)
        self.repairs = (self.repairs - dosed.served) | set(dosed.poisoned)
        self.poison.tally(dosed.poisoned.values())
        if dosed.poisoned:
            return respond(200, dumps(dosed.reply), JSON)
        return json_response(dosed.reply)

    def _fault_reply(self, fault: str) -> Response:
        if fault == "drop":
            self.counts.dropped += 1
            return NoResponse(444, "No Response", Headers())
        if fault == "malformed":
            self.counts.malformed_sent += 1
            return respond(200, MALFORMED, JSON)
        self.counts.text_sent += 1
        return respond(200, TEXT.encode(), HTML)

    async def misbehave(
        self, action: str, event_id: str | None, seconds: float, count: int | None
    ) -> int:
        """Apply one fault to the replies to come; no connection stays open to touch."""
        if action == "stall":
            games = self.market.games.values() if event_id is None else [self.market.game(event_id)]
            self.faults.stall(games, time.monotonic() + seconds)
        elif action == "clear":
            self.faults.clear()
        elif action in ("drop", "malformed", "text", "schema"):
            self.faults.arm(action, event_id, count)
        else:
            raise ValueError(f"unknown action {action!r}")
        logger.info(
            "misbehaving", extra={"book": self.name, "action": action, "event_id": event_id}
        )
        return 0

    def stats(self) -> dict[str, int]:
        return {"connections": 0, "subscriptions": 0} | asdict(self.counts) | self.poison.stats()

    def describe(self, game: Game) -> dict[str, Any]:
        return super().describe(game) | {
            "selections": self.ids.selections(game),
            "markets": self.ids.game_markets(game),
            "polls": self.polls[game.event_id],
        }


def _market_ids(request: Request) -> list[str] | None:
    try:
        body = request.json() if isinstance(request, HttpRequest) else None
    except ValueError:
        return None
    ids = body.get("marketIds") if isinstance(body, dict) else None
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        return None
    return ids
