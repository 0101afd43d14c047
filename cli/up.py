"""`make up`: the whole stack on this machine, one command, one Ctrl-C.

Migrates, then starts the simulator (demo mode), beat, a worker for `scrape`, `control`
and `persist`, one monitor worker per enabled league (threads pool) and Flower on
127.0.0.1:5555 behind basic auth, triggers the first scrapes and streams every process's
log to the terminal prefixed with its name (and to `var/log/<name>.log`). A process that
exits is started again with backoff (cli/supervise.py); only one that keeps failing stops
the stack. Ctrl-C or SIGTERM stops them all: workers first (warm shutdown: monitors hand
off), then the rest.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

import redis

from cli.flower_auth import write_conf
from cli.supervise import GaveUp, Proc, Supervisor
from oddswatch.settings import Settings, get_settings

LOG_DIR = Path("var/log")
ENV_FILE = Path(".env")
FLOWER_DIR = Path("var/flower")  # Flower's config with its basic auth (cli/flower_auth.py)
STOP_TIMEOUT_S = 40.0


def _celery(*args: str) -> list[str]:
    return [sys.executable, "-m", "celery", "-A", "workers", *args]


def flower_password(settings: Settings) -> tuple[str, str]:
    """The configured credentials, or a password generated once into `.env`."""
    if settings.flower_password is not None:
        return settings.flower_user, settings.flower_password.get_secret_value()
    password = secrets.token_urlsafe(18)
    with ENV_FILE.open("a") as env:
        env.write(f"OW_FLOWER_USER={settings.flower_user}\nOW_FLOWER_PASSWORD={password}\n")
    os.environ["OW_FLOWER_PASSWORD"] = password
    print(f"up: generated a Flower password for '{settings.flower_user}' in {ENV_FILE.resolve()}")
    return settings.flower_user, password


def redis_persistence_warnings(settings: Settings) -> list[str]:
    """One line per Redis server in use (broker, data) that a crash would empty."""
    servers: dict[str, str] = {}
    for url in (settings.broker_url, settings.redis_url):
        parts = urlsplit(url)
        servers.setdefault(f"{parts.hostname}:{parts.port or 6379}", url)
    found = (_persistence_warning(where, url) for where, url in servers.items())
    return [warning for warning in found if warning]


_LOSS = (
    "a crash or restart of it loses the stream entries not yet in Postgres (and the "
    "leases and beat's schedule)"
)


def _persistence_warning(where: str, url: str) -> str | None:
    try:
        with redis.Redis.from_url(
            url, socket_connect_timeout=2, socket_timeout=2, decode_responses=True
        ) as client:
            config = {**client.config_get("appendonly"), **client.config_get("save")}
    except redis.ResponseError:  # CONFIG renamed or refused, as on managed Redis
        return f"up: WARNING: cannot read the persistence of Redis at {where} (CONFIG GET)"
    except redis.RedisError as exc:
        return f"up: WARNING: Redis at {where} is not reachable ({type(exc).__name__})"
    if config.get("appendonly") == "yes":
        return None
    host, _, port = where.rpartition(":")
    fix = (
        f"turn on its append-only file: redis-cli -h {host} -p {port} config set "
        "appendonly yes (and `appendonly yes` in redis.conf)"
    )
    save = config.get("save", "")
    if not save:
        what = "has no persistence (appendonly no, save '')"
        return f"up: WARNING: Redis at {where} {what}: {_LOSS}; {fix}"
    what = f"persists by snapshots only (save '{save}')"
    return f"up: WARNING: Redis at {where} {what}: {_LOSS} since the last snapshot; {fix}"


def plan(settings: Settings, flower_conf: Path) -> list[Proc]:
    procs: list[Proc] = []
    if settings.mode == "demo":
        port = str(urlsplit(settings.simulator_url).port or 8700)
        procs.append(
            Proc(
                "simulator",
                [
                    sys.executable,
                    "-m",
                    "cli.main",
                    "simulate",
                    "--port",
                    port,
                    "--leagues",
                    ",".join(settings.leagues),
                ],
            )
        )
    procs.append(Proc("beat", _celery("beat", "--loglevel", "INFO")))
    procs.append(
        Proc(
            "worker",
            _celery(
                "worker",
                "-Q",
                "scrape,control,persist",
                "-P",
                "threads",
                "-c",
                "8",
                "-n",
                "main@%h",
                "--loglevel",
                "INFO",
            ),
        )
    )
    for league in settings.leagues:
        procs.append(
            Proc(
                f"monitor-{league}",
                _celery(
                    "worker",
                    "-Q",
                    f"monitor.{league}",
                    "-P",
                    "threads",
                    "-c",
                    "200",
                    "-n",
                    f"monitor-{league}@%h",
                    "--loglevel",
                    "INFO",
                ),
            )
        )
    procs.append(
        Proc(
            "flower",
            _celery(
                "flower", "--address=127.0.0.1", "--port=5555", f"--conf={flower_conf.resolve()}"
            ),
        )
    )
    return procs


def _pump(proc: Proc, log: Path) -> None:
    assert proc.popen is not None and proc.popen.stdout is not None
    with log.open("ab") as out:
        for line in proc.popen.stdout:
            out.write(line)
            out.flush()
            sys.stdout.write(f"[{proc.name}] {line.decode(errors='replace')}")
            sys.stdout.flush()


def start(proc: Proc) -> None:
    proc.popen = subprocess.Popen(
        proc.argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True
    )
    threading.Thread(target=_pump, args=(proc, LOG_DIR / f"{proc.name}.log"), daemon=True).start()


def wait_port(url: str, timeout_s: float = 30.0) -> None:
    parts = urlsplit(url)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 80), 1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"up: {url} did not come up within {timeout_s:.0f}s")


def trigger_scrapes(settings: Settings) -> None:
    for provider in settings.providers:
        for league in settings.leagues:
            args = f'["{provider}", "{league}"]'
            subprocess.run(_celery("call", "tasks.scrape", "--args", args), check=True)


def stop(procs: list[Proc]) -> None:
    """Workers first (warm shutdown: monitors hand off), then beat, Flower, the simulator."""
    _terminate([p for p in procs if p.is_worker])
    _terminate([p for p in procs if not p.is_worker])


def _terminate(group: list[Proc]) -> None:
    running = [p.popen for p in group if p.popen is not None and p.popen.poll() is None]
    for popen in running:
        popen.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + STOP_TIMEOUT_S
    for popen in running:
        try:
            popen.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(popen.pid, signal.SIGKILL)
            popen.wait()


def main() -> None:
    settings = get_settings()
    LOG_DIR.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "cli.main", "migrate"], check=True)
    for warning in redis_persistence_warnings(settings):
        print(warning)
    procs = plan(settings, write_conf(FLOWER_DIR, *flower_password(settings)))
    stopping = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stopping.set())
    signal.signal(signal.SIGINT, lambda *_: stopping.set())
    try:
        for proc in procs:
            start(proc)
        if settings.mode == "demo":
            wait_port(settings.simulator_url)
        trigger_scrapes(settings)
        print("up: running; Flower on http://127.0.0.1:5555, logs in var/log/. Ctrl-C stops.")
        supervise(procs, stopping)
    except GaveUp as exc:
        print(f"up: {exc}; stopping")
        raise SystemExit(1) from None
    finally:
        print("up: stopping")
        stop(procs)
        print("up: stopped")


def supervise(procs: list[Proc], stopping: threading.Event) -> None:
    """Until Ctrl-C: start again what exits (cli/supervise.py); raises GaveUp."""
    supervisor = Supervisor(procs, start)
    while not stopping.is_set():
        supervisor.check_now()
        stopping.wait(0.5)


if __name__ == "__main__":
    main()
