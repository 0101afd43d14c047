"""DraftKings: scrape a league's day of games, stream one game's odds over msgpack websockets.

Layout: `client` (transport), `parse` (pure payload readers), `stream` (per-game state
and the websocket session), `scrape` (the day's games). The wire contract is
docs/draftkings-wire.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Selection, Snapshot
from providers.base import Provider, register
from providers.settings import SPORTS

from .client import DraftKingsClient
from .parse import PROVIDER
from .scrape import scrape
from .settings import DraftKingsSettings
from .stream import DraftKingsStream


@register
class DraftKings(Provider):
    name: ClassVar[str] = PROVIDER
    leagues: ClassVar[frozenset[str]] = frozenset(SPORTS)
    settings_model: ClassVar[type[DraftKingsSettings]] = DraftKingsSettings
    client_type: ClassVar[type[DraftKingsClient]] = DraftKingsClient
    client: DraftKingsClient

    async def scrape_league(self, league: str) -> Snapshot:
        return await scrape(self.client, self.settings, league)

    def stream(
        self, event: Event, selections: Sequence[Selection], stats: StreamStats
    ) -> DraftKingsStream:
        dk = self.client.group
        return DraftKingsStream(
            self.client, event, selections, stats, site=dk.site, client_version=dk.client_version
        )


__all__ = ["DraftKings", "DraftKingsSettings", "DraftKingsStream"]
