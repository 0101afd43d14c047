"""Where a monitor finds its game: the catalog in Postgres, or, when Postgres is down, the
last scrape snapshot kept in Redis (`ow:snapshot:{provider}:{league}`)."""

from __future__ import annotations

import asyncio
import logging

import orjson

from oddswatch.codec import snapshot_from_dict
from oddswatch.errors import SinkError
from oddswatch.model import Event, Selection
from sinks.keys import snapshot_key
from sinks.redis import UNAVAILABLE
from tasks.engine import Runtime

logger = logging.getLogger(__name__)

Game = tuple[Event, list[Selection]]


async def load_game(rt: Runtime, provider: str, league: str, event_id: str) -> Game | None:
    try:
        event = await asyncio.to_thread(rt.catalog.event, provider, event_id)
        if event is None:
            return None
        selections = await asyncio.to_thread(rt.catalog.selections, provider, event_id)
    except SinkError as exc:
        logger.warning(
            "catalog unavailable, using the redis snapshot",
            extra={"provider": provider, "event_id": event_id, "error": str(exc)},
        )
        return await _from_snapshot(rt, provider, league, event_id)
    return event, selections


async def _from_snapshot(rt: Runtime, provider: str, league: str, event_id: str) -> Game | None:
    try:
        raw = await rt.aioredis.get(snapshot_key(provider, league))
    except UNAVAILABLE:
        return None
    if raw is None:
        return None
    snapshot = snapshot_from_dict(orjson.loads(raw))
    event = next((e for e in snapshot.events if e.event_id == event_id), None)
    if event is None:
        return None
    return event, list(snapshot.selections_for(event_id))
