"""`oddswatch status` as an operator runs it: with Postgres or Redis unreachable it says
so and exits 1, never with a traceback."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from oddswatch.settings import Settings

ROOT = Path(__file__).resolve().parents[2]


def _status(settings: Settings, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("OW_")}
    base.update(
        OW_BROKER_URL=settings.broker_url,
        OW_REDIS_URL=settings.redis_url,
        OW_DATABASE_URL=settings.database_url,
        COLUMNS="200",
    )
    base.update(env)
    argv = [sys.executable, "-m", "cli.main", "status", *args]
    return subprocess.run(
        argv, cwd=ROOT, env=base, capture_output=True, text=True, timeout=60, check=False
    )


@pytest.mark.parametrize(
    ("variable", "service"), [("OW_DATABASE_URL", "postgres"), ("OW_REDIS_URL", "redis")]
)
def test_an_unreachable_service_is_reported_not_raised(
    settings: Settings, pg, redis_data, variable: str, service: str
) -> None:
    url = getattr(settings, variable.removeprefix("OW_").lower())
    down = url.replace(":5432/", ":1/").replace(":6379/", ":1/")
    done = _status(settings, "--json", **{variable: down})
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    report = json.loads(done.stdout)
    assert list(report["unreachable"]) == [service]
    assert report["healthy"] is False
    assert any("unreachable" in p for p in report["problems"])

    if service != "postgres":
        return  # the screen once is enough
    screen = _status(settings, **{variable: down})
    assert screen.returncode == 1 and "Traceback" not in screen.stderr + screen.stdout
    text = " ".join(screen.stdout.split())  # titles wrap
    assert "UNHEALTHY" in text and f"unknown: {service} unreachable" in text
