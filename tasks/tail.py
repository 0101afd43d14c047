"""`oddswatch tail`: live updates from the `ow:updates` stream as they arrive."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import orjson
import redis

from oddswatch.codec import decode_update
from oddswatch.errors import ParseError
from oddswatch.model import OddsUpdate


def labels(data: redis.Redis) -> dict[tuple[str, str], str]:
    """(provider, event_id) -> "Away @ Home" from the scrape snapshots in Redis."""
    found = {}
    for key in data.scan_iter("ow:snapshot:*"):
        raw = data.get(key)
        if raw is None:
            continue
        for event in orjson.loads(raw)["events"]:
            found[(event["provider"], event["event_id"])] = (
                f"{event['away']['name']} @ {event['home']['name']}"
            )
    return found


def matches(update: OddsUpdate, game: tuple[str | None, str | None, str | None]) -> bool:
    """Whether an update belongs to (provider, league, event_id); None matches anything."""
    fields = (update.provider, update.league, update.event_id)
    return all(want is None or want == have for want, have in zip(game, fields, strict=True))


def follow(
    data: redis.Redis,
    stream: str,
    game: tuple[str | None, str | None, str | None] = (None, None, None),
    block_ms: int = 1000,
) -> Iterator[OddsUpdate]:
    """Updates added to the stream from now on that match `game`."""
    last_id: Any = "$"
    while True:
        reply: Any = data.xread({stream: last_id}, count=1000, block=block_ms)
        for _, entries in reply or []:
            for entry_id, fields in entries:
                last_id = entry_id
                try:
                    update = decode_update(fields[b"u"])
                except (ParseError, KeyError):
                    continue
                if matches(update, game):
                    yield update


def arrow(previous: OddsUpdate | None, update: OddsUpdate) -> str:
    """↑ the price lengthened (pays more), ↓ it shortened, ↕ the line moved, · first seen."""
    if previous is None:
        return "·"
    if previous.line != update.line:
        return "↕"
    if update.price_decimal > previous.price_decimal:
        return "↑"
    if update.price_decimal < previous.price_decimal:
        return "↓"
    return "="


def format_line(update: OddsUpdate, label: str, move: str) -> str:
    line = "" if update.line is None else f"{update.line:+g}"
    price = f"{update.price_american:+d}"
    return (
        f"{update.received_at:%H:%M:%S} {label or update.event_id:<34.34} "
        f"{update.market.value:<9} {update.side.value:<5} {line:>7} {price:>6} {move}"
    )
