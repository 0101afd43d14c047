"""BetMGM transport: Playwright for the scrape (league page → event pages, whose own
fixture-view requests are captured), httpx for polling the fixture-view JSON and for
reading the access id from a page.

Every URL comes from the settings group (`OW_BETMGM__*`). The access id is held only
here: it goes to the API as a query parameter (never into an endpoint text), its repr
hides it, and a filter on httpx's request log line masks it.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

import httpx
from playwright.async_api import BrowserContext
from playwright.async_api import Response as PageResponse

from oddswatch.errors import AuthError, ParseError, TransportError
from oddswatch.settings import Settings
from providers.browser import PlaywrightError, goto, league_hrefs
from providers.client import BookClient

from . import parse
from .parse import ACCESS_PARAM, PROVIDER
from .settings import BetMGMSettings

logger = logging.getLogger(__name__)

_SECRET_QUERY = re.compile(rf"({re.escape(ACCESS_PARAM)}=)[^&\s\"']+", re.IGNORECASE)


class RedactAccessId(logging.Filter):
    """Masks the access id in log records (httpx logs every request URL at INFO)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(_redacted(arg) for arg in record.args)
        record.msg = _redacted(record.msg)
        return True


def _redacted(value: object) -> object:
    text = str(value)
    return _SECRET_QUERY.sub(r"\1***", text) if ACCESS_PARAM in text.lower() else value


def _mask_httpx_logs() -> None:
    httpx_logger = logging.getLogger("httpx")
    if not any(isinstance(f, RedactAccessId) for f in httpx_logger.filters):
        httpx_logger.addFilter(RedactAccessId())


@dataclass(frozen=True, slots=True)
class AccessId:
    """An access id and when it was read; its repr never shows the value."""

    value: str = field(repr=False)
    read_at: float


class BetMGMClient(BookClient[BetMGMSettings]):
    """One HTTP pool, one lazily started browser and the cached access id."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(PROVIDER, settings, BetMGMSettings)
        self._access: AccessId | None = None
        self._access_lock = asyncio.Lock()
        _mask_httpx_logs()

    # -- scrape (browser) -------------------------------------------------------------

    @asynccontextmanager
    async def pages(self) -> AsyncIterator[PageSession]:
        """One browser context for one scrape: the league page and its event pages."""
        async with self.context() as context:
            yield PageSession(self, context)

    # -- access id --------------------------------------------------------------------

    async def access_id(self, page_url: str) -> str:
        """An access id read less than `access_id_ttl_s` ago; read from `page_url` if not."""
        async with self._access_lock:
            access = self._access
            if access is None or time.monotonic() - access.read_at >= self.group.access_id_ttl_s:
                access = self._access = await self._read_access_id(page_url)
            return access.value

    def drop_access_id(self, refused: str) -> None:
        """Forget the cached id if it is the one the API refused (not a newer one)."""
        if self._access is not None and self._access.value == refused:
            self._access = None

    async def _read_access_id(self, page_url: str) -> AccessId:
        response = await self.http.get(page_url, headers={"accept": "text/html"})
        try:
            value = parse.access_id_from_page(response.text)
        except ParseError:
            raise AuthError(
                "no access id on the page", provider=PROVIDER, endpoint=page_url
            ) from None
        logger.info("betmgm access id read", extra={"page": page_url})
        return AccessId(value, time.monotonic())

    # -- polling ----------------------------------------------------------------------

    async def fixture_view(self, fixture_id: str, access_id: str) -> httpx.Response:
        """One fixture-view request. TransportError on failure, AuthError on 401/403."""
        params = {**self.group.api_params, "fixtureIds": fixture_id, ACCESS_PARAM: access_id}
        headers = {"accept": "application/json", "referer": self.site_url + "/"}
        return await self.http.get(
            self.site_url + self.group.api_path, headers=headers, params=params
        )


class PageSession:
    """The pages of one scrape, in one browser context."""

    def __init__(self, client: BetMGMClient, context: BrowserContext) -> None:
        self._client, self._context, self._mgm = client, context, client.group

    async def league_hrefs(self, league: str) -> list[str]:
        """The resolved event hrefs of a league page, read once the set stops growing."""
        url = self._client.league_url(league)
        pattern = parse.event_href_pattern(self._client.site_url)
        page = await self._context.new_page()
        try:
            return await league_hrefs(page, url, pattern, self._mgm.page_timeout_s, PROVIDER)
        finally:
            await page.close()

    async def fixture_view(self, ref: parse.EventRef) -> bytes:
        """The fixture-view body the event page requests for its own fixture."""
        page = await self._context.new_page()
        captured: asyncio.Future[bytes] = asyncio.get_running_loop().create_future()

        async def on_response(response: PageResponse) -> None:
            if captured.done() or not parse.is_fixture_view(
                response.url, self._mgm.api_path, ref.event_id
            ):
                return
            await _capture(response, captured, self._mgm.api_path)

        page.on("response", on_response)
        try:
            await goto(page, ref.url, self._mgm.page_timeout_s, PROVIDER)
            return await asyncio.wait_for(captured, self._mgm.capture_timeout_s)
        except TimeoutError:
            raise TransportError(
                "event page requested no fixture-view", provider=PROVIDER, endpoint=ref.url
            ) from None
        except PlaywrightError as exc:
            raise TransportError("event page failed", provider=PROVIDER, endpoint=ref.url) from exc
        finally:
            page.remove_listener("response", on_response)
            _settle(captured)
            await page.close()


async def _capture(response: PageResponse, captured: asyncio.Future[bytes], api_path: str) -> None:
    """Complete `captured` with the response body, or with the error its status means.
    The endpoint named is the API path: the response URL carries the access id."""
    status = response.status
    if status >= 400:
        kind = AuthError if status in (401, 403) else TransportError
        error = kind(f"fixture-view status {status}", provider=PROVIDER, endpoint=api_path)
        if not captured.done():
            captured.set_exception(error)
        return
    try:
        body = await response.body()
    except PlaywrightError:
        return  # the page went away; the capture times out
    if not captured.done():
        captured.set_result(body)


def _settle(captured: asyncio.Future[bytes]) -> None:
    """Cancel a capture nobody will wait for, and mark a failed one as seen."""
    if not captured.done():
        captured.cancel()
    elif not captured.cancelled():
        captured.exception()
