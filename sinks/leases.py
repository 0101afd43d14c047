"""Leases: one holder per game (or persister slot), a token, a short TTL, kept alive in
batches.

A lease is `SET key token NX PX ttl`. `keep()` renews it while it holds our token and
takes it back when it has vanished (expired, or Redis restarted empty) and nobody else
took it; only another holder's token means the lease is lost. The fenced writes of
`sinks/redis.py` tell the same two cases apart (`LeaseVanished` vs `LeaseLost`).

`LeaseKeeper` keeps every lease of a process with one pipeline per interval, not one round
trip per game: 1,000 games on a worker are 1,000 small scripts in one round trip a second.
"""

from __future__ import annotations

import asyncio
import enum
import hashlib
import logging
from collections.abc import Callable

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError
from redis.exceptions import TimeoutError as RedisTimeoutError

logger = logging.getLogger(__name__)

_UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)
RETRY_S = 0.2  # renewal retried this often while Redis is unreachable

_KEEP = """
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] then
  redis.call('PEXPIRE', KEYS[1], ARGV[2])
  return 1
end
if holder == false then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 2
end
return 0
"""
_RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
"""


class LeaseState(enum.IntEnum):
    """What `keep()` found: our token (renewed), nothing (taken back), another token."""

    TAKEN = 0  # another run holds it: stop writing
    HELD = 1
    REACQUIRED = 2  # it had vanished; it is ours again


class Lease:
    """SET NX PX lease with a token; kept and released only while the token matches."""

    def __init__(self, client: aioredis.Redis, key: str, token: str, ttl_ms: int) -> None:
        self.client, self.key, self.token, self.ttl_ms = client, key, token, ttl_ms
        self._keep = client.register_script(_KEEP)
        self._release = client.register_script(_RELEASE)

    async def acquire(self) -> bool:
        return bool(await self.client.set(self.key, self.token, nx=True, px=self.ttl_ms))

    async def keep(self) -> LeaseState:
        """Renew while ours; take back when vanished; TAKEN when another run holds it."""
        return LeaseState(int(await self._keep(keys=[self.key], args=[self.token, self.ttl_ms])))

    async def renew(self) -> bool:
        """Whether the lease is (again) ours: `keep()` short of TAKEN."""
        return await self.keep() is not LeaseState.TAKEN

    async def release(self) -> bool:
        return bool(await self._release(keys=[self.key], args=[self.token]))

    def keep_command(self) -> tuple[str, ...]:
        """`keep()` as the arguments of an EVALSHA (its sha: `KEEP_SHA`)."""
        return (self.key, self.token, str(self.ttl_ms))


KEEP_SHA = hashlib.sha1(_KEEP.encode()).hexdigest()


OnLease = Callable[[LeaseState], None]


class LeaseKeeper:
    """Every lease of one process, kept every `interval_s` in one pipeline.

        `add` a lease with a callback: it hears TAKEN (stop writing; the lease is dropped from
        the keeper) and REACQUIRED. `release`
        removes a lease and deletes it after any keep in flight, so a released lease is never
        taken back. Redis down: logged, tried again every `RETRY_S`, so the leases are ours again
    moments after Redis returns, before a reconcile can hand a game to a new run."""

    def __init__(self, client: aioredis.Redis, interval_s: float) -> None:
        self.client, self.interval_s = client, interval_s
        self._leases: dict[tuple[str, str], tuple[Lease, OnLease]] = {}
        self._lock = asyncio.Lock()
        self._task: asyncio.Task[None] | None = None

    def __len__(self) -> int:
        return len(self._leases)

    def add(self, lease: Lease, on_change: OnLease) -> None:
        """Keep `lease` from the next interval on (call on the engine's loop)."""
        self._leases[(lease.key, lease.token)] = (lease, on_change)
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(self._run(), name="lease-keeper")

    async def release(self, lease: Lease) -> bool:
        """Stop keeping `lease` and delete it (only while it holds our token)."""
        self._leases.pop((lease.key, lease.token), None)
        async with self._lock:
            return await lease.release()

    def discard(self, lease: Lease) -> None:
        """Stop keeping `lease` without deleting it (it is another run's now)."""
        self._leases.pop((lease.key, lease.token), None)

    async def _run(self) -> None:
        try:
            delay_s = self.interval_s
            while self._leases:
                await asyncio.sleep(delay_s)
                try:
                    await self.keep_all()
                except _UNAVAILABLE as exc:
                    logger.warning("lease renewal failed", extra={"error": str(exc)})
                    delay_s = min(self.interval_s, RETRY_S)  # take them back as Redis returns
                else:
                    delay_s = self.interval_s
        finally:
            self._task = None

    async def keep_all(self) -> dict[str, LeaseState]:
        """One pipeline keeping every lease; tells each lease's callback what changed."""
        async with self._lock:
            entries = list(self._leases.values())
            if not entries:
                return {}
            replies = await self._keep([lease.keep_command() for lease, _ in entries])
        states: dict[str, LeaseState] = {}
        for (lease, on_change), reply in zip(entries, replies, strict=True):
            if isinstance(reply, Exception):
                logger.warning(
                    "lease renewal failed", extra={"key": lease.key, "error": str(reply)}
                )
                continue
            states[lease.key] = state = LeaseState(int(reply))  # type: ignore[call-overload]
            if state is LeaseState.HELD or (lease.key, lease.token) not in self._leases:
                continue
            if state is LeaseState.TAKEN:
                self.discard(lease)  # another run's now: never kept again
            on_change(state)
        return states

    async def _keep(self, commands: list[tuple[str, ...]]) -> list[object]:
        """EVALSHA per lease in one pipeline (no SCRIPT EXISTS round trip); after a Redis
        restart emptied the script cache, the script is loaded and the pipeline sent again."""
        replies = await self._pipeline(commands)
        if any(isinstance(r, NoScriptError) for r in replies):
            await self.client.script_load(_KEEP)
            replies = await self._pipeline(commands)
        return replies

    async def _pipeline(self, commands: list[tuple[str, ...]]) -> list[object]:
        pipe = self.client.pipeline(transaction=False)
        for command in commands:
            pipe.execute_command("EVALSHA", KEEP_SHA, 1, *command)
        return list(await pipe.execute(raise_on_error=False))
