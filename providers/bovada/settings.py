"""Bovada's settings group: `OW_BOVADA__*` (e.g. `OW_BOVADA__LEAGUE_PATHS='{"nba": "/x"}'`)."""

from __future__ import annotations

from typing import ClassVar

from providers.settings import SocketSettings, league_paths_of


class BovadaSettings(SocketSettings):
    """Bovada: the coupon JSON over HTTP, odds over an Atmosphere websocket."""

    required: ClassVar[tuple[str, ...]] = ("site_url", "ws_url")

    site_url: str = "https://www.bovada.lv"
    ws_url: str = "wss://services.bovada.lv/services/sports/subscription"
    # Coupon path per league; the league of each returned group is checked against its path.
    league_paths: dict[str, str] = league_paths_of("/{sport}/{league}")
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
