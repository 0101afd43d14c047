"""DraftKings' settings group: in demo mode the simulator's token comes over plain HTTP."""

from __future__ import annotations

import pytest

from oddswatch.settings import Settings
from providers.draftkings import DraftKingsSettings


def group(mode: str) -> DraftKingsSettings:
    settings = Settings(_env_file=None, mode=mode, simulator_url="http://127.0.0.1:9999")  # type: ignore[call-arg, arg-type]
    return settings.group("draftkings", DraftKingsSettings)


def test_demo_fetches_the_simulators_token_over_http() -> None:
    demo = group("demo")
    assert demo.ws_url.startswith("ws://127.0.0.1:9999/websocket")
    assert demo.token_url.startswith("http://127.0.0.1:9999/sites/")
    assert demo.token_source == "http"
    assert group("live").token_source == "browser"
    assert group("live").site_url == "https://sportsbook.draftkings.com"


def test_demo_keeps_the_token_source_of_a_token_url_that_was_set(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OW_DRAFTKINGS__TOKEN_URL", "https://tokens.example.test/t")
    demo = group("demo")
    assert (demo.token_url, demo.token_source) == ("https://tokens.example.test/t", "browser")
    assert demo.ws_url.startswith("ws://127.0.0.1:9999/")
