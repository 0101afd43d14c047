"""FanDuel's HTML pages: league pages whose event links are written by script, and event
pages whose script requests the event JSON.

Nothing a scraper needs is in the static HTML: a league page carries its games as data
and renders the anchors `/<sport>/<league>/<away-slug>-@-<home-slug>-<eventId>` a moment
after load; an event page fetches `/api/event-page?eventId=<id>` and renders from it.
Teams are spelled as FanDuel does, `<City> <Nickname>` ("Detroit Pistons").
"""

from __future__ import annotations

from html import escape

import orjson

from oddswatch.model import EventStatus, team_key
from simulator.game import Game

LEAGUE_PATHS = {
    "nba": "/basketball/nba",
    "nfl": "/football/nfl",
    "mlb": "/baseball/mlb",
    "nhl": "/hockey/nhl",
}
EVENT_JSON_PATH = "/api/event-page"
RENDER_DELAY_MS = 150

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | FanDuel Sportsbook</title>
<link rel="icon" href="data:,"></head>
<body>
{body}
</body></html>
"""
_LEAGUE_SCRIPT = """<script>
const EVENTS = {events};
setTimeout(() => {{
  const list = document.getElementById("events");
  for (const e of EVENTS) {{
    const item = document.createElement("li");
    const link = document.createElement("a");
    link.href = e.path;
    link.textContent = e.name;
    item.appendChild(link);
    list.appendChild(item);
  }}
}}, {delay});
</script>"""
_EVENT_SCRIPT = """<script>
const EVENT_ID = {event_id};
fetch({path} + "?eventId=" + encodeURIComponent(EVENT_ID), {{credentials: "include"}})
  .then(r => r.json())
  .then(d => {{
    document.getElementById("title").textContent = d.event.name;
    document.getElementById("markets").textContent = d.markets.length + " markets";
  }})
  .catch(() => {{ document.getElementById("title").textContent = "Unavailable"; }});
</script>"""


def event_path(game: Game, event_id: str) -> str:
    slug = f"{team_key(game.away_full)}-@-{team_key(game.home_full)}"
    return f"{LEAGUE_PATHS[game.league]}/{slug}-{event_id}"


def league_page(league: str, games: list[tuple[Game, str]]) -> str:
    """Games not final, as (game, FanDuel event id)."""
    events = [
        {"path": event_path(game, event_id), "name": game.full_name}
        for game, event_id in games
        if game.status is not EventStatus.FINAL
    ]
    script = _LEAGUE_SCRIPT.format(events=_js(events), delay=RENDER_DELAY_MS)
    body = f'<h1>{league.upper()} Odds</h1>\n<ul id="events"></ul>\n{script}'
    return _PAGE.format(title=f"{league.upper()} Betting Odds", body=body)


def event_page(game: Game, event_id: str) -> str:
    script = _EVENT_SCRIPT.format(event_id=_js(event_id), path=_js(EVENT_JSON_PATH))
    body = f'<h1 id="title">Loading…</h1>\n<p id="markets"></p>\n{script}'
    return _PAGE.format(title=escape(game.full_name), body=body)


def _js(value: object) -> str:
    """A value as a JavaScript literal that cannot close the script element."""
    return orjson.dumps(value).decode().replace("</", "<\\/")
