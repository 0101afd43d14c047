"""A scrape fans out one monitor per due game to `monitor.nba`, and a second dispatch of
a game already monitored exits on the lease."""

from __future__ import annotations

from tests.e2e.helpers import due_games, live_monitors, queued_monitors, scrape
from tests.waiting import wait_for


def test_scrape_fans_out_one_monitor_per_due_game(start_worker, celery_client, broker, pg):
    start_worker("scrape", "scraper")
    summary = scrape(celery_client)

    due = due_games(pg)
    assert len(due) >= 3, "the simulator runs 3 live NBA games"
    assert summary["games"] == 6
    assert sorted(summary["dispatched"]) == sorted(due)
    assert sorted(queued_monitors(broker)) == sorted(due)  # one each, nothing else
    snapshots = pg.execute("SELECT count(*), max(game_count) FROM snapshots").fetchone()
    assert snapshots == (1, 6)
    assert broker.llen("monitor.nfl") == 0

    again = scrape(celery_client)  # idempotent: a new snapshot row, no second dispatch
    assert again["dispatched"] == []
    assert sorted(queued_monitors(broker)) == sorted(due)
    assert pg.execute("SELECT count(*) FROM events").fetchone() == (6,)


def test_second_dispatch_of_a_game_exits_on_the_lease(start_worker, celery_client, pg, redis_data):
    start_worker("scrape,control,persist,monitor.nba", "all")
    scrape(celery_client)
    due = due_games(pg)
    monitors = wait_for(lambda: len(live_monitors(redis_data)) == len(due), 30, "monitors")
    assert monitors
    event_id = sorted(due)[0]
    duplicate = celery_client.send_task(
        "tasks.monitor", args=("draftkings", "nba", event_id), queue="monitor.nba"
    )
    assert duplicate.get(timeout=30)["reason"] == "lease_held"
    assert live_monitors(redis_data)[event_id]["run_id"]  # the first run goes on


def test_a_game_the_book_stops_listing_ends_its_monitor(
    start_worker, celery_client, sim_control, pg, redis_data, broker
):
    start_worker("scrape,control,persist,monitor.nba", "all")
    scrape(celery_client)
    due = due_games(pg)
    wait_for(lambda: len(live_monitors(redis_data)) == len(due), 30, "monitors")
    started = {row[0] for row in pg.execute("SELECT event_id FROM events WHERE starts_at <= now()")}
    ended = sorted(due & started)[0]
    sim_control.post("status", {"event_id": ended, "status": "final"})

    summary = scrape(celery_client)
    assert summary["closed"] == [ended]
    wait_for(lambda: ended not in live_monitors(redis_data), 15, "the monitor of the ended game")
    run = pg.execute(
        "SELECT end_reason FROM monitor_runs WHERE event_id = %s AND ended_at IS NOT NULL",
        (ended,),
    ).fetchall()
    assert run == [("final",)]
    reconciled = celery_client.send_task(
        "tasks.reconcile", queue="control", ignore_result=False
    ).get(timeout=30)
    assert ended not in reconciled["monitors"]
    assert ended not in queued_monitors(broker)
    assert set(live_monitors(redis_data)) == due - {ended}
