"""SIGKILL of one of two monitor workers on the same queue: every game it held streams
again on the survivor within 10 s of the kill (its leases expire within the short TTL and
the next reconcile re-dispatches them), with never two runs of one game alive at once, and
every update added to the stream has exactly one row once drained."""

from __future__ import annotations

import time

import pytest

from tests.chaos import checks
from tests.e2e.helpers import scrape
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(180)
TAKEOVER_LIMIT_S = 10.0


def test_sigkill_of_a_monitor_worker(
    start_worker, celery_client, beat, sim_control, data, pg
) -> None:
    start_worker("scrape,control,persist", "base")
    doomed = start_worker("monitor.nba", "doomed")
    scrape(celery_client)
    live = wait_for(lambda: len(checks.live_runs(data)) >= 6 and checks.live_runs(data), 60,
                    "six live monitors")  # fmt: skip
    survivor = start_worker("monitor.nba", "survivor")
    wait_for(lambda: checks.row_count(pg) > 50, 30, "rows flowing")
    games = {g for g, s in live.items() if s["worker"].endswith(f":{doomed.proc.pid}")}
    assert games, f"the doomed worker (pid {doomed.proc.pid}) streams games: {live}"

    doomed.kill()
    killed_at = time.monotonic()
    heads = {g: checks.listed(data, g)[-1].update_id for g in games}  # the last the dead wrote
    resumed: dict[str, float] = {}

    def every_game_streams_again() -> bool:
        for game in games - resumed.keys():
            newest = checks.listed(data, game)
            if newest and newest[-1].update_id != heads[game]:  # the dead write nothing
                resumed[game] = time.monotonic() - killed_at
        return resumed.keys() == games

    wait_for(every_game_streams_again, 30, "the survivor to stream every game", 0.05)
    time.sleep(2)
    sim_control.post("freeze", {"frozen": True})
    time.sleep(1.5)
    rows = checks.drained(data, pg)
    runs = checks.runs_by_game(pg)
    now_live = checks.live_runs(data)
    figures = {
        "games_on_killed_worker": len(games),
        "takeover_s_max": round(max(resumed.values()), 2),
        "takeover_s": {g[-6:]: round(s, 2) for g, s in sorted(resumed.items())},
        "on_survivor": sum(
            s["worker"].endswith(f":{survivor.proc.pid}") for s in now_live.values()
        ),
        "entries_added": checks.entries_added(data),
        "rows": rows,
        "duplicate_rows": checks.duplicate_rows(pg),
        "runs_per_game": sorted({len(runs[g]) for g in games}),
        "overlapping_runs": checks.overlapping_runs(runs),
    }
    print("sigkill figures:", figures)

    assert figures["takeover_s_max"] <= TAKEOVER_LIMIT_S
    assert figures["on_survivor"] >= len(games)
    assert figures["entries_added"] == rows, "every update added to the stream has a row"
    assert figures["duplicate_rows"] == 0
    assert figures["runs_per_game"] == [2], "the killed run, then the survivor's"
    assert figures["overlapping_runs"] == []
