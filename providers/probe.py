"""`oddswatch probe PROVIDER`: check one book end to end and say what no longer matches.

Steps, each a pass or a fail with the reason:

1. discover – scrape each league; a league failing (HTTP status, not JSON, no event
   links) or yielding no games fails the step.
2. connect  – open one stream for a game (a live one when there is one) and receive.
3. updates  – read `want` updates within the time limit.
4. schema   – while streaming, nothing was undecodable, of unknown type, drifted or
   unmappable. The provider's own warnings (which field, which record type) are
   collected and shown as the reason.

It runs in the current mode: against the simulator in demo, the real site in live.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from oddswatch.errors import OddswatchError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, OddsUpdate, Snapshot, utcnow
from providers.base import Provider

PROBLEMS = ("parse_errors", "unknown_records", "drift", "invalid_values", "skipped", "bugs")
MAX_REASONS = 5


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    ok: bool
    detail: str


@dataclass(slots=True)
class Report:
    provider: str
    steps: list[Step] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return bool(self.steps) and all(step.ok for step in self.steps)

    def add(self, name: str, ok: bool, detail: str) -> bool:
        self.steps.append(Step(name, ok, detail))
        return ok


class _Warnings(logging.Handler):
    """Collects distinct provider warnings (message and fields) while the probe runs."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.seen: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        fields = {
            k: v
            for k, v in record.__dict__.items()
            if k not in _STANDARD and not k.startswith("_") and k != "payload"
        }
        text = record.getMessage() + "".join(f" {k}={v}" for k, v in sorted(fields.items()))
        if text not in self.seen:
            self.seen.append(text)


_STANDARD = frozenset(logging.makeLogRecord({}).__dict__) | {"message", "asctime", "taskName"}


@contextlib.contextmanager
def _collect_warnings() -> Iterator[_Warnings]:
    handler = _Warnings()
    logger = logging.getLogger("providers")
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)


async def probe(
    provider: Provider, leagues: Sequence[str], *, want: int = 3, timeout_s: float = 30.0
) -> Report:
    report = Report(provider.name)
    with _collect_warnings() as warnings:
        snapshots = await _discover(provider, leagues, report)
        if not snapshots:
            return report
        event, snapshot = _pick(snapshots)
        stats = StreamStats()
        updates = await _stream(
            provider, event, snapshot, stats, want=want, timeout_s=timeout_s, report=report
        )
        report.add("updates", len(updates) >= want, _updates_detail(event, updates, want))
        problems = {name: getattr(stats, name) for name in PROBLEMS if getattr(stats, name)}
        if problems:
            counts = ", ".join(f"{name} {count}" for name, count in problems.items())
            reasons = "; ".join(warnings.seen[:MAX_REASONS]) or "no warning logged"
            report.add("schema", False, f"{counts} in {stats.frames} payloads: {reasons}")
        else:
            report.add("schema", True, f"{stats.frames} payloads, {stats.records} records read")
    return report


async def _discover(provider: Provider, leagues: Sequence[str], report: Report) -> list[Snapshot]:
    snapshots, failures = [], []
    for league in leagues:
        try:
            snapshot = await provider.scrape(league)
        except OddswatchError as exc:
            failures.append(f"{league}: {_reason(exc)}")
            continue
        if not snapshot.events:
            failures.append(f"{league}: no games")
            continue
        snapshots.append(snapshot)
    found = ", ".join(
        f"{s.league}: {len(s.events)} games, {len(s.selections)} selections" for s in snapshots
    )
    if failures:
        report.add("discover", False, "; ".join(failures + ([found] if found else [])))
        return []
    report.add("discover", True, found or "no league to scrape")
    return snapshots


def _pick(snapshots: list[Snapshot]) -> tuple[Event, Snapshot]:
    """A game that has started (most likely to move), else the first of the day."""
    now = utcnow()
    for snapshot in snapshots:
        for event in snapshot.events:
            if event.starts_at <= now and snapshot.selections_for(event.event_id):
                return event, snapshot
    snapshot = snapshots[0]
    return snapshot.events[0], snapshot


async def _stream(
    provider: Provider,
    event: Event,
    snapshot: Snapshot,
    stats: StreamStats,
    *,
    want: int,
    timeout_s: float,
    report: Report,
) -> list[OddsUpdate]:
    stream = provider.stream(event, snapshot.selections_for(event.event_id), stats)
    updates: list[OddsUpdate] = []
    connected = False
    deadline = time.monotonic() + timeout_s
    try:
        async with asyncio.timeout(timeout_s):
            async for batch in stream.session():
                connected = True
                updates.extend(batch)
                if len(updates) >= want:
                    break
    except TimeoutError:
        pass
    except OddswatchError as exc:
        report.add("connect", False, f"{event.label} ({event.event_id}): {_reason(exc)}")
        return updates
    finally:
        await stream.aclose()
    waited = timeout_s - max(0.0, deadline - time.monotonic())
    detail = f"{event.label} ({event.event_id})"
    if connected:
        report.add("connect", True, f"{detail}: receiving")
    else:
        report.add("connect", False, f"{detail}: nothing received in {waited:.0f} s")
    return updates


def _reason(exc: BaseException) -> str:
    """An error and, when it wraps one, the first line of its cause."""
    cause = exc.__cause__
    if cause is None or not str(cause).strip():
        return str(exc)
    return f"{exc} ({type(cause).__name__}: {str(cause).strip().splitlines()[0]})"


def _updates_detail(event: Event, updates: list[OddsUpdate], want: int) -> str:
    if not updates:
        return f"no update in {event.league} {event.event_id}"
    last = updates[-1]
    sample = f"{last.market} {last.side} {last.line} {last.price_american:+d}"
    return f"{len(updates)} of {want} (last: {sample})"
