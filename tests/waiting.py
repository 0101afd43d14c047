"""Waiting in tests: poll a condition until it holds or a deadline passes.

The one polling helper of the suite (sync and async). The predicate's first truthy value
is returned; past the deadline the test fails with what it was waiting for.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


def wait_for(
    predicate: Callable[[], T],
    timeout_s: float = 15.0,
    what: str = "the condition",
    every_s: float = 0.1,
) -> T:
    """Call `predicate` every `every_s` until it returns something truthy; return that."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s:g}s waiting for {what}")
        time.sleep(every_s)


async def wait_for_async(
    predicate: Callable[[], Awaitable[T]],
    timeout_s: float = 15.0,
    what: str = "the condition",
    every_s: float = 0.02,
) -> T:
    """`wait_for` for a coroutine predicate, sleeping on the event loop between calls."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = await predicate()
        if value:
            return value
        if time.monotonic() >= deadline:
            raise AssertionError(f"timed out after {timeout_s:g}s waiting for {what}")
        await asyncio.sleep(every_s)
