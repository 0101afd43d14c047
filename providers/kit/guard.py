"""The one guard between a source's payloads and the rest of oddswatch.

`Guard.failure(exc, payload)` turns any exception raised while decoding or applying one
record into a counted skip under its reason (`providers.kit.skips`): `Skip` under its
own, SchemaDrift as drift, ParseError as parse_error, InvalidPrice as invalid_value,
anything else as bug with the exception type. TransportError is not a record's fault
and is never swallowed: the caller re-raises it so the connection ends.

Each kind of trouble is logged at WARNING the first time (bugs with their traceback)
with the raw payload kept whole, at DEBUG after, so a drifting book is loud without
flooding the logs.
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Hashable, Mapping

from oddswatch.errors import InvalidPrice, ParseError, SchemaDrift
from oddswatch.metrics import StreamStats
from providers.warnings import FirstWarning

from .skips import STATS_FIELD, Reason, Skip


def payload_text(raw: bytes | str | None) -> str | None:
    """The whole payload as text: UTF-8 as is, other bytes as `base64:...`."""
    if raw is None or isinstance(raw, str):
        return raw
    try:
        return raw.decode()
    except UnicodeDecodeError:
        return "base64:" + base64.b64encode(raw).decode()


def classify(exc: BaseException) -> tuple[Reason, str]:
    """The reason and constant message of an exception raised on one record."""
    if isinstance(exc, Skip):
        return exc.reason, exc.message
    if isinstance(exc, SchemaDrift):
        return Reason.DRIFT, "record shape drift"
    if isinstance(exc, ParseError | UnicodeDecodeError):
        return Reason.PARSE_ERROR, "payload not decodable"
    if isinstance(exc, InvalidPrice):
        return Reason.INVALID_VALUE, "value not readable"
    return Reason.BUG, "unexpected error on a record"


class Guard:
    """Counts and logs the skips of one stream."""

    def __init__(
        self,
        provider: str,
        stats: StreamStats,
        logger: logging.Logger,
        context: Mapping[str, object],
    ) -> None:
        self.provider, self.stats, self._logger = provider, stats, logger
        self._context = {"provider": provider, **context}
        self._warnings = FirstWarning(logger)

    def note(
        self,
        reason: Reason,
        message: str,
        raw: bytes | str | None = None,
        exc: BaseException | None = None,
        kind: Hashable = None,
        **fields: object,
    ) -> None:
        """Count one `reason`; log it (WARNING the first time per reason, message and
        `kind`, an ERROR with the traceback for a bug), DEBUG after."""
        name = STATS_FIELD[reason]
        setattr(self.stats, name, getattr(self.stats, name) + 1)
        key = (reason, message, kind)
        extra = {**self._context, "reason": reason.value, **fields}
        if raw is not None and self._warnings.first(key):
            extra["payload"] = payload_text(raw)  # only the logged first: it is whole
        level = logging.ERROR if reason is Reason.BUG else logging.WARNING
        self._warnings.log(key, message, extra, level, exc)

    def failure(self, exc: Exception, raw: bytes | str | None, **fields: object) -> None:
        """Count and log an exception raised on one record or payload."""
        reason, message = classify(exc)
        detail = dict(exc.fields) if isinstance(exc, Skip) else {"error": _describe(exc)}
        if reason is Reason.BUG:
            detail["error_type"] = type(exc).__name__
        bug = reason is Reason.BUG
        kind = type(exc).__name__ if bug else None
        self.note(reason, message, raw, exc if bug else None, kind, **detail, **fields)


def _describe(exc: BaseException) -> str:
    """The exception's message, bounded (it may quote a huge value)."""
    try:
        text = str(exc)
    except Exception:  # a value whose str() fails
        return type(exc).__name__
    return text if len(text) <= 500 else text[:500] + "…"


__all__ = ["Guard", "Reason", "Skip", "classify", "payload_text"]
