"""Long mutation-fuzz run of every book's stream state (issue 8, item 5).

    .venv/bin/python bench/fuzz.py [--inputs N] [--seed S] [--books a,b] [--stuck-every K]

Per book, N valid payloads of the book's wire format (made by the simulator's wire code
from a seeded game, a new game every `--game-every` inputs) are mutated (bytes and
structure: tests/providers/fuzzing/mutate.py) and fed, each to a fresh state seeded with
the game's scraped selections, through the entry points the live streams use (Bovada's
shared-socket hub first: `BovadaHub._route`, i.e. `parse.route`, the control frames and the
delivery; then the state's `feed`, or today's `on_frame`, `on_body`, `on_response`).
Every K-th input also runs the poisoned-then-good check on one selection. The same seed
gives the same inputs. Log records below ERROR are off during the run.

Prints one JSON object per book on stdout: inputs and rate, escaped exceptions (count,
share of inputs, by type and by the innermost frame in providers/ or oddswatch/, a few
examples), the allowed refusals, invariant violations by rule, stuck-selection checks.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import _root  # noqa: F401 - puts the repository root on sys.path for `tests`

from tests.providers.fuzzing import (
    CHECKER,
    FOLLOW_UPS,
    WIRES,
    Mutation,
    Outcome,
    Wire,
    apply,
    entry_name,
    feed,
    poisoned_then_good,
    random_mutations,
    violations,
)

EXAMPLES = 3  # kept per exception type, per violated rule, per stuck reason
SHOWN = 240  # characters of a payload or a mutation list in an example


def shown(value: object) -> str:
    text = repr(value)
    return text if len(text) <= SHOWN else text[:SHOWN] + f"… ({len(text)} chars)"


@dataclass(slots=True)
class Tally:
    """What one book's run found."""

    inputs: int = 0
    escaped_inputs: int = 0
    refused: int = 0
    updates: int = 0
    entry_s: float = 0.0
    by_type: Counter[str] = field(default_factory=Counter)
    by_site: Counter[str] = field(default_factory=Counter)
    violations: Counter[str] = field(default_factory=Counter)
    stuck_checks: Counter[str] = field(default_factory=Counter)
    stuck: Counter[str] = field(default_factory=Counter)
    skips: Counter[str] = field(default_factory=Counter)  # the guard's counts by reason
    examples: dict[str, dict[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def example(self, section: str, key: str, item: dict[str, Any]) -> None:
        found = self.examples.setdefault(section, {}).setdefault(key, [])
        if len(found) < EXAMPLES:
            found.append(item)

    def count(self, outcome: Outcome, wire: Wire, case: dict[str, Any]) -> None:
        self.inputs += 1
        self.refused += outcome.refused
        self.updates += len(outcome.updates)
        self.escaped_inputs += bool(outcome.escapes)
        for escape in outcome.escapes:
            site = escape.site
            self.by_type[escape.kind] += 1
            self.by_site[f"{escape.kind} at {site}"] += 1
            self.example("escaped", escape.kind, case | {"error": str(escape), "site": site})
        for rule in violations(wire, outcome.updates):
            self.violations[rule] += 1
            self.example("violations", rule, case)


def run_book(name: str, args: argparse.Namespace) -> dict[str, Any]:
    rng = random.Random(f"{args.seed}:{name}")
    tally, wire, started = Tally(), WIRES[name](rng.getrandbits(32)), time.perf_counter()
    for i in range(args.inputs):
        if i and i % args.game_every == 0:
            wire = WIRES[name](rng.getrandbits(32))
        mutations = random_mutations(rng)
        payload = apply(wire.valid(), mutations, wire.codec)
        state = wire.new_state()
        stages = wire.stages(state)
        fed = time.perf_counter()
        outcome = feed(wire, stages, payload, wire.now)
        tally.entry_s += time.perf_counter() - fed
        _count_skips(tally, state)
        tally.count(outcome, wire, _case(i, mutations, payload))
        if i % args.stuck_every == 0:
            _stuck(tally, wire, rng, FOLLOW_UPS[(i // args.stuck_every) % len(FOLLOW_UPS)], i)
    return _report(name, args, tally, time.perf_counter() - started, wire)


SKIP_FIELDS = ("parse_errors", "unknown_records", "drift", "invalid_values", "skipped", "bugs")


def _count_skips(tally: Tally, state: object) -> None:
    """What the kit's guard counted on this input (states without StreamStats: nothing)."""
    stats = getattr(state, "stats", None)
    for name in SKIP_FIELDS:
        tally.skips[name] += int(getattr(stats, name, 0))


def _case(i: int, mutations: Sequence[Mutation], payload: bytes) -> dict[str, Any]:
    return {"input": i, "mutations": shown(list(mutations)), "payload": shown(payload)}


def _stuck(tally: Tally, wire: Wire, rng: random.Random, follow_up: str, i: int) -> None:
    index, mutations = rng.randrange(len(wire.quotes())), random_mutations(rng)
    why = poisoned_then_good(wire, index, mutations, follow_up)
    tally.stuck_checks[follow_up] += 1
    if why is not None:
        tally.stuck[why] += 1
        tally.example("stuck", why, {"input": i, "follow_up": follow_up,
                                     "mutations": shown(mutations)})  # fmt: skip


def _report(
    name: str, args: argparse.Namespace, tally: Tally, seconds: float, wire: Wire
) -> dict[str, Any]:
    state = wire.new_state()
    return {
        "book": name,
        "stages": [stage.name for stage in wire.stages(state)],
        "entry": entry_name(state),
        "invariants": CHECKER,
        "seed": args.seed,
        "inputs": tally.inputs,
        "seconds": round(seconds, 1),
        "rate": round(tally.inputs / seconds),
        "entry_rate": round(tally.inputs / tally.entry_s) if tally.entry_s else None,
        "updates": tally.updates,
        "skips": dict(tally.skips),
        "escaped": {
            "count": tally.escaped_inputs,
            "share": round(tally.escaped_inputs / max(1, tally.inputs), 5),
            "by_type": dict(tally.by_type.most_common()),
            "by_site": dict(tally.by_site.most_common()),
            "examples": tally.examples.get("escaped", {}),
        },
        "refused_allowed": tally.refused,
        "violations": {
            "count": sum(tally.violations.values()),
            "by_rule": dict(tally.violations.most_common()),
            "examples": tally.examples.get("violations", {}),
        },
        "stuck": {
            "checks": sum(tally.stuck_checks.values()),
            "by_follow_up": dict(tally.stuck_checks),
            "stuck": sum(tally.stuck.values()),
            "reasons": dict(tally.stuck.most_common()),
            "examples": tally.examples.get("stuck", {}),
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--inputs", type=int, default=100_000, help="mutated inputs per book")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--books", default=",".join(WIRES), help="comma-separated book names")
    parser.add_argument("--stuck-every", type=int, default=10, help="a stuck check every K")
    parser.add_argument("--game-every", type=int, default=500, help="a new game every G")
    args = parser.parse_args(argv)
    unknown = set(args.books.split(",")) - set(WIRES)
    if unknown:
        parser.error(f"unknown books {sorted(unknown)}; known: {sorted(WIRES)}")
    logging.disable(logging.WARNING)  # a fresh state per input warns once per input
    for name in args.books.split(","):
        print(json.dumps(run_book(name, args), ensure_ascii=False), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
