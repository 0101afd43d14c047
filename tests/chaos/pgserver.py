"""A private PostgreSQL server for fault tests: a cluster made by `initdb` in a temporary
directory, on a free loopback port, that a test may stop and start at will (the machine's
own Postgres is never touched).

`PgServer` is plain Python (usable from a script); `private_pg` is the pytest fixture
(tests/chaos/conftest.py). PostgreSQL refuses to run as root, so as root the server runs
as the `postgres` user (runuser). Binaries are found under /usr/lib/postgresql/*/bin, on
PATH or in `OW_TEST_PG_BIN`; without them a test skips locally and fails under CI.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg

DB_NAME = "oddswatch"
PG_USER = "postgres"


class PgServerMissing(RuntimeError):
    """No `initdb`/`pg_ctl` on this machine."""


def find_bin_dir() -> Path:
    """The directory holding initdb and pg_ctl."""
    candidates = [os.environ.get("OW_TEST_PG_BIN", "")]
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)
    found = shutil.which("initdb")
    candidates.append(str(Path(found).parent) if found else "")
    for directory in filter(None, candidates):
        if (Path(directory) / "initdb").exists() and (Path(directory) / "pg_ctl").exists():
            return Path(directory)
    raise PgServerMissing(
        "initdb/pg_ctl not found (install postgresql, or set OW_TEST_PG_BIN to their directory)"
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class PgServer:
    """One private cluster: `start()`, `stop()`, `url`; `destroy()` removes it."""

    def __init__(self) -> None:
        self.bin = find_bin_dir()
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="ow-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_user: list[str] = []
        if os.geteuid() == 0:  # postgres refuses root: run its binaries as `postgres`
            self._as_user = ["runuser", "-u", PG_USER, "--"]
            owner = pwd.getpwnam(PG_USER)
            os.chown(self.root, owner.pw_uid, owner.pw_gid)
        self.root.chmod(0o755)
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", PG_USER, "--no-sync")

    @property
    def admin_url(self) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/postgres"

    @property
    def url(self) -> str:
        return f"postgresql://{PG_USER}@127.0.0.1:{self.port}/{DB_NAME}"

    def _run(self, tool: str, *args: str) -> None:
        argv = [*self._as_user, str(self.bin / tool), *args]
        done = subprocess.run(argv, capture_output=True, text=True, timeout=120, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{tool} failed ({done.returncode}): {done.stderr[-2000:]}")

    def start(self) -> None:
        options = (
            f"-p {self.port} -k {self.root} -c listen_addresses=127.0.0.1"
            " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
        )
        self._run("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.log), "-w",
                  "-t", "60", "start")  # fmt: skip

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: as an operator's `systemctl stop`; `immediate`: a crash)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")

    def running(self) -> bool:
        try:
            with psycopg.connect(self.admin_url, connect_timeout=2):
                return True
        except psycopg.OperationalError:
            return False

    def create_database(self) -> str:
        """Create and migrate the oddswatch database; returns its URL."""
        from sinks.db import migrate

        with psycopg.connect(self.admin_url, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{DB_NAME}"')
            conn.execute(f'CREATE DATABASE "{DB_NAME}"')
        migrate(self.url)
        return self.url

    def destroy(self) -> None:
        if self.running():
            self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def wait_until_up(server: PgServer, timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not server.running():
        if time.monotonic() > deadline:
            raise RuntimeError(f"private postgres not up after {timeout_s:g}s")
        time.sleep(0.1)
