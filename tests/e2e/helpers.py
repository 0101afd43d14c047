"""Reading what the system did: queued monitor messages, live monitors, stored rows."""

from __future__ import annotations

import base64
import json
from typing import Any

import psycopg
import redis

DUE_SQL = """
SELECT event_id FROM events
WHERE provider = 'draftkings' AND league = 'nba' AND status NOT IN ('final', 'cancelled')
  AND starts_at - make_interval(secs => 900) <= now()
  AND now() < starts_at + make_interval(secs => 4 * 3600)
"""


def queued_monitors(broker: redis.Redis, queue: str = "monitor.nba") -> list[str]:
    """Event ids of the `tasks.monitor` messages waiting in a queue."""
    ids = []
    for raw in broker.lrange(queue, 0, -1):
        message = json.loads(raw)
        assert message["headers"]["task"] == "tasks.monitor"
        args, _kwargs, _embed = json.loads(base64.b64decode(message["body"]))
        ids.append(args[2])
    return ids


def due_games(pg: psycopg.Connection) -> set[str]:
    return {row[0] for row in pg.execute(DUE_SQL)}


def live_monitors(data: redis.Redis) -> dict[str, dict[str, str]]:
    """event_id -> the monitor's heartbeat state, for every monitor with a fresh heartbeat."""
    states = {}
    for member in data.zrange("ow:monitors", 0, -1):
        provider, _league, event_id = member.decode().split(":")
        state = data.hgetall(f"ow:monitor:{provider}:{event_id}")
        if state:
            states[event_id] = {k.decode(): v.decode() for k, v in state.items()}
    return states


def row_count(pg: psycopg.Connection, event_id: str | None = None) -> int:
    if event_id is None:
        row = pg.execute("SELECT count(*) FROM odds_updates").fetchone()
    else:
        row = pg.execute(
            "SELECT count(*) FROM odds_updates WHERE event_id = %s", (event_id,)
        ).fetchone()
    assert row is not None
    return int(row[0])


def scrape(celery_client: Any, timeout_s: float = 120) -> dict[str, Any]:
    result = celery_client.send_task("tasks.scrape", args=("draftkings", "nba"), queue="scrape")
    summary: dict[str, Any] = result.get(timeout=timeout_s)
    return summary
