"""The poison fault: a valid stream whose records now and then carry one poisoned value.

While a book's poison is armed (`POST /_sim/misbehave {"action": "poison", "rate"?}`, or
`SimConfig.poison_rate` / `oddswatch simulate --poison` from the start), each record it
sends (a DraftKings selection record, a Bovada outcome, a BetMGM option, a FanDuel
runner) is poisoned with probability `rate`: exactly one value the client reads is
replaced by one of these kinds (docs/<book>-wire.md says where, per book):

* huge_number: 10**30 in JSON (msgpack's integers end at 2**64-1, sent instead), ±the
  largest double; as text where the wire writes the value as text (`"1e309"` too);
* huge_string: `"9" * 5000`;
* nan: NaN and ±Infinity, as msgpack floats; JSON has no such token (orjson refuses
  them, and the frame would no longer be JSON), so there the strings `"NaN"`, `"Infinity"`;
* wrong_type: an object or a list holding the value, a number as a string, `true`;
* deep_nesting: the value inside lists nested DEEP_LEVELS deep;
* empty_string: `""`;
* negative_total: a total's line made negative;
* wrong_side: a side its market does not have (a moneyline "Over", a total "Home");
* bad_date: the message's time field, as records have none: year 0, year 99999, a
  negative epoch, `2026-13-45T99:99:99Z`.

Everything else stays valid: the frame or response still decodes (msgpack, JSON,
Atmosphere framing), the other records in it are untouched, and the market model's
price is not changed. A poisoned record is always followed by a clean one for the same
selection (websocket books re-send it whole on the next push; polling books serve it
clean in the next response), and that one is never poisoned. Choices come from a
random.Random seeded with the simulator's seed and the book's name, so the same records
in the same order are poisoned the same way.
"""

from __future__ import annotations

import json
import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, NamedTuple, TypeVar

from oddswatch.model import Market
from simulator.game import Game, Quote

T = TypeVar("T")

DEFAULT_RATE = 0.1  # the share of records poisoned when the fault is armed without a rate
# A value inside this many lists. The whole message must stay encodable and decodable:
# msgpack packs and unpacks up to 1024 levels, orjson parses up to 1024 (it serialises
# only 255, so poisoned JSON is written by the standard library), and the standard
# library's encoder recurses once per level under the interpreter's limit of 1000.
DEEP_LEVELS = 500
HUGE_TEXT = "9" * 5000
MAX_DOUBLE = 1.7976931348623157e308
YEAR_0_S = -62_167_219_200  # 0000-01-01T00:00:00Z, seconds since the epoch
YEAR_99999_S = 3_093_496_444_800  # 99999-01-01T00:00:00Z
BAD_DATE_TEXT = "2026-13-45T99:99:99Z"
BAD_ISO_DATES = (BAD_DATE_TEXT, "0000-01-01T00:00:00Z", "99999-01-01T00:00:00Z")
BAD_EPOCHS_MS = (YEAR_0_S * 1000, YEAR_99999_S * 1000, -1)


class Kind(StrEnum):
    HUGE_NUMBER = "huge_number"
    HUGE_STRING = "huge_string"
    NAN = "nan"
    WRONG_TYPE = "wrong_type"
    DEEP_NESTING = "deep_nesting"
    EMPTY_STRING = "empty_string"
    NEGATIVE_TOTAL = "negative_total"
    WRONG_SIDE = "wrong_side"
    BAD_DATE = "bad_date"


# Kinds that replace one value of the record itself (see `Slot`).
VALUE_KINDS = (
    Kind.HUGE_NUMBER,
    Kind.HUGE_STRING,
    Kind.NAN,
    Kind.WRONG_TYPE,
    Kind.DEEP_NESTING,
    Kind.EMPTY_STRING,
    Kind.NEGATIVE_TOTAL,
)

Path = tuple[str | int, ...]


class Slot(NamedTuple):
    """A value of a record the client reads: where it is, what it is, how it is written."""

    path: Path  # keys and indexes from the record down to the value
    role: str  # "price", "line" or "label"
    text: bool = False  # written as a string (`"-110"`, `"221.5"`) rather than a number


def fits(kind: Kind, slot: Slot, quote: Quote) -> bool:
    """Whether `kind` can poison `slot` of `quote`'s record."""
    if kind is Kind.EMPTY_STRING:
        return True
    if kind is Kind.NEGATIVE_TOTAL:
        return slot.role == "line" and quote.market is Market.TOTAL
    return slot.role in ("price", "line")


def get_in(value: Any, path: Path) -> Any:
    for key in path:
        value = value[key]
    return value


def replaced(value: Any, path: Path, new: Any) -> Any:
    """A copy of `value` with the item at `path` set to `new`; only the path is copied."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        return {**value, head: replaced(value[head], rest, new)}
    assert isinstance(head, int), "a list is indexed by position"
    items = list(value)
    items[head] = replaced(items[head], rest, new)
    return items


def nested(value: Any, levels: int = DEEP_LEVELS) -> list[Any]:
    """`value` inside `levels` lists: `[[[...[value]...]]]`."""
    deep: list[Any] = [value]
    for _ in range(levels - 1):
        deep = [deep]
    return deep


def dumps(value: Any) -> bytes:
    """JSON for a message that carries poison: numbers beyond 64 bits and deep nesting,
    which orjson refuses to write, and never a NaN or Infinity token."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False, separators=(",", ":"))
    return text.encode()


@dataclass(slots=True)
class Poison:
    """One book's poison fault: whether and how much it is armed, its RNG, its tallies."""

    rng: random.Random
    rate: float = 0.0  # 0: off
    event_id: str | None = None  # the model's id of the one game poisoned; None: every game
    left: float = math.inf  # records still to poison (`count`)
    counts: Counter[Kind] = field(default_factory=Counter)  # poisoned records delivered

    @classmethod
    def seeded(cls, seed: int, book: str, rate: float = 0.0) -> Poison:
        return cls(random.Random(f"{seed}:{book}:poison"), check_rate(rate))

    def arm(self, rate: float | None, event_id: str | None, count: int | None) -> None:
        self.rate = check_rate(DEFAULT_RATE if rate is None else rate)
        self.event_id = event_id
        self.left = math.inf if count is None else count

    def clear(self) -> None:
        self.rate, self.event_id, self.left = 0.0, None, math.inf

    @property
    def on(self) -> bool:
        return self.rate > 0 and self.left > 0

    def armed(self, game: Game) -> bool:
        """Whether records of `game` may be poisoned now."""
        return self.on and self.event_id in (None, game.event_id)

    def draw(self, game: Game, kinds: Sequence[Kind]) -> Kind | None:
        """The kind of poison the next record of `game` gets, or None (most records)."""
        if not kinds or not self.armed(game) or self.rng.random() >= self.rate:
            return None
        self.left -= 1
        return self.rng.choice(kinds)

    def pick(self, variants: Sequence[T]) -> T:
        return self.rng.choice(variants)

    def dose(
        self,
        game: Game,
        quote: Quote,
        record: T,
        slots: Sequence[Slot],
        *,
        json_wire: bool,
        side: Callable[[T], T] | None = None,
        dated: bool = False,
    ) -> tuple[T, Kind | None]:
        """`record`, poisoned or not, and the kind it got. `side` gives the record with a
        side its market lacks (None: the wire carries no side); `dated`: the message has a
        time field still clean. For BAD_DATE the record comes back as it was: the caller
        poisons the message's time."""
        if not self.armed(game):
            return record, None
        kinds = [k for k in VALUE_KINDS if any(fits(k, slot, quote) for slot in slots)]
        if side is not None:
            kinds.append(Kind.WRONG_SIDE)
        if dated:
            kinds.append(Kind.BAD_DATE)
        kind = self.draw(game, kinds)
        if kind is None or kind is Kind.BAD_DATE:
            return record, kind
        if kind is Kind.WRONG_SIDE:
            assert side is not None
            return side(record), kind
        slot = self.pick([s for s in slots if fits(kind, s, quote)])
        current = get_in(record, slot.path)
        if current is None and slot.role == "line":
            current = quote.line  # a delta's unchanged line
        value = self.pick(values(kind, slot, current, json_wire=json_wire))
        return replaced(record, slot.path, value), kind

    def tally(self, kinds: Iterable[Kind]) -> None:
        """Count poisoned records as delivered."""
        self.counts.update(kinds)

    def stats(self) -> dict[str, int]:
        """`poisoned` (records delivered poisoned) and `poisoned_<kind>` for every kind."""
        per_kind = {f"poisoned_{kind.value}": self.counts[kind] for kind in Kind}
        return {"poisoned": sum(self.counts.values())} | per_kind


def check_rate(rate: float) -> float:
    rate = float(rate)
    if not 0.0 <= rate <= 1.0:
        raise ValueError("the poison rate must be between 0 and 1")
    return rate


def values(kind: Kind, slot: Slot, current: Any, *, json_wire: bool) -> Sequence[Any]:
    """The poisoned values `kind` may put where `current` is."""
    if kind is Kind.HUGE_NUMBER:
        if slot.text:
            return (str(10**30), "1e309", "-1e309")
        return (10**30, -(10**30), MAX_DOUBLE) if json_wire else (2**64 - 1, -(2**63), MAX_DOUBLE)
    if kind is Kind.NAN:
        if json_wire or slot.text:
            return ("NaN", "Infinity", "-Infinity")
        return (math.nan, math.inf, -math.inf)
    if kind is Kind.WRONG_TYPE:
        swapped = () if slot.text else (str(current),)
        return ({"value": current}, [current], *swapped, True)
    return (_single(kind, slot, current),)


def _single(kind: Kind, slot: Slot, current: Any) -> Any:
    if kind is Kind.HUGE_STRING:
        return HUGE_TEXT
    if kind is Kind.DEEP_NESTING:
        return nested(current)
    if kind is Kind.EMPTY_STRING:
        return ""
    if kind is Kind.NEGATIVE_TOTAL:
        line = abs(float(str(current).lstrip("+")))
        return f"-{line:.1f}" if slot.text else -line
    raise ValueError(f"{kind} is not a value kind")
