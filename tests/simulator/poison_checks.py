"""What a test sees of the poison fault: each book's records read back from the wire and
judged value by value, independently of how the simulator poisons them.

`kinds_of_<book>(...)` returns the poison kinds found in one record (a clean record: []);
values a clean record never carries but no kind explains come back as "unknown".
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from msgpack import Timestamp

from simulator.poison import DEEP_LEVELS, HUGE_TEXT

KINDS = (
    "huge_number",
    "huge_string",
    "nan",
    "wrong_type",
    "deep_nesting",
    "empty_string",
    "negative_total",
    "wrong_side",
    "bad_date",
)
RATE = 0.3  # the share of records the tests poison
NAN_TEXTS = ("NaN", "Infinity", "-Infinity")
HUGE_TEXTS = (str(10**30), "1e309", "-1e309")
AMERICAN_TEXT = re.compile(r"^([+\-\u2212]\d{3,5}|EVEN)$")
DECIMAL_TEXT = re.compile(r"^\d{1,3}\.\d{3}$")
LINE_TEXT = re.compile(r"^[+\-]?\d{1,3}(\.\d)?$")
SIDES = {"ML": ("away", "home"), "HC": ("away", "home"), "OU": ("over", "under")}

Valid = Callable[[Any], bool]


@dataclass
class Tally:
    """Records read back from the wire, and the poison kinds found in them."""

    records: int = 0
    kinds: Counter[str] = field(default_factory=Counter)
    last: dict[str, list[str]] = field(default_factory=dict)  # selection id -> its kinds

    def record(self, sid: str, found: list[str], *, whole: bool = True) -> None:
        assert "unknown" not in found and len(found) <= 1, (sid, found)  # one value at most
        if self.last.get(sid):
            assert not found and whole, f"{sid}: a poisoned record must be followed by a clean one"
        self.records += 1
        self.kinds.update(found)
        self.last[sid] = found

    def message(self, found: list[str]) -> None:
        """A poisoned time field stands for one of the message's records."""
        self.kinds.update(found)

    @property
    def poisoned(self) -> int:
        return sum(self.kinds.values())

    def assert_matches(self, stats: dict[str, int]) -> None:
        assert {k: stats[f"poisoned_{k}"] for k in KINDS} == {k: self.kinds[k] for k in KINDS}
        assert stats["poisoned"] == self.poisoned

    def assert_share(self, kinds: tuple[str, ...] = KINDS) -> None:
        assert set(kinds) <= set(self.kinds), f"kinds never seen: {set(kinds) - set(self.kinds)}"
        assert 0.1 < self.poisoned / self.records < RATE + 0.1, (self.poisoned, self.records)


def market_side(selection_id: str) -> tuple[str, str]:
    """A model selection id's market code (ML, HC, OU) and side."""
    code = selection_id[1:3]
    return code, SIDES[code][0 if selection_id.endswith("_1") else 1]


def depth(value: Any) -> int:
    levels = 0
    while isinstance(value, list) and value:
        value, levels = value[0], levels + 1
    return levels


def number(low: float, high: float) -> Valid:
    def valid(value: Any) -> bool:
        return type(value) in (int, float) and math.isfinite(value) and low <= value <= high

    return valid


def matches(pattern: re.Pattern[str]) -> Valid:
    return lambda value: isinstance(value, str) and pattern.match(value) is not None


PRICE = number(1.0001, 1000.0)  # a decimal price
AMERICAN = number(-100_000, 100_000)
LINE = number(-500.0, 500.0)


def judge(value: Any, valid: Valid, *, text: bool) -> str | None:
    """None for a valid value, else the kind of poison it is."""
    if valid(value):
        return None
    if isinstance(value, list) and depth(value) >= DEEP_LEVELS:
        return "deep_nesting"
    if isinstance(value, dict | list | bool):
        return "wrong_type"
    found = _scalar(value, text=text)
    if found is None and not text and isinstance(value, str):
        return "wrong_type"
    return found or "unknown"


def _scalar(value: Any, *, text: bool) -> str | None:
    if value == "":
        return "empty_string"
    if value == HUGE_TEXT:
        return "huge_string"
    if value in NAN_TEXTS or (isinstance(value, float) and not math.isfinite(value)):
        return "nan"
    if isinstance(value, int | float) and abs(value) >= 1e18:
        return "huge_number"
    return "huge_number" if text and value in HUGE_TEXTS else None


def line_kinds(value: Any, valid: Valid, *, total: bool, text: bool = False) -> list[str]:
    found = judge(value, valid, text=text)
    if found is None and total and float(value) < 0:
        found = "negative_total"
    return [] if found is None else [found]


def label_kinds(value: Any, expected: str, *, side_by_label: bool) -> list[str]:
    if value == expected:
        return []
    if value == "":
        return ["empty_string"]
    return ["wrong_side" if side_by_label and isinstance(value, str) else "unknown"]


def sane_time(value: datetime) -> bool:
    return abs(value - datetime.now(UTC)) < timedelta(days=2)


# -- DraftKings ------------------------------------------------------------------------

DK_AT = {35: (2, 3, 4, 5), 24: (1, 2, 3, 4)}  # label, odds array, decimal, line


def kinds_of_dk(record: list[Any], labels: dict[str, str]) -> list[str]:
    """One type 35 or 24 record; `labels`: model selection id -> its DraftKings label."""
    code, payload = record
    sid = payload[0]
    label_at, odds_at, decimal_at, line_at = DK_AT[code]
    found = []
    if payload[label_at] is not None:
        found += label_kinds(payload[label_at], labels[sid], side_by_label=True)
    odds = payload[odds_at]
    if odds is not None:
        found += _kind(judge(odds[0], matches(AMERICAN_TEXT), text=True))
        found += _kind(judge(odds[1], PRICE, text=False))
    if payload[decimal_at] is not None:
        found += _kind(judge(payload[decimal_at], PRICE, text=False))
    if payload[line_at] is not None:
        found += line_kinds(payload[line_at], LINE, total=sid.startswith("0OU"))
    return found


def dk_sent_at_kinds(sent_at: Any) -> list[str]:
    if isinstance(sent_at, Timestamp):
        try:
            if sane_time(sent_at.to_datetime()):
                return []
        except (OverflowError, ValueError):
            pass
    return ["bad_date"]


# -- Bovada ----------------------------------------------------------------------------

BOVADA_MARKERS = {"away": "A", "home": "H", "over": "O", "under": "U"}


def kinds_of_bovada(outcome: dict[str, Any], sid: str, label: str) -> list[str]:
    """One pushed outcome of the model selection `sid` whose description is `label`."""
    code, side = market_side(sid)
    found = label_kinds(outcome["description"], label, side_by_label=False)
    if outcome["type"] != BOVADA_MARKERS[side]:
        mine = {BOVADA_MARKERS[s] for s in SIDES[code]}
        found.append("unknown" if outcome["type"] in mine else "wrong_side")
    price = outcome["price"]
    found += _kind(judge(price["american"], matches(AMERICAN_TEXT), text=True))
    found += _kind(judge(price["decimal"], matches(DECIMAL_TEXT), text=True))
    if code != "ML":
        found += line_kinds(price["handicap"], matches(LINE_TEXT), total=code == "OU", text=True)
    return found


def bovada_time_kinds(last_modified: Any) -> list[str]:
    if type(last_modified) is int:
        try:
            if sane_time(datetime.fromtimestamp(last_modified / 1000, UTC)):
                return []
        except (OverflowError, OSError, ValueError):
            pass
    return ["bad_date"]


# -- BetMGM ----------------------------------------------------------------------------


def kinds_of_betmgm(option: dict[str, Any], sid: str, label: str) -> list[str]:
    """One main-market option of the model selection `sid` named `label`."""
    code, _ = market_side(sid)
    found = label_kinds(option["name"]["value"], label, side_by_label=False)
    if code == "OU":
        found += [] if option.get("totalsPrefix") in ("Over", "Under") else ["wrong_side"]
    elif "participantId" not in option:
        found.append("wrong_side" if option.get("totalsPrefix") else "unknown")
    price = option["price"]
    found += _kind(judge(price["americanOdds"], AMERICAN, text=False))
    found += _kind(judge(price["odds"], PRICE, text=False))
    if code != "ML":
        found += line_kinds(option["attr"], matches(LINE_TEXT), total=code == "OU", text=True)
    return found


def betmgm_time_kinds(start: Any) -> list[str]:
    try:
        parsed = datetime.fromisoformat(start)
    except (TypeError, ValueError):
        return ["bad_date"]
    return [] if abs(parsed - datetime.now(UTC)) < timedelta(days=2) else ["bad_date"]


# -- FanDuel ---------------------------------------------------------------------------


def kinds_of_fanduel(runner: dict[str, Any], sid: str) -> list[str]:
    """One main-market runner of the model selection `sid`."""
    code, _ = market_side(sid)
    odds = runner["winRunnerOdds"]
    found = _kind(judge(odds["americanDisplayOdds"]["americanOdds"], AMERICAN, text=False))
    found += _kind(judge(odds["trueOdds"]["decimalOdds"]["decimalOdds"], PRICE, text=False))
    handicap = runner["handicap"]
    if code == "ML":
        found += [] if handicap == 0 else ["unknown"]
    else:
        found += line_kinds(handicap, LINE, total=code == "OU")
    return found


def _kind(found: str | None) -> list[str]:
    return [] if found is None else [found]
