"""The Redis key schema and the stream's field names: every producer and consumer of
oddswatch's Redis data (sinks, tasks, workers, the CLI, bench) builds its keys here.

Data database (`OW_REDIS_URL`), key: type; who writes → who reads:

- `ow:odds:{provider}:{league}:{event_id}`: list, newest first, trimmed, expires;
  live sink → `tail`, readers.
- `ow:board:{provider}:{league}:{event_id}`: hash selection_id → update, expires;
  live sink → the monitor's change filter, readers.
- `ow:lease:{provider}:{event_id}`: the monitor's token, PX; monitor → dispatch, status.
- `ow:dispatch:{provider}:{event_id}`: marker with a TTL for a queued monitor; dispatch →
  the monitor deletes it when it starts.
- `ow:lease:persist:{slot}`, `ow:dispatch:persist:{slot}`: the same for persister slots.
- `ow:snapshot:{provider}:{league}`: the last scrape as JSON, two days; scrape → the
  monitor when Postgres is down, `tail`'s labels.
- `ow:monitors`: zset `provider:league:event_id` → last heartbeat (unix s); heartbeat →
  status.
- `ow:monitor:{provider}:{event_id}`: hash, one monitor's state, expires; heartbeat →
  status.
- `ow:metrics:{provider}`, `ow:metrics:{provider}:m:{minute}`: drift counters since start
  and per minute (kept an hour); heartbeat → status.
- the stream `settings.stream_key` (`ow:updates`): entries `{u: encoded update}`; live sink
  (XADD in its Lua script) → persisters (one consumer group per history sink), `tail`.
- `{stream}:dead`: entries a persister could not use, their fields plus `_id` (the
  entry's id), `_error` and `_group` (the persister's group).

Broker database (`OW_BROKER_URL`): Celery's queues, and RedBeat's keys under `ow:redbeat:`.

The stream's name is a setting (`stream_key`, default `ow:updates`) because the kernel's
settings cannot import this module; everything else about the stream is here.
"""

from __future__ import annotations

PREFIX = "ow:"

# The stream: one field per entry, the encoded update (`oddswatch.codec.encode_update`).
UPDATE_FIELD = "u"
UPDATE_FIELD_BYTES = UPDATE_FIELD.encode()  # how it comes back from a bytes client
# Dead-letter entries keep the original fields and add these.
DEAD_ID_FIELD = "_id"
DEAD_ERROR_FIELD = "_error"
DEAD_GROUP_FIELD = "_group"
# The consumer group of the Postgres persister; other history sinks get their own group.
PERSIST_GROUP = "persist"

MONITORS_KEY = f"{PREFIX}monitors"  # zset "provider:league:event_id" -> last heartbeat
REDBEAT_PREFIX = f"{PREFIX}redbeat:"
SNAPSHOT_PATTERN = f"{PREFIX}snapshot:*"
LEASE_PATTERN = f"{PREFIX}lease:*"
DISPATCH_PATTERN = f"{PREFIX}dispatch:*"


def list_key(provider: str, league: str, event_id: str) -> str:
    return f"{PREFIX}odds:{provider}:{league}:{event_id}"


def board_key(provider: str, league: str, event_id: str) -> str:
    return f"{PREFIX}board:{provider}:{league}:{event_id}"


def lease_key(provider: str, event_id: str) -> str:
    return f"{PREFIX}lease:{provider}:{event_id}"


def dispatch_key(provider: str, event_id: str) -> str:
    return f"{PREFIX}dispatch:{provider}:{event_id}"


def persist_lease_key(slot: int) -> str:
    return f"{PREFIX}lease:persist:{slot}"


def persist_dispatch_key(slot: int) -> str:
    return f"{PREFIX}dispatch:persist:{slot}"


def snapshot_key(provider: str, league: str) -> str:
    return f"{PREFIX}snapshot:{provider}:{league}"


def monitor_key(provider: str, event_id: str) -> str:
    return f"{PREFIX}monitor:{provider}:{event_id}"


def monitor_member(provider: str, league: str, event_id: str) -> str:
    """A live monitor's member in the `ow:monitors` zset."""
    return f"{provider}:{league}:{event_id}"


def parse_monitor_member(member: str | bytes) -> tuple[str, str, str]:
    """(provider, league, event_id) of an `ow:monitors` member."""
    text = member.decode() if isinstance(member, bytes) else member
    provider, league, event_id = text.split(":", 2)
    return provider, league, event_id


def metrics_key(provider: str) -> str:
    return f"{PREFIX}metrics:{provider}"


def recent_key(provider: str, minute: int) -> str:
    """Drift counters of one provider for one minute (unix time // 60)."""
    return f"{PREFIX}metrics:{provider}:m:{minute}"


def dead_stream(stream: str) -> str:
    return f"{stream}:dead"


def persist_group(sink: str) -> str:
    """The consumer group a history sink's persister reads the stream in: `persist` for
    Postgres (the group it always had, so an existing stream goes on), `persist:<sink>`
    for the others."""
    return PERSIST_GROUP if sink == "postgres" else f"{PERSIST_GROUP}:{sink}"
