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

    def first(self, kind: Hashable) -> bool:
        """True if `kind` has not been logged yet (and there is room to remember it)."""
        return kind not in self._seen and len(self._seen) < self._max

    def log(
        self,
        kind: Hashable,
        message: str,
        extra: Mapping[str, object],
        level: int = logging.WARNING,
        exc_info: BaseException | None = None,
    ) -> None:
        """`level` the first time `kind` is seen (with `exc_info`'s traceback), DEBUG after."""
        first = self.first(kind)
        if first:
            self._seen.add(kind)
            self._logger.log(level, message, extra=extra, exc_info=exc_info)
        else:
            self._logger.debug(message, extra=extra)
