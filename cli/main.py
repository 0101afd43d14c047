"""The `oddswatch` command line."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from oddswatch import logs
from oddswatch.settings import get_settings

app = typer.Typer(no_args_is_help=True, help="oddswatch: collect sportsbook odds.")
console = Console()


@app.command()
def simulate(
    *,
    host: str = "127.0.0.1",
    port: int = 8700,
    seed: int = 1,
    leagues: Annotated[str, typer.Option(help="comma-separated")] = "nba,nfl,mlb,nhl",
    games: Annotated[int, typer.Option(help="games per league")] = 8,
    live: Annotated[int, typer.Option(help="games per league live at start")] = 4,
    updates_per_s: Annotated[float, typer.Option(help="price moves per game per second")] = 1.0,
    poison: Annotated[
        float,
        typer.Option(
            envvar="OW_SIM_POISON",
            min=0.0,
            max=1.0,
            help=(
                "share of records (0..1) every book sends with one poisoned value: huge "
                "numbers, wrong types, impossible dates, deep nesting, NaN, empty strings, "
                "negative totals, wrong sides; frames stay valid. 0: off. At run time: "
                'POST /_sim/misbehave {"action": "poison", "rate": 0.1}'
            ),
        ),
    ] = 0.0,
) -> None:
    """Run the simulated books (every fake book, one port) on loopback until Ctrl-C.

    Faults are switched at run time: POST /_sim/misbehave (docs/<book>-wire.md).

    --poison arms the poison fault on every book from the start (OW_SIM_POISON=0.1 make up).
    """
    import simulator

    logs.configure()
    config = simulator.SimConfig(
        host=host,
        port=port,
        seed=seed,
        leagues=tuple(leagues.split(",")),
        games_per_league=games,
        live_games=live,
        updates_per_s=updates_per_s,
        poison_rate=poison,
    )
    simulator.run(config)


@app.command()
def migrate() -> None:
    """Create the database if it is missing and apply every migration."""
    from sinks.db import ensure_database
    from sinks.db import migrate as run_migrations

    url = get_settings().database_url
    created = ensure_database(url)
    run_migrations(url)
    console.print(f"database {'created and ' if created else ''}migrated")


@app.command()
def scrape(provider: str, league: str) -> None:
    """Run one scrape here (no worker): store it and dispatch due monitors."""
    from tasks.engine import start_runtime, stop_runtime
    from tasks.scrape import run_scrape
    from workers import app as celery_app  # noqa: F401  (configures the broker for dispatch)

    logs.configure()
    runtime = start_runtime(get_settings())
    try:
        console.print_json(data=run_scrape(runtime, provider, league))
    finally:
        stop_runtime()


@app.command()
def status(
    json_output: Annotated[bool, typer.Option("--json", help="machine-readable")] = False,
) -> None:
    """Is it working? Workers, queues, live monitors, scrapes, drift, persist lag.

    Exits 1 when something is unhealthy, Postgres or Redis unreachable included."""
    import redis

    from sinks.catalog import Catalog
    from workers import app as celery_app
    from workers.status import REDIS_TIMEOUTS, collect
    from workers.status_view import render

    settings = get_settings()
    data = redis.Redis.from_url(settings.redis_url, **REDIS_TIMEOUTS)
    catalog = Catalog(settings.database_url, connect_timeout_s=3)
    try:
        result = collect(settings, celery_app, data, catalog)
    finally:
        data.close()
        catalog.close()
    if json_output:
        console.print_json(data=result.as_dict())
    else:
        render(result, console)
    raise typer.Exit(0 if result.healthy else 1)


@app.command()
def probe(
    provider: str,
    league: Annotated[
        str | None, typer.Option(help="one league (default: each configured one it covers)")
    ] = None,
    updates: Annotated[int, typer.Option(help="updates to read from one game")] = 3,
    timeout_s: Annotated[float, typer.Option("--timeout", help="seconds to wait for them")] = 30.0,
) -> None:
    """Check one book end to end in the current mode (the simulator in demo, the real site
    in live): discover games, open one stream, read updates, check the schema.

    Prints a PASS/FAIL line per step with what did not match; exits 1 on any failure."""
    import asyncio

    from oddswatch.errors import OddswatchError
    from providers.base import load_builtin, providers
    from providers.probe import probe as run_probe

    settings = get_settings()
    load_builtin()
    try:
        book = providers.get(provider).from_settings(settings)
    except OddswatchError as exc:
        console.print(f"[red]FAIL[/red] setup     {exc}", highlight=False)
        raise typer.Exit(1) from None
    leagues = [league] if league else [lg for lg in settings.leagues if lg in book.leagues]

    async def run() -> bool:
        try:
            report = await run_probe(book, leagues, want=updates, timeout_s=timeout_s)
        finally:
            await book.aclose()
        for step in report.steps:
            mark = "[green]PASS[/green]" if step.ok else "[red]FAIL[/red]"
            console.print(f"{mark} {step.name:<9} {step.detail}", highlight=False, soft_wrap=True)
        return report.ok

    console.print(f"probe {provider} ({settings.mode})", highlight=False)
    raise typer.Exit(0 if asyncio.run(run()) else 1)


@app.command()
def tail(
    provider: Annotated[str | None, typer.Argument()] = None,
    league: Annotated[str | None, typer.Argument()] = None,
    event: Annotated[str | None, typer.Argument()] = None,
) -> None:
    """Print live updates as they arrive: time, game, market, side, line, price, move."""
    import redis

    from cli.tail import Labels, arrow, follow, format_line
    from oddswatch.model import OddsUpdate

    settings = get_settings()
    data = redis.Redis.from_url(settings.redis_url)
    names = Labels(data)
    previous: dict[str, OddsUpdate] = {}
    try:
        for update in follow(data, settings.stream_key, (provider, league, event)):
            label = names.get(update.provider, update.event_id)
            move = arrow(previous.get(update.selection_id), update)
            previous[update.selection_id] = update
            console.print(format_line(update, label, move), highlight=False)
    except KeyboardInterrupt:
        pass
    finally:
        data.close()


if __name__ == "__main__":
    app()
