from celery.schedules import crontab

from oddswatch.settings import Settings
from workers.routing import queues, route_task
from workers.schedule import build_schedule


def test_monitors_route_to_their_league_queue() -> None:
    assert route_task("tasks.monitor", ("draftkings", "nba", "1"), {}, {}) == {
        "queue": "monitor.nba"
    }
    assert route_task("tasks.scrape", ("draftkings", "nba"), {}, {}) == {"queue": "scrape"}
    assert route_task("tasks.persist", (), {}, {}) == {"queue": "persist"}
    assert route_task("tasks.reconcile", (), {}, {}) == {"queue": "control"}
    assert queues(["nba", "nfl"]) == ["scrape", "control", "persist", "monitor.nba", "monitor.nfl"]


def test_schedule_has_daily_and_refresh_scrapes_reconcile_and_maintenance() -> None:
    settings = Settings(
        _env_file=None, providers=["draftkings"], leagues=["nba", "mlb"], daily_scrape_at="06:30"
    )  # type: ignore[call-arg]
    schedule = build_schedule(settings)
    daily = schedule["scrape-daily:draftkings:nba"]
    assert daily["task"] == "tasks.scrape" and daily["args"] == ("draftkings", "nba")
    assert isinstance(daily["schedule"], crontab)
    assert daily["schedule"].hour == {6} and daily["schedule"].minute == {30}
    assert "scrape-refresh:draftkings:mlb" in schedule
    assert schedule["reconcile"]["task"] == "tasks.reconcile"
    assert schedule["reconcile"]["schedule"].total_seconds() == settings.reconcile_every_s
    assert schedule["maintain"]["task"] == "tasks.maintain"
