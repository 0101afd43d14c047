"""The beat schedule (RedBeat): a daily scrape per enabled provider×league, a periodic
refresh of the same, reconcile every few seconds and daily maintenance."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from celery.schedules import crontab

from oddswatch.settings import Settings


def build_schedule(settings: Settings) -> dict[str, dict[str, Any]]:
    hour, minute = (int(part) for part in settings.daily_scrape_at.split(":"))
    schedule: dict[str, dict[str, Any]] = {}
    for provider in settings.providers:
        for league in settings.leagues:
            args = (provider, league)
            schedule[f"scrape-daily:{provider}:{league}"] = {
                "task": "tasks.scrape",
                "schedule": crontab(hour=hour, minute=minute),
                "args": args,
            }
            schedule[f"scrape-refresh:{provider}:{league}"] = {
                "task": "tasks.scrape",
                "schedule": timedelta(seconds=settings.refresh_every_s),
                "args": args,
                "options": {"expires": settings.refresh_every_s},
            }
    schedule["reconcile"] = {
        "task": "tasks.reconcile",
        "schedule": timedelta(seconds=settings.reconcile_every_s),
        "options": {"expires": settings.reconcile_every_s * 2},
    }
    schedule["maintain"] = {"task": "tasks.maintain", "schedule": crontab(hour=3, minute=0)}
    return schedule
