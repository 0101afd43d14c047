"""The poison fault on FanDuel's getMarketPrices replies (simulator/poison.py): the
values of a main market's runner that may carry it. A runner has no label and no side,
and the reply no time field, so there are no wrong sides and no bad dates here. A reply
that carries poison is written by the standard library's JSON encoder (10**30 and deep
nesting, which orjson does not write; never a NaN token). The extra (first-half) market,
which clients leave out, is never poisoned."""

from __future__ import annotations

from typing import Any, NamedTuple

from simulator.fanduel.wire import DRIFTED_AMERICAN, Extra, Ids
from simulator.game import Quote
from simulator.poison import Kind, Poison, Slot, get_in

_PRICES = (
    ("winRunnerOdds", "americanDisplayOdds", "americanOdds"),
    ("winRunnerOdds", DRIFTED_AMERICAN, "odds"),  # where the schema fault moves it
    ("winRunnerOdds", "trueOdds", "decimalOdds", "decimalOdds"),
)

Reply = list[dict[str, Any]]


def slots(runner: dict[str, Any], quote: Quote) -> list[Slot]:
    """Each price value the runner carries and, for spreads and totals, its handicap."""
    found = [Slot(path, "price") for path in _PRICES if _has(runner, path)]
    if quote.line is not None:
        found.append(Slot(("handicap",), "line"))
    return found


def _has(value: Any, path: tuple[str, ...]) -> bool:
    try:
        get_in(value, path)
    except (KeyError, TypeError):
        return False
    return True


class Dosed(NamedTuple):
    reply: Reply
    poisoned: dict[str, Kind]  # model selection id -> the kind its runner got
    served: set[str]  # model selection ids of every main runner in the reply


def dose_reply(poison: Poison, ids: Ids, reply: Reply, clean: set[str]) -> Dosed:
    """The reply with its main runners poisoned at the poison's rate (those of `clean`
    model selection ids never)."""
    if not poison.on and not clean:
        return Dosed(reply, {}, set())
    dosed = Dosed([], {}, set())
    for market in reply:
        ref = ids.markets[market["marketId"]]
        if ref.kind is Extra:
            dosed.reply.append(market)
            continue
        by_runner = {ids.runner_of[(sid, False)]: q for sid, q in ref.game.quotes.items()}
        runners = []
        for runner in market["runnerDetails"]:
            quote = by_runner[runner["selectionId"]]
            dosed.served.add(quote.selection_id)
            sent, kind = runner, None
            if quote.selection_id not in clean:
                sent, kind = poison.dose(
                    ref.game, quote, runner, slots(runner, quote), json_wire=True
                )
            if kind is not None:
                dosed.poisoned[quote.selection_id] = kind
            runners.append(sent)
        dosed.reply.append(market | {"runnerDetails": runners})
    return dosed
