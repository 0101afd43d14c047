"""The provider contract and registry.

A provider is a class registered under a `name`, built by `from_settings`, exposing:

* `scrape(league) -> Snapshot` – the day's games of a league with their selections;
* `stream(event, selections, stats) -> GameStream` – the live state of one game. A
  GameStream keeps per-game state (delta merge) across connections; each call of
  `session()` opens one connection and yields batches of OddsUpdate (one batch per frame)
  until the connection ends. It raises TransportError when the connection fails; the
  monitor owns reconnecting, backoff and the change filter.

Malformed frames and schema drift never raise out of `session()`: they are counted in
`stats` and logged, and the session goes on.

Its settings are a group declared in its own package (`settings_model`, a
`ProviderSettings` subclass) and read from `OW_<NAME>__*` by `Settings.group`.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from typing import ClassVar, Self

from oddswatch.metrics import StreamStats
from oddswatch.model import Event, OddsUpdate, Selection, Snapshot
from oddswatch.registry import Registry
from oddswatch.settings import ProviderSettings, Settings


class GameStream(ABC):
    @abstractmethod
    def session(self) -> AsyncIterator[list[OddsUpdate]]:
        """One connection's worth of update batches."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release what the stream holds between sessions."""


class Provider(ABC):
    name: ClassVar[str]
    leagues: ClassVar[frozenset[str]]
    settings_model: ClassVar[type[ProviderSettings]] = ProviderSettings

    @classmethod
    def settings_group(cls, settings: Settings) -> ProviderSettings:
        """This provider's settings group (`OW_<NAME>__*`) as `settings` holds it."""
        return settings.group(cls.name, cls.settings_model)

    @classmethod
    @abstractmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build from settings; raise NotConfigured when something required is missing."""

    @abstractmethod
    async def scrape(self, league: str) -> Snapshot:
        """Today's games of a league (today in the configured timezone)."""

    @abstractmethod
    def stream(
        self, event: Event, selections: Sequence[Selection], stats: StreamStats
    ) -> GameStream:
        """The live stream of one game."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release clients (HTTP pools, browsers)."""


providers: Registry[Provider] = Registry("provider")
register = providers.register


def load_builtin() -> None:
    """Import the built-in providers (every subpackage of `providers`) so they register."""
    import providers  # noqa: PLC0415  (registration on demand)

    for module in pkgutil.iter_modules(providers.__path__):
        if module.ispkg:
            importlib.import_module(f"providers.{module.name}")
