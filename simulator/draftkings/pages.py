"""DraftKings' HTTP payloads: league and event pages (HTML) and the categories JSON.

Pages are just enough for headless Chromium and the scraper: a league page links every
game that is not final as `/event/<away-slug>-%40-<home-slug>/<event_id>` (every fourth
game double-encodes the `@` as `%2540`, as the real site sometimes does) and fetches
the token URL like a browser session; an event page embeds `"startEventDate"` in a
script and shows the start in a `scoreboard-date` span.
"""

from __future__ import annotations

from datetime import datetime
from html import escape
from typing import Any
from zoneinfo import ZoneInfo

import orjson

from oddswatch.model import EventStatus, Market, Side, team_key
from simulator.game import MARKET_NAMES, Game, Quote, market_id
from simulator.pricing import american_text

LEAGUE_PATHS = {
    "nba": "/leagues/basketball/nba",
    "nfl": "/leagues/football/nfl",
    "mlb": "/leagues/baseball/mlb",
    "nhl": "/leagues/hockey/nhl",
}
TOKEN_PATH = "/sites/US-NJ-SB/api/v1/anonymous-token"
VENUE_ROLES = {Side.HOME: "Home", Side.AWAY: "Away"}
OUTCOME_TYPES = {Side.HOME: "Home", Side.AWAY: "Away", Side.OVER: "Over", Side.UNDER: "Under"}

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | DraftKings Sportsbook</title>
<link rel="icon" href="data:,"></head>
<body>
{body}
</body></html>
"""
_TOKEN_SCRIPT = (
    "<script>fetch({path}, {{credentials: 'include'}})"
    ".then(r => r.json()).then(d => {{ window.__dkTokenReady = Boolean(d.token); }})"
    ".catch(() => {{}});</script>"
)


def event_path(game: Game, index: int) -> str:
    at = "%2540" if index % 4 == 3 else "%40"
    return f"/event/{team_key(game.away)}-{at}-{team_key(game.home)}/{game.event_id}"


def home_page() -> str:
    links = "\n".join(
        f'<li><a href="{path}">{league.upper()}</a></li>' for league, path in LEAGUE_PATHS.items()
    )
    return _page("Sportsbook", f"<h1>Sportsbook</h1>\n<ul>\n{links}\n</ul>")


def league_page(league: str, games: list[Game], now: datetime, tz: ZoneInfo) -> str:
    items = [
        f'<li><a href="{event_path(game, i)}">{escape(game.name)}</a> '
        f"<span>{scoreboard_text(game.starts_at, now, tz)}</span></li>"
        for i, game in enumerate(games)
        if game.status is not EventStatus.FINAL
    ]
    body = f"<h1>{league.upper()} Odds</h1>\n<ul>\n" + "\n".join(items) + "\n</ul>"
    return _page(f"{league.upper()} Odds", body)


def event_page(game: Game, now: datetime, tz: ZoneInfo) -> str:
    state = {"eventId": game.event_id, "name": game.name, "startEventDate": iso_z(game.starts_at)}
    body = (
        f"<h1>{escape(game.name)}</h1>\n"
        f'<p class="scoreboardDate__b-IW4"><span data-testid="scoreboard-date">'
        f"{scoreboard_text(game.starts_at, now, tz)}</span></p>\n"
        f'<script>window.__INITIAL_STATE__ = {{"event":{orjson.dumps(state).decode()}}};</script>'
    )
    return _page(escape(game.name), body)


def _page(title: str, body: str) -> str:
    script = _TOKEN_SCRIPT.format(path=orjson.dumps(TOKEN_PATH).decode())
    return _PAGE.format(title=title, body=f"{body}\n{script}")


def iso_z(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def scoreboard_text(start: datetime, now: datetime, tz: ZoneInfo) -> str:
    """`Today 7:30 PM`, `Tomorrow 1:00 PM`, `Sun 1:00 PM` or `Thu Mar 26th 5:30 PM`."""
    local = start.astimezone(tz)
    clock = f"{local.hour % 12 or 12}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"
    days = (local.date() - now.astimezone(tz).date()).days
    if days == 0:
        return f"Today {clock}"
    if days == 1:
        return f"Tomorrow {clock}"
    if 1 < days < 7:
        return f"{local:%a} {clock}"
    return f"{local:%a %b} {local.day}{_ordinal(local.day)} {clock}"


def _ordinal(day: int) -> str:
    if 10 <= day % 100 <= 20:
        return "th"
    return {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")


def categories(game: Game) -> dict[str, Any]:
    teams = [_participant(game.home, Side.HOME), _participant(game.away, Side.AWAY)]
    event = {
        "id": game.event_id,
        "name": game.name,
        "startEventDate": iso_z(game.starts_at),
        "participants": teams,
    }
    markets = [
        {
            "id": market_id(game.event_id, market),
            "eventId": game.event_id,
            "name": name,
            "marketType": {"name": name},
        }
        for market, name in MARKET_NAMES.items()
    ]
    selections = [_selection(quote) for quote in game.quotes.values()]
    return {"events": [event], "markets": markets, "selections": selections}


def _participant(name: str, side: Side) -> dict[str, str]:
    return {"name": name, "venueRole": VENUE_ROLES[side]}


def _selection(quote: Quote) -> dict[str, Any]:
    selection: dict[str, Any] = {
        "id": quote.selection_id,
        "marketId": quote.market_id,
        "label": quote.label,
        "displayOdds": {
            "american": american_text(quote.american),
            "decimal": f"{quote.decimal:.2f}",
        },
        "outcomeType": OUTCOME_TYPES[quote.side],
    }
    if quote.line is not None:
        selection["points"] = quote.line
    if quote.market is not Market.TOTAL:
        selection["participants"] = [_participant(quote.label, quote.side)]
    return selection
