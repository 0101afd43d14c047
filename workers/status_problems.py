"""The problems that make `oddswatch status` unhealthy, from one collected snapshot:
services unreachable (found while collecting), dead monitors, due games without a worker
or a monitor, persist lag, format drift and bug skips."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from oddswatch.model import Event
from oddswatch.settings import Settings

if TYPE_CHECKING:
    from workers.status import Status

UNMONITORED_GRACE_S = 60.0
PERSIST_LAG_LIMIT = 50_000
PERSIST_PENDING_AGE_LIMIT_S = 60.0
DRIFT_WINDOW_MIN = 15  # format trouble this recent makes the status unhealthy
ALARM_FIELDS = ("parse_errors", "unknown_records", "drift", "invalid_values")


def problems(
    settings: Settings,
    status: Status,
    due: list[Event] | None,
    leased: set[tuple[str, str]] | None,
    now: datetime,
) -> list[str]:
    problems = _dead_problems(status, due)
    dead = {(m["provider"], m["event_id"]) for m in status.dead_monitors}
    if "broker" not in status.unreachable:
        consumed = {q for qs in status.workers.values() for q in qs}
        for league in sorted({e.league for e in due or []}):
            if f"monitor.{league}" not in consumed:
                problems.append(f"no worker consumes monitor.{league} and {league} has due games")
    for event in due or [] if leased is not None else []:
        overdue_s = (now - event.starts_at).total_seconds() + settings.monitor_lead_s
        game = (event.provider, event.event_id)
        if overdue_s > UNMONITORED_GRACE_S and game not in (leased or set()) | dead:
            problems.append(f"{event.provider} {event.league} {event.label}: due, no monitor")
    if status.persist:
        problems += _persist_problems(status)
    for provider, counts in status.drift_recent.items():
        alarming = {k: v for k, v in counts.items() if k in ALARM_FIELDS}
        if not alarming:
            continue  # skipped records alone (an untracked market) are not format trouble
        found = ", ".join(f"{name} {count}" for name, count in alarming.items())
        problems.append(
            f"{provider}: format drift in the last {DRIFT_WINDOW_MIN} min ({found});"
            f" run `oddswatch probe {provider}`"
        )
    problems += _bugs(status)
    return problems


def _dead_problems(status: Status, due: list[Event] | None) -> list[str]:
    """A dead monitor is a problem until a live one replaces it (its entry is per game);
    reconcile removes the entries of games no longer due."""
    labels = {(e.provider, e.event_id): e.label for e in due or []}
    problems = []
    for m in status.dead_monitors:
        game = m["game"] or labels.get((m["provider"], m["event_id"])) or m["event_id"]
        worker = f", worker {m['worker']}" if m["worker"] else ""
        problems.append(f"{m['provider']} {m['league']} {game}: monitor dead ({m['why']}{worker})")
    return problems


def _persist_problems(status: Status) -> list[str]:
    """Each history sink's group lagging or stuck, or nobody consuming `persist`."""
    problems = []
    for group, persist in status.persist["groups"].items():
        if persist["lag"] + persist["pending"] > PERSIST_LAG_LIMIT:
            problems.append(f"persist ({group}) lag {persist['lag'] + persist['pending']} entries")
        if persist["oldest_pending_age_s"] > PERSIST_PENDING_AGE_LIMIT_S:
            age = persist["oldest_pending_age_s"]
            problems.append(f"persist ({group}): oldest pending {age:.0f}s old")
    workers_known = "broker" not in status.unreachable
    consumed = any("persist" in qs for qs in status.workers.values())
    if status.persist["groups"] and workers_known and not consumed:
        problems.append("no worker consumes the persist queue")
    return problems


def _bugs(status: Status) -> list[str]:
    """A live game whose payloads made our code fail (`bug` skips) is unhealthy, and so is
    a provider with bugs in the drift window: not a format change, a fault of ours."""
    problems = [
        f"{m['provider']} {m['league']} {m['game'] or m['event_id']}: {m['bugs']} bug skips;"
        " see the worker log ('unexpected error on a record')"
        for m in status.monitors
        if m.get("bugs")
    ]
    for provider, counts in status.drift_recent.items():
        if counts.get("bugs"):
            problems.append(
                f"{provider}: {counts['bugs']} bug skips in the last {DRIFT_WINDOW_MIN} min"
            )
    return problems
