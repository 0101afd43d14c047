"""`oddswatch tail`: live updates from the `ow:updates` stream as they arrive."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import orjson
import redis

from oddswatch.codec import decode_update
from oddswatch.errors import ParseError
from oddswatch.model import OddsUpdate
from sinks.keys import SNAPSHOT_PATTERN, UPDATE_FIELD_BYTES


class Labels:
    """Game labels from the scrape snapshots. A game not known yet triggers one reload;
    a game still unknown after it is retried only every `refresh_s` (never a rescan of
    every snapshot on each of its updates)."""

    def __init__(self, data: redis.Redis, refresh_s: float = 5.0) -> None:
        self.data, self.refresh_s = data, refresh_s
        self._names = labels(data)
        self._missed: dict[tuple[str, str], float] = {}  # game -> when it was last missed

    def get(self, provider: str, event_id: str) -> str:
        key = (provider, event_id)
        if key not in self._names:
            missed_at = self._missed.get(key)
            if missed_at is None or time.monotonic() - missed_at >= self.refresh_s:
                self._names = labels(self.data)
                self._missed[key] = time.monotonic()
        return self._names.get(key, "")


def labels(data: redis.Redis) -> dict[tuple[str, str], str]:
    """(provider, event_id) -> "Away @ Home" from the scrape snapshots in Redis."""
    found = {}
    for key in data.scan_iter(SNAPSHOT_PATTERN):
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
                    update = decode_update(fields[UPDATE_FIELD_BYTES])
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
