"""One identity per team across books: the league's teams and every spelling books use.

Books spell one team many ways: "Los Angeles Lakers", "LA Lakers", "LAL Lakers", "Lakers",
"L.A. Lakers". `canonical_team_key(league, name)` maps any of them to one key, the slug
of the official full name ("los-angeles-lakers"), so the same game can be matched across
books. It never guesses: a spelling that fits two teams of the league ("LA" alone, "New
York" in the NFL) or none ("LA Foo") gives None. The league disambiguates the rest
("Giants" is New York's in the NFL, San Francisco's in MLB).

The table holds, per league, one row per current team, `ABBRS | City | Nickname | other
cities | other nicknames` (lists comma-separated, trailing columns optional). The first
abbreviation is the one DraftKings-style spellings use ("DET Pistons"); the others, and
every city spelling, are accepted as a prefix of the nickname or alone. A city may be
empty (the "Athletics"). Spellings are compared after `spelling_key`: accents and case
dropped, any punctuation a separator (apostrophes dropped), initials joined ("L.A." is
"LA"), "Saint" read as "St", a parenthesised note ("(NBA)") ignored.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import lru_cache

_NBA = """
ATL      | Atlanta       | Hawks
BOS      | Boston        | Celtics
BKN, BRK | Brooklyn      | Nets
CHA, CHO | Charlotte     | Hornets
CHI      | Chicago       | Bulls
CLE      | Cleveland     | Cavaliers
DAL      | Dallas        | Mavericks
DEN      | Denver        | Nuggets
DET      | Detroit       | Pistons
GS, GSW  | Golden State  | Warriors
HOU      | Houston       | Rockets
IND      | Indiana       | Pacers
LA, LAC  | Los Angeles   | Clippers
LA, LAL  | Los Angeles   | Lakers
MEM      | Memphis       | Grizzlies
MIA      | Miami         | Heat
MIL      | Milwaukee     | Bucks
MIN      | Minnesota     | Timberwolves
NO, NOP  | New Orleans   | Pelicans
NY, NYK  | New York      | Knicks
OKC      | Oklahoma City | Thunder
ORL      | Orlando       | Magic
PHI      | Philadelphia  | 76ers         |                 | Sixers
PHO, PHX | Phoenix       | Suns
POR      | Portland      | Trail Blazers |                 | Trailblazers, Blazers
SAC      | Sacramento    | Kings
SA, SAS  | San Antonio   | Spurs
TOR      | Toronto       | Raptors
UTA, UTAH| Utah          | Jazz
WAS, WSH | Washington    | Wizards
"""

_NFL = """
ARI      | Arizona       | Cardinals
ATL      | Atlanta       | Falcons
BAL      | Baltimore     | Ravens
BUF      | Buffalo       | Bills
CAR      | Carolina      | Panthers
CHI      | Chicago       | Bears
CIN      | Cincinnati    | Bengals
CLE      | Cleveland     | Browns
DAL      | Dallas        | Cowboys
DEN      | Denver        | Broncos
DET      | Detroit       | Lions
GB, GNB  | Green Bay     | Packers
HOU      | Houston       | Texans
IND      | Indianapolis  | Colts
JAX, JAC | Jacksonville  | Jaguars
KC, KAN  | Kansas City   | Chiefs
LV, LVR  | Las Vegas     | Raiders
LA, LAC  | Los Angeles   | Chargers
LA, LAR  | Los Angeles   | Rams
MIA      | Miami         | Dolphins
MIN      | Minnesota     | Vikings
NE, NWE  | New England   | Patriots
NO, NOR  | New Orleans   | Saints
NY, NYG  | New York      | Giants
NY, NYJ  | New York      | Jets
PHI      | Philadelphia  | Eagles
PIT      | Pittsburgh    | Steelers
SF, SFO  | San Francisco | 49ers         |                 | Niners
SEA      | Seattle       | Seahawks
TB, TAM  | Tampa Bay     | Buccaneers    |                 | Bucs
TEN      | Tennessee     | Titans
WAS, WSH | Washington    | Commanders
"""

_MLB = """
ARI, AZ       | Arizona       | Diamondbacks  |       | D-backs
ATL           | Atlanta       | Braves
BAL           | Baltimore     | Orioles
BOS           | Boston        | Red Sox
CHI, CHC      | Chicago       | Cubs
CHI, CWS, CHW | Chicago       | White Sox
CIN           | Cincinnati    | Reds
CLE           | Cleveland     | Guardians
COL           | Colorado      | Rockies
DET           | Detroit       | Tigers
HOU           | Houston       | Astros
KC, KCR       | Kansas City   | Royals
LA, LAA       | Los Angeles   | Angels        | Anaheim
LA, LAD       | Los Angeles   | Dodgers
MIA           | Miami         | Marlins
MIL           | Milwaukee     | Brewers
MIN           | Minnesota     | Twins
NY, NYM       | New York      | Mets
NY, NYY       | New York      | Yankees
ATH, OAK      |               | Athletics     | Oakland, Sacramento, Las Vegas | A's
PHI           | Philadelphia  | Phillies
PIT           | Pittsburgh    | Pirates
SD, SDP       | San Diego     | Padres
SF, SFG       | San Francisco | Giants
SEA           | Seattle       | Mariners
STL           | St. Louis     | Cardinals
TB, TBR       | Tampa Bay     | Rays
TEX           | Texas         | Rangers
TOR           | Toronto       | Blue Jays
WAS, WSH, WSN | Washington    | Nationals
"""

_NHL = """
ANA           | Anaheim       | Ducks
BOS           | Boston        | Bruins
BUF           | Buffalo       | Sabres
CGY           | Calgary       | Flames
CAR           | Carolina      | Hurricanes
CHI           | Chicago       | Blackhawks
COL           | Colorado      | Avalanche
CBJ           | Columbus      | Blue Jackets
DAL           | Dallas        | Stars
DET           | Detroit       | Red Wings
EDM           | Edmonton      | Oilers
FLA           | Florida       | Panthers
LA, LAK       | Los Angeles   | Kings
MIN           | Minnesota     | Wild
MTL, MON      | Montréal      | Canadiens
NSH, NAS      | Nashville     | Predators
NJ, NJD       | New Jersey    | Devils
NY, NYI       | New York      | Islanders
NY, NYR       | New York      | Rangers
OTT           | Ottawa        | Senators
PHI           | Philadelphia  | Flyers
PIT           | Pittsburgh    | Penguins
SJ, SJS       | San Jose      | Sharks
SEA           | Seattle       | Kraken
STL           | St. Louis     | Blues
TB, TBL       | Tampa Bay     | Lightning
TOR           | Toronto       | Maple Leafs
UTA, UTAH     | Utah          | Mammoth       |                | Hockey Club
VAN           | Vancouver     | Canucks
VGK, VEG      | Vegas         | Golden Knights | Las Vegas
WAS, WSH      | Washington    | Capitals
WPG           | Winnipeg      | Jets
"""

_TABLES = {"nba": _NBA, "nfl": _NFL, "mlb": _MLB, "nhl": _NHL}


def team_key(name: str) -> str:
    """A normalized key for a team name: ascii, lower case, words joined by '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return "-".join(re.findall(r"[a-z0-9]+", ascii_name.lower()))


_NOTE_RE = re.compile(r"\([^)]*\)")
_APOSTROPHES = dict.fromkeys(map(ord, "'`‘’ʼ′"))


def spelling_key(name: str) -> str:
    """How spellings are compared: `L.A. Lakers`, `la lakers` and `LA Lakers (NBA)` agree."""
    text = _NOTE_RE.sub(" ", unicodedata.normalize("NFKC", name)).translate(_APOSTROPHES)
    joined: list[str] = []
    initials = False  # the last word is a run of single letters
    for word in team_key(text).split("-"):
        single = len(word) == 1 and word.isalpha()
        if single and initials:
            joined[-1] += word  # "l-a" -> "la"
        elif word:
            joined.append("st" if word == "saint" else word)
        initials = single
    return "-".join(joined)


@dataclass(frozen=True, slots=True)
class LeagueTeam:
    """One current team of a league and the spellings books use for it."""

    league: str
    abbrs: tuple[str, ...]  # the first is the DraftKings-style one
    city: str  # official city or region; "" when the name has none
    nickname: str
    other_cities: tuple[str, ...] = ()
    other_nicknames: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The official full name: `Los Angeles Lakers`, `Athletics`."""
        return f"{self.city} {self.nickname}".strip()

    @property
    def key(self) -> str:
        """The canonical key: the slug of the official full name."""
        return team_key(self.name)

    @property
    def short(self) -> str:
        """The DraftKings-style spelling: `LA Lakers`, `DET Pistons`."""
        return f"{self.abbrs[0]} {self.nickname}"

    def spellings(self) -> Iterator[str]:
        """Every spelling besides the official name: each nickname alone and after each
        city or abbreviation, and each city or abbreviation alone."""
        prefixes = [c for c in (self.city, *self.other_cities) if c] + list(self.abbrs)
        for nickname in (self.nickname, *self.other_nicknames):
            yield nickname
            yield from (f"{prefix} {nickname}" for prefix in prefixes)
        yield from prefixes


def _cells(line: str) -> list[str]:
    return [cell.strip() for cell in line.split("|")] + ["", ""]


def _parse(league: str, table: str) -> tuple[LeagueTeam, ...]:
    rows = []
    for line in filter(None, (raw.strip() for raw in table.splitlines())):
        abbrs, city, nickname, cities, nicknames = _cells(line)[:5]
        rows.append(
            LeagueTeam(league, _list(abbrs), city, nickname, _list(cities), _list(nicknames))
        )
    return tuple(rows)


def _list(cell: str) -> tuple[str, ...]:
    return tuple(item.strip() for item in cell.split(",") if item.strip())


LEAGUE_TEAMS: Mapping[str, tuple[LeagueTeam, ...]] = {
    league: _parse(league, table) for league, table in _TABLES.items()
}


def _index(teams: tuple[LeagueTeam, ...]) -> dict[str, str | None]:
    """Spelling key -> team key; None where two teams share the spelling."""
    index: dict[str, str | None] = {}
    for team in teams:
        for spelling in {spelling_key(s) for s in (team.name, *team.spellings())}:
            index[spelling] = team.key if index.get(spelling, team.key) == team.key else None
    return index


_INDEX = {league: _index(teams) for league, teams in LEAGUE_TEAMS.items()}


@lru_cache(maxsize=8192)
def canonical_team_key(league: str, name: str) -> str | None:
    """The team's canonical key (`los-angeles-lakers`) for any spelling books use, or
    None when the league is unknown or the spelling fits no team or more than one."""
    index = _INDEX.get(league.lower())
    return None if index is None else index.get(spelling_key(name))


def league_teams(league: str) -> tuple[LeagueTeam, ...]:
    """The league's current teams, in the table's order (KeyError: unknown league)."""
    return LEAGUE_TEAMS[league]


__all__ = [
    "LEAGUE_TEAMS",
    "LeagueTeam",
    "canonical_team_key",
    "league_teams",
    "spelling_key",
    "team_key",
]
