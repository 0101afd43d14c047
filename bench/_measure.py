"""What one measurement window saw: a mark at each end (process trees, host CPU, Redis,
Postgres server processes, the stream, the simulator's counters), latencies sampled
from the stream and computed in SQL, and the errors the system counted.

Latency is from the simulator's send time (`source_ts`, its wall clock in the frame's
`sentAt`) to Redis (the entry id's milliseconds: Redis's clock at XADD) and to Postgres
(`inserted_at`, the default `now()`: the start of the persister's transaction, so the
batch's own COPY + INSERT time is not in it). All clocks are this host's.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import orjson
import psycopg
import redis
from _procs import (
    CLK_TCK,
    PidKey,
    Proc,
    TreeSample,
    host_ticks,
    host_usage,
    pids_where,
    ticks_of,
    usage,
)
from _stack import STREAM, live_monitors, sim_stats
from redis.exceptions import ResponseError

from sinks.db import UTC_OPTIONS
from sinks.keys import PERSIST_GROUP, UPDATE_FIELD_BYTES, dead_stream, metrics_key

ERROR_FIELDS = ("parse_errors", "unknown_records", "drift", "skipped", "reconnects")
LOG_ERRORS = ('"level":"error"', '"level":"critical"', "Traceback")


@dataclass(slots=True)
class Mark:
    wall: float
    mono: float
    trees: dict[str, TreeSample]
    host: tuple[float, dict[str, int]]
    postgres: dict[PidKey, int]
    redis_cpu_s: float
    stream: dict[str, int | None]
    sim: dict[str, Any] = field(default_factory=dict)


def _postgres_pids(db_name: str) -> list[int]:
    """The server's background processes and the backends of the bench database."""

    def keep(cmdline: str) -> bool:
        if not cmdline.startswith("postgres: "):
            return False
        is_backend = "(" in cmdline or "[local]" in cmdline
        return not is_backend or f" {db_name} " in cmdline

    return pids_where(keep)


def stream_state(data: redis.Redis) -> dict[str, int | None]:
    try:
        info = data.xinfo_stream(STREAM)
        groups = data.xinfo_groups(STREAM)
    except ResponseError:  # no stream yet
        return {"entries_added": 0, "length": 0, "pending": None, "lag": None}
    group = next((g for g in groups if g["name"] == PERSIST_GROUP.encode()), None)
    return {
        "entries_added": info["entries-added"],
        "length": info["length"],
        "pending": None if group is None else group["pending"],
        "lag": None if group is None else group["lag"],  # not yet delivered to the group
    }


def take_mark(watched: dict[str, Proc], data: redis.Redis, sim_url: str, db_name: str) -> Mark:
    cpu = data.info("cpu")
    return Mark(
        wall=time.time(),
        mono=time.monotonic(),
        trees={name: TreeSample.take(proc.pid) for name, proc in watched.items()},
        host=host_ticks(),
        postgres=ticks_of(_postgres_pids(db_name)),
        redis_cpu_s=float(cpu["used_cpu_user"]) + float(cpu["used_cpu_sys"]),
        stream=stream_state(data),
        sim=sim_stats(sim_url),
    )


def rates(start: Mark, end: Mark, offered: float) -> dict[str, Any]:
    wall = end.mono - start.mono
    sent = end.sim["records_sent"] - start.sim["records_sent"]
    written = int(end.stream["entries_added"] or 0) - int(start.stream["entries_added"] or 0)
    return {
        "window_s": round(wall, 2),
        "offered_ticks_per_s": offered,
        "simulator_records_per_s": round(sent / wall, 1),
        "simulator_frames_per_s": round(
            (end.sim["frames_sent"] - start.sim["frames_sent"]) / wall, 1
        ),
        "redis_updates_per_s": round(written / wall, 1),
    }


def cpu_report(start: Mark, end: Mark) -> dict[str, Any]:
    wall = end.mono - start.mono
    procs = {name: usage(start.trees[name], end.trees[name]) for name in end.trees}
    pg_ticks = sum(t - start.postgres.get(k, 0) for k, t in end.postgres.items())
    redis_cores = (end.redis_cpu_s - start.redis_cpu_s) / wall
    pg_cores = pg_ticks / CLK_TCK / wall
    host = host_usage(start.host, end.host)
    ours = sum(float(p.get("cpu_cores", 0)) for p in procs.values()) + redis_cores + pg_cores
    services = {
        "redis_server": {"cpu_cores": round(redis_cores, 3)},  # every client's, not only ours
        "postgres_server": {"cpu_cores": round(pg_cores, 3)},  # bench backends + background
        "host_busy_cores": host["busy_cores"],
        "host_softirq_cores": host["softirq_cores"],  # in busy; loopback networking mostly
        "host_steal_cores": host["steal_cores"],  # not in busy: taken by the hypervisor
        "other_load_cores": round(host["busy_cores"] - ours, 3),  # the rest of the host
    }
    return {"processes": procs, "services": services}


def lag_report(start: Mark, end: Mark) -> dict[str, Any]:
    wall = end.mono - start.mono
    lag0 = (start.stream["lag"] or 0) + (start.stream["pending"] or 0)
    lag1 = (end.stream["lag"] or 0) + (end.stream["pending"] or 0)
    return {
        "stream_length": end.stream["length"],
        "pending": end.stream["pending"],
        "undelivered": end.stream["lag"],
        "backlog_at_start": lag0,
        "backlog_growth_per_s": round((lag1 - lag0) / wall, 1),
    }


def percentiles(values: list[float], qs: tuple[float, ...] = (0.5, 0.99)) -> dict[str, float]:
    if not values:
        return {}
    ordered = sorted(values)
    out = {}
    for q in qs:
        pos = q * (len(ordered) - 1)
        low = int(pos)
        high = min(low + 1, len(ordered) - 1)
        value = ordered[low] + (ordered[high] - ordered[low]) * (pos - low)
        out[f"p{round(q * 100)}"] = round(value, 1)
    return out


def _ms(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp() * 1000


def redis_latency(
    data: redis.Redis, start: Mark, end: Mark, slices: int = 60, per: int = 200
) -> dict[str, Any]:
    """Sampled: `per` entries from the start of each of `slices` equal slices of the window."""
    t0, t1 = int(start.wall * 1000), int(end.wall * 1000)
    to_redis, to_receive = [], []
    for i in range(slices):
        lo = t0 + (t1 - t0) * i // slices
        for entry_id, fields in data.xrange(STREAM, min=str(lo), max=str(t1), count=per):
            update = orjson.loads(fields[UPDATE_FIELD_BYTES])
            if update.get("source_ts") is None:
                continue
            source = _ms(update["source_ts"])
            to_redis.append(int(entry_id.split(b"-")[0]) - source)
            to_receive.append(_ms(update["received_at"]) - source)
    return {
        "redis": percentiles(to_redis),
        "receive": percentiles(to_receive),  # send → the monitor's receipt (received_at)
        "redis_samples": len(to_redis),
    }


_PG_WINDOW = """
SELECT count(*),
       percentile_cont(ARRAY[0.5, 0.99]) WITHIN GROUP (
           ORDER BY extract(epoch FROM inserted_at - source_ts) * 1000)
FROM odds_updates WHERE inserted_at >= %s AND inserted_at < %s AND source_ts IS NOT NULL
"""


def postgres_window(database_url: str, start: Mark, end: Mark) -> dict[str, Any]:
    """Rows inserted during the window, and their send → insert latency."""
    t0, t1 = (datetime.fromtimestamp(m.wall, UTC) for m in (start, end))
    with psycopg.connect(database_url, options=UTC_OPTIONS) as conn:
        row = conn.execute(_PG_WINDOW, (t0, t1)).fetchone()
        total = conn.execute("SELECT count(*) FROM odds_updates").fetchone()
    assert row is not None and total is not None
    count, pcts = row
    latency = {} if pcts is None else {"p50": round(pcts[0], 1), "p99": round(pcts[1], 1)}
    return {
        "rows_per_s": round(count / (end.wall - start.wall), 1),
        "latency": latency,
        "rows_total": total[0],
    }


def errors_seen(data: redis.Redis, workers: dict[str, Proc]) -> dict[str, Any]:
    monitors = live_monitors(data)
    counted = {k: sum(int(m.get(k, 0)) for m in monitors.values()) for k in ERROR_FIELDS}
    metrics = {k.decode(): int(v) for k, v in data.hgetall(metrics_key("draftkings")).items()}
    return {
        "monitors_live_at_end": len(monitors),
        "monitor_counters": counted,
        "provider_metrics": metrics,
        "dead_letters": data.xlen(dead_stream(STREAM)),
        "log_error_lines": {name: p.log_count(*LOG_ERRORS) for name, p in workers.items()},
    }
