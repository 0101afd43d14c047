"""FanDuel: scrape a league's day of games in Chromium, stream one game's odds by polling
the getMarketPrices JSON.

Layout: `client` (transport), `parse` (the one module that knows the wire shapes),
`stream` (per-game state and the poll loop), `scrape` (the day's games). The wire
contract is docs/fanduel-wire.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Selection, Snapshot
from providers.base import Provider, register
from providers.settings import SPORTS

from .client import FanDuelClient
from .parse import PROVIDER
from .scrape import scrape
from .settings import FanDuelSettings
from .stream import FanDuelStream


@register
class FanDuel(Provider):
    name: ClassVar[str] = PROVIDER
    leagues: ClassVar[frozenset[str]] = frozenset(SPORTS)
    settings_model: ClassVar[type[FanDuelSettings]] = FanDuelSettings
    client_type: ClassVar[type[FanDuelClient]] = FanDuelClient
    client: FanDuelClient

    async def scrape_league(self, league: str) -> Snapshot:
        return await scrape(self.client, self.settings, league)

    def stream(
        self, event: Event, selections: Sequence[Selection], stats: StreamStats
    ) -> FanDuelStream:
        interval_s = self.client.group.poll_interval_s
        return FanDuelStream(self.client, event, selections, stats, poll_interval_s=interval_s)


__all__ = ["FanDuel", "FanDuelSettings", "FanDuelStream"]
