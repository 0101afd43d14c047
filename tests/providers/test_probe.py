"""`oddswatch probe`: every built-in book passes against the simulator, and fails with a
reason when the simulator's schema-change switch is on or the book is unreachable."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest
from typer.testing import CliRunner

from cli.main import app
from oddswatch.settings import Settings
from providers.base import load_builtin, providers
from providers.probe import Report, probe
from simulator import SimConfig, SimHandle, run_in_thread
from tests.providers.simtools import need_chromium

pytestmark = pytest.mark.timeout(120)
load_builtin()
BOOKS = providers.names()


@pytest.fixture(scope="module")
def sim() -> Iterator[SimHandle]:
    config = SimConfig(port=0, seed=3, leagues=("nba",), games_per_league=3, live_games=2,
                       updates_per_s=4.0, suspend_every_s=0)  # fmt: skip
    with run_in_thread(config) as handle:
        yield handle


@pytest.fixture(autouse=True)
def clear_faults(sim: SimHandle) -> Iterator[None]:
    yield
    httpx.post(f"{sim.url}/_sim/misbehave", json={"action": "clear"}).raise_for_status()


def _settings(url: str) -> Settings:
    settings = Settings(_env_file=None, simulator_url=url, leagues=["nba"])  # type: ignore[call-arg]
    need_chromium(settings)
    return settings


def _probe(name: str, url: str, timeout_s: float = 20.0) -> Report:
    async def run() -> Report:
        book = providers.get(name).from_settings(_settings(url))
        try:
            return await probe(book, ["nba"], want=3, timeout_s=timeout_s)
        finally:
            await book.aclose()

    return asyncio.run(run())


def _failures(report: Report) -> dict[str, str]:
    return {step.name: step.detail for step in report.steps if not step.ok}


@pytest.mark.parametrize("name", BOOKS)
def test_probe_passes_against_the_simulator(sim: SimHandle, name: str) -> None:
    report = _probe(name, sim.url)
    assert report.ok, _failures(report)
    assert [step.name for step in report.steps] == ["discover", "connect", "updates", "schema"]


@pytest.mark.parametrize("name", BOOKS)
def test_probe_fails_with_a_reason_on_a_schema_change(sim: SimHandle, name: str) -> None:
    httpx.post(
        f"{sim.url}/_sim/misbehave", json={"action": "schema", "book": name}
    ).raise_for_status()
    report = _probe(name, sim.url, timeout_s=8.0)
    failures = _failures(report)
    assert failures, "a schema change must fail the probe"
    assert all(len(detail) > 10 for detail in failures.values()), failures


def test_draftkings_schema_failure_names_the_mismatch(sim: SimHandle) -> None:
    httpx.post(
        f"{sim.url}/_sim/misbehave", json={"action": "schema", "book": "draftkings"}
    ).raise_for_status()
    failures = _failures(_probe("draftkings", sim.url, timeout_s=8.0))
    assert set(failures) == {"schema"}
    assert "drift" in failures["schema"] and "length=14" in failures["schema"]


def test_probe_command_exit_codes(sim: SimHandle, monkeypatch: pytest.MonkeyPatch) -> None:
    _settings(sim.url)  # Chromium present
    monkeypatch.setenv("OW_SIMULATOR_URL", sim.url)
    monkeypatch.setenv("OW_MODE", "demo")
    from oddswatch.settings import get_settings

    get_settings.cache_clear()
    try:
        ok = CliRunner().invoke(app, ["probe", "draftkings", "--league", "nba"])
        unknown = CliRunner().invoke(app, ["probe", "nosuchbook"])
        monkeypatch.setenv("OW_SIMULATOR_URL", "http://127.0.0.1:9")  # nothing listens
        get_settings.cache_clear()
        dead = CliRunner().invoke(app, ["probe", "draftkings", "--league", "nba"])
    finally:
        get_settings.cache_clear()
    assert ok.exit_code == 0, ok.output
    assert "PASS discover" in ok.output and "PASS schema" in ok.output
    assert unknown.exit_code == 1 and "nosuchbook" in unknown.output
    assert dead.exit_code == 1 and "FAIL discover" in dead.output, dead.output
