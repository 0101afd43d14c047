"""Rendering `oddswatch status` as one screen of rich tables."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table

from tasks.heartbeat import DRIFT_FIELDS
from workers.status import Status


def _title(status: Status, title: str, needs: str) -> str:
    """A table's title, marked unknown when the service it reads was unreachable."""
    return (
        f"{title} [red](unknown: {needs} unreachable)[/]" if needs in status.unreachable else title
    )


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", expand=False, pad_edge=False)
    for column in columns:
        table.add_column(column)
    return table


def _workers(status: Status) -> Table:
    table = _table("Workers", "worker", "queues")
    for name, queues in status.workers.items():
        table.add_row(name, ", ".join(queues))
    if "broker" in status.unreachable:
        table.add_row("[red]unknown: broker unreachable[/]", "")
    elif not status.workers:
        table.add_row("[red]none online[/]", "")
    return table


def _queues(status: Status) -> Table:
    table = _table(_title(status, "Queues", "broker"), "queue", "waiting")
    for name, depth in status.queues.items():
        table.add_row(name, str(depth))
    return table


def _books(status: Status) -> Table:
    """Live monitors per book and league: how many, and their updates in the last minute."""
    totals: dict[tuple[str, str], list[int]] = {}
    for m in status.monitors:
        count = totals.setdefault((m["provider"], m["league"]), [0, 0])
        count[0] += 1
        count[1] += m["updates_1m"]
    table = _table("Monitors per book", "provider", "league", "monitors", "updates/1m")
    for (provider, league), (monitors, updates) in sorted(totals.items()):
        table.add_row(provider, league, str(monitors), str(updates))
    return table


def _monitors(status: Status) -> Table:
    table = _table(
        _title(status, f"Live monitors ({len(status.monitors)})", "redis"),
        "provider", "league", "game", "lease age", "updates/1m", "last update", "reconnects",
    )  # fmt: skip
    for m in status.monitors:
        table.add_row(
            m["provider"], m["league"], m["game"] or m["event_id"], f"{m['lease_age_s']:.0f}s",
            str(m["updates_1m"]), f"{m['last_update_age_s']:.0f}s ago", str(m["reconnects"]),
        )  # fmt: skip
    return table


def _dead_monitors(status: Status) -> Table:
    """Monitors whose heartbeat stopped or whose lease is gone, until a live one replaces
    them."""
    table = _table(
        f"[red]Dead monitors ({len(status.dead_monitors)})[/]",
        "provider", "league", "game", "worker", "last heartbeat", "why",
    )  # fmt: skip
    for m in status.dead_monitors:
        table.add_row(
            m["provider"], m["league"], m["game"] or m["event_id"], m["worker"],
            f"{m['heartbeat_age_s']:.0f}s ago", m["why"],
        )  # fmt: skip
    return table


def _scrapes(status: Status) -> Table:
    table = _table(_title(status, "Last scrapes", "postgres"), "provider", "league", "at", "games")
    for s in status.scrapes:
        table.add_row(s["provider"], s["league"], str(s["scraped_at"])[:19], str(s["game_count"]))
    return table


def _drift(status: Status) -> Table:
    table = _table(
        "Skips by reason (since start)", "provider", "parse errors", "unknown", "drift",
        "invalid", "skipped", "bugs", "last 15 min",
    )  # fmt: skip
    for provider, c in status.drift.items():
        recent = sum(status.drift_recent.get(provider, {}).values())
        counts = [str(c.get(name, 0)) for name in DRIFT_FIELDS]
        table.add_row(provider, *counts, str(recent))
    return table


def _persist(status: Status) -> Table:
    """One row per history sink's consumer group on the stream."""
    p = status.persist
    if not p:
        return _table(_title(status, "Persist", "redis"))
    table = _table(
        f"Persist ({p['stream']}: {p['length']} entries)",
        "group", "undelivered", "pending", "oldest pending",
    )  # fmt: skip
    for group, g in p["groups"].items():
        table.add_row(group, str(g["lag"]), str(g["pending"]), f"{g['oldest_pending_age_s']:.1f}s")
    return table


def render(status: Status, console: Console) -> None:
    verdict = (
        "[bold green]healthy[/]"
        if status.healthy
        else "[bold red]UNHEALTHY[/]\n" + "\n".join(f"• {p}" for p in status.problems)
    )
    tables = [
        _workers(status),
        _queues(status),
        _books(status),
        _monitors(status),
        *([_dead_monitors(status)] if status.dead_monitors else []),
        _scrapes(status),
        _drift(status),
        _persist(status),
    ]
    console.print(
        Group(Panel(verdict, title=f"oddswatch status {status.at[:19]}Z", expand=False), *tables)
    )
