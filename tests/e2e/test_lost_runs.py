"""A monitor worker SIGKILLed, as issue 14 saw it: `oddswatch status` lists its monitors
as dead (not live) and says unhealthy until a live monitor replaces each; reconcile ends
their `monitor_runs` rows with reason `lost`."""

from __future__ import annotations

import time
import uuid

from sinks.catalog import Catalog
from tests.e2e.helpers import live_monitors, scrape
from tests.waiting import wait_for
from workers.status import collect


def test_killed_monitors_are_dead_in_status_and_their_runs_end_lost(
    start_worker, celery_client, sim_control, pg, redis_data, settings
):
    settings = settings.model_copy(update={"heartbeat_s": 1.0, "leagues": ["nba"]})
    catalog = Catalog(settings.database_url)
    start_worker("scrape,control,persist", "base")
    doomed = start_worker("monitor.nba", "doomed")
    celery_client.send_task("tasks.reconcile", queue="control")
    scrape(celery_client)
    monitors = wait_for(
        lambda: len(live_monitors(redis_data)) >= 3 and live_monitors(redis_data), 30, "monitors"
    )
    killed_runs = {m["run_id"] for m in monitors.values()}

    doomed.kill()
    killed_at = time.monotonic()
    status = wait_for(
        lambda: (s := collect(settings, celery_client, redis_data, catalog)).dead_monitors and s,
        15,
        "the killed monitors shown dead",
    )
    assert {m["run_id"] for m in status.dead_monitors} <= killed_runs
    assert not {m["run_id"] for m in status.monitors} & killed_runs, "none of them live"
    assert any("monitor dead" in p for p in status.problems) and not status.healthy
    dead_after_s = time.monotonic() - killed_at

    def lost() -> bool:
        celery_client.send_task("tasks.reconcile", queue="control")  # beat's part
        rows = pg.execute(
            "SELECT count(*) FROM monitor_runs WHERE end_reason = 'lost'"
            " AND ended_at IS NOT NULL AND run_id::text = ANY(%s)",
            ([str(uuid.UUID(r)) for r in killed_runs],),
        ).fetchone()
        return bool(rows and rows[0] == len(killed_runs))

    wait_for(lost, 30, "reconcile to end the killed runs as lost", every_s=1.0)
    lost_after_s = time.monotonic() - killed_at

    start_worker("monitor.nba", "heir")

    def replaced() -> bool:
        celery_client.send_task("tasks.reconcile", queue="control")
        s = collect(settings, celery_client, redis_data, catalog)
        return len(s.monitors) >= len(killed_runs) and not s.dead_monitors

    wait_for(replaced, 45, "live monitors again, none dead", every_s=1.0)
    catalog.close()
    print(
        f"\nmonitor kill: {len(killed_runs)} runs; shown dead {dead_after_s:.1f}s after the kill,"
        f" ended lost after {lost_after_s:.1f}s, live again after"
        f" {time.monotonic() - killed_at:.1f}s (heartbeat 1 s, lease 3 s; the heir worker"
        " started after the kill)"
    )
