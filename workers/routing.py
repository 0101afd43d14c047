"""Queues and routing: `scrape`, `control`, `persist`, `monitor.<league>`."""

from __future__ import annotations

from typing import Any

FIXED_ROUTES = {
    "tasks.scrape": "scrape",
    "tasks.reconcile": "control",
    "tasks.maintain": "control",
    "tasks.persist": "persist",
}


def queues(leagues: list[str]) -> list[str]:
    return ["scrape", "control", "persist", *(f"monitor.{league}" for league in leagues)]


def route_task(
    name: str, args: tuple[Any, ...], kwargs: dict[str, Any], options: dict[str, Any], **_: Any
) -> dict[str, str] | None:
    """Monitors go to their league's queue; everything else to its fixed queue."""
    if name == "tasks.monitor":
        league = args[1] if len(args) > 1 else kwargs.get("league")
        return {"queue": f"monitor.{league}"}
    queue = FIXED_ROUTES.get(name)
    return {"queue": queue} if queue else None
