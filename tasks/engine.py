"""The per-process engine: one asyncio event loop in a thread, shared by every task of
the process (monitors, the persister, scrapes), with one Redis pool, one batching live
writer, one lease keeper (every monitor's lease renewed in one pipeline), one catalog and
one instance of each provider.

Celery's threads pool runs tasks in threads; a task submits its coroutine to this loop
and waits for the result. The worker starts the engine at worker init and stops it at
shutdown (`workers/signals.py`); code outside a worker gets it lazily from `get_runtime`.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
from collections.abc import Coroutine
from typing import Any, TypeVar

import redis
import redis.asyncio as aioredis

from oddswatch.settings import Settings, get_settings
from providers.base import Provider, load_builtin, providers
from sinks.catalog import Catalog
from sinks.leases import LeaseKeeper
from sinks.redis import RedisSink

logger = logging.getLogger(__name__)
T = TypeVar("T")


class Runtime:
    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.worker = f"{socket.gethostname()}:{os.getpid()}"
        self.shutting_down = threading.Event()
        self.redis = redis.Redis.from_url(settings.redis_url)
        self.catalog = Catalog(settings.database_url)
        self._providers: dict[str, Provider] = {}
        self._lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, name="ow-engine", daemon=True)
        self._thread.start()
        self.aioredis: aioredis.Redis = self.run(self._connect())
        self.live = RedisSink(self.aioredis, settings)
        self.leases = LeaseKeeper(self.aioredis, settings.lease_renew_s)

    async def _connect(self) -> aioredis.Redis:
        return aioredis.Redis.from_url(self.settings.redis_url, health_check_interval=30)

    def run(self, coro: Coroutine[Any, Any, T], timeout_s: float | None = None) -> T:
        """Run a coroutine on the engine's loop from a worker thread and wait for it."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout_s)

    def provider(self, name: str) -> Provider:
        with self._lock:
            if name not in self._providers:
                load_builtin()
                self._providers[name] = providers.get(name).from_settings(self.settings)
            return self._providers[name]

    def request_shutdown(self) -> None:
        """Warm shutdown: every monitor flushes, releases its lease and re-queues itself."""
        self.shutting_down.set()

    def close(self) -> None:
        self.shutting_down.set()
        try:
            self.run(self._aclose(), timeout_s=10)
        except Exception:
            logger.exception("engine close failed")
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=5)
        self.redis.close()
        self.catalog.close()

    async def _aclose(self) -> None:
        """Cancel what still runs on the loop (monitors of a dying process), then close."""
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)
        for provider in self._providers.values():
            await provider.aclose()
        await self.live.aclose()


class _Holder:
    """The process's one Runtime (a worker process hosts exactly one engine)."""

    def __init__(self) -> None:
        self.runtime: Runtime | None = None
        self.lock = threading.Lock()


_holder = _Holder()


def start_runtime(settings: Settings | None = None) -> Runtime:
    with _holder.lock:
        if _holder.runtime is None:
            _holder.runtime = Runtime(settings or get_settings())
        return _holder.runtime


def get_runtime() -> Runtime:
    return _holder.runtime or start_runtime()


def current_runtime() -> Runtime | None:
    return _holder.runtime


def stop_runtime() -> None:
    with _holder.lock:
        runtime, _holder.runtime = _holder.runtime, None
    if runtime is not None:
        runtime.close()
