"""SIGKILL of the persister worker under load (issue 14, item 7): reconcile (sent every
second here, as beat does every few) dispatches a persister into the freed slot, a
second worker takes it, re-reads what the dead one left pending and drains: every update
added is a row, none twice. The gap (kill → next row) is the slot lease's TTL (3 s here)
plus a reconcile tick."""

from __future__ import annotations

import json
import threading
import time
from typing import Any

import pytest
import redis

from sinks.keys import persist_lease_key
from tests.chaos.feed import Feeder, row_count, stored
from tests.waiting import wait_for

RATE = 400  # updates a second
RECONCILE_EVERY_S = 1.0
LEASE_TTL_S = 3.0  # OW_LEASE_TTL_MS in chaos_env


@pytest.mark.timeout(240)
def test_sigkill_of_the_persister_under_load(
    chaos_settings, start_worker, celery_client, redis_data: redis.Redis
) -> None:
    url = chaos_settings.database_url
    first = start_worker("persist", "persister-1")
    stop_beat = threading.Event()

    def beat() -> None:  # beat's part: reconcile every tick
        while not stop_beat.is_set():
            celery_client.send_task("tasks.reconcile", queue="control")
            stop_beat.wait(RECONCILE_EVERY_S)

    feed = Feeder(chaos_settings, rate=RATE).start()
    ticker = threading.Thread(target=beat, daemon=True)
    try:
        start_worker("control", "control")
        ticker.start()
        wait_for(lambda: redis_data.exists(persist_lease_key(0)), 30, "the persister's lease")
        wait_for(lambda: (row_count(url) or 0) >= RATE, 30, "rows flowing")
        start_worker("persist", "persister-2")  # idle until a persister task comes
        first.kill()
        killed_at = time.monotonic()
        rows_at_kill = row_count(url) or 0
        wait_for(lambda: (row_count(url) or 0) > rows_at_kill, 30, "rows after the kill", 0.02)
        gap_s = time.monotonic() - killed_at
        added_then = len(feed.ids)
        wait_for(lambda: (row_count(url) or 0) >= added_then, 60, "the backlog drained")
        drained_s = time.monotonic() - killed_at
        time.sleep(2)
    finally:
        added = feed.stop()
        stop_beat.set()
    wait_for(lambda: row_count(url) == added, 60, "every update added stored")
    held = stored(url)
    figures: dict[str, Any] = {
        "rate_per_s": RATE,
        "gap_kill_to_next_row_s": round(gap_s, 2),
        "backlog_drained_after_kill_s": round(drained_s, 2),
        "added": added,
        "rows": held["rows"],
        "missing": len(set(feed.ids) - held["ids"]),
        "duplicates": held["rows"] - held["distinct"],
        "pending_left": int(redis_data.xpending(chaos_settings.stream_key, "persist")["pending"]),
    }
    print("\nchaos persister-kill figures:", json.dumps(figures))
    assert figures["missing"] == 0 and figures["duplicates"] == 0, figures
    assert held["rows"] == added == len(set(feed.ids)), figures
    assert gap_s <= LEASE_TTL_S + 2 * RECONCILE_EVERY_S + 3, figures
