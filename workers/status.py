"""`oddswatch status`: is it working? One snapshot of workers, queues, live monitors,
scrapes, drift counters and persist lag, plus the problems that make it unhealthy."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

import redis
from celery import Celery

from oddswatch.errors import OddswatchError
from oddswatch.model import utcnow
from oddswatch.settings import Settings
from sinks.catalog import Catalog
from sinks.enabled import history_groups
from sinks.keys import (
    MONITORS_KEY,
    lease_key,
    metrics_key,
    monitor_key,
    parse_monitor_member,
    recent_key,
)
from tasks.heartbeat import DRIFT_FIELDS
from workers.routing import queues

UNMONITORED_GRACE_S = 60.0
PERSIST_LAG_LIMIT = 50_000
PERSIST_PENDING_AGE_LIMIT_S = 60.0
DRIFT_WINDOW_MIN = 15  # format trouble this recent makes the status unhealthy
ALARM_FIELDS = ("parse_errors", "unknown_records", "drift", "invalid_values")


@dataclass
class Status:
    at: str
    workers: dict[str, list[str]] = field(default_factory=dict)
    queues: dict[str, int] = field(default_factory=dict)
    monitors: list[dict[str, Any]] = field(default_factory=list)
    scrapes: list[dict[str, Any]] = field(default_factory=list)
    drift: dict[str, dict[str, int]] = field(default_factory=dict)
    drift_recent: dict[str, dict[str, int]] = field(default_factory=dict)
    persist: dict[str, Any] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "healthy": self.healthy}


def collect(settings: Settings, app: Celery, data: redis.Redis, catalog: Catalog) -> Status:
    now = utcnow()
    status = Status(at=now.isoformat())
    status.workers = _workers(app)
    broker = redis.Redis.from_url(settings.broker_url)
    status.queues = {q: int(broker.llen(q)) for q in queues(settings.leagues)}
    broker.close()
    status.monitors = _monitors(data, now)
    status.scrapes = [_jsonable(row) for row in catalog.last_scrapes()]
    status.drift = _drift(data, settings.providers)
    status.drift_recent = _drift_recent(data, settings.providers, now)
    groups, sinks_problem = _history_groups(settings)
    status.persist = _persist(data, settings.stream_key, groups)
    due = catalog.due_events(
        now, settings.providers, settings.leagues, settings.monitor_lead_s, settings.max_duration_s
    )
    status.problems = _problems(settings, status, due, data, now) + sinks_problem
    return status


def _history_groups(settings: Settings) -> tuple[list[str], list[str]]:
    """The consumer groups of the enabled history sinks, or a problem with `OW_SINKS`."""
    try:
        return history_groups(settings), []
    except OddswatchError as exc:
        return [], [f"OW_SINKS: {exc}"]


def _workers(app: Celery) -> dict[str, list[str]]:
    replies = app.control.inspect(timeout=1.0).active_queues() or {}
    return {name: sorted(q["name"] for q in qs) for name, qs in sorted(replies.items())}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _decode(raw: Any) -> dict[str, str]:
    """A hash reply as text (redis-py types replies loosely)."""
    return {_text(k): _text(v) for k, v in dict(raw).items()}


def _monitors(data: redis.Redis, now: datetime) -> list[dict[str, Any]]:
    monitors = []
    for member in data.zrange(MONITORS_KEY, 0, -1):
        provider, league, event_id = parse_monitor_member(_text(member))
        state = _decode(data.hgetall(monitor_key(provider, event_id)))
        if not state:
            continue
        started = datetime.fromisoformat(state["started_at"])
        monitors.append(
            {
                "provider": provider,
                "league": league,
                "event_id": event_id,
                "game": state.get("label", ""),
                "worker": state.get("worker", ""),
                "lease_age_s": round((now - started).total_seconds(), 1),
                "updates_1m": int(state.get("written_1m", 0)),
                "last_update_age_s": float(state.get("last_update_age_s", 0)),
                "reconnects": int(state.get("reconnects", 0)),
                **{name: int(state.get(name, 0)) for name in DRIFT_FIELDS},
            }
        )
    return sorted(monitors, key=lambda m: (m["league"], m["game"]))


def _drift(data: redis.Redis, providers: list[str]) -> dict[str, dict[str, int]]:
    counters = {}
    for provider in providers:
        raw = _decode(data.hgetall(metrics_key(provider)))
        counters[provider] = {k: int(v) for k, v in raw.items()}
    return counters


def _drift_recent(
    data: redis.Redis, providers: list[str], now: datetime
) -> dict[str, dict[str, int]]:
    """Per provider, the drift counters of the last DRIFT_WINDOW_MIN minutes (non-zero only)."""
    minute = int(now.timestamp()) // 60
    recent: dict[str, dict[str, int]] = {}
    for provider in providers:
        totals = dict.fromkeys(DRIFT_FIELDS, 0)
        for m in range(minute - DRIFT_WINDOW_MIN + 1, minute + 1):
            for name, value in _decode(data.hgetall(recent_key(provider, m))).items():
                totals[name] = totals.get(name, 0) + int(value)
        if any(totals.values()):
            recent[provider] = {k: v for k, v in totals.items() if v}
    return recent


def _persist(data: redis.Redis, stream: str, groups: list[str]) -> dict[str, Any]:
    """The stream and each history sink's consumer group; `pending`, `lag` and the oldest
    pending age at the top are the worst group's."""
    length = int(data.xlen(stream))
    info: dict[str, Any] = {
        "stream": stream, "length": length, "pending": 0, "lag": 0,
        "oldest_pending_age_s": 0.0, "groups": {},
    }  # fmt: skip
    found = data.xinfo_groups(stream) if data.exists(stream) else []
    existing = {_text(g["name"]): g for g in found}
    for name in groups:
        one = _group(data, stream, name, existing.get(name), length)
        info["groups"][name] = one
        for key, value in one.items():
            info[key] = max(info[key], value)
    return info


def _group(data: redis.Redis, stream: str, name: str, group: Any, length: int) -> dict[str, Any]:
    if group is None:  # no persister has read the stream yet: all of it waits
        return {"pending": 0, "lag": length, "oldest_pending_age_s": 0.0}
    oldest: Any = data.xpending_range(stream, name, min="-", max="+", count=1)
    idle_ms = int(oldest[0]["time_since_delivered"]) if oldest else 0
    return {
        "pending": int(group["pending"]),
        "lag": int(group.get("lag") or 0),
        "oldest_pending_age_s": idle_ms / 1000,
    }


def _problems(
    settings: Settings, status: Status, due: list[Any], data: redis.Redis, now: datetime
) -> list[str]:
    problems = []
    consumed = {q for qs in status.workers.values() for q in qs}
    for league in sorted({e.league for e in due}):
        if f"monitor.{league}" not in consumed:
            problems.append(f"no worker consumes monitor.{league} and {league} has due games")
    for event in due:
        overdue_s = (now - event.starts_at).total_seconds() + settings.monitor_lead_s
        if overdue_s > UNMONITORED_GRACE_S and not data.exists(
            lease_key(event.provider, event.event_id)
        ):
            problems.append(f"{event.provider} {event.league} {event.label}: due, no monitor")
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


def _persist_problems(status: Status) -> list[str]:
    """Each history sink's group lagging or stuck, or nobody consuming `persist`."""
    problems = []
    for group, persist in status.persist["groups"].items():
        if persist["lag"] + persist["pending"] > PERSIST_LAG_LIMIT:
            problems.append(f"persist ({group}) lag {persist['lag'] + persist['pending']} entries")
        if persist["oldest_pending_age_s"] > PERSIST_PENDING_AGE_LIMIT_S:
            age = persist["oldest_pending_age_s"]
            problems.append(f"persist ({group}): oldest pending {age:.0f}s old")
    if status.persist["groups"] and not any("persist" in qs for qs in status.workers.values()):
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


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v) for k, v in row.items()
    }
