"""Warm shutdown: on SIGTERM every monitor stops, releases its lease and re-queues its
game, so another worker resumes it at once."""

from __future__ import annotations

import time

from tests.e2e.helpers import live_monitors, queued_monitors, scrape
from tests.waiting import wait_for


def test_sigterm_hands_every_game_back_to_the_queue(
    start_worker, celery_client, broker, redis_data
):
    start_worker("scrape", "scraper")
    monitor_worker = start_worker("monitor.nba", "leaving")
    scrape(celery_client)
    monitors = wait_for(
        lambda: len(live_monitors(redis_data)) >= 3 and live_monitors(redis_data), 30, "monitors"
    )
    games = sorted(monitors)
    assert all(redis_data.exists(f"ow:lease:draftkings:{g}") for g in games)

    started = time.monotonic()
    monitor_worker.stop(timeout_s=30)
    assert monitor_worker.proc.returncode == 0
    assert time.monotonic() - started < 15, "monitors stop within seconds"
    assert not any(redis_data.exists(f"ow:lease:draftkings:{g}") for g in games)
    assert sorted(queued_monitors(broker)) == games

    start_worker("monitor.nba", "arriving")
    resumed = wait_for(
        lambda: (
            set(games) <= set(live_monitors(redis_data))
            and {m["run_id"] for m in live_monitors(redis_data).values()}.isdisjoint(
                m["run_id"] for m in monitors.values()
            )
        ),
        30,
        "the games resumed by the new worker",
    )
    assert resumed
    assert broker.llen("monitor.nba") == 0
