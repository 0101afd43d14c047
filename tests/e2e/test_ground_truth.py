"""Ground truth: a scripted sequence of price moves in the simulator ends up in
`odds_updates` exactly: those changes, no others, with market, side, line and prices."""

from __future__ import annotations

import pytest

from oddswatch.odds import american_to_decimal
from tests.e2e.helpers import live_monitors, row_count, scrape
from tests.waiting import wait_for

# (selection suffix, american, line): the same price twice in a row is not a change.
SCRIPT = [
    ("0ML{e}_3", -150, None),
    ("0ML{e}_1", 130, None),
    ("0HC{e}_3", -115, -6.5),
    ("0HC{e}_3", -115, -6.5),  # unchanged: must not be written
    ("0HC{e}_3", -110, -7.0),  # line move
    ("0HC{e}_1", -110, 7.0),
    ("0OU{e}_1", -105, 221.5),
    ("0OU{e}_3", -115, 221.5),
    ("0OU{e}_1", 100, 222.0),  # EVEN
    ("0ML{e}_3", -155, None),
]
EXPECTED_MARKET = {"0ML": "moneyline", "0HC": "spread", "0OU": "total"}


def _side(selection_id: str) -> str:
    prefix, suffix = selection_id[:3], selection_id.rsplit("_", 1)[1]
    if prefix == "0OU":
        return "over" if suffix == "1" else "under"
    return "away" if suffix == "1" else "home"


def test_scripted_moves_land_exactly(start_worker, celery_client, sim_control, pg, redis_data):
    sim_control.post("freeze", {"frozen": True})
    start_worker("scrape,control,persist,monitor.nba", "all")
    celery_client.send_task("tasks.reconcile", queue="control")  # starts the persister
    scrape(celery_client)
    monitors = wait_for(lambda: live_monitors(redis_data), 30, "a live monitor")
    event_id = sorted(monitors)[0]
    wait_for(lambda: sim_control.state_subscribers(event_id), 30, "subscription")
    assert row_count(pg, event_id) == 0, "a frozen book sends nothing"

    expected = []
    last: dict[str, tuple[int, float | None]] = {}
    for template, american, line in SCRIPT:
        selection_id = template.format(e=event_id)
        sim_control.post(
            "move",
            {
                "event_id": event_id,
                "selection_id": selection_id,
                "american": american,
                "line": line,
            },
        )
        if last.get(selection_id) != (american, line):
            expected.append((selection_id, american, line))
        last[selection_id] = (american, line)

    wait_for(lambda: row_count(pg, event_id) >= len(expected), 30, "rows in odds_updates")
    rows = pg.execute(
        "SELECT selection_id, market, side, line, price_american, price_decimal, period, status"
        " FROM odds_updates WHERE event_id = %s ORDER BY seq",
        (event_id,),
    ).fetchall()
    assert len(rows) == len(expected)
    for row, (selection_id, american, line) in zip(rows, expected, strict=True):
        assert row[0] == selection_id
        assert row[1] == EXPECTED_MARKET[selection_id[:3]]
        assert row[2] == _side(selection_id)
        assert row[3] == line
        assert row[4] == american
        assert row[5] == pytest.approx(american_to_decimal(american), abs=0.006)
        assert row[6:] == ("game", "open")

    state = wait_for(
        lambda: (s := live_monitors(redis_data).get(event_id)) and int(s["unchanged"]) >= 1 and s,
        10,
        "the unchanged price counted",
    )
    assert int(state["written"]) == len(expected)
    listed = redis_data.llen(f"ow:odds:draftkings:nba:{event_id}")
    assert listed == len(expected)
