"""One headless Chromium per provider client, shared by every job of that client.

Debian's Chromium at `chromium_path` (or Playwright's own when it is empty). Each job
gets a fresh context (en-US, the book's user agent) with images and media blocked.
`goto` retries a page load; `stable_hrefs` reads anchors until their set stops growing
(league pages render their event links after load); `league_hrefs` reads a league page's
event links that way.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

from playwright.async_api import Browser as PlaywrightBrowser
from playwright.async_api import BrowserContext, Page, Playwright, Route, async_playwright
from playwright.async_api import Error as PlaywrightError

from oddswatch.errors import ConfigError, TransportError
from providers.scraping import clean_href

logger = logging.getLogger(__name__)

CHROMIUM_ARGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
)
_BLOCKED = frozenset({"image", "media"})
_GOTO_ATTEMPTS = 3
_STABLE_READS, _MAX_READS, _READ_EVERY_S = 3, 20, 0.5


class Browser:
    """Started on first use and reused; `context()` per job; `close()` at the end."""

    def __init__(self, chromium_path: str, user_agent: str, owner: str) -> None:
        self._path, self._user_agent, self._owner = chromium_path, user_agent, owner
        self._playwright: Playwright | None = None
        self._browser: PlaywrightBrowser | None = None
        self._lock = asyncio.Lock()

    async def _ensure(self) -> PlaywrightBrowser:
        async with self._lock:
            if self._browser is not None and self._browser.is_connected():
                return self._browser
            await self.close()
            if self._path and not os.access(self._path, os.X_OK):
                raise ConfigError(f"no Chromium at chromium_path={self._path}")
            self._playwright = await async_playwright().start()
            launch: dict[str, Any] = {"headless": True, "args": list(CHROMIUM_ARGS)}
            if self._path:
                launch["executable_path"] = self._path
            self._browser = await self._playwright.chromium.launch(**launch)
            logger.info(
                "browser started",
                extra={"provider": self._owner, "chromium_path": self._path or "bundled"},
            )
            return self._browser

    @asynccontextmanager
    async def context(self) -> AsyncIterator[BrowserContext]:
        browser = await self._ensure()
        context = await browser.new_context(locale="en-US", user_agent=self._user_agent)
        try:
            await context.route("**/*", _block_heavy)
            yield context
        finally:
            await context.close()

    async def close(self) -> None:
        browser, playwright = self._browser, self._playwright
        self._browser = self._playwright = None
        if browser is not None:
            await browser.close()
        if playwright is not None:
            await playwright.stop()


async def goto(page: Page, url: str, timeout_s: float, owner: str) -> None:
    """Load a page (DOM content), retrying a failed load twice."""
    for attempt in range(1, _GOTO_ATTEMPTS + 1):
        try:
            await page.goto(url, wait_until="domcontentloaded", timeout=timeout_s * 1000)
            return
        except PlaywrightError:
            if attempt == _GOTO_ATTEMPTS:
                raise
            logger.warning(
                "page load retried", extra={"provider": owner, "url": url, "attempt": attempt}
            )
            await asyncio.sleep(1.0)


async def stable_hrefs(page: Page, keep: Callable[[str], bool]) -> list[str]:
    """The page's resolved anchor hrefs that `keep` accepts, read until their count is
    unchanged for a few reads in a row."""
    hrefs: set[str] = set()
    same = 0
    for _ in range(_MAX_READS):
        found = await page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
        current = {h for h in found if isinstance(h, str) and keep(h)}
        same = same + 1 if current and len(current) == len(hrefs) else 0
        hrefs = current
        if same >= _STABLE_READS - 1:
            break
        await asyncio.sleep(_READ_EVERY_S)
    return sorted(hrefs)


async def league_hrefs(
    page: Page, url: str, pattern: re.Pattern[str], timeout_s: float, owner: str
) -> list[str]:
    """The resolved event hrefs of a league page loaded in `page` (those whose cleaned
    form `pattern` matches), read once their set stops growing; TransportError when the
    page fails. Closing the page is the caller's (closing its context closes it too)."""
    try:
        await goto(page, url, timeout_s, owner)
        return await stable_hrefs(page, lambda h: pattern.match(clean_href(h)) is not None)
    except PlaywrightError as exc:
        raise TransportError("league page failed", provider=owner, endpoint=url) from exc


async def _block_heavy(route: Route) -> None:
    if route.request.resource_type in _BLOCKED:
        await route.abort()
    else:
        await route.continue_()


__all__ = ["Browser", "PlaywrightError", "goto", "league_hrefs", "stable_hrefs"]
