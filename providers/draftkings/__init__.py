"""DraftKings: scrape a league's day of games, stream one game's odds over msgpack websockets.

Layout: `client` (transport), `parse` (pure payload readers), `stream` (per-game state
and the websocket session), `scrape` (the day's games). The wire contract is
docs/draftkings-wire.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Self

from oddswatch.errors import ConfigError, NotConfigured
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Selection, Snapshot
from oddswatch.settings import Settings
from providers.base import Provider, register

from .client import DraftKingsClient
from .parse import PROVIDER
from .scrape import scrape
from .settings import DraftKingsSettings
from .stream import DraftKingsStream


@register
class DraftKings(Provider):
    name: ClassVar[str] = PROVIDER
    leagues: ClassVar[frozenset[str]] = frozenset({"nba", "nfl", "mlb", "nhl"})
    settings_model: ClassVar[type[DraftKingsSettings]] = DraftKingsSettings

    def __init__(self, settings: Settings, client: DraftKingsClient) -> None:
        self.settings = settings
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        missing = settings.group(cls.name, DraftKingsSettings).missing(cls.leagues)
        if missing:
            raise NotConfigured(f"draftkings lacks settings: {', '.join(missing)}")
        return cls(settings, DraftKingsClient(settings))

    async def scrape(self, league: str) -> Snapshot:
        if league not in self.leagues:
            raise ConfigError(f"draftkings does not cover league {league!r}")
        return await scrape(self.client, self.settings, league)

    def stream(
        self, event: Event, selections: Sequence[Selection], stats: StreamStats
    ) -> DraftKingsStream:
        dk = self.settings.group(self.name, DraftKingsSettings)
        return DraftKingsStream(
            self.client, event, selections, stats, site=dk.site, client_version=dk.client_version
        )

    async def aclose(self) -> None:
        await self.client.aclose()


__all__ = ["DraftKings", "DraftKingsSettings", "DraftKingsStream"]
