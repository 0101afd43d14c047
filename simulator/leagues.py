"""Per-league constants of the market model: teams and the shape of their prices.

The teams are the team table's (`oddswatch.teams`), in its order, so every book's view
names the same real teams and the consumer's canonical keys resolve them all.
"""

from __future__ import annotations

from dataclasses import dataclass

from oddswatch.teams import LeagueTeam, league_teams

HOUR_S = 3600.0


@dataclass(frozen=True, slots=True)
class League:
    """How one league's games are priced.

    `margin_*` describe the home team's final margin (points, runs or goals): across games the
    expected margin is drawn around `margin_mean` with spread `margin_spread` and kept
    within `margin_limit`; one game's margin has standard deviation `margin_sd`. The
    same for totals. `fixed_line` is MLB's run line or the NHL's puck line (±1.5), or
    None when the spread follows the margin.
    """

    teams: tuple[LeagueTeam, ...]
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


LEAGUES: dict[str, League] = {
    "nba": League(
        teams=league_teams("nba"),
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
        teams=league_teams("nfl"),
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
        teams=league_teams("mlb"),
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
    "nhl": League(
        teams=league_teams("nhl"),
        margin_sd=2.3,
        margin_mean=0.25,
        margin_spread=0.5,
        margin_limit=1.2,
        total_sd=2.4,
        total_mean=6.2,
        total_spread=0.3,
        total_range=(5.5, 7.0),
        fixed_line=1.5,
        duration_s=2.75 * HOUR_S,
    ),
}
