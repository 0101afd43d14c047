"""BetMGM's HTML: league pages whose event links only exist once their script has run, and
event pages whose script requests the fixture-view JSON with the embedded access id.

Both embed the site config `window.clientConfig = {"cds": {"url", "accessId"}, ...}` in an
inline script (the access id a client reads with a plain GET). A league page carries its
games as script data and writes the anchors `/en/sports/events/<away>-at-<home>-<id>` in
two batches (like a lazily filled grid); the path is only assembled in the browser, so
the served HTML contains no event link. Teams are spelled as BetMGM does, `<City>
<Nickname>` ("Detroit Pistons"), in names and slugs.
"""

from __future__ import annotations

from html import escape
from typing import Any

import orjson

from oddswatch.model import EventStatus, team_key
from simulator.betmgm.wire import fixture_id, fixture_name
from simulator.game import Game

LEAGUE_PATHS = {
    "nba": "/en/sports/basketball-7/today",
    "nfl": "/en/sports/football-11/today",
    "mlb": "/en/sports/baseball-23/today",
    "nhl": "/en/sports/ice-hockey-12/today",
}
EVENTS_PREFIX = "/en/sports/events/"
API_PATH = "/cds-api/bettingoffer/fixture-view"
API_QUERY = {
    "lang": "en-us",
    "country": "US",
    "userCountry": "US",
    "offerMapping": "All",
    "scoreboardMode": "Full",
    "state": "Latest",
}

_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title} | BetMGM</title>
<link rel="icon" href="data:,">
<script>window.clientConfig = {config};</script></head>
<body>
<nav><a href="/en/sports">Sports</a> <a href="/en/sports/basketball-7">Basketball</a>
<a href="/en/sports/football-11">Football</a> <a href="/en/sports/baseball-23">Baseball</a>
<a href="/en/sports/ice-hockey-12">Ice Hockey</a></nav>
{body}
</body></html>
"""

_LEAGUE_SCRIPT = """<script>
(function () {
  var games = %s;
  var grid = document.getElementById("grid");
  function render(part) {
    part.forEach(function (g) {
      var a = document.createElement("a");
      a.href = "/en/sports/" + "events/" + g.away + "-at-" + g.home + "-" + g.id;
      a.textContent = g.name;
      var li = document.createElement("li");
      li.appendChild(a);
      grid.appendChild(li);
    });
  }
  var half = Math.ceil(games.length / 2);
  setTimeout(function () { render(games.slice(0, half)); }, 50);
  setTimeout(function () { render(games.slice(half)); }, 400);
})();
</script>"""

_EVENT_SCRIPT = """<script>
(function () {
  var cds = window.clientConfig.cds;
  var query = new URLSearchParams(%s);
  query.set("x-bwin-accessid", cds.accessId);
  query.set("fixtureIds", %s);
  fetch(cds.url + "?" + query.toString())
    .then(function (r) { return r.json(); })
    .then(function (d) {
      var f = d.fixtures[0];
      document.getElementById("fixture").textContent = f.name.value || f.name;
    })
    .catch(function () {});
})();
</script>"""


def event_path(game: Game) -> str:
    home, away = team_key(game.home_full), team_key(game.away_full)
    return f"{EVENTS_PREFIX}{away}-at-{home}-{fixture_id(game)}"


def league_page(league: str, games: list[Game], access_id: str) -> str:
    listed = [
        {
            "id": fixture_id(g),
            "away": team_key(g.away_full),
            "home": team_key(g.home_full),
            "name": fixture_name(g),
        }
        for g in games
        if g.status is not EventStatus.FINAL
    ]
    body = f'<h1>{league.upper()} Today</h1>\n<ul id="grid"></ul>\n' + _LEAGUE_SCRIPT % (
        _script_json(listed),
    )
    return _page(f"{league.upper()} Odds", body, access_id)


def event_page(game: Game, access_id: str) -> str:
    name = escape(fixture_name(game))
    body = f'<h1 id="fixture">{name}</h1>\n' + _EVENT_SCRIPT % (
        _script_json(API_QUERY),
        _script_json(fixture_id(game)),
    )
    return _page(name, body, access_id)


def _page(title: str, body: str, access_id: str) -> str:
    config = {"cds": {"url": API_PATH, "accessId": access_id}, "lang": "en-us"}
    return _PAGE.format(title=title, config=_script_json(config), body=body)


def _script_json(value: Any) -> str:
    return orjson.dumps(value).decode().replace("</", "<\\/")
