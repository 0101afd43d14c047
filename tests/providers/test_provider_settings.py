"""Every provider owns its settings group: declared in its own package, found through the
registry, read from `OW_<NAME>__*` as the README's configuration table says, and in demo
mode pointed at the simulator wherever a URL is left at its live default."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from oddswatch.settings import ProviderSettings, Settings
from providers.base import load_builtin, providers

load_builtin()
BOOKS = providers.names()
SIM = "http://127.0.0.1:9999"


def settings(mode: str) -> Settings:
    return Settings(_env_file=None, mode=mode, simulator_url=SIM)  # type: ignore[call-arg, arg-type]


@pytest.mark.parametrize("name", BOOKS)
def test_each_provider_declares_its_group_in_its_own_package(name: str) -> None:
    model = providers.get(name).settings_model
    assert issubclass(model, ProviderSettings) and model is not ProviderSettings
    assert model.__module__ == f"providers.{name}.settings"
    group = providers.get(name).settings_group(settings("live"))
    assert group == model(), "live mode with no variables: the live defaults"


def test_groups_read_the_variables_the_readme_names(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OW_DRAFTKINGS__WS_URL", "wss://example.test/ws")
    monkeypatch.setenv("OW_BOVADA__LEAGUE_PATHS", '{"nba": "/x"}')
    monkeypatch.setenv("OW_BETMGM__POLL_INTERVAL_S", "2.5")
    monkeypatch.setenv("OW_FANDUEL__API_URL", "https://api.example.test")
    live = settings("live")
    group = {name: providers.get(name).settings_group(live) for name in BOOKS}
    assert group["draftkings"].ws_url == "wss://example.test/ws"  # type: ignore[attr-defined]
    assert group["bovada"].league_paths == {"nba": "/x"}  # type: ignore[attr-defined]
    assert group["betmgm"].poll_interval_s == 2.5  # type: ignore[attr-defined]
    assert group["fanduel"].api_url == "https://api.example.test"  # type: ignore[attr-defined]


@pytest.mark.parametrize("name", BOOKS)
def test_demo_mode_points_every_live_url_at_the_simulator(name: str) -> None:
    provider = providers.get(name)
    live, demo = provider.settings_model(), provider.settings_group(settings("demo"))
    urls = [field for field in type(live).model_fields if field.endswith("_url")]
    assert urls, f"{name} has no URL setting"
    for field in urls:
        before, after = urlsplit(getattr(live, field)), urlsplit(getattr(demo, field))
        assert after.netloc == "127.0.0.1:9999", f"{name}.{field} still points at the book"
        assert (after.path, after.query) == (before.path, before.query)
        assert after.scheme == ("ws" if before.scheme in ("ws", "wss") else "http")
