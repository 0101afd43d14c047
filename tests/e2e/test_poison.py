"""Every book's fake poisons a share of its records (huge numbers, wrong types, impossible
dates, deep nesting, ...) in an otherwise valid stream, through Celery workers, Redis and
Postgres: rows still land for every book, and `oddswatch status` counts the skips by
reason per book, with no bug among them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import psycopg
import redis

from tests.e2e.harness import SimControl
from tests.waiting import wait_for

BOOKS = ("betmgm", "bovada", "draftkings", "fanduel")
REASONS = ("parse_errors", "unknown_records", "drift", "invalid_values", "skipped")


def _rows(pg: psycopg.Connection) -> dict[str, int]:
    query = "SELECT provider, count(*) FROM odds_updates GROUP BY provider"
    return {provider: int(n) for provider, n in pg.execute(query).fetchall()}


def _poisoned(sim_control: SimControl) -> dict[str, int]:
    books = sim_control.http.get("/_sim/stats").json()["books"]
    return {book: int(books[book]["poisoned"]) for book in BOOKS}


def _status(env: dict[str, str]) -> tuple[int, dict[str, Any]]:
    command = [str(Path(sys.executable).parent / "oddswatch"), "status", "--json"]
    done = subprocess.run(command, env=env, capture_output=True, timeout=60, check=False)
    return done.returncode, orjson.loads(done.stdout)


def test_poisoned_streams_still_land_rows_and_status_counts_skips_by_reason(
    worker_env: dict[str, str],
    start_worker: Any,
    celery_client: Any,
    sim_control: SimControl,
    pg: psycopg.Connection,
    redis_data: redis.Redis,
) -> None:
    worker_env.update(
        OW_PROVIDERS=orjson.dumps(BOOKS).decode(),
        OW_BETMGM__POLL_INTERVAL_S="0.3",
        OW_FANDUEL__POLL_INTERVAL_S="0.3",
    )
    start_worker("scrape,control,persist,monitor.nba", "all")
    celery_client.send_task("tasks.reconcile", queue="control")  # starts the persister
    scrapes = [celery_client.send_task("tasks.scrape", args=(b, "nba"), queue="scrape")
               for b in BOOKS]  # fmt: skip
    assert all(r.get(timeout=120)["games"] >= 1 for r in scrapes)
    sim_control.post("misbehave", {"action": "poison", "rate": 0.2})  # every book

    wait_for(lambda: min(_poisoned(sim_control).values()) >= 3, 60, "poison on every book")
    before = _rows(pg)
    wait_for(lambda: all(_rows(pg).get(b, 0) >= before.get(b, 0) + 5 for b in BOOKS), 60,
             "rows landing for every book while poisoned")  # fmt: skip

    def counted() -> tuple[int, dict[str, Any]] | None:
        code, status = _status(worker_env)
        skips = status["drift"]
        if all(sum(skips.get(b, {}).get(r, 0) for r in REASONS) for b in BOOKS):
            return code, status
        return None

    code, status = wait_for(counted, 30, "skips counted for every book")
    for book in BOOKS:
        assert status["drift"][book].get("bugs", 0) == 0, (book, status["drift"][book])
    assert all(m["bugs"] == 0 and m["reconnects"] == 0 for m in status["monitors"]), status
    assert not [p for p in status["problems"] if "bug" in p]
    assert code == 1 and [p for p in status["problems"] if "format drift" in p]  # loud
