"""The beat schedule (RedBeat): a daily scrape per enabled provider×league, a periodic
refresh of the same, reconcile every few seconds and daily maintenance; and beat's
timing, derived from the shortest interval: beat ticks (and renews its lock) several times
per interval, and the lock expires after two intervals, so a replacement beat takes over
within seconds of the holder's death."""

from __future__ import annotations

import math
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


TICKS_PER_INTERVAL = 5  # beat wakes (and renews its lock) this often per shortest interval
LOCK_INTERVALS = 2  # a lock not renewed for this many shortest intervals expires


def shortest_interval_s(schedule: dict[str, dict[str, Any]]) -> float:
    """The shortest fixed interval in `schedule` (crontab entries have none)."""
    every = [e["schedule"] for e in schedule.values() if isinstance(e["schedule"], timedelta)]
    return min(every).total_seconds()


def beat_loop_s(schedule: dict[str, dict[str, Any]]) -> float:
    """Beat's longest sleep between ticks (`beat_max_loop_interval`)."""
    return shortest_interval_s(schedule) / TICKS_PER_INTERVAL


def beat_lock_timeout_s(schedule: dict[str, dict[str, Any]]) -> int:
    """RedBeat's lock timeout (`redbeat_lock_timeout`; whole seconds, as RedBeat renews it)."""
    return max(2, math.ceil(shortest_interval_s(schedule) * LOCK_INTERVALS))
