"""End-to-end ingest benchmark: simulator → monitor worker → Redis → persister → Postgres.

    .venv/bin/python bench/ingest.py [--games G] [--updates-per-s U] [--seconds T] [--profile]

Starts the simulator (G NBA games, all live, U price ticks per game per second) and the
real Celery workers as subprocesses (a monitor worker on `monitor.nba`, a persister
worker on `scrape,control,persist`) against its own stores (Postgres `oddswatch_bench`,
Redis databases 12 and 13, all emptied first), triggers the scrape and a reconcile,
waits for G live monitors and a warm-up, then measures T seconds. Afterwards, with every
process stopped, it measures the COPY ceiling of the same Postgres.

Prints one JSON object on stdout; logs go to stderr, each process's output to
var/bench/logs/<name>.log, profiles (--profile) to var/bench/.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
import time
from dataclasses import dataclass
from typing import Any

import _ceiling
import _measure
import _profile
import _stack
import redis
from _procs import Proc, ProcSet, interrupts_raise

from oddswatch.settings import Settings

logger = logging.getLogger("bench.ingest")

# A run keeps up when Redis takes nearly all the simulator sends, Postgres nearly all of
# Redis, and updates reach Redis within a second at the median.
KEEP_UP_RATIO = 0.97
KEEP_UP_P50_MS = 1000.0


@dataclass(slots=True)
class Running:
    """What is up during a run: the processes by role, the simulator and the data Redis."""

    procs: ProcSet
    by_role: dict[str, Proc]
    sim_url: str
    data: redis.Redis

    @property
    def workers(self) -> dict[str, Proc]:
        return {k: v for k, v in self.by_role.items() if k != "simulator"}


def env_item(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"expected NAME=VALUE, got {text!r}")
    return name, value


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--games", type=int, default=20, help="live NBA games (G)")
    parser.add_argument("--updates-per-s", type=float, default=5.0, help="ticks per game per s")
    parser.add_argument("--seconds", type=float, default=30.0, help="measurement window (T)")
    parser.add_argument("--warmup", type=float, default=5.0, help="seconds before the window")
    parser.add_argument("--profile", action="store_true", help="py-spy both workers")
    parser.add_argument("--copy-rows", type=int, default=200_000, help="rows for the ceilings")
    parser.add_argument("--keep-data", action="store_true", help="keep the bench Redis data")
    parser.add_argument(
        "--worker-env",
        action="append",
        default=[],
        type=env_item,
        metavar="NAME=VALUE",
        help="extra setting for both workers (repeatable), e.g. OW_PERSIST_BATCH=2000",
    )
    return parser.parse_args(argv)


def start_processes(
    args: argparse.Namespace, stores: _stack.Stores, procs: ProcSet
) -> tuple[dict[str, Proc], str]:
    sim, sim_url = _stack.start_simulator(procs, args.games, args.updates_per_s)
    env = _stack.worker_env(stores, sim_url, dict(args.worker_env))
    persister = _stack.start_worker(procs, "persister", "scrape,control,persist", 4, env)
    monitor = _stack.start_worker(procs, "monitor_worker", "monitor.nba", args.games + 10, env)
    for worker in (persister, monitor):
        _stack.wait_ready(worker)
    return {"monitor_worker": monitor, "persister": persister, "simulator": sim}, sim_url


def bring_up(
    args: argparse.Namespace, stores: _stack.Stores, data: redis.Redis
) -> dict[str, float]:
    started = time.monotonic()
    summary = _stack.start_pipeline(stores, timeout_s=120 + args.games)
    scraped = time.monotonic() - started
    logger.info("scraped %s games, dispatched %d", summary["games"], len(summary["dispatched"]))
    live_after = _stack.wait_monitors(data, args.games, timeout_s=60 + args.games)
    logger.info("%d monitors live; warming up %.0fs", args.games, args.warmup)
    time.sleep(args.warmup)
    return {"scrape_s": round(scraped, 1), "monitors_live_s": round(live_after, 1)}


def measure_window(args: argparse.Namespace, stores: _stack.Stores, up: Running) -> dict[str, Any]:
    profiles = {}
    if args.profile:
        profiles = _profile.start(up.procs, up.workers, args.seconds, _stack.ensure_var())
    start = _measure.take_mark(up.by_role, up.data, up.sim_url, stores.db_name)
    logger.info("measuring %.0fs", args.seconds)
    time.sleep(args.seconds)
    end = _measure.take_mark(up.by_role, up.data, up.sim_url, stores.db_name)
    out: dict[str, Any] = {
        "rates": _measure.rates(start, end, args.games * args.updates_per_s),
        "cpu": _measure.cpu_report(start, end),
        "lag": _measure.lag_report(start, end),
        "redis_latency": _measure.redis_latency(up.data, start, end),
        "postgres": _measure.postgres_window(stores.database_url, start, end),
        "errors": _measure.errors_seen(up.data, up.workers),
    }
    if profiles:
        _stack.wait_for(lambda: all(p.exists() for p in profiles.values()), 60, "py-spy output")
        out["profile"] = {
            name: _profile.summarize(path, args.seconds) for name, path in profiles.items()
        }
    return out


def run_pipeline(args: argparse.Namespace, stores: _stack.Stores) -> dict[str, Any]:
    with ProcSet() as procs, redis.Redis.from_url(stores.redis_url) as data:
        by_role, sim_url = start_processes(args, stores, procs)
        startup = bring_up(args, stores, data)
        window = measure_window(args, stores, Running(procs, by_role, sim_url, data))
        window["startup"] = startup
        return window


def ceilings(args: argparse.Namespace, stores: _stack.Stores) -> dict[str, Any]:
    logger.info("measuring the Postgres ceilings (%d rows)", args.copy_rows)
    updates = _ceiling.synthetic_updates(args.copy_rows)
    copy = _ceiling.copy_ceiling(stores.database_url, updates)
    batch = int(
        dict(args.worker_env).get(
            "OW_PERSIST_BATCH", Settings.model_fields["persist_batch"].default
        )
    )
    sink = _ceiling.sink_ceiling(stores.database_url, updates, batch)
    return {"copy": copy, "sink": sink}


def verdict(rates: dict[str, Any], pg_rate: float, redis_p50: float | None) -> dict[str, Any]:
    why = []
    if rates["redis_updates_per_s"] < KEEP_UP_RATIO * rates["simulator_records_per_s"]:
        why.append("redis rate below the simulator's")
    if pg_rate < KEEP_UP_RATIO * rates["redis_updates_per_s"]:
        why.append("postgres rate below redis's")
    if redis_p50 is None or redis_p50 > KEEP_UP_P50_MS:
        why.append("median latency to redis above 1 s")
    return {"keeps_up": not why, "why": why}


def report(
    args: argparse.Namespace, window: dict[str, Any], ceiling: dict[str, Any]
) -> dict[str, Any]:
    rates, pg = window["rates"], window["postgres"]
    copy_rate = ceiling["copy"]["rows_per_s"]
    out: dict[str, Any] = {
        "parameters": {
            "games": args.games,
            "updates_per_s": args.updates_per_s,
            "seconds": args.seconds,
            "warmup_s": args.warmup,
            "offered_ticks_per_s": args.games * args.updates_per_s,
            "worker_env": [f"{k}={v}" for k, v in args.worker_env],
        },
        "simulator_records_per_s": rates["simulator_records_per_s"],
        "redis_updates_per_s": rates["redis_updates_per_s"],
        "postgres_rows_per_s": pg["rows_per_s"],
        "latency_ms": {
            "redis": window["redis_latency"]["redis"],
            "postgres": pg["latency"],
            "receive": window["redis_latency"]["receive"],
        },
        "processes": window["cpu"]["processes"],
        "services": window["cpu"]["services"],
        "copy_ceiling_rows_per_s": copy_rate,
        "sink_ceiling_rows_per_s": ceiling["sink"]["rows_per_s"],
        "fraction_of_copy_ceiling": round(pg["rows_per_s"] / copy_rate, 4),
        "persist_lag_at_end": window["lag"],
        "verdict": verdict(rates, pg["rows_per_s"], window["redis_latency"]["redis"].get("p50")),
        "errors": window["errors"],
        "details": {
            "rates": rates,
            "startup": window["startup"],
            "redis_latency_samples": window["redis_latency"]["redis_samples"],
            "postgres_rows_total": pg["rows_total"],
            "ceilings": ceiling,
        },
    }
    if "profile" in window:
        out["profile"] = window["profile"]
    return out


def main(argv: list[str] | None = None) -> int:
    logging.basicConfig(
        level=logging.INFO, stream=sys.stderr, format="%(asctime)s %(name)s %(message)s"
    )
    logging.getLogger("httpx").setLevel(logging.WARNING)
    args = parse_args(argv)
    stores = _stack.Stores()
    _stack.ensure_var()
    with interrupts_raise():
        try:
            _stack.reset_stores(stores)
            window = run_pipeline(args, stores)
        except KeyboardInterrupt:
            logger.warning("interrupted: every process stopped")
            return 130
        finally:
            _stack.clear_leftovers(stores, keep_data=args.keep_data)
        ceiling = ceilings(args, stores)
    print(json.dumps(report(args, window, ceiling), indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
