"""Which sinks a deployment writes to: `OW_SINKS`, found through the sink registry."""

from __future__ import annotations

from pathlib import Path

import pytest

from oddswatch.errors import ConfigError, UnknownPlugin
from oddswatch.settings import Settings
from sinks.enabled import build_history_sinks, describe, history_groups, history_sink_names
from sinks.fs import FsSink
from sinks.postgres import PostgresSink


def settings(**values: object) -> Settings:
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


def test_redis_and_postgres_by_default() -> None:
    assert Settings.model_fields["sinks"].default == ["redis", "postgres"]
    assert history_sink_names(settings()) == ["postgres"]
    assert history_groups(settings()) == ["persist"]


def test_files_beside_postgres_or_instead(tmp_path: Path) -> None:
    both = settings(sinks=["redis", "postgres", "fs"], fs_sink_dir=str(tmp_path))
    assert history_groups(both) == ["persist", "persist:fs"]
    built = build_history_sinks(both)
    assert [type(s) for s in built] == [PostgresSink, FsSink]
    files_only = settings(sinks=["redis", "fs"], fs_sink_dir=str(tmp_path))
    assert [s.name for s in build_history_sinks(files_only)] == ["fs"]
    assert history_sink_names(settings(sinks=["redis"])) == []


def test_the_live_sink_is_required_and_names_are_checked() -> None:
    with pytest.raises(ConfigError, match="must include 'redis'"):
        history_sink_names(settings(sinks=["postgres"]))
    with pytest.raises(UnknownPlugin, match="known: fs, memory, postgres, redis"):
        history_sink_names(settings(sinks=["redis", "s3"]))


def test_a_sink_without_its_configuration_is_left_out_and_reported() -> None:
    config = settings(sinks=["redis", "postgres", "fs"], fs_sink_dir="")
    assert [s.name for s in build_history_sinks(config)] == ["postgres"]
    assert describe(config) == [
        ("fs", "not configured", "fs sink needs OW_FS_SINK_DIR"),
        ("memory", "disabled", "not in OW_SINKS"),
        ("postgres", "enabled", "history, consumer group 'persist'"),
        ("redis", "enabled", "the live sink"),
    ]
