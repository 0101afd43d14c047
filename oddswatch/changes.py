"""The change filter, the only one: an update whose price equals the last one seen for its
selection is not a change and is dropped. Streams emit every price they read; the monitor
filters, seeded from the board so a resumed monitor does not re-write prices the previous
run already stored."""

from __future__ import annotations

from collections.abc import Iterable

from oddswatch.model import OddsUpdate, PriceStatus, Selection

PriceKey = tuple[float | None, int, float, PriceStatus]


class ChangeFilter:
    def __init__(self, seed: Iterable[OddsUpdate | Selection] = ()) -> None:
        self._last: dict[str, PriceKey] = {u.selection_id: u.price_key for u in seed}

    def __len__(self) -> int:
        return len(self._last)

    def changed(self, batch: Iterable[OddsUpdate]) -> list[OddsUpdate]:
        """The updates of `batch` that change their selection's price; remembers them."""
        kept: list[OddsUpdate] = []
        last = self._last
        for update in batch:
            key = update.price_key
            if last.get(update.selection_id) != key:
                last[update.selection_id] = key
                kept.append(update)
        return kept
