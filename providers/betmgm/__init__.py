"""BetMGM: scrape a league's day of games in Chromium, poll one game's odds over HTTP.

Layout: `client` (transport: browser, HTTP, the access id), `parse` (pure payload
readers), `stream` (per-game state and the poll loop), `scrape` (the day's games). The
wire contract is docs/betmgm-wire.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import ClassVar

from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Selection, Snapshot
from providers.base import Provider, register
from providers.settings import SPORTS

from .client import BetMGMClient
from .parse import PROVIDER
from .scrape import scrape
from .settings import BetMGMSettings
from .stream import BetMGMStream


@register
class BetMGM(Provider):
    name: ClassVar[str] = PROVIDER
    leagues: ClassVar[frozenset[str]] = frozenset(SPORTS)
    settings_model: ClassVar[type[BetMGMSettings]] = BetMGMSettings
    client_type: ClassVar[type[BetMGMClient]] = BetMGMClient
    client: BetMGMClient

    async def scrape_league(self, league: str) -> Snapshot:
        return await scrape(self.client, self.settings, league)

    def stream(
        self, event: Event, selections: Sequence[Selection], stats: StreamStats
    ) -> BetMGMStream:
        return BetMGMStream(self.client, event, selections, stats)


__all__ = ["BetMGM", "BetMGMSettings", "BetMGMStream"]
