"""`oddswatch flower-auth DIR` (cli/flower_auth.py): the password is generated once,
kept, private, and read by Flower's own config parser from the file it writes."""

from __future__ import annotations

import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from flower.options import options as flower_options
from typer.testing import CliRunner

from cli.main import app
from oddswatch.settings import get_settings


@pytest.fixture
def no_password(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[None]:
    """Settings read afresh with no Flower password set (and no `.env`), then forgotten."""
    monkeypatch.delenv("OW_FLOWER_PASSWORD", raising=False)
    monkeypatch.delenv("OW_FLOWER_USER", raising=False)
    monkeypatch.chdir(tmp_path)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


@pytest.fixture
def flower_basic_auth() -> Iterator[None]:
    """Flower's (global, tornado) options, as they were, after the test."""
    before = flower_options.basic_auth
    yield
    flower_options.basic_auth = before


def run(directory: Path, *args: str) -> str:
    result = CliRunner().invoke(app, ["flower-auth", str(directory), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_generated_once_then_kept_and_read_by_flower(
    no_password: None, flower_basic_auth: None, tmp_path: Path
) -> None:
    directory = tmp_path / "secrets"
    first = run(directory)
    password = (directory / "password").read_text().strip()
    assert len(password) >= 20
    assert first.startswith("Flower: user 'admin', password generated; read it from ")
    assert password not in first, "the password itself is never printed"
    assert "kept" in run(directory)
    assert (directory / "password").read_text().strip() == password
    for path in (directory / "password", directory / "flowerconfig.py"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    flower_options.parse_config_file(str(directory / "flowerconfig.py"), final=False)
    assert flower_options.basic_auth == [f"admin:{password}"]


def test_new_replaces_the_password(no_password: None, tmp_path: Path) -> None:
    run(tmp_path)
    before = (tmp_path / "password").read_text()
    assert "generated" in run(tmp_path, "--new")
    assert (tmp_path / "password").read_text() != before
