"""Bovada: a league's day of games from the coupon JSON (plain HTTP), one game's odds over
the Atmosphere websocket.

Layout: `client` (transport), `parse` (pure readers of frames, delta bodies and markets),
`coupon` (pure readers of the coupon's groups and events), `hub` (the one websocket every
stream of the provider shares: subscriptions and frame routing), `stream` (per-game state
and session), `scrape` (the day's games). The wire contract is docs/bovada-wire.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Selection, Snapshot
from oddswatch.settings import Settings
from providers.base import Provider, register
from providers.settings import SPORTS

from .client import BovadaClient
from .hub import BovadaHub
from .parse import PROVIDER
from .scrape import scrape
from .settings import BovadaSettings
from .stream import BovadaStream


@register
class Bovada(Provider):
    name: ClassVar[str] = PROVIDER
    leagues: ClassVar[frozenset[str]] = frozenset(SPORTS)
    settings_model: ClassVar[type[BovadaSettings]] = BovadaSettings
    client_type: ClassVar[type[BovadaClient]] = BovadaClient
    client: BovadaClient

    def __init__(self, settings: Settings) -> None:
        super().__init__(settings)
        self._hub: BovadaHub | None = None

    @property
    def hub(self) -> BovadaHub:
        """The websocket every stream of this provider shares (made on first use)."""
        if self._hub is None:
            self._hub = BovadaHub(self.client)
        return self._hub

    async def scrape_league(self, league: str) -> Snapshot:
        return await scrape(self.client, self.settings, league)

    def stream(
        self, event: Event, selections: Sequence[Selection], stats: StreamStats
    ) -> BovadaStream:
        return BovadaStream(self.hub, event, selections, stats)

    async def aclose(self) -> None:
        if self._hub is not None:
            await self._hub.aclose()
        await super().aclose()


__all__ = ["Bovada", "BovadaHub", "BovadaSettings", "BovadaStream"]
