"""Per-league constants of the market model: teams and the shape of their prices."""

from __future__ import annotations

from dataclasses import dataclass

HOUR_S = 3600.0


@dataclass(frozen=True, slots=True)
class League:
    """How one league's games are priced.

    `margin_*` describe the home team's final margin (points or runs): across games the
    expected margin is drawn around `margin_mean` with spread `margin_spread` and kept
    within `margin_limit`; one game's margin has standard deviation `margin_sd`. The
    same for totals. `fixed_line` is MLB's run line (±1.5) or None when the spread
    follows the margin.
    """

    teams: tuple[str, ...]
    margin_sd: float
    margin_mean: float
    margin_spread: float
    margin_limit: float
    total_sd: float
    total_mean: float
    total_spread: float
    total_range: tuple[float, float]
    fixed_line: float | None
    duration_s: float


NBA_TEAMS = (
    "ATL Hawks", "BOS Celtics", "BKN Nets", "CHA Hornets", "CHI Bulls", "CLE Cavaliers",
    "DAL Mavericks", "DEN Nuggets", "DET Pistons", "GS Warriors", "HOU Rockets",
    "IND Pacers", "LA Clippers", "LA Lakers", "MEM Grizzlies", "MIA Heat", "MIL Bucks",
    "MIN Timberwolves", "NO Pelicans", "NY Knicks", "OKC Thunder", "ORL Magic",
    "PHI 76ers", "PHO Suns", "POR Trail Blazers", "SAC Kings", "SA Spurs", "TOR Raptors",
    "UTA Jazz", "WAS Wizards",
)  # fmt: skip

NFL_TEAMS = (
    "ARI Cardinals", "ATL Falcons", "BAL Ravens", "BUF Bills", "CAR Panthers",
    "CHI Bears", "CIN Bengals", "CLE Browns", "DAL Cowboys", "DEN Broncos", "DET Lions",
    "GB Packers", "HOU Texans", "IND Colts", "JAX Jaguars", "KC Chiefs", "LV Raiders",
    "LA Chargers", "LA Rams", "MIA Dolphins", "MIN Vikings", "NE Patriots", "NO Saints",
    "NY Giants", "NY Jets", "PHI Eagles", "PIT Steelers", "SF 49ers", "SEA Seahawks",
    "TB Buccaneers", "TEN Titans", "WAS Commanders",
)  # fmt: skip

MLB_TEAMS = (
    "ARI Diamondbacks", "ATL Braves", "BAL Orioles", "BOS Red Sox", "CHI Cubs",
    "CHI White Sox", "CIN Reds", "CLE Guardians", "COL Rockies", "DET Tigers",
    "HOU Astros", "KC Royals", "LA Angels", "LA Dodgers", "MIA Marlins", "MIL Brewers",
    "MIN Twins", "NY Mets", "NY Yankees", "ATH Athletics", "PHI Phillies",
    "PIT Pirates", "SD Padres", "SF Giants", "SEA Mariners", "STL Cardinals",
    "TB Rays", "TEX Rangers", "TOR Blue Jays", "WAS Nationals",
)  # fmt: skip

LEAGUES: dict[str, League] = {
    "nba": League(
        teams=NBA_TEAMS,
        margin_sd=12.0,
        margin_mean=2.0,
        margin_spread=5.5,
        margin_limit=16.0,
        total_sd=18.0,
        total_mean=225.0,
        total_spread=7.0,
        total_range=(210.0, 240.0),
        fixed_line=None,
        duration_s=3.5 * HOUR_S,
    ),
    "nfl": League(
        teams=NFL_TEAMS,
        margin_sd=13.5,
        margin_mean=1.5,
        margin_spread=5.5,
        margin_limit=14.0,
        total_sd=10.0,
        total_mean=45.0,
        total_spread=3.5,
        total_range=(38.0, 52.0),
        fixed_line=None,
        duration_s=4.0 * HOUR_S,
    ),
    "mlb": League(
        teams=MLB_TEAMS,
        margin_sd=4.4,
        margin_mean=0.2,
        margin_spread=0.6,
        margin_limit=1.1,
        total_sd=3.0,
        total_mean=8.5,
        total_spread=0.7,
        total_range=(7.0, 10.0),
        fixed_line=1.5,
        duration_s=4.0 * HOUR_S,
    ),
}
