"""Loud once, quiet after: a stream logs each kind of trouble at WARNING the first time
and at DEBUG on every repeat, so a drifting book is visible without flooding the logs.
The set of kinds seen is bounded; past the bound, new kinds log at DEBUG."""

from __future__ import annotations

import logging
from collections.abc import Hashable, Mapping

MAX_KINDS = 256


class FirstWarning:
    def __init__(self, logger: logging.Logger, max_kinds: int = MAX_KINDS) -> None:
        self._logger, self._max = logger, max_kinds
        self._seen: set[Hashable] = set()

    def log(
        self,
        kind: Hashable,
        message: str,
        extra: Mapping[str, object],
        level: int = logging.WARNING,
    ) -> None:
        """`level` the first time `kind` is seen, DEBUG after."""
        first = kind not in self._seen and len(self._seen) < self._max
        if first:
            self._seen.add(kind)
        self._logger.log(level if first else logging.DEBUG, message, extra=extra)
