"""FanDuel: scrape a league's day of games in Chromium, stream one game's odds by polling
the getMarketPrices JSON.

Layout: `client` (transport), `parse` (the one module that knows the wire shapes),
`stream` (per-game state and the poll loop), `scrape` (the day's games). The wire
contract is docs/fanduel-wire.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Self

from oddswatch.errors import ConfigError, NotConfigured
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Selection, Snapshot
from oddswatch.settings import Settings
from providers.base import Provider, register

from .client import FanDuelClient
from .parse import PROVIDER
from .scrape import scrape
from .settings import FanDuelSettings
from .stream import FanDuelStream


@register
class FanDuel(Provider):
    name: ClassVar[str] = PROVIDER
    leagues: ClassVar[frozenset[str]] = frozenset({"nba", "nfl", "mlb", "nhl"})
    settings_model: ClassVar[type[FanDuelSettings]] = FanDuelSettings

    def __init__(self, settings: Settings, client: FanDuelClient) -> None:
        self.settings = settings
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        missing = settings.group(cls.name, FanDuelSettings).missing(cls.leagues)
        if missing:
            raise NotConfigured(f"fanduel lacks settings: {', '.join(missing)}")
        return cls(settings, FanDuelClient(settings))

    async def scrape(self, league: str) -> Snapshot:
        if league not in self.leagues:
            raise ConfigError(f"fanduel does not cover league {league!r}")
        return await scrape(self.client, self.settings, league)

    def stream(
        self, event: Event, selections: Sequence[Selection], stats: StreamStats
    ) -> FanDuelStream:
        return FanDuelStream(
            self.client,
            event,
            selections,
            stats,
            poll_interval_s=self.settings.group(self.name, FanDuelSettings).poll_interval_s,
        )

    async def aclose(self) -> None:
        await self.client.aclose()


__all__ = ["FanDuel", "FanDuelSettings", "FanDuelStream"]
