"""The live sink: Redis list + board hash + durable stream, fenced by the monitor's lease.

Per game, one Lua call writes a batch: LPUSH each update to
`ow:odds:{provider}:{league}:{event_id}` (then LTRIM/EXPIRE once), HSET it into the board
`ow:board:{provider}:{league}:{event_id}` (latest per selection) and XADD it to the stream
for the persister. With a lease, the same script first checks that the lease still holds
the monitor's token (fencing): a monitor whose lease another run holds writes nothing
(`LeaseLost`); one whose lease vanished (expired, or Redis restarted empty) writes nothing
either but hears `LeaseVanished`, so it can take the lease back (`sinks/leases.py`) and
write the batch again.

`LiveWriter` coalesces the writes of every monitor of a process that arrive in one event
loop tick into one pipeline (`transaction=False`), one round trip per tick.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Sequence
from string import Template
from typing import Self

import redis.asyncio as aioredis
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import NoScriptError, ResponseError
from redis.exceptions import TimeoutError as RedisTimeoutError

from oddswatch.codec import decode_update, encode_update
from oddswatch.errors import LeaseLost, LeaseVanished, SinkUnavailable
from oddswatch.model import OddsUpdate
from oddswatch.settings import Settings
from sinks.base import Sink, register
from sinks.keys import UPDATE_FIELD, board_key, list_key
from sinks.leases import Lease

UNAVAILABLE = (RedisConnectionError, RedisTimeoutError, OSError)

_WRITE = Template("""
if ARGV[1] ~= '' then
  local holder = redis.call('GET', KEYS[1])
  if holder == false then return -2 end
  if holder ~= ARGV[1] then return -1 end
end
local n = (#ARGV - 5) / 2
for i = 0, n - 1 do
  local payload = ARGV[7 + 2 * i]
  redis.call('LPUSH', KEYS[3], payload)
  redis.call('HSET', KEYS[4], ARGV[6 + 2 * i], payload)
  redis.call('XADD', KEYS[2], 'MAXLEN', '~', ARGV[5], '*', '$field', payload)
end
redis.call('LTRIM', KEYS[3], 0, tonumber(ARGV[2]) - 1)
redis.call('EXPIRE', KEYS[3], ARGV[3])
redis.call('EXPIRE', KEYS[4], ARGV[4])
return n
""").substitute(field=UPDATE_FIELD)
_Pending = tuple[Lease | None, Sequence[OddsUpdate], "asyncio.Future[int]"]


class LiveWriter:
    """One pipeline per event-loop tick for every monitor's batch in this process."""

    def __init__(self, client: aioredis.Redis, settings: Settings) -> None:
        self.client = client
        self._script = client.register_script(_WRITE)  # for its sha and the reload
        self._limits = (
            settings.list_maxlen,
            settings.list_ttl_s,
            settings.board_ttl_s,
            settings.stream_maxlen,
        )
        self.stream_key = settings.stream_key
        self._pending: list[_Pending] = []
        self._flush_task: asyncio.Task[None] | None = None

    async def write(self, lease: Lease | None, batch: Sequence[OddsUpdate]) -> int:
        """Queue a batch (any games) for the next flush; raises LeaseLost when fenced off."""
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((lease, batch, future))
        if self._flush_task is None:
            self._flush_task = asyncio.create_task(self._flush())
        return await future

    async def _flush(self) -> None:
        await asyncio.sleep(0)  # let every monitor of this tick queue its batch
        pending, self._pending, self._flush_task = self._pending, [], None
        try:
            calls, results = await self._execute(pending)
        except UNAVAILABLE as exc:
            _fail_all(pending, SinkUnavailable(f"redis unavailable: {exc}"))
        except BaseException as exc:  # never leave a monitor waiting on a lost future
            _fail_all(pending, exc)
            raise
        else:
            _resolve(pending, calls, results)

    async def _execute(self, pending: list[_Pending]) -> tuple[list[int], list[object]]:
        """One pipeline of EVALSHA calls (no SCRIPT EXISTS round trip per flush); calls that
        find the script missing (Redis restarted) are retried once after loading it."""
        calls: list[int] = []
        commands: list[list[str | int | bytes]] = []
        for lease, batch, _ in pending:
            groups = _by_game(batch)
            calls.append(len(groups))
            commands.extend(self._command(lease, game, u) for game, u in groups.items())
        results = await self._run(commands)
        missing = [i for i, r in enumerate(results) if isinstance(r, NoScriptError)]
        if missing:
            await self.client.script_load(_WRITE)
            retried = await self._run([commands[i] for i in missing])
            for i, result in zip(missing, retried, strict=True):
                results[i] = result
        return calls, results

    async def _run(self, commands: list[list[str | int | bytes]]) -> list[object]:
        pipe = self.client.pipeline(transaction=False)
        for command in commands:
            pipe.execute_command("EVALSHA", self._script.sha, 4, *command)
        return list(await pipe.execute(raise_on_error=False))

    def _command(
        self,
        lease: Lease | None,
        game: tuple[str, str, str],
        updates: Sequence[OddsUpdate],
    ) -> list[str | int | bytes]:
        keys: list[str | int | bytes] = [
            lease.key if lease else "",
            self.stream_key,
            list_key(*game),
            board_key(*game),
        ]
        args: list[str | int | bytes] = [lease.token if lease else "", *self._limits]
        for update in updates:
            args.append(update.selection_id)
            args.append(encode_update(update))
        return keys + args


def _by_game(batch: Sequence[OddsUpdate]) -> dict[tuple[str, str, str], list[OddsUpdate]]:
    groups: dict[tuple[str, str, str], list[OddsUpdate]] = defaultdict(list)
    for update in batch:
        groups[(update.provider, update.league, update.event_id)].append(update)
    return groups


def _fail_all(pending: list[_Pending], exc: BaseException) -> None:
    for _, _, future in pending:
        if not future.done():
            future.set_exception(exc)


def _resolve(pending: list[_Pending], calls: list[int], results: list[object]) -> None:
    position = 0
    for (lease, batch, future), count in zip(pending, calls, strict=True):
        mine = results[position : position + count]
        position += count
        if future.done():
            continue
        error = next((r for r in mine if isinstance(r, Exception)), None)
        if error is not None:
            exc: Exception = (
                SinkUnavailable(f"redis write failed: {error}")
                if isinstance(error, (*UNAVAILABLE, ResponseError))
                else error
            )
            future.set_exception(exc)
        elif any(r == -1 for r in mine):
            future.set_exception(LeaseLost(f"lease {lease.key if lease else ''} lost"))
        elif any(r == -2 for r in mine):
            future.set_exception(LeaseVanished(f"lease {lease.key if lease else ''} vanished"))
        else:
            future.set_result(len(batch))


@register
class RedisSink(Sink):
    """Live sink: list, board and stream; `write_fenced` checks a monitor's lease."""

    name = "redis"

    def __init__(self, client: aioredis.Redis, settings: Settings) -> None:
        super().__init__()
        self.client = client
        self.writer = LiveWriter(client, settings)

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        return cls(aioredis.Redis.from_url(settings.redis_url), settings)

    async def _write(self, batch: Sequence[OddsUpdate]) -> None:
        await self.writer.write(None, batch)

    async def write_fenced(self, lease: Lease, batch: Sequence[OddsUpdate]) -> int:
        """Write only while `lease` holds; raises LeaseLost (another run holds it) or
        LeaseVanished (nobody does) otherwise."""
        return await self._deliver(batch, lambda: self.writer.write(lease, batch))

    async def read(self, provider: str, league: str, event_id: str) -> list[OddsUpdate]:
        raw = await self.client.lrange(list_key(provider, league, event_id), 0, -1)
        return [decode_update(item) for item in reversed(raw)]

    async def board(self, provider: str, league: str, event_id: str) -> list[OddsUpdate]:
        """The latest update per selection of one game."""
        raw = await self.client.hvals(board_key(provider, league, event_id))
        return [decode_update(item) for item in raw]

    async def aclose(self) -> None:
        await self.client.aclose()
