"""What a chaos test checks once the system is drained: rows against the stream, duplicate
rows, and monitor runs per game (never two writers at once)."""

from __future__ import annotations

import itertools
import time
from datetime import datetime
from typing import Any

import psycopg
import redis

from oddswatch.codec import decode_update
from oddswatch.model import OddsUpdate
from tests.waiting import wait_for

STREAM = "ow:updates"


def live_runs(data: redis.Redis) -> dict[str, dict[str, str]]:
    """event_id -> the heartbeat state of its live monitor."""
    runs = {}
    for member in data.zrange("ow:monitors", 0, -1):
        provider, _league, event_id = member.decode().split(":")
        state = data.hgetall(f"ow:monitor:{provider}:{event_id}")
        if state:
            runs[event_id] = {k.decode(): v.decode() for k, v in state.items()}
    return runs


def listed(data: redis.Redis, event_id: str) -> list[OddsUpdate]:
    """The updates in a game's Redis list, oldest first."""
    raw = data.lrange(f"ow:odds:draftkings:nba:{event_id}", 0, -1)
    return [decode_update(item) for item in reversed(raw)]


def entries_added(data: redis.Redis) -> int:
    """Every XADD the stream has seen since Redis started (trimming does not lower it)."""
    return int(data.xinfo_stream(STREAM)["entries-added"])


def drained(data: redis.Redis, pg: psycopg.Connection, timeout_s: float = 30) -> int:
    """Wait until the persister has acknowledged every entry and rows stop changing."""

    def settled() -> int | None:
        groups = data.xinfo_groups(STREAM)
        if not groups or any(g["pending"] or g.get("lag") for g in groups):
            return None
        before = row_count(pg)
        time.sleep(0.3)
        return before if row_count(pg) == before else None

    return int(wait_for(settled, timeout_s, "the persister to drain the stream", every_s=0.3))


def row_count(pg: psycopg.Connection) -> int:
    row = pg.execute("SELECT count(*) FROM odds_updates").fetchone()
    assert row is not None
    return int(row[0])


def duplicate_rows(pg: psycopg.Connection) -> int:
    """Rows beyond the first of one update id (the primary key includes received_at)."""
    row = pg.execute("SELECT count(*) - count(DISTINCT update_id) FROM odds_updates").fetchone()
    assert row is not None
    return int(row[0])


def stored(pg: psycopg.Connection, updates: list[OddsUpdate]) -> int:
    """How many of `updates` have a row."""
    ids = [u.update_id for u in updates]
    row = pg.execute(
        "SELECT count(*) FROM odds_updates WHERE update_id = ANY(%s::uuid[])", (ids,)
    ).fetchone()
    assert row is not None
    return int(row[0])


def runs_by_game(pg: psycopg.Connection) -> dict[str, list[dict[str, Any]]]:
    rows = pg.execute(
        "SELECT event_id, run_id::text, worker, started_at, last_heartbeat, ended_at, end_reason"
        " FROM monitor_runs ORDER BY event_id, started_at"
    ).fetchall()
    games: dict[str, list[dict[str, Any]]] = {}
    names = ("run_id", "worker", "started_at", "last_heartbeat", "ended_at", "end_reason")
    for event_id, *values in rows:
        games.setdefault(event_id, []).append(dict(zip(names, values, strict=True)))
    return games


def overlapping_runs(games: dict[str, list[dict[str, Any]]]) -> list[str]:
    """Games where a run started before the previous run's last sign of life (its end, or
    its last heartbeat when it never ended: a killed worker)."""
    bad = []
    for event_id, runs in games.items():
        for before, after in itertools.pairwise(runs):
            last: datetime = before["ended_at"] or before["last_heartbeat"]
            if after["started_at"] < last:
                bad.append(event_id)
    return bad


def write_segments(data: redis.Redis, event_id: str) -> int:
    """Runs that wrote a game's list, as seen in its write order: each run numbers its
    updates 1, 2, 3, ... (`seq`), so a new writer starts a new rising segment. Two writers at
    once would interleave and cut the order into many segments."""
    seqs = [u.seq for u in listed(data, event_id)]
    return 1 + sum(1 for before, after in itertools.pairwise(seqs) if after <= before)
