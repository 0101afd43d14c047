"""Mutation fuzzing of each book's stream state through the entry points the live streams
use, without sockets (issue 8, item 5).

- `books`: per book, a `Wire`: a seeded game of the simulator's market model, the
  client's Event and scraped Selections for it, and valid payloads made by the fake
  book's own wire code.
- `codecs`, `mutate`, `strategies`: byte and structure mutations, as data; Hypothesis
  strategies for the suite and a seeded RNG for bench/fuzz.py.
- `entry`: `feed()` when a state has it (the provider kit), else today's `on_frame`,
  `on_body`, `on_response`.
- `invariants`: the kit's `violation(update)` when importable, else a local equivalent.
- `run`: the three properties: nothing escapes, every update is valid, a good record
  after a poisoned one is applied.
- `corpus`: written-out poisoned records and frames, one per kind of trouble of issue 8.
"""

from __future__ import annotations

from .books import WIRES, BetMGMWire, BovadaWire, DraftKingsWire, FanDuelWire
from .entry import Stage, entry, entry_name
from .invariants import CHECKER, local_violation, violation
from .mutate import ByteEdit, Edit, Mutation, Patch, apply, random_mutations
from .run import FOLLOW_UPS, Escape, Outcome, feed, poisoned_then_good, violations
from .wire import Wire

__all__ = [
    "CHECKER",
    "FOLLOW_UPS",
    "WIRES",
    "BetMGMWire",
    "BovadaWire",
    "ByteEdit",
    "DraftKingsWire",
    "Edit",
    "Escape",
    "FanDuelWire",
    "Mutation",
    "Outcome",
    "Patch",
    "Stage",
    "Wire",
    "apply",
    "entry",
    "entry_name",
    "feed",
    "local_violation",
    "poisoned_then_good",
    "random_mutations",
    "violation",
    "violations",
]
