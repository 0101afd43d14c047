"""A malformed frame is counted and skipped and the monitor goes on; a changed record
length is counted as drift, not silently dropped; a SIGKILLed worker's games are taken
over through reconcile and rows keep arriving."""

from __future__ import annotations

from tests.e2e.helpers import live_monitors, row_count, scrape
from tests.waiting import wait_for


def _metric(redis_data, name: str) -> int:
    return int(redis_data.hget("ow:metrics:draftkings", name) or 0)


def _start_frozen_and_monitored(sim_control, start_worker, celery_client, redis_data):
    sim_control.post("freeze", {"frozen": True})
    start_worker("scrape,control,persist,monitor.nba", "all")
    celery_client.send_task("tasks.reconcile", queue="control")
    scrape(celery_client)
    monitors = wait_for(lambda: live_monitors(redis_data), 30, "a live monitor")
    event_id = sorted(monitors)[0]
    wait_for(lambda: sim_control.state_subscribers(event_id), 30, "subscription")
    return event_id, monitors[event_id]["run_id"]


def test_malformed_frame_is_counted_and_skipped(
    start_worker, celery_client, sim_control, pg, redis_data
):
    event_id, run_id = _start_frozen_and_monitored(
        sim_control, start_worker, celery_client, redis_data
    )
    sim_control.post("misbehave", {"action": "malformed", "event_id": event_id})
    sim_control.post("misbehave", {"action": "text", "event_id": event_id})
    selection = f"0ML{event_id}_3"
    sim_control.post("move", {"event_id": event_id, "selection_id": selection, "american": -180})

    wait_for(lambda: row_count(pg, event_id) == 1, 30, "the move after the bad frames")
    state = wait_for(
        lambda: (
            (s := live_monitors(redis_data).get(event_id)) and int(s["parse_errors"]) >= 1 and s
        ),
        10,
        "parse error in the heartbeat",
    )
    assert state["run_id"] == run_id, "the same monitor run goes on"
    assert int(state["reconnects"]) == 0
    wait_for(lambda: _metric(redis_data, "parse_errors") >= 1, 10, "provider parse_errors metric")


def test_schema_change_is_counted_as_drift(
    start_worker, celery_client, sim_control, pg, redis_data
):
    event_id, run_id = _start_frozen_and_monitored(
        sim_control, start_worker, celery_client, redis_data
    )
    sim_control.post("misbehave", {"action": "schema", "count": 100})
    sim_control.post(
        "move",
        {"event_id": event_id, "selection_id": f"0HC{event_id}_3", "american": -120, "line": -3.5},
    )
    wait_for(lambda: row_count(pg, event_id) == 1, 30, "the drifted record still read")
    state = wait_for(
        lambda: (s := live_monitors(redis_data).get(event_id)) and int(s["drift"]) >= 1 and s,
        10,
        "drift counted in the heartbeat",
    )
    assert state["run_id"] == run_id
    row = pg.execute(
        "SELECT market, side, line, price_american FROM odds_updates WHERE event_id = %s",
        (event_id,),
    ).fetchone()
    assert row == ("spread", "home", -3.5, -120)
    wait_for(lambda: _metric(redis_data, "drift") >= 1, 10, "provider drift metric")
    recent = [k for k in redis_data.scan_iter("ow:metrics:draftkings:m:*")]
    assert recent, "drift is also counted per minute, for `oddswatch status`"
    assert sum(int(redis_data.hget(k, "drift") or 0) for k in recent) >= 1
    assert 0 < redis_data.ttl(recent[0]) <= 3600


def test_sigkilled_worker_is_replaced_by_reconcile(
    start_worker, celery_client, sim_control, pg, redis_data
):
    base = start_worker("scrape,control,persist", "base")
    doomed = start_worker("monitor.nba", "doomed")
    celery_client.send_task("tasks.reconcile", queue="control")
    scrape(celery_client)
    monitors = wait_for(
        lambda: len(live_monitors(redis_data)) >= 3 and live_monitors(redis_data), 30, "monitors"
    )
    doomed_workers = {m["worker"] for m in monitors.values()}
    wait_for(lambda: row_count(pg) > 0, 30, "rows from the first worker")

    doomed.kill()
    before = row_count(pg)
    start_worker("monitor.nba", "heir")

    def taken_over() -> bool:
        celery_client.send_task("tasks.reconcile", queue="control")
        now = live_monitors(redis_data)
        return len(now) >= len(monitors) and not doomed_workers & {
            m["worker"] for m in now.values()
        }

    wait_for(taken_over, 45, "reconcile to hand the games to the new worker", every_s=1.0)
    wait_for(lambda: row_count(pg) > before + 5, 30, "rows keep arriving after the kill")
    assert base.proc.poll() is None


def test_dropped_connection_reconnects_in_the_same_run(
    start_worker, celery_client, sim_control, pg, redis_data
):
    event_id, run_id = _start_frozen_and_monitored(
        sim_control, start_worker, celery_client, redis_data
    )
    sim_control.post("misbehave", {"action": "drop", "event_id": event_id})
    state = wait_for(
        lambda: (s := live_monitors(redis_data).get(event_id)) and int(s["reconnects"]) >= 1 and s,
        15,
        "a reconnect in the heartbeat",
    )
    wait_for(lambda: sim_control.state_subscribers(event_id), 15, "the new subscription")
    sim_control.post("move", {"event_id": event_id, "selection_id": f"0OU{event_id}_1",
                              "american": 105, "line": 230.5})  # fmt: skip
    wait_for(lambda: row_count(pg, event_id) == 1, 30, "the move after the reconnect")
    assert state["run_id"] == run_id
