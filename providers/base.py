"""The provider contract and registry.

A provider is a class registered under a `name`, built by `from_settings`, exposing:

* `scrape(league) -> Snapshot` – the day's games of a league with their selections (a
  league it does not cover, `leagues`, is a ConfigError; the rest is `scrape_league`'s);
* `stream(event, selections, stats) -> GameStream` – the live state of one game. A
  GameStream keeps per-game state (delta merge) across connections; each call of
  `session()` opens one connection and yields batches of OddsUpdate (one batch per frame)
  until the connection ends. It raises TransportError when the connection fails; the
  monitor owns reconnecting, backoff and the change filter.

Malformed frames and schema drift never raise out of `session()`: they are counted in
`stats` and logged, and the session goes on.

Its settings are a group declared in its own package (`settings_model`, a
`ProviderSettings` subclass) and read from `OW_<NAME>__*` by `Settings.group`;
`from_settings` raises NotConfigured naming what a book's group lacks
(`BookSettings.missing`). It holds one client (`client_type`, built from the settings),
which `aclose` closes.
"""

from __future__ import annotations

import importlib
import pkgutil
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Sequence
from typing import ClassVar, Protocol, Self

from oddswatch.errors import ConfigError, NotConfigured
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, OddsUpdate, Selection, Snapshot
from oddswatch.registry import Registry
from oddswatch.settings import ProviderSettings, Settings
from providers.settings import BookSettings


class GameStream(ABC):
    @abstractmethod
    def session(self) -> AsyncIterator[list[OddsUpdate]]:
        """One connection's worth of update batches."""

    async def aclose(self) -> None:  # noqa: B027 - optional hook
        """Release what the stream holds between sessions."""


class Client(Protocol):
    """A provider's transport: built from the settings, closed when the provider is."""

    def __init__(self, settings: Settings) -> None: ...

    async def aclose(self) -> None: ...


class Provider(ABC):
    name: ClassVar[str]
    leagues: ClassVar[frozenset[str]]
    settings_model: ClassVar[type[ProviderSettings]] = ProviderSettings
    client_type: ClassVar[type[Client]]
    client: Client

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.client = self.client_type(settings)

    @classmethod
    def settings_group(cls, settings: Settings) -> ProviderSettings:
        """This provider's settings group (`OW_<NAME>__*`) as `settings` holds it."""
        return settings.group(cls.name, cls.settings_model)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        """Build from settings; raise NotConfigured when something required is missing."""
        group = cls.settings_group(settings)
        missing = group.missing(cls.leagues) if isinstance(group, BookSettings) else []
        if missing:
            raise NotConfigured(f"{cls.name} lacks settings: {', '.join(missing)}")
        return cls(settings)

    async def scrape(self, league: str) -> Snapshot:
        """Today's games of a league (today in the configured timezone)."""
        if league not in self.leagues:
            raise ConfigError(f"{self.name} does not cover league {league!r}")
        return await self.scrape_league(league)

    @abstractmethod
    async def scrape_league(self, league: str) -> Snapshot:
        """`scrape` of a league the provider covers."""

    @abstractmethod
    def stream(
        self, event: Event, selections: Sequence[Selection], stats: StreamStats
    ) -> GameStream:
        """The live stream of one game."""

    async def aclose(self) -> None:
        """Release the client (HTTP pools, browsers)."""
        await self.client.aclose()


providers: Registry[Provider] = Registry("provider")
register = providers.register


def load_builtin() -> None:
    """Import the built-in providers (every subpackage of `providers`) so they register."""
    import providers  # noqa: PLC0415  (registration on demand)

    for module in pkgutil.iter_modules(providers.__path__):
        if module.ispkg:
            importlib.import_module(f"providers.{module.name}")
