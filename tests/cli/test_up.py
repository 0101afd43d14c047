"""`make up` (cli/up.py): the Redis persistence warning, read from private redis-servers
configured as a default install would be, and Flower's password kept off the argv."""

from __future__ import annotations

from pathlib import Path

from cli import up
from oddswatch.settings import Settings
from tests.private_redis import free_port, private_redis


def settings_for(broker_url: str, redis_url: str) -> Settings:
    return Settings(_env_file=None, broker_url=broker_url, redis_url=redis_url)  # type: ignore[call-arg]


def test_a_redis_without_persistence_is_warned_about_once(tmp_path: Path) -> None:
    server = private_redis(tmp_path, "--save", "", "--appendonly", "no")
    try:
        warnings = up.redis_persistence_warnings(settings_for(server.url(0), server.url(1)))
    finally:
        server.stop()
    where = f"127.0.0.1:{server.port}"
    assert warnings == [
        f"up: WARNING: Redis at {where} has no persistence (appendonly no, save ''): a crash "
        "or restart of it loses the stream entries not yet in Postgres (and the leases and "
        f"beat's schedule); turn on its append-only file: redis-cli -h 127.0.0.1 -p "
        f"{server.port} config set appendonly yes (and `appendonly yes` in redis.conf)"
    ]


def test_snapshots_only_are_warned_about_and_an_append_only_file_is_not(
    tmp_path: Path,
) -> None:
    (tmp_path / "rdb").mkdir()
    (tmp_path / "aof").mkdir()
    snapshots = private_redis(tmp_path / "rdb", "--save", "60 1", "--appendonly", "no")
    aof = private_redis(tmp_path / "aof", "--save", "", "--appendonly", "yes")
    try:
        warnings = up.redis_persistence_warnings(settings_for(snapshots.url(0), aof.url(1)))
    finally:
        snapshots.stop()
        aof.stop()
    assert len(warnings) == 1
    assert (
        f"Redis at 127.0.0.1:{snapshots.port} persists by snapshots only (save '60 1')"
        in (warnings[0])
    )
    assert "since the last snapshot" in warnings[0]


def test_an_unreachable_redis_is_said_not_to_answer() -> None:
    port = free_port()
    url = f"redis://127.0.0.1:{port}/0"
    assert up.redis_persistence_warnings(settings_for(url, url)) == [
        f"up: WARNING: Redis at 127.0.0.1:{port} is not reachable (ConnectionError)"
    ]


def test_flower_reads_its_password_from_a_file_not_the_command_line(tmp_path: Path) -> None:
    conf = up.write_conf(tmp_path / "flower", "admin", "s3cret-pw")
    procs = up.plan(Settings(_env_file=None), conf)  # type: ignore[call-arg]
    flower = next(proc for proc in procs if proc.name == "flower")
    assert f"--conf={conf.resolve()}" in flower.argv
    assert not [arg for arg in flower.argv if "s3cret-pw" in arg or "basic-auth" in arg]
