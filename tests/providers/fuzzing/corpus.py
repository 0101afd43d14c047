"""Written-out poisoned records: one per kind of trouble issue 8 names, per book.

Each `Poison` edits one selection's record in a valid payload of its book (a `Patch`,
scoped to that record): out-of-range dates, numbers of thousands of digits, an object
where a price belongs, odds so long that their decimal rounds to 1.0, a negative total,
an unreadable price left in a delta. `FRAMES` are whole frames no decoder reads into a
tree (Atmosphere handshakes). The suite runs the three properties over each of them
deterministically, next to Hypothesis's random search.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from oddswatch.model import Market

from .codecs import PLACEHOLDER, MsgpackCodec, Raw
from .mutate import Patch

HANDSHAKE = b"6f1d1f7e-4a3b-4c2d-9e8f-0a1b2c3d4e5f|{interval}|X|"


@dataclass(frozen=True, slots=True)
class Poison:
    book: str
    patch: Patch
    market: Market = Market.TOTAL  # the market of the selection whose record is poisoned

    @property
    def id(self) -> str:
        return f"{self.book}: {self.patch.name}"


def _patch(name: str, change: Any) -> Patch:
    return Patch(name, change)


# -- DraftKings: a delta record `[sid, label, odds, decimal, line, side, market id, tags]`
# or a full one `[sid, code, label, odds, decimal, line, ...]` (docs/draftkings-wire.md)


def _dk_sent_in_year_10000(tree: Any, record: Any) -> bytes:
    tree["params"]["sentAt"] = PLACEHOLDER
    year_10000 = MsgpackCodec.dates[2]
    assert isinstance(year_10000, Raw)
    return year_10000.data


def _dk_odds(text: str, decimal: float) -> Any:
    def change(tree: Any, record: Any) -> None:
        odds = 2 if len(record) == 8 else 3
        record[odds], record[odds + 1] = [text, decimal], decimal

    return change


# -- Bovada: an outcome `{id, description, status, type, price: {american, decimal, handicap}}`


def _bv_american(text: str) -> Any:
    def change(tree: Any, record: Any) -> None:
        record["price"]["american"] = text

    return change


def _bv_modified_in_1970(tree: Any, record: Any) -> None:
    tree["lastModified"] = 0


# -- BetMGM: an option `{id, name, status, price: {odds, americanOdds}, attr, ...}`


def _mgm_start(tree: Any, record: Any) -> None:
    tree["fixtures"][0]["startDate"] = "9999-12-31T23:59:59-12:00"


def _mgm_american_object(tree: Any, record: Any) -> None:
    record["price"]["americanOdds"] = {"value": -110}


def _mgm_negative_total(tree: Any, record: Any) -> None:
    record["attr"] = "-" + record["attr"]


# -- FanDuel: a runner `{selectionId, handicap, runnerStatus, winRunnerOdds: {...}}`


def _fd_american(value: object) -> Any:
    def change(tree: Any, record: Any) -> None:
        record["winRunnerOdds"]["americanDisplayOdds"]["americanOdds"] = value

    return change


POISONS = (
    Poison("draftkings", _patch("sentAt in the year 10000", _dk_sent_in_year_10000)),
    Poison("draftkings", _patch("American text of 5,000 digits", _dk_odds("9" * 5000, 2.0))),
    Poison("draftkings", _patch("odds of -10,000,000", _dk_odds("-10000000", 1.00001))),
    Poison("draftkings", _patch("odds text that is no price", _dk_odds("update", 1.77))),
    Poison("bovada", _patch("American of 400 digits", _bv_american("+" + "9" * 400))),
    Poison("bovada", _patch("American of 5,000 digits", _bv_american("-" + "9" * 5000))),
    Poison("bovada", _patch("lastModified in 1970", _bv_modified_in_1970)),
    Poison("betmgm", _patch("startDate 9999-12-31T23:59:59-12:00", _mgm_start)),
    Poison("betmgm", _patch("americanOdds an object", _mgm_american_object)),
    Poison("betmgm", _patch("a negative total", _mgm_negative_total)),
    Poison("fanduel", _patch("americanOdds text of 5,000 digits", _fd_american("9" * 5000))),
    Poison("fanduel", _patch("americanOdds of -10,000,000", _fd_american(-10_000_000))),
    Poison("fanduel", _patch("americanOdds 10**400", _fd_american(10**400))),
)

FRAMES = (
    (
        "bovada",
        "handshake heartbeat of 4,000 digits",
        HANDSHAKE.replace(b"{interval}", b"9" * 4000),
    ),
    (
        "bovada",
        "handshake heartbeat of 5,000 digits",
        HANDSHAKE.replace(b"{interval}", b"9" * 5000),
    ),
)
