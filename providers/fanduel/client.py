"""FanDuel transport: Chromium (Playwright) for league and event pages, httpx for prices.

A scrape is one browser context (`pages()`): the league page's script renders the event
links, and each event page's script requests the event JSON, which is captured from the
page's responses (the listener is removed afterwards, every wait is bounded). Prices
come from POSTs to the getMarketPrices endpoint. Every URL comes from the settings group
(`OW_FANDUEL__*`); which paths, parameters and bodies are sent is `parse`'s business:
this module never names a payload field. No cookies or captured headers are sent.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from playwright.async_api import BrowserContext
from playwright.async_api import Response as PageResponse

from oddswatch.errors import ScrapeError, TransportError
from oddswatch.settings import Settings
from providers.browser import PlaywrightError, goto, league_hrefs
from providers.client import BookClient

from . import parse
from .parse import PROVIDER
from .settings import FanDuelSettings

logger = logging.getLogger(__name__)


class Pages:
    """One browser context's pages: league links and captured event JSON."""

    def __init__(self, context: BrowserContext, fd: FanDuelSettings) -> None:
        self._context, self._fd = context, fd

    async def league_hrefs(self, league: str) -> list[str]:
        """The resolved event hrefs of a league page, read once their set stops growing."""
        path = self._fd.league_paths[league]
        url = self._fd.site_url.rstrip("/") + path
        pattern = parse.event_href_pattern(self._fd.site_url, path)
        try:
            page = await self._context.new_page()
            try:
                return await league_hrefs(page, url, pattern, self._fd.page_timeout_s, PROVIDER)
            finally:
                await page.close()
        except PlaywrightError as exc:
            raise TransportError("league page failed", provider=PROVIDER, endpoint=url) from exc

    async def event_json(self, url: str, event_id: str) -> Any:
        """Load an event page and return the event JSON its script requests."""
        loop = asyncio.get_running_loop()
        captured: asyncio.Future[PageResponse] = loop.create_future()

        def on_response(response: PageResponse) -> None:
            if not captured.done() and parse.is_event_json(response.url, event_id):
                captured.set_result(response)

        try:
            page = await self._context.new_page()
            page.on("response", on_response)
            try:
                await goto(page, url, self._fd.page_timeout_s, PROVIDER)
                body = await self._body(await self._wait(captured, url), url)
            finally:
                page.remove_listener("response", on_response)
                await page.close()
        except PlaywrightError as exc:
            raise TransportError("event page failed", provider=PROVIDER, endpoint=url) from exc
        return parse.decode(body)

    async def _wait(self, captured: asyncio.Future[PageResponse], url: str) -> PageResponse:
        try:
            return await asyncio.wait_for(captured, self._fd.capture_timeout_s)
        except TimeoutError:
            raise ScrapeError(
                "event page did not request the event JSON", provider=PROVIDER, endpoint=url
            ) from None

    @staticmethod
    async def _body(response: PageResponse, page_url: str) -> bytes:
        if not response.ok:
            raise TransportError(
                f"event JSON status {response.status}", provider=PROVIDER, endpoint=page_url
            )
        return await response.body()


class FanDuelClient(BookClient[FanDuelSettings]):
    """One HTTP pool and one lazily started browser, shared by scrapes and streams."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(PROVIDER, settings, FanDuelSettings)

    @asynccontextmanager
    async def pages(self) -> AsyncIterator[Pages]:
        """One browser context for one job (a scrape, or a stream learning its markets).

        `Pages` turns its own Playwright errors into ours; one seen here is the browser's."""
        async with self.context() as context:
            yield Pages(context, self.group)

    async def market_prices(self, body: Any) -> bytes:
        """POST one getMarketPrices request; the raw body (decoding is the stream's job)."""
        site = self.site_url
        headers = {"accept": "application/json", "origin": site, "referer": site + "/"}
        response = await self.http.request(
            "POST",
            self.group.api_url.rstrip("/") + parse.PRICES_PATH,
            headers=headers,
            params=dict(parse.PRICES_PARAMS),
            json=body,
        )
        return response.content
