"""What every book's client holds: its settings group, one HTTP pool (`providers.http`) and
one Chromium (`providers.browser`, started only when a job asks for a page; Bovada's never
does). `aclose` releases both. A book's client adds its own endpoints, auth and tokens.

`context()` is one browser context for one job; a failure of the browser itself (not of a
page, which the book maps) is a TransportError.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Generic, TypeVar

from playwright.async_api import BrowserContext

from oddswatch.errors import TransportError
from oddswatch.settings import Settings
from providers.browser import Browser, PlaywrightError
from providers.http import Http
from providers.settings import BookSettings

G = TypeVar("G", bound=BookSettings)


class BookClient(Generic[G]):
    def __init__(self, provider: str, settings: Settings, model: type[G]) -> None:
        self.provider = provider
        self.group: G = settings.group(provider, model)
        self.http = Http(provider, self.group.http_timeout_s, self.group.user_agent)
        self.browser = Browser(settings.chromium_path, self.group.user_agent, provider)

    @property
    def site_url(self) -> str:
        return self.group.site_url.rstrip("/")

    def league_url(self, league: str) -> str:
        return self.site_url + self.group.league_paths[league]

    @asynccontextmanager
    async def context(self) -> AsyncIterator[BrowserContext]:
        """One browser context for one job; PlaywrightError escaping it: TransportError."""
        try:
            async with self.browser.context() as context:
                yield context
        except PlaywrightError as exc:
            raise TransportError(
                "browser failed", provider=self.provider, endpoint=self.site_url
            ) from exc

    async def aclose(self) -> None:
        await self.http.aclose()
        await self.browser.close()
