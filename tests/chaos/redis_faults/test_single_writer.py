"""Never two writers for one game: two monitor workers on one queue while, game after game,
the lease vanishes and a duplicate `tasks.monitor` races the holder for it. Whoever takes
the lease writes; the other is fenced off (its write refused, it stops) or exits at once.
In each game's write order every run's updates form one unbroken rising run of `seq`: as
many segments as runs that wrote, never interleaved."""

from __future__ import annotations

import random
import time

import pytest

from tests.chaos import checks
from tests.e2e.helpers import scrape
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(180)
CHAOS_S = 12.0


def test_never_two_writers_for_one_game(
    start_worker, celery_client, beat, sim_control, data, pg
) -> None:
    start_worker("scrape,control,persist", "base")
    start_worker("monitor.nba", "m1")
    scrape(celery_client)
    start_worker("monitor.nba", "m2")
    live = wait_for(lambda: len(checks.live_runs(data)) >= 6 and checks.live_runs(data), 60,
                    "six live monitors")  # fmt: skip
    games = sorted(live)
    rng = random.Random(7)
    races = 0
    deadline = time.monotonic() + CHAOS_S
    while time.monotonic() < deadline:
        game = rng.choice(games)
        data.delete(f"ow:lease:draftkings:{game}")  # vanished: the holder and a duplicate race
        celery_client.send_task("tasks.monitor", args=("draftkings", "nba", game),
                                queue="monitor.nba")  # fmt: skip
        races += 1
        time.sleep(0.4)
    wait_for(lambda: set(games) <= set(checks.live_runs(data)), 20, "every game monitored")
    sim_control.post("freeze", {"frozen": True})
    time.sleep(1.5)
    rows = checks.drained(data, pg)
    runs = checks.runs_by_game(pg)
    segments = {g: checks.write_segments(data, g) for g in games}
    ran = {g: len(runs.get(g, [])) for g in games}
    reasons: dict[str, int] = {}
    for game in games:
        for run in runs.get(game, []):
            reason = run["end_reason"] or "live"
            reasons[reason] = reasons.get(reason, 0) + 1
    figures = {
        "games": len(games),
        "races": races,
        "runs_per_game": ran,
        "write_segments_per_game": segments,
        "run_ends": reasons,
        "entries_added": checks.entries_added(data),
        "rows": rows,
        "duplicate_rows": checks.duplicate_rows(pg),
    }
    print("single writer figures:", figures)

    assert all(segments[g] <= ran[g] for g in games), "writes of two runs interleaved"
    assert all(sum(1 for r in runs.get(g, []) if r["ended_at"] is None) == 1 for g in games)
    assert figures["entries_added"] == rows
    assert figures["duplicate_rows"] == 0
