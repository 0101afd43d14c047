"""Feed one payload through a book's stages and judge what came out (issue 8, item 5).

`feed` is property (a): what escaped each stage, except a TransportError where the wire
says "subscription refused" (the one exception a state may raise: the connection must
end). `violations` is property (b). `poisoned_then_good` is property (c): one selection's
record poisoned by mutations, then a valid record with a new price (or, for a spread or
total, a new line) for that selection; the new value must come out.
"""

from __future__ import annotations

import traceback
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from oddswatch.errors import TransportError
from oddswatch.model import Market, OddsUpdate

from .entry import Stage
from .invariants import violation
from .mutate import Mutation, apply
from .wire import Wire

FOLLOW_UPS = ("price", "line")
ROOT = Path(__file__).resolve().parents[3]
OURS = ("providers", "oddswatch")  # where an escape's innermost frame is looked for


@dataclass(frozen=True, slots=True)
class Escape:
    stage: str
    error: Exception

    @property
    def kind(self) -> str:
        return f"{self.stage}:{type(self.error).__name__}"

    @property
    def site(self) -> str:
        """The innermost frame in providers/ or oddswatch/ (else the innermost of all)."""
        frames = traceback.extract_tb(self.error.__traceback__)
        ours = [(f, path) for f in frames if (path := _ours(f.filename)) is not None]
        if ours:
            frame, path = ours[-1]
            return f"{path}:{frame.lineno} {frame.name}"
        return f"{Path(frames[-1].filename).name}:{frames[-1].lineno}" if frames else "?"

    def __str__(self) -> str:
        try:
            text = str(self.error)
        except RecursionError:
            text = "(a message nested too deep to show)"
        return f"{self.kind}: {text[:200]}{'…' if len(text) > 200 else ''}"


def _ours(filename: str) -> Path | None:
    path = Path(filename).resolve()
    if not path.is_relative_to(ROOT):
        return None
    relative = path.relative_to(ROOT)
    return relative if relative.parts[0] in OURS else None


@dataclass(slots=True)
class Outcome:
    updates: list[OddsUpdate] = field(default_factory=list)
    escapes: list[Escape] = field(default_factory=list)
    refused: bool = False  # the allowed TransportError of a refused subscription


def feed(wire: Wire, stages: Sequence[Stage], payload: bytes, at: datetime) -> Outcome:
    outcome = Outcome()
    for stage in stages:
        try:
            updates = stage.call(payload, at)
        except TransportError as exc:
            if stage.name == "state" and wire.refused(payload):
                outcome.refused = True
            else:
                outcome.escapes.append(Escape(stage.name, exc))
        except Exception as exc:  # what the property is about: nothing may escape
            outcome.escapes.append(Escape(stage.name, exc))
        else:
            outcome.updates += updates or []
    return outcome


def violations(wire: Wire, updates: Sequence[OddsUpdate]) -> list[str]:
    """The broken rule of each update that breaks one."""
    found = []
    for update in updates:
        broken = violation(update)
        if broken is None and (update.provider, update.event_id) != (wire.name, wire.event_id):
            broken = "update of another game"
        if broken is not None:
            found.append(broken)
    return found


def poisoned_then_good(
    wire: Wire, index: int, mutations: Sequence[Mutation], follow_up: str = "price"
) -> str | None:
    """None when the good record after the poisoned one was applied, else why not."""
    quote = wire.quotes()[index % len(wire.quotes())]
    if quote.market is Market.MONEYLINE:
        follow_up = "price"  # a moneyline has no line to move
    sid = wire.client_ids[quote.selection_id]
    stages = wire.stages(wire.new_state())
    poisoned = apply(wire.record(quote), mutations, wire.codec, lambda t: wire.scope(t, sid))
    mine = [u for u in feed(wire, stages, poisoned, wire.now).updates if u.selection_id == sid]
    known = [u for u in wire.selections if u.selection_id == sid] + mine  # all the state saw
    american, line = quote.american, quote.line
    if follow_up == "price":
        american = _new_price(american, {u.price_american for u in known})
    else:
        line = _new_line(line or 0.0, {u.line for u in known})
    after = feed(wire, stages, wire.move(quote, american, line), wire.now)
    got = [u for u in after.updates if u.selection_id == sid]
    if follow_up == "price" and any(u.price_american == american for u in got):
        return None
    if follow_up == "line" and any(u.line == line for u in got):
        return None
    if after.escapes:
        return f"escaped {after.escapes[0].kind}"
    return f"no update with the new {follow_up}" + (" (another came out)" if got else "")


def _new_price(american: int, seen: set[int]) -> int:
    step = 5 if american > 0 else -5  # away from the impossible -100 < odds < 100
    candidate = american + step
    while candidate in seen:
        candidate += step
    return candidate


def _new_line(line: float, seen: set[float | None]) -> float:
    candidate = line + 0.5
    while candidate in seen:
        candidate += 0.5
    return candidate
