"""The worker's start-up report: what is enabled, what is not and why (providers and
sinks)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from oddswatch.settings import Settings, get_settings
from workers import signals


@pytest.fixture
def fresh_settings(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """The process's settings read again from this test's environment, then forgotten."""
    monkeypatch.setenv("OW_PROVIDERS", '["draftkings", "betmgm"]')
    get_settings.cache_clear()
    yield monkeypatch
    get_settings.cache_clear()


def test_report_names_enabled_disabled_and_invalid_providers(
    fresh_settings: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    fresh_settings.setenv("OW_BETMGM__POLL_INTERVAL_S", "fast")
    with caplog.at_level(logging.INFO, logger="workers.signals"):
        signals._report_plugins()
    seen = {r.provider: r for r in caplog.records if hasattr(r, "provider")}  # type: ignore[attr-defined]
    assert seen["draftkings"].getMessage() == "provider enabled"
    assert seen["bovada"].getMessage() == "provider disabled"
    invalid = seen["betmgm"]
    assert invalid.levelno == logging.WARNING
    assert "OW_BETMGM__POLL_INTERVAL_S" in invalid.why  # type: ignore[attr-defined]
    assert "fast" not in invalid.why  # type: ignore[attr-defined]


def _reported(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str]]:
    return [(r.levelname, r.getMessage(), getattr(r, "sink", "")) for r in caplog.records]


def test_sinks_are_reported_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="workers.signals")
    signals._report_sinks(Settings(_env_file=None, sinks=["redis", "fs"], fs_sink_dir=""))  # type: ignore[call-arg]
    assert _reported(caplog) == [
        ("WARNING", "sink not configured", "fs"),
        ("INFO", "sink disabled", "memory"),
        ("INFO", "sink disabled", "postgres"),
        ("INFO", "sink enabled", "redis"),
    ]


def test_a_misconfigured_setting_is_an_error_not_a_crash(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="workers.signals")
    signals._report_sinks(Settings(_env_file=None, sinks=["postgres"]))  # type: ignore[call-arg]
    assert _reported(caplog) == [("ERROR", "sinks misconfigured", "")]
