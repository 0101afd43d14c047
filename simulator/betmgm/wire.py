"""BetMGM's fixture-view JSON for one game of the market model (docs/betmgm-wire.md).

Ids are the book's own and deterministic: the fixture id is `derived_id(model id)`, market,
option and participant ids are derived from the model's game, market and selection ids.
Participants and moneyline options list the home team first (the reference read the
away team from `participants[0]`; a client that trusts list order reads it wrong here).
A fourth, non-main market (first-half or first-period spread) is always present: clients
must skip it. Teams are spelled as BetMGM does, `<City> <Nickname>` ("Detroit Pistons");
a participant's `short` name is the abbreviated one ("DET Pistons").
"""

from __future__ import annotations

from typing import Any, Literal

from oddswatch.model import EventStatus, Market, Side
from simulator.book import derived_id
from simulator.game import Game, Quote
from simulator.pricing import american_text, decimal_odds

BOOK = "betmgm"
OddsFormat = Literal["both", "decimal"]

MARKET_TYPES = {Market.MONEYLINE: "2way", Market.SPREAD: "Handicap", Market.TOTAL: "Over/Under"}
MARKET_NAMES = {Market.MONEYLINE: "Money Line", Market.SPREAD: "Spread", Market.TOTAL: "Totals"}
SPREAD_NAMES = {"nhl": "Puck Line"}  # the spread's name where it is not "Spread"
# The non-main market of each game: (name, Period parameter); the NHL's is by period.
PART_MARKETS = {"nhl": ("1st Period Puck Line", "1stPeriod")}
PART_MARKET = ("1st Half Spread", "1stHalf")
PARTICIPANT_TYPES = {Side.HOME: "HomeTeam", Side.AWAY: "AwayTeam"}
STAGES = {
    EventStatus.SCHEDULED: "PreMatch",
    EventStatus.LIVE: "Live",
    EventStatus.SUSPENDED: "Live",
    EventStatus.FINAL: "Finished",
    EventStatus.CANCELLED: "Finished",
}
MARKET_STATUSES = {EventStatus.SUSPENDED: "Suspended", EventStatus.FINAL: "Closed"}
_ORDER = (Side.HOME, Side.AWAY, Side.OVER, Side.UNDER)


def fixture_id(game: Game) -> str:
    return derived_id(game.event_id, BOOK)


def market_id(game: Game, market: Market) -> str:
    return derived_id(f"{game.event_id}:{market.value}", f"{BOOK}-market", 9)


def option_id(quote: Quote) -> str:
    return derived_id(quote.selection_id, f"{BOOK}-option", 9)


def participant_id(game: Game, side: Side) -> int:
    return int(derived_id(f"{game.event_id}:{side.value}", f"{BOOK}-participant", 7))


def fixture_name(game: Game) -> str:
    return f"{game.away_full} at {game.home_full}"


def iso_z(game: Game) -> str:
    return game.starts_at.strftime("%Y-%m-%dT%H:%M:%SZ")


def fixture(game: Game, odds_format: OddsFormat = "both", *, drift: bool = False) -> Any:
    """One game's fixture; `drift` is the schema fault: participant names flattened to
    strings and `americanOdds` sent as display text (`−110`)."""
    participants = [_participant(game, side, drift) for side in (Side.HOME, Side.AWAY)]
    markets = [_market(game, market, odds_format, drift) for market in MARKET_TYPES]
    markets.append(_first_half(game, odds_format))
    return {
        "id": fixture_id(game),
        "name": {"value": fixture_name(game)},
        "stage": STAGES[game.status],
        "startDate": iso_z(game),
        "participants": participants,
        "optionMarkets": markets,
    }


def _participant(game: Game, side: Side, drift: bool) -> dict[str, Any]:
    name, short = (game.home_full, game.home) if side is Side.HOME else (game.away_full, game.away)
    return {
        "participantId": participant_id(game, side),
        "name": name if drift else {"value": name, "short": short},
        "properties": {"type": PARTICIPANT_TYPES[side]},
    }


def _market(game: Game, market: Market, odds_format: OddsFormat, drift: bool) -> dict[str, Any]:
    quotes = sorted(
        (q for q in game.quotes.values() if q.market is market), key=lambda q: _ORDER.index(q.side)
    )
    return {
        "id": int(market_id(game, market)),
        "name": {"value": _market_name(game, market)},
        "status": MARKET_STATUSES.get(game.status, "Visible"),
        "isMain": True,
        "templateCategory": {"id": 44, "category": "Gridable"},
        "parameters": [
            {"key": "MarketType", "value": MARKET_TYPES[market]},
            {"key": "Period", "value": "RegularTime"},
        ],
        "options": [_option(game, q, odds_format, drift) for q in quotes],
    }


def _market_name(game: Game, market: Market) -> str:
    if market is Market.SPREAD:
        return SPREAD_NAMES.get(game.league, MARKET_NAMES[market])
    return MARKET_NAMES[market]


def _option(game: Game, quote: Quote, odds_format: OddsFormat, drift: bool) -> dict[str, Any]:
    option: dict[str, Any] = {
        "id": int(option_id(quote)),
        "name": {"value": option_label(game, quote)},
        "status": "Visible",
        "price": price(quote.american, odds_format, drift),
    }
    if quote.market is Market.TOTAL:
        option["totalsPrefix"] = "Over" if quote.side is Side.OVER else "Under"
    else:
        option["participantId"] = participant_id(game, quote.side)
    if quote.line is not None:
        option["attr"] = line_text(quote.line, signed=quote.market is Market.SPREAD)
    return option


def price(american: int, odds_format: OddsFormat, drift: bool = False) -> dict[str, Any]:
    decimal = decimal_odds(american)
    if odds_format == "decimal":
        return {"odds": decimal}
    return {"odds": decimal, "americanOdds": american_text(american) if drift else american}


def option_label(game: Game, quote: Quote) -> str:
    label = game.full_label(quote)
    if quote.market is Market.TOTAL:
        return f"{label} {line_text(quote.line or 0.0, signed=False)}"
    if quote.market is Market.SPREAD:
        return f"{label} {line_text(quote.line or 0.0, signed=True)}"
    return label


def line_text(line: float, *, signed: bool) -> str:
    return f"{line:+g}" if signed else f"{line:g}"


def _first_half(game: Game, odds_format: OddsFormat) -> dict[str, Any]:
    """A first-half (NHL: first-period) spread: a main-looking market of another period,
    never tracked."""
    market_name, period = PART_MARKETS.get(game.league, PART_MARKET)
    line = game.spread_line / 2
    options = [
        {
            "id": int(derived_id(f"{game.event_id}:1h:{side.value}", f"{BOOK}-option", 9)),
            "name": {"value": team},
            "status": "Visible",
            "participantId": participant_id(game, side),
            "attr": line_text(sign * line, signed=True),
            "price": price(-110, odds_format),
        }
        for side, team, sign in ((Side.HOME, game.home_full, 1), (Side.AWAY, game.away_full, -1))
    ]
    return {
        "id": int(derived_id(f"{game.event_id}:1h", f"{BOOK}-market", 9)),
        "name": {"value": market_name},
        "status": "Visible",
        "isMain": True,
        "templateCategory": {"id": 45, "category": "Gridable"},
        "parameters": [
            {"key": "MarketType", "value": "Handicap"},
            {"key": "Period", "value": period},
        ],
        "options": options,
    }
