"""The one poll loop of the polling sources: fetch, feed, wait out the interval.

`fetch` returns one response body (and the source's time, e.g. its Date header); a
failed request raises TransportError, which ends the session (the monitor reconnects
with backoff). The interval is measured from the start of each request, so a slow
response does not stretch the cadence.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import datetime
from typing import Any

from oddswatch.model import OddsUpdate

from .state import GameState

Fetch = Callable[[], Awaitable[tuple[bytes, datetime | None]]]


async def poll(
    fetch: Fetch, state: GameState[Any, Any], interval_s: float
) -> AsyncIterator[list[OddsUpdate]]:
    """One batch per response (empty when it held nothing new) until a fetch fails."""
    loop = asyncio.get_running_loop()
    while True:
        started = loop.time()
        body, source_ts = await fetch()
        yield state.feed(body, source_ts=source_ts)
        await asyncio.sleep(max(0.0, interval_s - (loop.time() - started)))
