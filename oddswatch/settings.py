"""One typed settings object, read from `OW_*` environment variables (and `.env`).

Names carry their units. Each provider's settings are a group declared in its own package
(a `ProviderSettings` subclass) and read on first use by `Settings.group`, from
`OW_<NAME>__<FIELD>` variables: nested with `__`, lists and maps as JSON, as every other
setting. In `demo` mode every group passes through its `for_demo`, which points each URL
left at its live default at the simulator (`OW_SIMULATOR_URL`), so the real client code
runs against the local fake books.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from functools import cache, lru_cache
from typing import Any, Literal, Self, TypeVar
from urllib.parse import urlsplit, urlunsplit
from zoneinfo import ZoneInfo

from pydantic import BaseModel, Field, PrivateAttr, SecretStr, ValidationError, create_model
from pydantic_settings import BaseSettings, SettingsConfigDict

from oddswatch.errors import ConfigError

_SOURCES = SettingsConfigDict(
    env_prefix="OW_", env_nested_delimiter="__", env_file=".env", extra="ignore"
)


class ProviderSettings(BaseModel):
    """The base of a provider's settings group, declared in the provider's package and
    read from `OW_<NAME>__<FIELD>` by `Settings.group`. Every field needs a default (the
    live value): a provider that lacks what it needs raises NotConfigured when built."""

    def for_demo(self, simulator_url: str) -> Self:
        """This group pointed at the simulator: every `*_url` still at its live default gets
        the simulator's scheme (`ws`/`wss` for a websocket) and host, same path and query.

        A group that needs more in demo mode extends this."""
        sim = urlsplit(simulator_url)
        ws_scheme = "wss" if sim.scheme == "https" else "ws"
        live = type(self)()
        changes: dict[str, str] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if not name.endswith("_url") or value != getattr(live, name):
                continue
            parts = urlsplit(value)
            scheme = ws_scheme if parts.scheme in ("ws", "wss") else sim.scheme
            changes[name] = urlunsplit((scheme, sim.netloc, parts.path, parts.query, ""))
        return self.model_copy(update=changes)


G = TypeVar("G", bound=ProviderSettings)


class Settings(BaseSettings):
    model_config = _SOURCES

    mode: Literal["demo", "live"] = "demo"
    broker_url: str = "redis://127.0.0.1:6379/0"
    redis_url: str = "redis://127.0.0.1:6379/1"
    database_url: str = "postgresql://postgres@127.0.0.1:5432/oddswatch"
    timezone: str = "America/New_York"
    providers: list[str] = ["draftkings", "bovada", "betmgm", "fanduel"]
    leagues: list[str] = ["nba", "nfl", "mlb", "nhl"]
    simulator_url: str = "http://127.0.0.1:8700"
    chromium_path: str = "/usr/bin/chromium"

    # A dead worker's leases expire within the TTL; every lease of a process is renewed in
    # one pipeline per interval (tasks' LeaseKeeper), so a short TTL stays cheap.
    lease_ttl_ms: int = 4_000
    lease_renew_s: float = 1.0
    dispatch_ttl_s: int = 120
    list_maxlen: int = 1_000
    list_ttl_s: int = 86_400
    board_ttl_s: int = 86_400
    stream_key: str = "ow:updates"
    stream_maxlen: int = 5_000_000
    monitor_lead_s: int = 900
    max_game_duration_s: dict[str, int] = {
        "nba": 4 * 3600,
        "nfl": 5 * 3600,
        "mlb": 6 * 3600,
        "nhl": 4 * 3600,
    }
    default_max_game_duration_s: int = 5 * 3600
    idle_limit_s: float = 900.0
    heartbeat_s: float = 10.0
    backoff_base_s: float = 0.5
    backoff_cap_s: float = 30.0
    reconcile_every_s: float = 3.0  # with the 4 s lease: a dead worker's games resume within ~8 s
    refresh_every_s: float = 900.0
    daily_scrape_at: str = "06:00"
    persist_consumers: int = 1
    persist_batch: int = 5_000
    persist_block_ms: int = 1_000
    persist_claim_idle_ms: int = 60_000
    persist_probe_s: float = 0.5  # while a history sink or Redis is down: check this often
    partition_days_ahead: int = 7
    retention_days: int = 0  # 0 keeps every partition
    flower_user: str = "admin"
    flower_password: SecretStr | None = None
    # Where updates land (sinks by name): `redis` is the live path and the stream the
    # others are fed from; each other one gets the stream through a persister.
    sinks: list[str] = ["redis", "postgres"]
    fs_sink_dir: str = "var/odds"

    # How this object was read (`_env_file=...`), so that its groups are read the same way.
    _read_options: dict[str, Any] = PrivateAttr(default_factory=dict)
    _groups: dict[str, ProviderSettings] = PrivateAttr(default_factory=dict)

    def __init__(self, **values: Any) -> None:
        super().__init__(**values)
        self._read_options = {key: value for key, value in values.items() if key.startswith("_")}

    def group(self, name: str, model: type[G]) -> G:
        """Provider `name`'s settings group, read from `OW_<NAME>__*` on first use (in demo
        mode through `for_demo`) and kept. Invalid values raise ConfigError."""
        if name not in self._groups:
            self._groups[name] = self._for_mode(_read_group(name, model, self._read_options))
        group = self._groups[name]
        if not isinstance(group, model):
            raise TypeError(f"settings group {name!r} is a {type(group).__name__}, not {model}")
        return group

    def with_group(self, name: str, group: ProviderSettings) -> Self:
        """A copy of these settings whose `name` group is `group`: the way to set a group in
        code. It is treated as one read from the environment (in demo mode its URLs still at
        their live defaults point at the simulator)."""
        copy = self.model_copy()
        copy._groups = {**self._groups, name: self._for_mode(group)}
        return copy

    def _for_mode(self, group: G) -> G:
        return group.for_demo(self.simulator_url) if self.mode == "demo" else group

    def max_duration_s(self, league: str) -> int:
        return self.max_game_duration_s.get(league, self.default_max_game_duration_s)

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def today(self, now: datetime | None = None) -> date:
        return (now or datetime.now(UTC)).astimezone(self.tz).date()

    def day_window(self, day: date) -> tuple[datetime, datetime]:
        """[local midnight, next local midnight) of a day in the configured zone, as UTC."""
        start = datetime.combine(day, time(0), tzinfo=self.tz)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=self.tz)
        return start.astimezone(UTC), end.astimezone(UTC)


class _GroupSource(BaseSettings):
    """Reads one group, as the only field of a subclass named after its provider, by the
    same rules (prefix, nesting, JSON, `.env`) as `Settings`."""

    model_config = _SOURCES


@cache
def _group_source(name: str, model: type[ProviderSettings]) -> type[_GroupSource]:
    fields: dict[str, Any] = {name: (model, Field(default_factory=model))}
    return create_model(f"{model.__name__}Source", __base__=_GroupSource, **fields)


def _read_group(name: str, model: type[G], options: dict[str, Any]) -> G:
    try:
        group: G = getattr(_group_source(name, model)(**options), name)
    except ValidationError as exc:
        raise ConfigError(f"invalid settings: {_invalid(exc)}") from None
    return group


def _invalid(exc: ValidationError) -> str:
    """Which variables are wrong and why, never their values (they may be secrets)."""
    return "; ".join(
        f"OW_{'__'.join(str(part) for part in error['loc']).upper()}: {error['msg']}"
        for error in exc.errors()
    )


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process's settings, read once. Tests build their own `Settings(...)`."""
    return Settings()


__all__ = ["ProviderSettings", "Settings", "get_settings"]
