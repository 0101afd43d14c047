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
    leagues: Annotated[str, typer.Option(help="comma-separated")] = "nba,nfl,mlb",
    games: Annotated[int, typer.Option(help="games per league")] = 8,
    live: Annotated[int, typer.Option(help="games per league live at start")] = 4,
    updates_per_s: Annotated[float, typer.Option(help="price moves per game per second")] = 1.0,
) -> None:
    """Run the simulated books (DraftKings) on loopback until Ctrl-C."""
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


if __name__ == "__main__":
    app()
