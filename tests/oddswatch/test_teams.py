"""One key per team whatever the book's spelling, and None rather than a guess."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from oddswatch.model import Event, Team
from oddswatch.teams import LEAGUE_TEAMS, canonical_team_key, league_teams, spelling_key

# (league, key, spellings books use for that team)
FAMILIES = [
    ("nba", "los-angeles-lakers",
     ["Los Angeles Lakers", "LA Lakers", "LAL Lakers", "LAL", "Lakers", "L.A. Lakers",
      "los angeles lakers", "LOS ANGELES LAKERS", "La Lakers"]),
    ("nba", "golden-state-warriors", ["Golden State Warriors", "GS Warriors", "GSW", "Warriors"]),
    ("nba", "phoenix-suns", ["Phoenix Suns", "PHO Suns", "PHX Suns", "Suns"]),
    ("nba", "washington-wizards", ["Washington Wizards", "WAS Wizards", "WSH Wizards"]),
    ("nba", "san-antonio-spurs", ["San Antonio Spurs", "SA Spurs", "SAS Spurs"]),
    ("nba", "new-orleans-pelicans", ["New Orleans Pelicans", "NO Pelicans", "NOP Pelicans"]),
    ("nba", "portland-trail-blazers",
     ["Portland Trail Blazers", "POR Trail Blazers", "Trail Blazers", "Portland Trail‐Blazers",
      "Portland Trailblazers"]),
    ("nba", "philadelphia-76ers", ["Philadelphia 76ers", "PHI 76ers", "76ers", "Sixers"]),
    ("nfl", "kansas-city-chiefs", ["Kansas City Chiefs", "KC Chiefs", "Chiefs"]),
    ("nfl", "jacksonville-jaguars", ["Jacksonville Jaguars", "JAX Jaguars", "JAC Jaguars"]),
    ("nfl", "las-vegas-raiders", ["Las Vegas Raiders", "LV Raiders", "Raiders"]),
    ("nfl", "tampa-bay-buccaneers", ["Tampa Bay Buccaneers", "TB Buccaneers", "Tampa Bay Bucs"]),
    ("nfl", "san-francisco-49ers", ["San Francisco 49ers", "SF 49ers", "49ers"]),
    ("nfl", "washington-commanders", ["Washington Commanders", "WAS Commanders", "WSH"]),
    ("nfl", "new-york-giants", ["New York Giants", "NY Giants", "NYG", "Giants"]),
    ("mlb", "boston-red-sox", ["Boston Red Sox", "BOS Red Sox", "Red Sox"]),
    ("mlb", "chicago-white-sox", ["Chicago White Sox", "CHI White Sox", "CWS White Sox"]),
    ("mlb", "st-louis-cardinals",
     ["St. Louis Cardinals", "St Louis Cardinals", "Saint Louis Cardinals", "STL Cardinals",
      "ST. LOUIS CARDINALS", "Cardinals"]),
    ("mlb", "athletics",
     ["Athletics", "ATH Athletics", "Oakland Athletics", "Sacramento Athletics", "A's", "A’s"]),
    ("mlb", "cleveland-guardians", ["Cleveland Guardians", "CLE Guardians", "Guardians"]),
    ("mlb", "san-francisco-giants", ["San Francisco Giants", "SF Giants", "Giants"]),
    ("nhl", "montreal-canadiens",
     ["Montréal Canadiens", "Montreal Canadiens", "MONTRÉAL CANADIENS", "MTL Canadiens",
      "Canadiens", "Montréal Canadiens"]),
    ("nhl", "st-louis-blues", ["St. Louis Blues", "St Louis Blues", "STL Blues", "Blues"]),
    ("nhl", "utah-mammoth",
     ["Utah Mammoth", "UTA Mammoth", "Mammoth", "Utah Hockey Club", "UTA Hockey Club"]),
    ("nhl", "vegas-golden-knights",
     ["Vegas Golden Knights", "Las Vegas Golden Knights", "VGK Golden Knights", "VGK"]),
    ("nhl", "los-angeles-kings", ["Los Angeles Kings", "LA Kings", "L.A. Kings", "LAK"]),
    ("nhl", "new-york-rangers", ["New York Rangers", "NY Rangers", "NYR Rangers", "NYR"]),
    ("nhl", "tampa-bay-lightning", ["Tampa Bay Lightning", "TB Lightning", "TBL Lightning"]),
]  # fmt: skip


@pytest.mark.parametrize(("league", "key", "spellings"), FAMILIES)
def test_every_spelling_family_resolves_to_one_key(
    league: str, key: str, spellings: list[str]
) -> None:
    got = {name: canonical_team_key(league, name) for name in spellings}
    assert got == dict.fromkeys(spellings, key)


@pytest.mark.parametrize("league", sorted(LEAGUE_TEAMS))
def test_every_team_of_the_table_round_trips(league: str) -> None:
    teams = league_teams(league)
    assert len({team.key for team in teams}) == len(teams), "two teams share a key"
    for team in teams:
        assert team.key == spelling_key(team.name)  # the slug of the official name
        spellings = [team.name, team.short, team.nickname, team.name.upper(), team.name.lower()]
        spellings += [f"{abbr} {team.nickname}" for abbr in team.abbrs]
        assert {canonical_team_key(league, s) for s in spellings} == {team.key}, team


def test_league_sizes_and_current_names() -> None:
    assert {league: len(teams) for league, teams in LEAGUE_TEAMS.items()} == {
        "nba": 30, "nfl": 32, "mlb": 30, "nhl": 32,
    }  # fmt: skip
    names = {team.name for teams in LEAGUE_TEAMS.values() for team in teams}
    assert {"Athletics", "Cleveland Guardians", "Washington Commanders", "Utah Mammoth"} <= names
    assert {"Oakland Athletics", "Washington Football Team", "Arizona Coyotes"}.isdisjoint(names)
    assert canonical_team_key("nhl", "Arizona Coyotes") is None


@pytest.mark.parametrize(
    ("league", "name"),
    [
        ("nba", "LA"),  # Clippers or Lakers
        ("nba", "Los Angeles"),
        ("nba", "LA Foo"),  # a known city, an unknown nickname
        ("nba", "Boston Lakers"),  # the city of one team, the nickname of another
        ("nfl", "NY"),
        ("nfl", "New York"),
        ("mlb", "Chicago"),
        ("mlb", "CHI"),
        ("mlb", "Sox"),
        ("nhl", "NY"),
        ("nhl", "Hockey"),
        ("nba", ""),
        ("nba", "   "),
        ("xfl", "Los Angeles Lakers"),  # unknown league
        ("nfl", "Los Angeles Lakers"),  # another league's team
    ],
)
def test_ambiguous_or_unknown_spellings_give_none(league: str, name: str) -> None:
    assert canonical_team_key(league, name) is None


@pytest.mark.parametrize(
    ("name", "keys"),
    [
        ("Giants", {"nfl": "new-york-giants", "mlb": "san-francisco-giants"}),
        ("Cardinals", {"nfl": "arizona-cardinals", "mlb": "st-louis-cardinals"}),
        ("Rangers", {"mlb": "texas-rangers", "nhl": "new-york-rangers"}),
        ("Kings", {"nba": "sacramento-kings", "nhl": "los-angeles-kings"}),
        ("Jets", {"nfl": "new-york-jets", "nhl": "winnipeg-jets"}),
        ("Panthers", {"nfl": "carolina-panthers", "nhl": "florida-panthers"}),
        ("DET", {"nba": "detroit-pistons", "nfl": "detroit-lions", "mlb": "detroit-tigers",
                 "nhl": "detroit-red-wings"}),
    ],
)  # fmt: skip
def test_the_league_disambiguates(name: str, keys: dict[str, str]) -> None:
    got = {league: canonical_team_key(league, name) for league in LEAGUE_TEAMS}
    assert {league: key for league, key in got.items() if key} == keys


def test_spelling_noise_is_ignored() -> None:
    lakers = "los-angeles-lakers"
    noisy = ["Los Angeles Lakers (NBA)", "  Los   Angeles\tLakers ", "Los-Angeles-Lakers",
             "ＬＡ Ｌａｋｅｒｓ", "L. A. Lakers", "LOS ANGELES LAKERS"]  # fmt: skip
    assert {canonical_team_key("NBA", name) for name in noisy} == {lakers}


def test_events_of_two_books_share_team_keys_but_keep_their_spelling() -> None:
    start = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)
    dk = Event("draftkings", "nba", "1", Team("DET Pistons"), Team("LA Lakers"), start)
    fd = Event("fanduel", "nba", "9", Team("Detroit Pistons"), Team("Los Angeles Lakers"), start)
    assert (dk.home.key, dk.away.key) == (fd.home.key, fd.away.key)
    assert (dk.home.key, dk.away.key) == ("detroit-pistons", "los-angeles-lakers")
    assert (dk.home.name, fd.home.name) == ("DET Pistons", "Detroit Pistons")
    explicit = Event("x", "nba", "2", Team("Detroit Pistons", "stale"), Team("Zz Unknown"), start)
    assert (explicit.home.key, explicit.away.key) == ("detroit-pistons", "zz-unknown")
