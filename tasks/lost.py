"""Monitor runs that vanished (their worker was killed, the machine died): nobody ends
their `monitor_runs` row, so reconcile does.

A run is lost when all three hold:

1. its `monitor_runs.last_heartbeat` is older than `silent_after_s` (3 heartbeat
   intervals) and it has no `ended_at`;
2. its game's lease does not hold its run id (a live run renews it every few seconds;
   a run alive while Postgres was down still holds it);
3. its game's heartbeat state in Redis is not its own, fresh one.

Its row gets `ended_at` = its last heartbeat (the last time it was seen) and end reason
`lost`; a run closed so that beats again is reopened by the catalog. The `ow:monitors`
entries of dead monitors whose game is no longer due are removed too (while the game is
due, `oddswatch status` shows the entry as dead until a new monitor replaces it).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any, cast

from oddswatch.model import utcnow
from sinks.keys import MONITORS_KEY, lease_key, monitor_key, monitor_member, parse_monitor_member
from tasks.engine import Runtime
from tasks.heartbeat import silent_after_s

logger = logging.getLogger(__name__)


def close_lost_runs(rt: Runtime, now: datetime | None = None) -> list[str]:
    """Close the rows of lost runs; returns their run ids."""
    beat_before = (now or utcnow()) - timedelta(seconds=silent_after_s(rt.settings.heartbeat_s))
    silent = rt.catalog.silent_runs(beat_before)
    if not silent:
        return []
    alive = _alive_in_redis(rt, silent, beat_before)
    closed = rt.catalog.close_lost_runs(
        [r["run_id"] for r in silent if r["run_id"] not in alive], beat_before
    )
    for run in silent:
        if run["run_id"] in closed:
            logger.warning(
                "monitor run lost",
                extra={k: str(run[k]) for k in ("run_id", "provider", "event_id", "worker")},
            )
    return closed


def _alive_in_redis(rt: Runtime, runs: Sequence[dict[str, Any]], beat_before: datetime) -> set[str]:
    """The run ids that still hold their lease or published a fresh heartbeat."""
    pipe = rt.redis.pipeline(transaction=False)
    for run in runs:
        provider, league, event_id = run["provider"], run["league"], run["event_id"]
        pipe.get(lease_key(provider, event_id))
        pipe.hget(monitor_key(provider, event_id), "run_id")
        pipe.zscore(MONITORS_KEY, monitor_member(provider, league, event_id))
    replies = pipe.execute()
    alive = set()
    for i, run in enumerate(runs):
        lease, beating, score = replies[3 * i : 3 * i + 3]
        fresh = score is not None and float(score) >= beat_before.timestamp()
        if _text(lease) == run["run_id"] or (_text(beating) == run["run_id"] and fresh):
            alive.add(run["run_id"])
    return alive


def prune_dead_entries(rt: Runtime, now: datetime | None = None) -> int:
    """Remove the `ow:monitors` entries silent for `silent_after_s` whose game is no
    longer due; returns how many."""
    now = now or utcnow()
    cutoff = now.timestamp() - silent_after_s(rt.settings.heartbeat_s)
    stale = cast(list[bytes], rt.redis.zrangebyscore(MONITORS_KEY, "-inf", cutoff))
    if not stale:
        return 0
    settings = rt.settings
    due = rt.catalog.due_events(
        now, settings.providers, settings.leagues, settings.monitor_lead_s, settings.max_duration_s
    )
    due_games = {(e.provider, e.event_id) for e in due}
    gone = [m for m in stale if _game(m) not in due_games]
    return int(rt.redis.zrem(MONITORS_KEY, *gone)) if gone else 0


def _game(member: bytes | str) -> tuple[str, str]:
    provider, _league, event_id = parse_monitor_member(member)
    return provider, event_id


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value or "")
