"""The poison fault on DraftKings's records (simulator/poison.py): the values of a type 35
or 24 record that may carry it, and the frame's `sentAt` for a bad date (records have no
time field). msgpack has NaN and Infinity, but no integer beyond 64 bits: huge numbers
are 2**64-1, -2**63 and the largest double."""

from __future__ import annotations

from typing import Any

from msgpack import Timestamp

from oddswatch.model import Market
from simulator.game import Game, Quote
from simulator.poison import BAD_DATE_TEXT, YEAR_0_S, YEAR_99999_S, Kind, Poison, Slot, replaced

# Payload positions of (label, odds_array, odds_decimal, line) per record type.
_AT = {35: (2, 3, 4, 5), 24: (1, 2, 3, 4)}
# `sentAt` values no datetime holds (year 0, year 99999), a negative epoch, a bad date text.
BAD_SENT_AT = (Timestamp(YEAR_0_S), Timestamp(YEAR_99999_S), Timestamp(-1), BAD_DATE_TEXT)

Record = list[Any]


def slots(record: Record, quote: Quote) -> list[Slot]:
    """The poisonable values of a record: American text and decimals of its odds array
    (when it carries one), its decimal, its line (spreads and totals), its label."""
    label, odds, decimal, line = _AT[record[0]]
    found = [Slot((1, decimal), "price"), Slot((1, label), "label", text=True)]
    if isinstance(record[1][odds], list):
        found += [Slot((1, odds, 0), "price", text=True), Slot((1, odds, 1), "price")]
    if quote.line is not None:
        found.append(Slot((1, line), "line"))
    return found


def wrong_label(game: Game, quote: Quote) -> str:
    """A label naming a side the market does not have: "Over" on a moneyline or a spread,
    the home team on a total (the client reads the side from the label first)."""
    return game.home if quote.market is Market.TOTAL else "Over"


def dose(
    poison: Poison, game: Game, quote: Quote, record: Record, *, dated: bool
) -> tuple[Record, Kind | None]:
    if not poison.armed(game):
        return record, None
    label_at = (1, _AT[record[0]][0])
    return poison.dose(
        game,
        quote,
        record,
        slots(record, quote),
        json_wire=False,
        side=lambda r: replaced(r, label_at, wrong_label(game, quote)),
        dated=dated,
    )
