"""`oddswatch simulate`: its options reach the simulator's config (nothing is served)."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

import simulator
from cli.main import app
from oddswatch import logs
from simulator.config import SimConfig


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[SimConfig]:
    """The configs `simulate` would have served, instead of serving them."""
    configs: list[SimConfig] = []
    monkeypatch.setattr(simulator, "run", configs.append)
    monkeypatch.setattr(logs, "configure", lambda: None)
    monkeypatch.delenv("OW_SIM_POISON", raising=False)
    return configs


def test_poison_is_off_unless_asked(started: list[SimConfig]) -> None:
    assert CliRunner().invoke(app, ["simulate", "--port", "0"]).exit_code == 0
    assert started[0].poison_rate == 0.0


def test_poison_from_the_flag_or_the_environment(started: list[SimConfig]) -> None:
    assert CliRunner().invoke(app, ["simulate", "--poison", "0.25"]).exit_code == 0
    assert CliRunner().invoke(app, ["simulate"], env={"OW_SIM_POISON": "0.1"}).exit_code == 0
    assert [config.poison_rate for config in started] == [0.25, 0.1]


def test_a_rate_above_1_is_refused(started: list[SimConfig]) -> None:
    assert CliRunner().invoke(app, ["simulate", "--poison", "2"]).exit_code != 0
    assert started == []


def test_the_help_names_the_switch(started: list[SimConfig]) -> None:
    result = CliRunner().invoke(app, ["simulate", "--help"], env={"COLUMNS": "200"})
    assert "--poison" in result.output and "OW_SIM_POISON" in result.output
