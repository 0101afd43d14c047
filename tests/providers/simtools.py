"""What every book's tests need from the simulator: its control API and Chromium."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from oddswatch.changes import ChangeFilter
from oddswatch.model import OddsUpdate
from oddswatch.settings import Settings
from simulator import SimHandle


def need_chromium(settings: Settings) -> None:
    """Skip locally, fail under CI (CI=true), when Chromium is missing."""
    if os.access(settings.chromium_path, os.X_OK):
        return
    message = f"Chromium is not installed at {settings.chromium_path} (apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def sim_call(handle: SimHandle, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
    """One call of the simulator's `/_sim/` control API; its JSON answer."""
    response = httpx.request(method, f"{handle.url}/_sim/{path}", json=body, timeout=10)
    response.raise_for_status()
    return response.json()


async def changed(
    session: AsyncIterator[list[OddsUpdate]], changes: ChangeFilter
) -> AsyncIterator[list[OddsUpdate]]:
    """A session's batches through a change filter, as the monitor writes them (streams
    emit every price they read)."""
    try:
        async for batch in session:
            yield changes.changed(batch)
    finally:
        await session.aclose()  # type: ignore[attr-defined]
