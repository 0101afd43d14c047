"""The in-memory sink: a dict of lists per game, for tests and local runs."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Self

from oddswatch.model import OddsUpdate
from oddswatch.settings import Settings
from sinks.base import Sink, register

GameKey = tuple[str, str, str]  # provider, league, event_id


@register
class MemorySink(Sink):
    name = "memory"

    def __init__(self) -> None:
        super().__init__()
        self.games: defaultdict[GameKey, list[OddsUpdate]] = defaultdict(list)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls()

    async def _write(self, batch: Sequence[OddsUpdate]) -> None:
        for u in batch:
            self.games[(u.provider, u.league, u.event_id)].append(u)

    async def read(self, provider: str, league: str, event_id: str) -> list[OddsUpdate]:
        return list(self.games.get((provider, league, event_id), ()))

    def clear(self) -> None:
        self.games.clear()
