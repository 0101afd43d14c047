"""The worker's report at start: which sinks are enabled, which not, and why."""

from __future__ import annotations

import logging

import pytest

from oddswatch.settings import Settings
from workers.signals import _report_sinks


def _reported(caplog: pytest.LogCaptureFixture) -> list[tuple[str, str, str]]:
    return [(r.levelname, r.getMessage(), getattr(r, "sink", "")) for r in caplog.records]


def test_sinks_are_reported_with_the_reason(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.INFO, logger="workers.signals")
    _report_sinks(Settings(_env_file=None, sinks=["redis", "fs"], fs_sink_dir=""))  # type: ignore[call-arg]
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
    _report_sinks(Settings(_env_file=None, sinks=["postgres"]))  # type: ignore[call-arg]
    assert _reported(caplog) == [("ERROR", "sinks misconfigured", "")]
