"""Bovada's settings group: `OW_BOVADA__*` (e.g. `OW_BOVADA__LEAGUE_PATHS='{"nba": "/x"}'`)."""

from __future__ import annotations

from oddswatch.settings import ProviderSettings
from providers.settings import USER_AGENT


class BovadaSettings(ProviderSettings):
    """Bovada: the coupon JSON over HTTP, odds over an Atmosphere websocket."""

    site_url: str = "https://www.bovada.lv"
    ws_url: str = "wss://services.bovada.lv/services/sports/subscription"
    # Coupon path per league; the league of each returned group is checked against its path.
    league_paths: dict[str, str] = {
        "nba": "/basketball/nba",
        "nfl": "/football/nfl",
        "mlb": "/baseball/mlb",
        "nhl": "/hockey/nhl",
    }
    # A coupon group is the league's when its own path node (path[0]) has the league's path
    # link or one of these descriptions, compared whole (case-insensitive), never as a
    # substring. Preseason / spring-training groups ("MLB Spring Training") are left out
    # unless their description is added here.
    league_names: dict[str, list[str]] = {
        "nba": ["NBA"],
        "nfl": ["NFL"],
        "mlb": ["MLB"],
        "nhl": ["NHL"],
    }
    user_agent: str = USER_AGENT
    http_timeout_s: float = 20.0
    ping_interval_s: float = 20.0
    ping_timeout_s: float = 20.0
