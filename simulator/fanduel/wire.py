"""FanDuel's JSON bodies: the event JSON and the getMarketPrices reply, and FanDuel's ids.

The shapes are the ones docs/fanduel-wire.md defines (the reference never recorded
them; see that document for what is public and what is ours). Ids are deterministic per
game and quote: event ids are the Book's `derived_id`, market ids look like FanDuel's
(`734.<9 digits>`), selection ids are integers unique within the simulator. Each game
also carries one market that is not a main full-game market (a first-half or
first-five-innings or first-period moneyline), which the client must leave out. Teams
are spelled as FanDuel does, `<City> <Nickname>` ("Detroit Pistons").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from oddswatch.model import EventStatus, Market, Side
from oddswatch.odds import american_to_decimal
from simulator.book import derived_id
from simulator.game import Game, Quote

MARKET_TYPES = {
    Market.MONEYLINE: ("MONEY_LINE", "Moneyline"),
    Market.SPREAD: ("MATCH_HANDICAP_(2-WAY)", "Spread"),
    Market.TOTAL: ("TOTAL_POINTS_(OVER/UNDER)", "Total Points"),
}
LEAGUE_TYPES = {  # where a league names its spread and total otherwise
    "mlb": {
        Market.SPREAD: ("RUN_LINE", "Run Line"),
        Market.TOTAL: ("TOTAL_RUNS_(OVER/UNDER)", "Total Runs"),
    },
    "nhl": {
        Market.SPREAD: ("PUCK_LINE", "Puck Line"),
        Market.TOTAL: ("TOTAL_GOALS_(OVER/UNDER)", "Total Goals"),
    },
}
EXTRA_TYPES = {
    "mlb": ("FIRST_5_INNINGS_MONEY_LINE", "First 5 Innings Moneyline"),
    "nhl": ("FIRST_PERIOD_MONEY_LINE", "1st Period Moneyline"),
    "default": ("FIRST_HALF_MONEY_LINE", "1st Half Moneyline"),
}
RESULT_TYPES = {Side.HOME: "HOME", Side.AWAY: "AWAY", Side.OVER: "OVER", Side.UNDER: "UNDER"}
MARKET_STATUS = {
    EventStatus.SCHEDULED: "OPEN",
    EventStatus.LIVE: "OPEN",
    EventStatus.SUSPENDED: "SUSPENDED",
    EventStatus.FINAL: "CLOSED",
    EventStatus.CANCELLED: "CLOSED",
}
# The schema fault: the American price moves to another field of another shape.
DRIFTED_AMERICAN = "americanOddsV2"

Price = tuple[int, float | None]  # (american, line), as in simulator.game
Extra = None  # the market kind of a game's non-main market


@dataclass(frozen=True, slots=True)
class MarketRef:
    """What a FanDuel market id names: a game's main market, or (kind None) its extra one."""

    game: Game
    kind: Market | None


class Ids:
    """FanDuel's market and selection ids for every game of the market model."""

    def __init__(self, games: Iterable[Game]) -> None:
        self.markets: dict[str, MarketRef] = {}
        self.market_of: dict[tuple[str, Market | None], str] = {}
        self.runner_of: dict[tuple[str, bool], int] = {}  # (model sid, extra) → selection id
        for game in games:
            for kind in (*MARKET_TYPES, Extra):
                market_id = f"734.{derived_id(f'{game.event_id}:{kind}', 'fanduel-market', 9)}"
                self.markets[market_id] = MarketRef(game, kind)
                self.market_of[(game.event_id, kind)] = market_id
            for sid in game.quotes:
                for extra in (False, True):
                    key = f"{sid}:extra" if extra else sid
                    self.runner_of[(sid, extra)] = int(derived_id(key, "fanduel-runner", 9))
        if len(set(self.runner_of.values())) != len(self.runner_of):
            raise RuntimeError("fanduel selection ids collide; change the seed")

    def selections(self, game: Game) -> dict[str, str]:
        """Model selection id → FanDuel selection id (main markets)."""
        return {sid: str(self.runner_of[(sid, False)]) for sid in game.quotes}

    def game_markets(self, game: Game) -> dict[str, str]:
        """Model market id → FanDuel market id (main markets)."""
        return {
            quote.market_id: self.market_of[(game.event_id, quote.market)]
            for quote in game.quotes.values()
        }


def iso_ms(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def event_json(
    game: Game, event_id: str, ids: Ids, prices: Mapping[str, Price], status: EventStatus
) -> dict[str, Any]:
    """The event JSON an event page requests."""
    info = {
        "eventId": int(event_id),
        "name": game.full_name,
        "openDate": iso_ms(game.starts_at),
        "inPlay": status in (EventStatus.LIVE, EventStatus.SUSPENDED),
        "competitionName": game.league.upper(),
        "homeTeam": {"name": game.home_full},
        "awayTeam": {"name": game.away_full},
    }
    markets = [
        _market(game, kind, event_id=event_id, ids=ids, prices=prices, status=status)
        for kind in (*MARKET_TYPES, Extra)
    ]
    return {"event": info, "markets": markets}


def _market(
    game: Game,
    kind: Market | None,
    *,
    event_id: str,
    ids: Ids,
    prices: Mapping[str, Price],
    status: EventStatus,
) -> dict[str, Any]:
    market_type, name = market_type_of(game.league, kind)
    return {
        "marketId": ids.market_of[(game.event_id, kind)],
        "eventId": int(event_id),
        "marketType": market_type,
        "marketName": name,
        "marketStatus": MARKET_STATUS[status],
        "runners": [
            _runner(quote, ids, prices[sid], extra=kind is Extra) | _runner_names(game, quote)
            for sid, quote in _quotes(game, kind)
        ],
    }


def market_type_of(league: str, kind: Market | None) -> tuple[str, str]:
    if kind is Extra:
        return EXTRA_TYPES.get(league, EXTRA_TYPES["default"])
    return LEAGUE_TYPES.get(league, {}).get(kind, MARKET_TYPES[kind])


def _quotes(game: Game, kind: Market | None) -> list[tuple[str, Quote]]:
    """The quotes a market is made of (the extra market mirrors the moneyline)."""
    wanted = Market.MONEYLINE if kind is Extra else kind
    return [(sid, quote) for sid, quote in game.quotes.items() if quote.market is wanted]


def _runner(quote: Quote, ids: Ids, price: Price, *, extra: bool) -> dict[str, Any]:
    american, line = price
    return {
        "selectionId": ids.runner_of[(quote.selection_id, extra)],
        "handicap": 0 if line is None or extra else line,
        "runnerStatus": "ACTIVE",
        "winRunnerOdds": odds(american),
    }


def _runner_names(game: Game, quote: Quote) -> dict[str, Any]:
    return {"runnerName": game.full_label(quote), "result": {"type": RESULT_TYPES[quote.side]}}


def odds(american: int) -> dict[str, Any]:
    """A runner's price: American as a number, and the true (unrounded) decimal."""
    return {
        "americanDisplayOdds": {"americanOdds": american},
        "trueOdds": {"decimalOdds": {"decimalOdds": american_to_decimal(american)}},
    }


def market_prices(
    ids: Ids,
    market_ids: Iterable[str],
    views: Mapping[str, tuple[Mapping[str, Price], EventStatus]],
) -> list[dict[str, Any]]:
    """The getMarketPrices reply for the requested market ids (unknown ids are left out).

    `views` maps a model event id to the prices and status its responses show."""
    reply = []
    for market_id in market_ids:
        ref = ids.markets.get(market_id)
        if ref is None:
            continue
        prices, status = views[ref.game.event_id]
        runners = [
            _runner(quote, ids, prices[sid], extra=ref.kind is Extra)
            | {"previousWinRunnerOdds": []}
            for sid, quote in _quotes(ref.game, ref.kind)
        ]
        reply.append(
            {"marketId": market_id, "marketStatus": MARKET_STATUS[status], "runnerDetails": runners}
        )
    return reply


def drifted(reply: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The schema fault: every runner's American price renamed and re-shaped."""
    out = []
    for market in reply:
        runners = []
        for runner in market["runnerDetails"]:
            win = dict(runner["winRunnerOdds"])
            american = win.pop("americanDisplayOdds")["americanOdds"]
            runners.append(runner | {"winRunnerOdds": win | {DRIFTED_AMERICAN: {"odds": american}}})
        out.append(market | {"runnerDetails": runners})
    return out
