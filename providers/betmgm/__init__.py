"""BetMGM: scrape a league's day of games in Chromium, poll one game's odds over HTTP.

Layout: `client` (transport: browser, HTTP, the access id), `parse` (pure payload
readers), `stream` (per-game state and the poll loop), `scrape` (the day's games). The
wire contract is docs/betmgm-wire.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar, Self

from oddswatch.errors import ConfigError, NotConfigured
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Selection, Snapshot
from oddswatch.settings import Settings
from providers.base import Provider, register

from .client import BetMGMClient
from .parse import PROVIDER
from .scrape import scrape
from .settings import BetMGMSettings
from .stream import BetMGMStream


@register
class BetMGM(Provider):
    name: ClassVar[str] = PROVIDER
    leagues: ClassVar[frozenset[str]] = frozenset({"nba", "nfl", "mlb", "nhl"})
    settings_model: ClassVar[type[BetMGMSettings]] = BetMGMSettings

    def __init__(self, settings: Settings, client: BetMGMClient) -> None:
        self.settings = settings
        self.client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        missing = settings.group(cls.name, BetMGMSettings).missing(cls.leagues)
        if missing:
            raise NotConfigured(f"betmgm lacks settings: {', '.join(missing)}")
        return cls(settings, BetMGMClient(settings))

    async def scrape(self, league: str) -> Snapshot:
        if league not in self.leagues:
            raise ConfigError(f"betmgm does not cover league {league!r}")
        return await scrape(self.client, self.settings, league)

    def stream(
        self, event: Event, selections: Sequence[Selection], stats: StreamStats
    ) -> BetMGMStream:
        return BetMGMStream(self.client, event, selections, stats)

    async def aclose(self) -> None:
        await self.client.aclose()


__all__ = ["BetMGM", "BetMGMSettings", "BetMGMStream"]
