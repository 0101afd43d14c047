"""All four books on one simulated game, through Celery workers, Redis and Postgres.

Each book's scrape stores the simulator's games (teams in the book's own spelling under
one canonical key per team, UTC start); one scripted price move on the shared market
model reaches every book in its own protocol; each book's monitor writes it exactly once;
and the four rows differ only in provider and ids."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import psycopg
import pytest
import redis

from oddswatch.odds import american_to_decimal
from oddswatch.teams import canonical_team_key
from tests.e2e.harness import SimControl
from tests.waiting import wait_for

BOOKS = ("betmgm", "bovada", "draftkings", "fanduel")
# (market, side, american, line): the same price twice in a row is not a change.
SCRIPT = [
    ("moneyline", "home", -150, None),
    ("moneyline", "away", 130, None),
    ("spread", "home", -115, -6.5),
    ("spread", "home", -115, -6.5),  # unchanged: must not be written
    ("spread", "home", -110, -7.0),  # line move
    ("spread", "away", -110, 7.0),
    ("total", "over", -105, 221.5),
    ("total", "under", -115, 221.5),
    ("total", "over", 100, 222.0),  # EVEN
]
COLUMNS = "market, side, line, price_american, price_decimal, period, status"


@pytest.fixture
def four_books(worker_env: dict[str, str]) -> dict[str, str]:
    worker_env.update(
        OW_PROVIDERS=f'["{BOOKS[0]}", "{BOOKS[1]}", "{BOOKS[2]}", "{BOOKS[3]}"]',
        OW_BETMGM__POLL_INTERVAL_S="0.2",
        OW_FANDUEL__POLL_INTERVAL_S="0.2",
    )
    return worker_env


def _live_game(sim_control: SimControl) -> dict[str, Any]:
    games = [g for g in sim_control.state()["games"] if g["status"] == "live"]
    return sorted(games, key=lambda g: g["event_id"])[0]


def _listed(data: redis.Redis, provider: str, book_event_id: str) -> int:
    return int(data.llen(f"ow:odds:{provider}:nba:{book_event_id}"))


def _monitored(data: redis.Redis, ids: dict[str, str]) -> bool:
    members = {m.decode() for m in data.zrange("ow:monitors", 0, -1)}
    return all(f"{book}:nba:{ids[book]}" in members for book in BOOKS)


def _check_catalog(pg: psycopg.Connection, game: dict[str, Any], ids: dict[str, str]) -> None:
    """Each book stored the game under its own spelling of the teams ("DET Pistons",
    "Detroit Pistons") and the same canonical team keys, so the four rows match up."""
    starts_at = datetime.fromisoformat(game["starts_at"])
    keys = {}
    for book in BOOKS:
        row = pg.execute(
            "SELECT home, away, starts_at, home_key, away_key FROM events"
            " WHERE provider = %s AND event_id = %s",
            (book, ids[book]),
        ).fetchone()
        assert row is not None, f"{book} did not store game {ids[book]}"
        spelled = game["books"][book]
        assert (row[0], row[1], row[2]) == (spelled["home"], spelled["away"], starts_at), book
        keys[book] = (row[3], row[4])
    canonical = (canonical_team_key("nba", game["home"]), canonical_team_key("nba", game["away"]))
    assert None not in canonical
    assert keys == dict.fromkeys(BOOKS, canonical)
    spellings = {(game["books"][book]["home"], game["books"][book]["away"]) for book in BOOKS}
    assert len(spellings) == 2, "DraftKings and the others spell the teams differently"


def test_one_move_reaches_every_book_once(
    four_books: dict[str, str],
    start_worker: Any,
    celery_client: Any,
    sim_control: SimControl,
    pg: psycopg.Connection,
    redis_data: redis.Redis,
) -> None:
    sim_control.post("freeze", {"frozen": True})
    worker = start_worker("scrape,control,persist,monitor.nba", "all")
    celery_client.send_task("tasks.reconcile", queue="control")  # starts the persister
    results = [
        celery_client.send_task("tasks.scrape", args=(book, "nba"), queue="scrape")
        for book in BOOKS
    ]
    summaries = {book: r.get(timeout=120) for book, r in zip(BOOKS, results, strict=True)}
    assert all(summaries[book]["games"] >= 1 for book in BOOKS), summaries

    game = _live_game(sim_control)
    ids = {book: game["books"][book]["event_id"] for book in BOOKS}
    _check_catalog(pg, game, ids)
    try:
        wait_for(lambda: _monitored(redis_data, ids), 60, "a live monitor on every book")
    except AssertionError:
        members = sorted(m.decode() for m in redis_data.zrange("ow:monitors", 0, -1))
        log = worker.log.read_text(errors="replace").splitlines()
        ends = [line for line in log if "monitor" in line and ("ended" in line or "reason" in line)]
        pytest.fail(f"wanted {ids}; monitors {members}; ends {ends[-20:]}; log tail {log[-30:]}")
    wait_for(lambda: game_subscribed(sim_control, game["event_id"]), 30, "subscriptions")

    expected: list[tuple[str, str, float | None, int]] = []
    last: dict[tuple[str, str], tuple[int, float | None]] = {}
    for market, side, american, line in SCRIPT:
        body = {"event_id": game["event_id"], "market": market, "side": side,
                "american": american, "line": line}  # fmt: skip
        sim_control.post("move", body)
        if last.get((market, side)) != (american, line):
            expected.append((market, side, line, american))
        last[market, side] = (american, line)
        # Polling books read at their cadence: let every book see this price before the next.
        wait_for(
            lambda: all(_listed(redis_data, b, ids[b]) >= len(expected) for b in BOOKS),
            30,
            f"move {len(expected)} on every book",
        )

    rows = {}
    for book in BOOKS:
        wait_for(lambda b=book: len(_rows(pg, b, ids[b])) >= len(expected),
                 30, f"{book} rows in odds_updates")  # fmt: skip
        rows[book] = _rows(pg, book, ids[book])
    for book in BOOKS:
        assert len(rows[book]) == len(expected), (book, rows[book])
        for row, (market, side, line, american) in zip(rows[book], expected, strict=True):
            assert row[:4] == (market, side, line, american), book
            assert row[4] == pytest.approx(american_to_decimal(american), abs=1e-9), book
            assert row[5:] == ("game", "open"), book
    assert rows["bovada"] == rows["draftkings"] == rows["betmgm"] == rows["fanduel"]
    for book in BOOKS:
        assert _listed(redis_data, book, ids[book]) == len(expected), book


def game_subscribed(sim_control: SimControl, event_id: str) -> bool:
    """Every websocket book holds a subscription to the game (polling books hold none)."""
    game = next(g for g in sim_control.state()["games"] if g["event_id"] == event_id)
    return all(game["books"][b]["subscribers"] >= 1 for b in ("draftkings", "bovada"))


def _rows(pg: psycopg.Connection, provider: str, event_id: str) -> list[Any]:
    """The game's rows of one book, in the order its monitor wrote them."""
    query = f"SELECT {COLUMNS} FROM odds_updates WHERE provider = %s AND event_id = %s ORDER BY seq"
    return pg.execute(query, (provider, event_id)).fetchall()  # type: ignore[arg-type]
