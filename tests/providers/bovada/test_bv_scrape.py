"""The scrape rules on a decoded coupon (no I/O): which groups, which games, what is listed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from oddswatch.errors import ScrapeError
from oddswatch.settings import Settings
from providers.bovada.scrape import read_coupon

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)  # 20:00 on Nov 21st in New York
SETTINGS = Settings(_env_file=None, mode="live", timezone="America/New_York")  # type: ignore[call-arg]


def event(event_id: str, start: datetime, **more: Any) -> dict[str, Any]:
    return {
        "id": event_id,
        "startTime": int(start.timestamp() * 1000),
        "competitors": [{"name": "A", "home": True}, {"name": "B", "home": False}],
        "displayGroups": [],
        **more,
    }


def group(description: str, link: str, *events: Any) -> dict[str, Any]:
    return {"path": [{"description": description, "link": link}], "events": list(events)}


def test_todays_games_and_last_nights_live_game_are_kept_and_everything_listed() -> None:
    data = [
        group("NBA Preseason", "/basketball/nba-preseason", event("9", NOW)),
        group(
            "NBA",
            "/basketball/nba",
            event("3", NOW + timedelta(hours=2)),
            event("1", NOW - timedelta(hours=21), live=True),  # 23:00 last night, local
            event("2", NOW - timedelta(days=2)),  # long over: outside the window
            event("4", NOW + timedelta(days=1)),  # tomorrow
            {"id": "5", "startTime": "tonight"},  # unreadable: listed, not kept
        ),
    ]
    snapshot = read_coupon(data, SETTINGS, "nba", NOW)
    assert [e.event_id for e in snapshot.events] == ["1", "3"]
    assert snapshot.listed == ("3", "1", "2", "4", "5")
    assert (snapshot.provider, snapshot.league, snapshot.scraped_at) == ("bovada", "nba", NOW)


def test_a_coupon_without_the_league_is_an_error_not_a_quiet_day() -> None:
    data = [group("MLB Spring Training", "/baseball/mlb-spring-training", event("1", NOW))]
    with pytest.raises(ScrapeError, match="no group of the league") as error:
        read_coupon(data, SETTINGS, "mlb", NOW)
    assert "MLB Spring Training" in str(error.value)


def test_every_event_failing_is_an_error() -> None:
    data = [group("NBA", "/basketball/nba", {"id": "1"}, {"id": "2", "competitors": []})]
    with pytest.raises(ScrapeError, match="all 2 events failed"):
        read_coupon(data, SETTINGS, "nba", NOW)
