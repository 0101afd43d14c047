"""Provider settings groups as the kernel reads them: `OW_<NAME>__*` from the environment
and `.env`, read once per Settings, pointed at the simulator in demo mode by a generic rule
with a per-group hook, and set in code with `with_group`. The kernel names no book: these
tests declare their own group."""

from __future__ import annotations

from pathlib import Path
from typing import Self

import pytest
from pydantic import BaseModel

from oddswatch.errors import ConfigError
from oddswatch.settings import ProviderSettings, Settings

SIM = "http://127.0.0.1:9999"


class BookSettings(ProviderSettings):
    site_url: str = "https://www.book.example"
    ws_url: str = "wss://push.book.example/feed?format=json"
    api_path: str = "/api/odds"  # not a URL: never rebased
    league_paths: dict[str, str] = {"nba": "/basketball/nba"}  # noqa: RUF012 - pydantic copies
    poll_interval_s: float = 1.0


class HookedSettings(BookSettings):
    mode_seen: str = "live"

    def for_demo(self, simulator_url: str) -> Self:
        return super().for_demo(simulator_url).model_copy(update={"mode_seen": "demo"})


def settings(mode: str = "live", **values: object) -> Settings:
    values = {"simulator_url": SIM} | values
    return Settings(_env_file=None, mode=mode, **values)  # type: ignore[call-arg, arg-type]


def test_a_group_reads_its_variables_nested_and_as_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OW_BOOK__POLL_INTERVAL_S", "0.5")
    monkeypatch.setenv("OW_BOOK__LEAGUE_PATHS", '{"nba": "/x", "nhl": "/y"}')
    group = settings().group("book", BookSettings)
    assert group.poll_interval_s == 0.5
    assert group.league_paths == {"nba": "/x", "nhl": "/y"}
    assert group.site_url == "https://www.book.example"
    assert settings().group("other", BookSettings) == BookSettings(), "OW_BOOK__* is book's only"


def test_a_group_reads_the_env_file_its_settings_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text('OW_BOOK__SITE_URL=https://mine.example\nOW_LEAGUES=["nba"]\n')
    read = Settings(_env_file=env_file, mode="live")  # type: ignore[call-arg]
    assert read.leagues == ["nba"]
    assert read.group("book", BookSettings).site_url == "https://mine.example"
    assert settings().group("book", BookSettings).site_url == "https://www.book.example"
    monkeypatch.chdir(tmp_path)  # `.env` in the working directory is read by default
    assert Settings(mode="live").group("book", BookSettings).site_url == "https://mine.example"  # type: ignore[call-arg]


def test_demo_points_every_url_left_at_its_live_default_at_the_simulator(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OW_BOOK__SITE_URL", "https://mine.example")
    demo = settings("demo").group("book", BookSettings)
    assert demo.site_url == "https://mine.example", "a URL that was set is kept"
    assert demo.ws_url == "ws://127.0.0.1:9999/feed?format=json"
    assert demo.api_path == "/api/odds"
    secure = settings("demo", simulator_url="https://sim.example:8443")
    assert secure.group("book", BookSettings).ws_url == "wss://sim.example:8443/feed?format=json"
    live = settings("live").group("book", BookSettings)
    assert live.ws_url == "wss://push.book.example/feed?format=json"


def test_a_group_adjusts_itself_for_demo_through_its_hook() -> None:
    assert settings("demo").group("hooked", HookedSettings).mode_seen == "demo"
    assert settings("live").group("hooked", HookedSettings).mode_seen == "live"


def test_a_group_is_read_once_per_settings(monkeypatch: pytest.MonkeyPatch) -> None:
    read = settings()
    first = read.group("book", BookSettings)
    monkeypatch.setenv("OW_BOOK__POLL_INTERVAL_S", "7")
    assert read.group("book", BookSettings) is first
    assert settings().group("book", BookSettings).poll_interval_s == 7
    with pytest.raises(TypeError, match="book"):
        read.group("book", HookedSettings)


def test_with_group_sets_a_group_in_code_on_a_copy() -> None:
    base = settings("demo")
    before = base.group("book", BookSettings)
    changed = base.with_group("book", BookSettings(poll_interval_s=0.05, site_url=""))
    group = changed.group("book", BookSettings)
    assert (group.poll_interval_s, group.site_url) == (0.05, "")
    assert group.ws_url.startswith("ws://127.0.0.1:9999/"), "demo mode applies as when read"
    assert base.group("book", BookSettings) is before, "the original is untouched"
    assert changed.mode == "demo" and changed.simulator_url == SIM


def test_an_invalid_variable_is_a_config_error_naming_it_not_its_value(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("OW_BOOK__POLL_INTERVAL_S", "hunter2")
    with pytest.raises(ConfigError, match="OW_BOOK__POLL_INTERVAL_S") as caught:
        settings().group("book", BookSettings)
    assert "hunter2" not in str(caught.value)
    assert caught.value.__cause__ is None and caught.value.__suppress_context__


def test_the_kernel_settings_hold_no_group() -> None:
    kinds = [field.annotation for field in Settings.model_fields.values()]
    assert not [kind for kind in kinds if isinstance(kind, type) and issubclass(kind, BaseModel)]
