"""BetMGM's settings group: `OW_BETMGM__*` (e.g. `OW_BETMGM__POLL_INTERVAL_S`)."""

from __future__ import annotations

from typing import ClassVar

from providers.settings import BrowserSettings, PollingSettings


class BetMGMSettings(PollingSettings, BrowserSettings):
    """BetMGM: league pages in Chromium, odds by polling the fixture-view JSON."""

    required: ClassVar[tuple[str, ...]] = ("site_url", "api_path")

    site_url: str = "https://www.co.betmgm.com"
    api_path: str = "/cds-api/bettingoffer/fixture-view"
    league_paths: dict[str, str] = {
        "nba": "/en/sports/basketball-7/today",
        "nfl": "/en/sports/football-11/today",
        "mlb": "/en/sports/baseball-23/today",
        "nhl": "/en/sports/ice-hockey-12/today",
    }
    access_id_ttl_s: float = 900.0  # re-read the access id from the page this often
    # How long an event page may take to request its fixture-view JSON once loaded.
    capture_timeout_s: float = 15.0
    # Query parameters of every fixture-view request besides fixtureIds and the access id.
    api_params: dict[str, str] = {
        "lang": "en-us",
        "country": "US",
        "userCountry": "US",
        "offerMapping": "All",
        "scoreboardMode": "Full",
        "state": "Latest",
    }
