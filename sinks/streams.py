"""Trimming the durable hand-off stream to what some consumer group still needs.

An entry every history sink's group has read and acknowledged is stored by every history
sink already; keeping it in Redis only costs memory (about 0.4 KB an update, so hours of
history at normal rates). The stream is trimmed to the oldest entry still pending or not
yet delivered in any of those groups, and not at all while one of them does not exist yet
(a sink just enabled reads the stream from its start). The group of a sink no longer
enabled holds nothing back. `stream_maxlen` stays as the last-resort cap for a persister
that is down.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import redis.asyncio as aioredis


def _id(value: Any) -> tuple[int, int]:
    text = value.decode() if isinstance(value, bytes) else str(value)
    ms, _, seq = text.partition("-")
    return int(ms), int(seq or 0)


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


async def needed_from(
    client: aioredis.Redis, stream: str, only: Collection[str] | None = None
) -> str | None:
    """The oldest entry id some group (of `only`, when given) still needs, or None when
    nothing can be trimmed."""
    groups: Any = await client.xinfo_groups(stream)
    if only is not None:
        groups = [g for g in groups if _text(g["name"]) in only]
        if len(groups) < len(set(only)):  # a group not created yet needs everything
            return None
    if not groups:
        return None
    oldest: tuple[int, int] | None = None
    for group in groups:
        name = group["name"]
        summary: Any = await client.xpending(stream, name)
        if summary["pending"]:
            first = _id(summary["min"])
        else:  # everything delivered is acked: keep what comes after the last delivered
            ms, seq = _id(group["last-delivered-id"])
            first = (ms, seq + 1)
        oldest = first if oldest is None else min(oldest, first)
    return None if oldest is None else f"{oldest[0]}-{oldest[1]}"


async def trim_acknowledged(
    client: aioredis.Redis, stream: str, only: Collection[str] | None = None
) -> int:
    """Drop entries every group (of `only`, when given) has acknowledged; returns how many
    went."""
    minid = await needed_from(client, stream, only)
    if minid is None:
        return 0
    return int(await client.xtrim(stream, minid=minid, approximate=False))
