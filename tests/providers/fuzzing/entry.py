"""The one door into a book's per-game state, on today's code and on the provider kit's.

The kit gives every state one entry point, `feed(payload, received_at, source_ts)`; until
it lands the states have `on_frame` (DraftKings, Bovada), `on_body` (BetMGM) and
`on_response` (FanDuel). `entry(state)` is whichever the state has, `feed` first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any, NamedTuple

from oddswatch.model import OddsUpdate

LEGACY = ("on_frame", "on_body", "on_response")

Entry = Callable[[bytes, datetime | None], list[OddsUpdate]]


def entry(state: object) -> Entry:
    method: Any = getattr(state, "feed", None)
    for name in LEGACY:
        if callable(method):
            break
        method = getattr(state, name, None)
    if not callable(method):
        raise TypeError(f"{type(state).__qualname__} has no feed() nor any of {LEGACY}")

    def call(payload: bytes, received_at: datetime | None) -> list[OddsUpdate]:
        updates: list[OddsUpdate] = method(payload, received_at)
        return updates

    return call


class Stage(NamedTuple):
    """One step a live payload goes through: the state's entry, or Bovada's hub router
    before it. `call` returns the updates, or None for a step that emits none."""

    name: str
    call: Callable[[bytes, datetime | None], list[OddsUpdate] | None]


def state_stage(state: object) -> Stage:
    return Stage("state", entry(state))


def entry_name(state: object) -> str:
    """The name of the method `entry(state)` calls."""
    for name in ("feed", *LEGACY):
        if callable(getattr(state, name, None)):
            return name
    return "?"
