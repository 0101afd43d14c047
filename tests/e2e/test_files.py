"""The file sink for real: a worker with `OW_SINKS=["redis","postgres","fs"]` writes every
update both to Postgres and to one JSON Lines file per game and day; the same updates read
again by a restarted worker's persisters append no line and insert no row."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import orjson
import psycopg
import redis

from sinks.keys import UPDATE_FIELD, persist_group
from tests.e2e.helpers import live_monitors, scrape
from tests.waiting import wait_for

ZONE = ZoneInfo("America/New_York")  # OW_TIMEZONE's default: the day of a file
GROUPS = (persist_group("postgres"), persist_group("fs"))


def file_ids(root: Path) -> dict[str, list[str]]:
    """'<day>/<provider>/<league>/<event_id>.jsonl' -> the update ids of its lines."""
    return {
        path.relative_to(root).as_posix(): [
            orjson.loads(line)["update_id"] for line in path.read_bytes().splitlines()
        ]
        for path in sorted(root.rglob("*.jsonl"))
    }


def rows_by_file(pg: psycopg.Connection) -> dict[str, list[str]]:
    """The same shape, from `odds_updates`: where each row belongs as a file line."""
    found: dict[str, list[str]] = {}
    for update_id, league, event_id, received_at in pg.execute(
        "SELECT update_id, league, event_id, received_at FROM odds_updates ORDER BY seq"
    ):
        day = received_at.astimezone(ZONE).date().isoformat()
        found.setdefault(f"{day}/draftkings/{league}/{event_id}.jsonl", []).append(update_id.hex)
    return found


def caught_up(data: redis.Redis, stream: str, last_id: bytes) -> bool:
    """Both history sinks' groups were handed every entry up to `last_id` and acked it."""
    groups = {g["name"].decode(): g for g in data.xinfo_groups(stream)}
    last = tuple(int(x) for x in last_id.split(b"-"))
    return all(
        name in groups
        and tuple(int(x) for x in groups[name]["last-delivered-id"].split(b"-")) >= last
        and groups[name]["pending"] == 0
        for name in GROUPS
    )


def test_files_hold_every_update_once_per_game_and_day(
    start_worker, worker_env, celery_client, sim_control, pg, redis_data, settings, tmp_path
):
    root = tmp_path / "odds"
    worker_env.update(OW_SINKS='["redis","postgres","fs"]', OW_FS_SINK_DIR=str(root))
    sim_control.post("freeze", {"frozen": True})  # only the moves below change a price
    worker = start_worker("scrape,control,persist,monitor.nba", "all")
    celery_client.send_task("tasks.reconcile", queue="control")  # starts the persisters
    scrape(celery_client)
    monitors = wait_for(lambda: len(live_monitors(redis_data)) >= 2, 30, "two live monitors")
    assert monitors
    games = sorted(live_monitors(redis_data))[:2]
    for game in games:
        wait_for(lambda g=game: sim_control.state_subscribers(g), 30, f"{game} subscribed")
    for game in games:
        for american in (-150, -160, -175):
            move = {"event_id": game, "selection_id": f"0ML{game}_3", "american": american}
            sim_control.post("move", move)

    def landed() -> Any:
        rows, files = rows_by_file(pg), file_ids(root)
        return sum(map(len, rows.values())) == 6 and rows == files and files

    files = wait_for(landed, 30, "six updates in Postgres and in the files alike")
    assert len(files) == 2, "one file per game and day"
    assert all(len(ids) == 3 == len(set(ids)) for ids in files.values())

    worker.stop(timeout_s=30)  # warm shutdown: the persisters stop, the updates stay
    last_id = b"0-0"
    for path in sorted(root.rglob("*.jsonl")):  # the same updates once more on the stream
        for line in path.read_bytes().splitlines():
            last_id = redis_data.xadd(settings.stream_key, {UPDATE_FIELD: line})
    start_worker("control,persist", "restarted")  # a new process: it must read the files
    celery_client.send_task("tasks.reconcile", queue="control")
    wait_for(lambda: caught_up(redis_data, settings.stream_key, last_id), 30, "the re-read")

    assert file_ids(root) == files, "nothing appended twice"
    assert rows_by_file(pg) == files
