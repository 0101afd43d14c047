"""The worker lifecycle: JSON logs, a report of what is enabled, the engine's warm
shutdown (monitors flush, release and re-queue) and its stop."""

from __future__ import annotations

import logging
from typing import Any

from celery.signals import setup_logging, worker_ready, worker_shutdown, worker_shutting_down

from oddswatch import logs
from oddswatch.errors import ConfigError, OddswatchError
from oddswatch.settings import Settings, get_settings
from providers.base import load_builtin, providers
from sinks.enabled import describe as describe_sinks
from tasks.engine import current_runtime, stop_runtime

logger = logging.getLogger(__name__)


@setup_logging.connect
def _logging(**_: Any) -> None:
    logs.configure()


@worker_ready.connect
def _report_plugins(**_: Any) -> None:
    settings = get_settings()
    load_builtin()
    for name in providers.names():
        if name not in settings.providers:
            logger.info("provider disabled", extra={"provider": name, "why": "not in OW_PROVIDERS"})
            continue
        try:
            providers.get(name).from_settings(settings)
        except ConfigError as exc:  # lacking (NotConfigured) or invalid settings
            logger.warning("provider not configured", extra={"provider": name, "why": str(exc)})
        else:
            logger.info("provider enabled", extra={"provider": name, "mode": settings.mode})
    _report_sinks(settings)


_SINK_STATES = {
    "enabled": (logging.INFO, "sink enabled"),
    "disabled": (logging.INFO, "sink disabled"),
    "not configured": (logging.WARNING, "sink not configured"),
}


def _report_sinks(settings: Settings) -> None:
    try:
        states = describe_sinks(settings)
    except OddswatchError as exc:  # OW_SINKS without redis, or an unknown name
        logger.error("sinks misconfigured", extra={"why": str(exc)})
        return
    for name, state, why in states:
        level, message = _SINK_STATES[state]
        logger.log(level, message, extra={"sink": name, "why": why})


@worker_shutting_down.connect
def _warm_shutdown(**_: Any) -> None:
    runtime = current_runtime()
    if runtime is not None:
        runtime.request_shutdown()


@worker_shutdown.connect
def _stop_engine(**_: Any) -> None:
    stop_runtime()
