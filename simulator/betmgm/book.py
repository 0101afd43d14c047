"""The BetMGM fake book: league and event pages, and the fixture-view JSON API.

Everything is plain HTTP (BetMGM is polled; no websocket). Pages embed a freshly issued
access id; the API refuses a missing, unknown or expired one with 401. `odds_format`
chooses how prices are stated: "both" (`americanOdds` and decimal `odds`, the default)
or "decimal" (only `odds`); tests switch it on the book object. With the poison fault
armed, options may carry one poisoned value (simulator/betmgm/poison.py); an option
poisoned in one response is clean in the next.
"""

from __future__ import annotations

import email.utils
import logging
import re
from collections import Counter
from dataclasses import asdict, dataclass
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson
from websockets.datastructures import Headers
from websockets.http11 import Request, Response

from oddswatch.model import Market as MarketKind
from simulator.betmgm import pages, poison, wire
from simulator.betmgm.access import AccessIdError, AccessIds
from simulator.betmgm.faults import Fault, Faults
from simulator.book import Book
from simulator.config import SimConfig
from simulator.game import Game
from simulator.httpio import JSON, error, html, not_found, respond
from simulator.market import Market
from simulator.poison import dumps

logger = logging.getLogger(__name__)

ACCESS_PARAM = "x-bwin-accessid"
MALFORMED = b'{"fixtures": [{"id": \x00\xff not json'
TEXT = (
    "<!DOCTYPE html><html><head><title>Service Unavailable</title></head>"
    "<body><h1>We'll be right back</h1><p>Our site is undergoing maintenance.</p></body></html>"
)
_EVENT = re.compile(r"^/en/sports/events/[a-z0-9\-%]+-(\d+)$", re.IGNORECASE)
_LEAGUES = {path: league for league, path in pages.LEAGUE_PATHS.items()}
_PREFIXES = ("/en/sports/", "/cds-api/")


@dataclass(slots=True)
class BookStats:
    http_requests: int = 0
    api_requests: int = 0
    auth_failures: int = 0
    access_ids_issued: int = 0
    faults_served: int = 0


class BetMGMBook(Book):
    name = "betmgm"

    def __init__(self, market: Market, config: SimConfig) -> None:
        super().__init__(market, config)
        self.leagues = config.leagues
        self.access_ids = AccessIds(config.token_ttl_s)
        self.faults = Faults()
        self.odds_format: wire.OddsFormat = "both"
        self.counts = BookStats()
        self.polls: Counter[str] = Counter()  # model event id -> fixture-view requests
        self.repairs: dict[str, set[str]] = {}  # model event id -> options sent poisoned

    def event_id(self, game: Game) -> str:
        return wire.fixture_id(game)

    def owns(self, path: str) -> bool:
        return path.startswith(_PREFIXES)

    def stats(self) -> dict[str, int]:
        self.counts.access_ids_issued = self.access_ids.issued
        self.counts.faults_served = self.faults.served
        return {"connections": 0, "subscriptions": 0} | asdict(self.counts) | self.poison.stats()

    def describe(self, game: Game) -> dict[str, Any]:
        return super().describe(game) | {
            "polls": self.polls[game.event_id],
            "url": pages.event_path(game),
            "markets": {
                market.value: wire.market_id(game, market)
                for market in (MarketKind.MONEYLINE, MarketKind.SPREAD, MarketKind.TOTAL)
            },
            "selections": {sid: wire.option_id(q) for sid, q in game.quotes.items()},
        }

    def route(self, path: str, request: Request) -> Response | None:
        if request.method != "GET":
            return error(405, "method not allowed")
        self.counts.http_requests += 1
        if path == pages.API_PATH:
            return self._api(request)
        league = _LEAGUES.get(path)
        if league in self.leagues:
            games = self.market.league_games(league)
            return html(pages.league_page(league, games, self.access_ids.issue()))
        match = _EVENT.match(path)
        game = self.game_for(match.group(1)) if match else None
        if game is None:
            return not_found()
        return html(pages.event_page(game, self.access_ids.issue()))

    def _api(self, request: Request) -> Response:
        self.counts.api_requests += 1
        query = parse_qs(urlsplit(request.path).query)
        try:
            self.access_ids.verify(query.get(ACCESS_PARAM, [""])[0])
        except AccessIdError as exc:
            self.counts.auth_failures += 1
            return error(401, str(exc))
        ids = [i for value in query.get("fixtureIds", []) for i in value.split(",") if i]
        if not ids:
            return error(400, "fixtureIds is required")
        games = [game for i in ids if (game := self.game_for(i)) is not None]
        for game in games:
            self.polls[game.event_id] += 1
        key = games[0].event_id if games else ""
        return self._answer(games, self.faults.take(key))

    def _answer(self, games: list[Game], fault: Fault) -> Response:
        if fault is Fault.MALFORMED:
            return respond(200, MALFORMED, JSON)
        if fault is Fault.TEXT:
            return html(TEXT)
        drift = fault is Fault.SCHEMA
        fixtures = [
            self.faults.held(g.event_id) or wire.fixture(g, self.odds_format, drift=drift)
            for g in games
        ]
        if fault is Fault.DROP:
            return _cut_off(orjson.dumps({"fixtures": fixtures}))
        return respond(200, self._poisoned(games, fixtures), JSON)

    def _poisoned(self, games: list[Game], fixtures: list[Any]) -> bytes:
        """The body, its options poisoned at the poison fault's rate."""
        sent, poisoned = [], 0
        for game, fixture in zip(games, fixtures, strict=True):
            clean = self.repairs.pop(game.event_id, set())
            dosed, kinds = poison.dose_fixture(self.poison, game, fixture, clean)
            if kinds:
                self.repairs[game.event_id] = set(kinds)
            self.poison.tally(kinds.values())
            sent.append(dosed)
            poisoned += len(kinds)
        return dumps({"fixtures": sent}) if poisoned else orjson.dumps({"fixtures": sent})

    async def misbehave(
        self, action: str, event_id: str | None, seconds: float, count: int | None
    ) -> int:
        """Arm one fault on the API; a polling book has no open connection to touch."""
        if action == "stall":
            games = self.market.games.values()
            held = [g for g in games if event_id in (None, g.event_id)]
            self.faults.stall(
                seconds, {g.event_id: wire.fixture(g, self.odds_format) for g in held}
            )
        elif action == "clear":
            self.faults.clear()
        elif action in ("drop", "malformed", "text", "schema"):
            self.faults.arm(Fault(action), event_id, count)
        else:
            raise ValueError(f"unknown action {action!r}")
        logger.info(
            "misbehaving", extra={"book": self.name, "action": action, "event_id": event_id}
        )
        return 0


def _cut_off(body: bytes) -> Response:
    """A response whose body stops halfway: the connection closes before Content-Length."""
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Content-Type", JSON),
            ("Content-Length", str(len(body))),
            ("Connection", "close"),
        ]
    )
    return Response(200, "OK", headers, body[: len(body) // 2])
