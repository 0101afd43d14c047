"""FanDuel's settings group: `OW_FANDUEL__*` (e.g. `OW_FANDUEL__API_URL`)."""

from __future__ import annotations

from oddswatch.settings import ProviderSettings
from providers.settings import USER_AGENT


class FanDuelSettings(ProviderSettings):
    """FanDuel: league pages in Chromium, odds by polling the market-prices JSON."""

    site_url: str = "https://sportsbook.fanduel.com"
    api_url: str = "https://smp.nj.sportsbook.fanduel.com"
    league_paths: dict[str, str] = {
        "nba": "/basketball/nba",
        "nfl": "/football/nfl",
        "mlb": "/baseball/mlb",
        "nhl": "/hockey/nhl",
    }
    poll_interval_s: float = 1.0  # one getMarketPrices request per game per interval
    user_agent: str = USER_AGENT
    http_timeout_s: float = 20.0
    page_timeout_s: float = 60.0
    # How long an event page may take, after load, to request its event JSON.
    capture_timeout_s: float = 15.0
