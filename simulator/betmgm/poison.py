"""The poison fault on BetMGM's fixture-view responses (simulator/poison.py): the values
of a main market's option that may carry it, and the fixture's `startDate` for a bad
date (options have no time field). A response that carries poison is written by the
standard library's JSON encoder (10**30 and deep nesting, which orjson does not write;
never a NaN token). The first-half market, which clients skip, is never poisoned."""

from __future__ import annotations

from functools import partial
from typing import Any

from oddswatch.model import Market
from simulator.betmgm import wire
from simulator.game import Game, Quote
from simulator.poison import BAD_ISO_DATES, Kind, Poison, Slot, replaced

BAD_START_DATES = (*BAD_ISO_DATES, -1)  # -1: a negative epoch where ISO text belongs
_PRICE_KEYS = ("americanOdds", "odds")

Option = dict[str, Any]


def slots(option: Option, quote: Quote) -> list[Slot]:
    """Its name, each value of its price (as written now: the schema fault writes
    `americanOdds` as text) and, for spreads and totals, its `attr` (the line, text)."""
    price = option["price"]
    found = [Slot(("name", "value"), "label", text=True)]
    found += [
        Slot(("price", key), "price", text=isinstance(price[key], str))
        for key in _PRICE_KEYS
        if key in price
    ]
    if quote.line is not None and "attr" in option:
        found.append(Slot(("attr",), "line", text=True))
    return found


def wrong_side(quote: Quote, option: Option) -> Option:
    """The option with a side marker its market does not have: a moneyline or spread
    option marked `totalsPrefix: "Over"` in place of its `participantId`, a total
    marked `totalsPrefix: "Home"`."""
    if quote.market is Market.TOTAL:
        return {**option, "totalsPrefix": "Home"}
    marked = {key: value for key, value in option.items() if key != "participantId"}
    return marked | {"totalsPrefix": "Over"}


def dose_fixture(
    poison: Poison, game: Game, fixture: Any, clean: set[str]
) -> tuple[Any, dict[str, Kind]]:
    """The fixture with its main options poisoned at the poison's rate (those of `clean`
    model selection ids never), and the kind each poisoned selection got."""
    poisoned: dict[str, Kind] = {}
    if not poison.armed(game):
        return fixture, poisoned
    by_option = {int(wire.option_id(quote)): quote for quote in game.quotes.values()}
    for m, market in enumerate(fixture["optionMarkets"]):
        for o, option in enumerate(market["options"]):
            quote = by_option.get(option["id"])
            if quote is None or quote.selection_id in clean:
                continue
            dated = Kind.BAD_DATE not in poisoned.values()
            new, kind = poison.dose(
                game, quote, option, slots(option, quote),
                json_wire=True, side=partial(wrong_side, quote), dated=dated,
            )  # fmt: skip
            if kind is Kind.BAD_DATE:
                fixture = {**fixture, "startDate": poison.pick(BAD_START_DATES)}
            elif kind is not None:
                fixture = replaced(fixture, ("optionMarkets", m, "options", o), new)
            if kind is not None:
                poisoned[quote.selection_id] = kind
    return fixture, poisoned
