"""Bovada's JSON view of the market model: coupon groups, events, markets, delta bodies.

Ids are Bovada's own and deterministic: the event id is `derived_id(model id, "bovada")`
(8 digits), market and outcome ids are derived from the model's market and selection ids
(9 and 10 digits), competitor ids are `<event id>-<4 digits>`. Teams are spelled as
Bovada does, `<City> <Nickname>` ("Detroit Pistons"). Each league's coupon
carries a decoy group first (preseason / spring training, path link `<league path>-...`)
with one exhibition event that must not be taken for the league, and each event carries
an alternate-lines display group and a first-half market that are not main full-game
markets. See docs/bovada-wire.md.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from oddswatch.model import EventStatus, Market, Side, team_key
from simulator.book import derived_id
from simulator.game import Game, Quote

SPORTS = {
    "nba": ("basketball", "BASK"),
    "nfl": ("football", "FOOT"),
    "mlb": ("baseball", "BASE"),
    "nhl": ("hockey", "HCKY"),
}
LEAGUE_PATHS = {league: f"/{sport}/{league}" for league, (sport, _) in SPORTS.items()}
PRESEASON = {  # the decoy group of each league: (description, path link)
    "nba": ("NBA Preseason", "/basketball/nba-preseason"),
    "nfl": ("NFL Preseason", "/football/nfl-preseason"),
    "mlb": ("MLB Spring Training", "/baseball/mlb-spring-training"),
    "nhl": ("NHL Preseason", "/hockey/nhl-preseason"),
}
MARKET_NAMES = {
    Market.MONEYLINE: ("Moneyline", "Head To Head", "2W-12"),
    Market.SPREAD: ("Point Spread", "Main Dynamic Asian Handicap", "2W-HCAP"),
    Market.TOTAL: ("Total", "Main Dynamic Over/Under", "2W-OU"),
}
SPREAD_NAMES = {"mlb": "Runline", "nhl": "Puck Line"}  # the spread's name in these leagues
# The part-of-game market of each event: its display group and (period, abbreviation).
PART_GROUPS = {"nhl": "1st Period"}
PART_PERIODS = {"nhl": ("1st Period", "1P")}
PART_PERIOD = ("First Half", "1H")
MARKERS = {Side.HOME: "H", Side.AWAY: "A", Side.OVER: "O", Side.UNDER: "U"}
STATUS_CODES = {EventStatus.SUSPENDED: "S", EventStatus.FINAL: "C", EventStatus.CANCELLED: "C"}
LIVE_STATUSES = (EventStatus.LIVE, EventStatus.SUSPENDED)
ALT_STEP = 2.5  # alternate spread lines sit this far from the main line

EventIds = Callable[[Game], str]


def market_id(game: Game, market: Market, variant: str = "") -> str:
    return derived_id(f"{game.event_id}:{market.value}{variant}", "bovada-market", 9)


def outcome_id(quote: Quote, variant: str = "") -> str:
    return derived_id(f"{quote.selection_id}{variant}", "bovada-outcome", 10)


def competitor_id(event_id: str, team: str) -> str:
    return f"{event_id}-{derived_id(team, 'bovada-team', 4)}"


def teams(game: Game) -> dict[str, str]:
    """`home` and `away` as Bovada spells them: `Detroit Pistons`."""
    return {"home": game.home_full, "away": game.away_full}


def label(game: Game, quote: Quote) -> str:
    """An outcome's description: the team's name, or Over / Under."""
    return game.full_label(quote)


def status_code(game: Game) -> str:
    """`O` open, `S` suspended, `C` closed (a final game's markets)."""
    return STATUS_CODES.get(game.status, "O")


def american_text(american: int) -> str:
    """Bovada's text: `+150`, `-110` (ASCII minus), `EVEN` for ±100."""
    if abs(american) == 100:
        return "EVEN"
    return f"+{american}" if american > 0 else str(american)


def now_ms() -> int:
    return time.time_ns() // 1_000_000


# -- coupon ------------------------------------------------------------------------------


def coupon(
    league: str, games: Iterable[Game], ids: EventIds, *, prematch_only: bool, limit: int
) -> list[dict[str, Any]]:
    """The coupon of one league: the decoy group, then the league's group."""
    listed = [
        game
        for game in games
        if game.status is not EventStatus.FINAL
        and (not prematch_only or game.status is EventStatus.SCHEDULED)
    ][: max(0, limit)]
    if not listed:
        return []
    events = [event(game, ids(game)) for game in listed]
    league_group = {"path": _path(league, league.upper(), LEAGUE_PATHS[league]), "events": events}
    decoy = event(listed[0], derived_id(listed[0].event_id, "bovada-preseason"))
    decoy_group = {"path": _path(league, *PRESEASON[league]), "events": [decoy]}
    return [decoy_group, league_group]


def _path(league: str, description: str, link: str) -> list[dict[str, Any]]:
    sport, code = SPORTS[league]
    node = _node(link, description, "LEAGUE", code, leaf=True)
    return [node, _node(f"/{sport}", sport.title(), "SPORT", code, leaf=False)]


def _node(link: str, description: str, kind: str, code: str, *, leaf: bool) -> dict[str, Any]:
    return {
        "id": derived_id(link, "bovada-path", 4),
        "link": link,
        "description": description,
        "type": kind,
        "sportCode": code,
        "order": 1,
        "leaf": leaf,
        "current": leaf,
    }


def event(game: Game, event_id: str) -> dict[str, Any]:
    start_ms = int(game.starts_at.timestamp() * 1000)
    names = teams(game)
    home = {"id": competitor_id(event_id, names["home"]), "name": names["home"], "home": True}
    away = {"id": competitor_id(event_id, names["away"]), "name": names["away"], "home": False}
    stamp = game.starts_at.strftime("%Y%m%d%H%M")
    slug = f"{team_key(names['away'])}-{team_key(names['home'])}-{stamp}"
    return {
        "id": event_id,
        "description": f"{names['away']} @ {names['home']}",
        "type": "GAMEEVENT",
        "link": f"{LEAGUE_PATHS[game.league]}/{slug}",
        "status": status_code(game),
        "sport": SPORTS[game.league][1],
        "startTime": start_ms,
        "live": game.status in LIVE_STATUSES,
        "awayTeamFirst": True,
        "lastModified": now_ms(),
        # Home is not always listed first: clients must read the `home` flag.
        "competitors": [home, away] if int(game.event_id) % 2 else [away, home],
        "displayGroups": _display_groups(game, event_id),
    }


def _display_groups(game: Game, event_id: str) -> list[dict[str, Any]]:
    main = [market(game, event_id, kind, _quotes(game, kind)) for kind in MARKET_NAMES]
    return [
        {"id": "100-97", "description": "Game Lines", "defaultType": True,
         "alternateType": False, "markets": main},
        {"id": "100-1189", "description": "Alternate Lines", "defaultType": False,
         "alternateType": True, "markets": [_alternate_spread(game, event_id)]},
        {"id": "100-1192", "description": PART_GROUPS.get(game.league, "1st Half"),
         "defaultType": False, "alternateType": False,
         "markets": [_first_half_moneyline(game, event_id)]},
    ]  # fmt: skip


def _quotes(game: Game, kind: Market) -> list[Quote]:
    return [quote for quote in game.quotes.values() if quote.market is kind]


def period(game: Game) -> dict[str, Any]:
    live = game.status in LIVE_STATUSES
    return {"id": "119", "description": "Live Game" if live else "Game", "abbreviation": "G",
            "live": live, "main": True}  # fmt: skip


def market(
    game: Game, event_id: str, kind: Market, quotes: Iterable[Quote], *, drift: bool = False
) -> dict[str, Any]:
    description, key_name, key = MARKET_NAMES[kind]
    if kind is Market.SPREAD:
        description = SPREAD_NAMES.get(game.league, description)
    return {
        "id": market_id(game, kind),
        "description": description,
        "descriptionKey": key_name,
        "key": key,
        "status": status_code(game),
        "period": period(game),
        "outcomes": [outcome(game, event_id, quote, drift=drift) for quote in quotes],
    }


def outcome(game: Game, event_id: str, quote: Quote, *, drift: bool = False) -> dict[str, Any]:
    """One outcome; `drift` re-shapes its price (numbers, no decimal): the schema fault."""
    price: dict[str, Any] = {
        "id": outcome_id(quote, ":price"),
        "american": american_text(quote.american),
        "decimal": f"{quote.decimal:.3f}",
    }
    if quote.line is not None:
        price["handicap"] = f"{quote.line:.1f}"
    if drift:
        price = {"american": quote.american, "handicap": quote.line}
    raw: dict[str, Any] = {
        "id": outcome_id(quote),
        "description": label(game, quote),
        "status": status_code(game),
        "type": MARKERS[quote.side],
        "price": price,
    }
    if quote.side in (Side.HOME, Side.AWAY):
        raw["competitorId"] = competitor_id(event_id, label(game, quote))
    return raw


def _alternate_spread(game: Game, event_id: str) -> dict[str, Any]:
    spread = market(game, event_id, Market.SPREAD, _quotes(game, Market.SPREAD))
    spread["id"] = market_id(game, Market.SPREAD, ":alt")
    spread["description"] = "Alternate Point Spread"
    for raw, quote in zip(spread["outcomes"], _quotes(game, Market.SPREAD), strict=True):
        raw["id"] = outcome_id(quote, ":alt")
        line = (quote.line or 0.0) + ALT_STEP
        raw["price"] = {"american": "+180", "decimal": "2.800", "handicap": f"{line:.1f}"}
    return spread


def _first_half_moneyline(game: Game, event_id: str) -> dict[str, Any]:
    half = market(game, event_id, Market.MONEYLINE, _quotes(game, Market.MONEYLINE))
    half["id"] = market_id(game, Market.MONEYLINE, ":1h")
    name, abbreviation = PART_PERIODS.get(game.league, PART_PERIOD)
    half["period"] = {"id": "120", "description": name, "abbreviation": abbreviation,
                      "live": False, "main": True}  # fmt: skip
    for raw, quote in zip(half["outcomes"], _quotes(game, Market.MONEYLINE), strict=True):
        raw["id"] = outcome_id(quote, ":1h")
    return half


# -- websocket deltas --------------------------------------------------------------------


def delta_body(
    game: Game, event_id: str, quotes: Iterable[Quote], *, drift: bool = False
) -> dict[str, Any]:
    """`{"eventId", "lastModified", "markets": [...]}` holding only the given outcomes."""
    by_kind: dict[Market, list[Quote]] = {}
    for quote in quotes:
        by_kind.setdefault(quote.market, []).append(quote)
    markets = [
        market(game, event_id, kind, by_kind[kind], drift=drift)
        for kind in MARKET_NAMES
        if kind in by_kind
    ]
    return {"eventId": event_id, "lastModified": now_ms(), "markets": markets}
