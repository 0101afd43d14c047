"""The system under test: its own Postgres database and Redis databases, the simulator
and the two Celery workers as subprocesses, and the client calls that set it going."""

from __future__ import annotations

import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import psycopg
import redis
from _procs import ROOT, Proc, ProcSet, free_port
from celery import Celery

from oddswatch.settings import Settings
from sinks.db import migrate
from sinks.keys import (
    DISPATCH_PATTERN,
    LEASE_PATTERN,
    MONITORS_KEY,
    monitor_key,
    parse_monitor_member,
)

logger = logging.getLogger("bench.stack")

VAR = ROOT / "var" / "bench"
STREAM: str = Settings.model_fields["stream_key"].default


@dataclass(frozen=True, slots=True)
class Stores:
    """Where the benchmark keeps its data: never the databases of `make up` or the tests."""

    pg_server: str = os.environ.get("OW_BENCH_PG", "postgresql://postgres@127.0.0.1:5432")
    db_name: str = "oddswatch_bench"
    redis_server: str = os.environ.get("OW_BENCH_REDIS", "redis://127.0.0.1:6379")
    broker_db: int = 12
    data_db: int = 13

    @property
    def database_url(self) -> str:
        return f"{self.pg_server}/{self.db_name}"

    @property
    def broker_url(self) -> str:
        return f"{self.redis_server}/{self.broker_db}"

    @property
    def redis_url(self) -> str:
        return f"{self.redis_server}/{self.data_db}"


def wait_for(
    predicate: Callable[[], Any], timeout_s: float, what: str, every_s: float = 0.2
) -> Any:
    deadline = time.monotonic() + timeout_s
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout_s:.0f}s waiting for {what}")
        time.sleep(every_s)
    return value


def reset_stores(stores: Stores) -> None:
    """A fresh, migrated `oddswatch_bench` and empty bench Redis databases."""
    with psycopg.connect(f"{stores.pg_server}/postgres", autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s",
            (stores.db_name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{stores.db_name}"')
        conn.execute(f'CREATE DATABASE "{stores.db_name}"')
    migrate(stores.database_url)
    flush_redis(stores)
    logger.info(
        "stores reset: %s, redis dbs %d/%d", stores.db_name, stores.broker_db, stores.data_db
    )


def flush_redis(stores: Stores) -> None:
    for url in (stores.broker_url, stores.redis_url):
        with redis.Redis.from_url(url) as client:
            client.flushdb()


def start_simulator(procs: ProcSet, games: int, updates_per_s: float) -> tuple[Proc, str]:
    port = free_port()
    argv = [
        *(sys.executable, "-m", "cli.main", "simulate", "--port", str(port)),
        *("--leagues", "nba", "--games", str(games), "--live", str(games)),
        *("--updates-per-s", str(updates_per_s)),
    ]
    env = {k: v for k, v in os.environ.items() if not k.startswith("OW_")}
    proc = procs.add(Proc("simulator", argv, env, VAR / "logs"), stage=0)
    url = f"http://127.0.0.1:{port}"
    wait_for(lambda: _sim_up(proc, url), 30, "the simulator")
    return proc, url


def _sim_up(proc: Proc, url: str) -> bool:
    if not proc.alive():
        raise RuntimeError(f"simulator exited:\n{proc.log_tail()}")
    try:
        return httpx.get(f"{url}/_sim/stats", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


def sim_stats(url: str) -> dict[str, Any]:
    response = httpx.get(f"{url}/_sim/stats", timeout=10)
    response.raise_for_status()
    stats: dict[str, Any] = response.json()
    return stats


def worker_env(stores: Stores, sim_url: str, extra: dict[str, str]) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OW_")}
    env.update(
        OW_MODE="demo",
        OW_SIMULATOR_URL=sim_url,
        OW_BROKER_URL=stores.broker_url,
        OW_REDIS_URL=stores.redis_url,
        OW_DATABASE_URL=stores.database_url,
        OW_PROVIDERS='["draftkings"]',
        OW_LEAGUES='["nba"]',
        OW_LOG_LEVEL="INFO",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env


def start_worker(
    procs: ProcSet, name: str, queues: str, concurrency: int, env: dict[str, str]
) -> Proc:
    argv = [
        *(sys.executable, "-m", "celery", "-A", "workers", "worker", "-Q", queues),
        *("-P", "threads", "-c", str(concurrency), "-n", f"{name}@%h"),
        *("--loglevel", "INFO", "--without-mingle", "--without-gossip"),
    ]
    return procs.add(Proc(name, argv, env, VAR / "logs"), stage=1)


def wait_ready(worker: Proc, timeout_s: float = 90) -> None:
    def ready() -> bool:
        if not worker.alive():
            raise RuntimeError(f"{worker.name} exited:\n{worker.log_tail()}")
        return "ready." in worker.log.read_text(errors="replace")

    wait_for(ready, timeout_s, f"worker {worker.name}")


def start_pipeline(stores: Stores, timeout_s: float) -> dict[str, Any]:
    """Reconcile (starts the persister), then the scrape, which dispatches the monitors."""
    app = Celery("oddswatch-bench", broker=stores.broker_url, backend=stores.broker_url)
    try:
        app.send_task("tasks.reconcile", queue="control")
        result = app.send_task("tasks.scrape", args=["draftkings", "nba"], queue="scrape")
        summary: dict[str, Any] = result.get(timeout=timeout_s)
        result.forget()
        return summary
    finally:
        app.close()


def live_monitors(data: redis.Redis) -> dict[str, dict[str, str]]:
    """event_id -> heartbeat state of every monitor with a fresh heartbeat."""
    states = {}
    for member in data.zrange(MONITORS_KEY, 0, -1):
        provider, _league, event_id = parse_monitor_member(member)
        state = data.hgetall(monitor_key(provider, event_id))
        if state:
            states[event_id] = {k.decode(): v.decode() for k, v in state.items()}
    return states


def wait_monitors(data: redis.Redis, games: int, timeout_s: float) -> float:
    started = time.monotonic()
    wait_for(lambda: len(live_monitors(data)) >= games, timeout_s, f"{games} live monitors", 0.5)
    return time.monotonic() - started


def clear_leftovers(stores: Stores, keep_data: bool) -> None:
    """After the processes stop: no leases, no queued tasks; the data too unless kept."""
    with redis.Redis.from_url(stores.broker_url) as broker:
        broker.flushdb()
    with redis.Redis.from_url(stores.redis_url) as data:
        if keep_data:
            for pattern in (LEASE_PATTERN, DISPATCH_PATTERN):
                for key in data.scan_iter(pattern, count=1000):
                    data.delete(key)
        else:
            data.flushdb()


def ensure_var() -> Path:
    VAR.mkdir(parents=True, exist_ok=True)
    return VAR
