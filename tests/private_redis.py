"""A private `redis-server` a test starts, stops and starts again on a free port.

For tests that take Redis away (a restart, an outage) or read its configuration: the
machine's own Redis is never stopped or reconfigured. No persistence unless asked for.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path

import pytest
import redis


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PrivateRedis:
    def __init__(self, workdir: Path, *config: str) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.config = config or ("--save", "", "--appendonly", "no")
        self.popen: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        """Start (or start again, empty: no persistence) and wait until it answers."""
        argv = ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1"]
        argv += ["--dir", str(self.workdir), *self.config]
        log = (self.workdir / "redis.log").open("ab")
        self.popen = subprocess.Popen(argv, stdout=log, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        deadline = time.monotonic() + 10
        while True:
            try:
                client.ping()
                break
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.popen.poll() is not None:
                    raise AssertionError(f"redis-server on :{self.port} did not start") from None
                time.sleep(0.05)
        client.close()

    def pause(self) -> None:
        """SIGSTOP: connections stay open and nothing answers, as in a network partition."""
        assert self.popen is not None
        self.popen.send_signal(signal.SIGSTOP)

    def resume(self) -> None:
        assert self.popen is not None
        self.popen.send_signal(signal.SIGCONT)

    def stop(self) -> None:
        """What `redis-cli shutdown nosave` does: the server exits, its data is gone."""
        if self.popen is not None and self.popen.poll() is None:
            self.popen.send_signal(signal.SIGCONT)  # a paused server cannot exit
            self.popen.terminate()
            self.popen.wait(10)
        self.popen = None


def private_redis(tmp_path: Path, *config: str) -> PrivateRedis:
    if shutil.which("redis-server") is None:
        message = "redis-server is not installed (see README, 'Services')"
        if os.environ.get("CI"):
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    server = PrivateRedis(tmp_path, *config)
    server.start()
    return server
