"""FanDuel's settings group: `OW_FANDUEL__*` (e.g. `OW_FANDUEL__API_URL`)."""

from __future__ import annotations

from typing import ClassVar

from providers.settings import BrowserSettings, PollingSettings, league_paths_of


class FanDuelSettings(PollingSettings, BrowserSettings):
    """FanDuel: league pages in Chromium, odds by polling the market-prices JSON."""

    required: ClassVar[tuple[str, ...]] = ("site_url", "api_url")

    site_url: str = "https://sportsbook.fanduel.com"
    api_url: str = "https://smp.nj.sportsbook.fanduel.com"
    league_paths: dict[str, str] = league_paths_of("/{sport}/{league}")
    # How long an event page may take, after load, to request its event JSON.
    capture_timeout_s: float = 15.0
