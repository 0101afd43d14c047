"""The poison fault on Bovada's pushes (simulator/poison.py): the values of an outcome
that may carry it, and the body's `lastModified` for a bad date (outcomes have no time
field). A body that carries poison is written by the standard library's JSON encoder
(10**30 and deep nesting, which orjson does not write; never a NaN token)."""

from __future__ import annotations

from functools import partial
from typing import Any

from oddswatch.model import Market
from simulator.bovada import view
from simulator.game import Game, Quote
from simulator.poison import BAD_DATE_TEXT, BAD_EPOCHS_MS, Kind, Poison, Slot, replaced

BAD_LAST_MODIFIED = (*BAD_EPOCHS_MS, BAD_DATE_TEXT)
_PRICE_ROLES = (("american", "price"), ("decimal", "price"), ("handicap", "line"))

Body = dict[str, Any]


def slots(outcome: dict[str, Any], quote: Quote) -> list[Slot]:
    """Its description, and each value of its price (`american`, `decimal` and, for
    spreads and totals, `handicap`), as the price is written now (the schema fault
    writes numbers)."""
    price = outcome["price"]
    found = [Slot(("description",), "label", text=True)]
    for key, role in _PRICE_ROLES:
        if key in price and (role == "price" or quote.line is not None):
            found.append(Slot(("price", key), role, text=isinstance(price[key], str)))
    return found


def wrong_side(quote: Quote, outcome: dict[str, Any]) -> dict[str, Any]:
    """The outcome with a `type` marker its market does not have: `O` (over) on a
    moneyline or a spread, `H` (home) on a total."""
    return {**outcome, "type": "H" if quote.market is Market.TOTAL else "O"}


def dose_body(
    poison: Poison, game: Game, body: Body, quotes: list[Quote], clean: set[str]
) -> tuple[Body, dict[str, Kind]]:
    """The delta body with its outcomes poisoned at the poison's rate (those of `clean`
    model selection ids never), and the kind each poisoned selection got."""
    poisoned: dict[str, Kind] = {}
    if not poison.armed(game):
        return body, poisoned
    by_outcome = {view.outcome_id(quote): quote for quote in quotes}
    for m, market in enumerate(body["markets"]):
        for o, outcome in enumerate(market["outcomes"]):
            quote = by_outcome[outcome["id"]]
            if quote.selection_id in clean:
                continue
            dated = Kind.BAD_DATE not in poisoned.values()
            new, kind = poison.dose(
                game, quote, outcome, slots(outcome, quote),
                json_wire=True, side=partial(wrong_side, quote), dated=dated,
            )  # fmt: skip
            if kind is Kind.BAD_DATE:
                body = {**body, "lastModified": poison.pick(BAD_LAST_MODIFIED)}
            elif kind is not None:
                body = replaced(body, ("markets", m, "outcomes", o), new)
            if kind is not None:
                poisoned[quote.selection_id] = kind
    return body, poisoned
