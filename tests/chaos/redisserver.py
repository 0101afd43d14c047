"""A private `redis-server` a chaos test may stop, kill and restart: the machine's own
Redis is never touched. No persistence (`--save ""`, `--appendonly no`), as on a default
install, so a restart comes back empty."""

from __future__ import annotations

import contextlib
import shutil
import signal
import socket
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tests.waiting import wait_for


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class RedisServer:
    """One redis-server on a free loopback port; `url(db)` for clients."""

    def __init__(self, workdir: Path, port: int | None = None) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.skip("redis-server is not installed")
        self.binary, self.workdir = binary, workdir
        self.port = port or free_port()
        self.proc: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        argv = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--appendonly", "no", "--dir", str(self.workdir), "--maxmemory-policy",
                "noeviction"]  # fmt: skip
        log = (self.workdir / "redis.log").open("ab")
        self.proc = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        wait_for(self._pings, 10, f"redis-server on port {self.port}", every_s=0.02)

    def _pings(self) -> bool:
        try:
            return bool(redis.Redis(port=self.port, socket_connect_timeout=0.2).ping())
        except redis.RedisError:
            return False

    def shutdown_nosave(self) -> None:
        """`SHUTDOWN NOSAVE`, as an operator restarting Redis does; every key is gone."""
        client = redis.Redis(port=self.port, retry=Retry(NoBackoff(), 0))  # one try, no retry
        with contextlib.suppress(redis.ConnectionError):  # it closes the connection as it exits
            client.shutdown(nosave=True)
        self._reap()

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
        self._reap()

    def _reap(self) -> None:
        if self.proc is not None:
            self.proc.wait(10)
            self.proc = None

    def restart(self) -> None:
        self.shutdown_nosave()
        self.start()

    def stop(self) -> None:
        self.kill()


@pytest.fixture
def redis_server(tmp_path: Path) -> Iterator[RedisServer]:
    workdir = tmp_path / "redis"
    workdir.mkdir()
    server = RedisServer(workdir)
    server.start()
    yield server
    server.stop()


def env_for(server: RedisServer, base: dict[str, str]) -> dict[str, str]:
    """A worker environment pointed at the private server (broker db 0, data db 1)."""
    return {**base, "OW_BROKER_URL": server.url(0), "OW_REDIS_URL": server.url(1)}


__all__ = ["RedisServer", "env_for", "free_port", "redis_server"]
