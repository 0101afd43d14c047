"""`oddswatch status`: is it working? One snapshot of workers, queues, live monitors,
scrapes, drift counters and persist lag, plus the problems that make it unhealthy.

It never crashes on a fault it exists to report: Postgres, the data Redis or the broker
unreachable is a problem, and what needs it is left out. A monitor whose heartbeat stopped
(older than `silent_after_s`, or its state expired) or whose lease no longer holds its run
is listed as dead, and is a problem until a live monitor of its game replaces it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, ClassVar, TypeVar, cast

import redis
from celery import Celery
from kombu.exceptions import OperationalError as KombuOperationalError

from oddswatch.errors import OddswatchError, SinkError
from oddswatch.model import Event, utcnow
from oddswatch.settings import Settings
from sinks.catalog import Catalog
from sinks.db import describe
from sinks.enabled import history_groups
from sinks.keys import (
    MONITORS_KEY,
    lease_key,
    metrics_key,
    monitor_key,
    parse_monitor_member,
    recent_key,
)
from tasks.heartbeat import DRIFT_FIELDS, silent_after_s
from workers.routing import queues
from workers.status_problems import DRIFT_WINDOW_MIN, problems

T = TypeVar("T")
Monitors = tuple[list[dict[str, Any]], list[dict[str, Any]]]  # (live, dead)

# Clients of `status` wait this long for Redis, never Celery's minutes of retries.
REDIS_TIMEOUTS: dict[str, Any] = {"socket_connect_timeout": 2, "socket_timeout": 5}


@dataclass
class Status:
    at: str
    workers: dict[str, list[str]] = field(default_factory=dict)
    queues: dict[str, int] = field(default_factory=dict)
    monitors: list[dict[str, Any]] = field(default_factory=list)
    dead_monitors: list[dict[str, Any]] = field(default_factory=list)
    scrapes: list[dict[str, Any]] = field(default_factory=list)
    drift: dict[str, dict[str, int]] = field(default_factory=dict)
    drift_recent: dict[str, dict[str, int]] = field(default_factory=dict)
    persist: dict[str, Any] = field(default_factory=dict)
    unreachable: dict[str, str] = field(default_factory=dict)  # service -> what failed
    problems: list[str] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return not self.problems

    def as_dict(self) -> dict[str, Any]:
        return {**asdict(self), "healthy": self.healthy}


def collect(settings: Settings, app: Celery, data: redis.Redis, catalog: Catalog) -> Status:
    """One snapshot. Never raises for an unreachable Postgres, Redis or broker: each is a
    problem of its own, and the sections that need it stay empty."""
    now = utcnow()
    status = Status(at=now.isoformat())
    call = Services(status)
    status.queues = call("broker", lambda: _queues(settings), {})
    status.workers = call("broker", lambda: _workers(app), {})
    silent_s = silent_after_s(settings.heartbeat_s)
    none: Monitors = ([], [])
    status.monitors, status.dead_monitors = call(
        "redis", lambda: _monitors(data, now, silent_s), none
    )
    status.scrapes = call("postgres", lambda: [_jsonable(r) for r in catalog.last_scrapes()], [])
    status.drift = call("redis", lambda: _drift(data, settings.providers), {})
    status.drift_recent = call("redis", lambda: _drift_recent(data, settings.providers, now), {})
    groups, sinks_problem = _history_groups(settings)
    status.persist = call("redis", lambda: _persist(data, settings.stream_key, groups), {})
    due = call(
        "postgres",
        lambda: catalog.due_events(
            now, settings.providers, settings.leagues, settings.monitor_lead_s,
            settings.max_duration_s,
        ),
        None,
    )  # fmt: skip
    leased = call("redis", lambda: _leased(data, due or []), None)
    status.problems = [
        *call.problems(),
        *problems(settings, status, due, leased, now),
        *sinks_problem,
    ]
    return status


class Services:
    """Calls into Postgres, the data Redis and the broker for one status: the first
    failure of a service is recorded as unreachable and later calls to it are skipped
    (each would wait for its own timeout), returning their default."""

    DOWN: ClassVar[dict[str, tuple[type[BaseException], ...]]] = {
        "postgres": (SinkError,),
        "redis": (redis.RedisError, OSError),
        "broker": (redis.RedisError, OSError, KombuOperationalError),
    }
    NAMES: ClassVar[dict[str, tuple[str, str]]] = {
        "postgres": ("Postgres (OW_DATABASE_URL)", "last scrapes and due games unknown"),
        "redis": ("Redis (OW_REDIS_URL)", "monitors, skips and persist lag unknown"),
        "broker": ("Broker (OW_BROKER_URL)", "workers and queues unknown"),
    }

    def __init__(self, status: Status) -> None:
        self.status = status

    def __call__(self, service: str, fn: Callable[[], T], default: T) -> T:
        if service in self.status.unreachable:
            return default
        try:
            return fn()
        except self.DOWN[service] as exc:
            self.status.unreachable[service] = _describe(exc)
            return default

    def problems(self) -> list[str]:
        return [
            f"{self.NAMES[service][0]} unreachable ({detail}): {self.NAMES[service][1]}"
            for service, detail in self.status.unreachable.items()
        ]


def _describe(exc: BaseException) -> str:
    """The driver's first line (no URL, no parameters)."""
    return describe(exc.__cause__ if isinstance(exc, SinkError) and exc.__cause__ else exc)


def _history_groups(settings: Settings) -> tuple[list[str], list[str]]:
    """The consumer groups of the enabled history sinks, or a problem with `OW_SINKS`."""
    try:
        return history_groups(settings), []
    except OddswatchError as exc:
        return [], [f"OW_SINKS: {exc}"]


def _queues(settings: Settings) -> dict[str, int]:
    """Messages waiting per queue (a Redis broker; others are not measured)."""
    if not settings.broker_url.startswith(("redis://", "rediss://", "unix://")):
        return {}
    broker = redis.Redis.from_url(settings.broker_url, **REDIS_TIMEOUTS)
    try:
        broker.ping()  # fails fast, before Celery's own connection retries
        return {q: int(broker.llen(q)) for q in queues(settings.leagues)}
    finally:
        broker.close()


def _workers(app: Celery) -> dict[str, list[str]]:
    replies = app.control.inspect(timeout=1.0).active_queues() or {}
    return {name: sorted(q["name"] for q in qs) for name, qs in sorted(replies.items())}


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def _decode(raw: Any) -> dict[str, str]:
    """A hash reply as text (redis-py types replies loosely)."""
    return {_text(k): _text(v) for k, v in dict(raw).items()}


def _monitors(data: redis.Redis, now: datetime, silent_s: float) -> Monitors:
    """The monitors of `ow:monitors`, live and dead. Dead: its heartbeat is older than
    `silent_s` (or its state expired), or the game's lease no longer holds its run."""
    members = cast(list[tuple[bytes, float]], data.zrange(MONITORS_KEY, 0, -1, withscores=True))
    games = [parse_monitor_member(_text(member)) for member, _ in members]
    pipe = data.pipeline(transaction=False)
    for provider, _league, event_id in games:
        pipe.hgetall(monitor_key(provider, event_id))
        pipe.get(lease_key(provider, event_id))
    replies = pipe.execute()
    live, dead = [], []
    for i, ((provider, league, event_id), (_, score)) in enumerate(
        zip(games, members, strict=True)
    ):
        state, lease = _decode(replies[2 * i]), _text(replies[2 * i + 1] or b"")
        game = {"provider": provider, "league": league, "event_id": event_id}
        beat_age_s = round(now.timestamp() - float(score), 1)
        why = _dead_why(state, lease, beat_age_s, silent_s)
        if why:
            dead.append({**game, **_dead(state, beat_age_s, why)})
        else:
            live.append({**game, **_live(state, now)})
    return sorted(live, key=_by_game), sorted(dead, key=_by_game)


def _by_game(monitor: dict[str, Any]) -> tuple[str, str, str]:
    return monitor["league"], monitor["game"], monitor["event_id"]


def _dead_why(state: dict[str, str], lease: str, beat_age_s: float, silent_s: float) -> str:
    """Why a monitor is not live, or "" when it is."""
    if not state or beat_age_s > silent_s:
        return f"no heartbeat for {beat_age_s:.0f}s"
    run_id = state.get("run_id", "")
    if run_id and lease != run_id:
        return "its lease is gone" if not lease else "another run holds its lease"
    return ""


def _live(state: dict[str, str], now: datetime) -> dict[str, Any]:
    started = datetime.fromisoformat(state.get("started_at") or now.isoformat())
    return {
        "game": state.get("label", ""),
        "worker": state.get("worker", ""),
        "run_id": state.get("run_id", ""),
        "lease_age_s": round((now - started).total_seconds(), 1),
        "updates_1m": int(state.get("written_1m", 0)),
        "last_update_age_s": float(state.get("last_update_age_s", 0)),
        "reconnects": int(state.get("reconnects", 0)),
        **{name: int(state.get(name, 0)) for name in DRIFT_FIELDS},
    }


def _dead(state: dict[str, str], beat_age_s: float, why: str) -> dict[str, Any]:
    return {
        "game": state.get("label", ""),
        "worker": state.get("worker", ""),
        "run_id": state.get("run_id", ""),
        "heartbeat_age_s": beat_age_s,
        "why": why,
    }


def _leased(data: redis.Redis, due: list[Event]) -> set[tuple[str, str]]:
    """(provider, event_id) of the due games whose lease is held."""
    pipe = data.pipeline(transaction=False)
    for event in due:
        pipe.exists(lease_key(event.provider, event.event_id))
    held = pipe.execute() if due else []
    return {(e.provider, e.event_id) for e, n in zip(due, held, strict=True) if n}


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


def _jsonable(row: dict[str, Any]) -> dict[str, Any]:
    return {
        k: (v.astimezone(UTC).isoformat() if isinstance(v, datetime) else v) for k, v in row.items()
    }
