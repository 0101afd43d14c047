"""The worker's start-up report: what is enabled, what is not and why."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest

from oddswatch.settings import get_settings
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
    seen = {record.provider: record for record in caplog.records}  # type: ignore[attr-defined]
    assert seen["draftkings"].getMessage() == "provider enabled"
    assert seen["bovada"].getMessage() == "provider disabled"
    invalid = seen["betmgm"]
    assert invalid.levelno == logging.WARNING
    assert "OW_BETMGM__POLL_INTERVAL_S" in invalid.why  # type: ignore[attr-defined]
    assert "fast" not in invalid.why  # type: ignore[attr-defined]
