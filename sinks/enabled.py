"""Which sinks a deployment writes to: the `sinks` setting (`OW_SINKS`), found by name
through the sink registry.

`redis` is the live sink: monitors write every update to its list, board and stream, and
it is required. Every other enabled sink is a history sink, fed from the stream by a
persister of its own (its own consumer group, so a Postgres outage does not hold back the
files, nor the reverse). A history sink that lacks its configuration raises NotConfigured:
it is left out and the worker says why at start; an unknown name fails loudly.
"""

from __future__ import annotations

import importlib
import logging

from oddswatch.errors import ConfigError, NotConfigured
from oddswatch.settings import Settings
from sinks.base import Sink, sinks
from sinks.keys import persist_group

logger = logging.getLogger(__name__)

LIVE_SINK = "redis"
BUILTIN = ("fs", "memory", "postgres", "redis")


def load_builtin() -> None:
    """Import the built-in sinks so they register."""
    for name in BUILTIN:
        importlib.import_module(f"sinks.{name}")


def history_sink_names(settings: Settings) -> list[str]:
    """The enabled sinks fed by persisters, in setting order; checks every name."""
    load_builtin()
    if LIVE_SINK not in settings.sinks:
        raise ConfigError(
            f"OW_SINKS must include {LIVE_SINK!r}: the live sink and the stream the others"
            f" are fed from (got {settings.sinks})"
        )
    names = [name for name in dict.fromkeys(settings.sinks) if name != LIVE_SINK]
    for name in names:
        sinks.get(name)  # UnknownPlugin names the known ones
    return names


def history_groups(settings: Settings) -> list[str]:
    """The stream consumer groups of the enabled history sinks."""
    return [persist_group(name) for name in history_sink_names(settings)]


def build_history_sinks(settings: Settings) -> list[Sink]:
    """One instance of every enabled, configured history sink."""
    built = []
    for name in history_sink_names(settings):
        try:
            built.append(sinks.get(name).from_settings(settings))
        except NotConfigured as exc:
            logger.warning("sink not configured", extra={"sink": name, "why": str(exc)})
    return built


def describe(settings: Settings) -> list[tuple[str, str, str]]:
    """(sink, "enabled" | "disabled" | "not configured", why) for every registered sink,
    for the worker's report at start."""
    enabled = set(history_sink_names(settings))
    report = []
    for name in sinks.names():
        if name == LIVE_SINK:
            report.append((name, "enabled", "the live sink"))
        elif name not in enabled:
            report.append((name, "disabled", "not in OW_SINKS"))
        else:
            report.append(_configured(name, settings))
    return report


def _configured(name: str, settings: Settings) -> tuple[str, str, str]:
    try:  # building a sink opens nothing (connections open on first use)
        sinks.get(name).from_settings(settings)
    except NotConfigured as exc:
        return name, "not configured", str(exc)
    return name, "enabled", f"history, consumer group {persist_group(name)!r}"
