"""Property-based fuzz tests of each book's stream state (issue 8, item 5).

Valid payloads of each book's wire format, made by the simulator's wire code, are mutated
(bytes and structure, tests/providers/fuzzing/) and fed through the entry points the
live streams use, with no socket. Properties, per book:

(a) no exception escapes (a TransportError is allowed only where the wire means
    "subscription refused"); on Bovada the shared socket's hub (`BovadaHub._route`, which
    runs `parse.route`) is fed every payload too;
(b) every emitted update satisfies the invariants (the kit's checker once it exists);
(c) after a poisoned record of a selection, a good record with a new price (or line)
    for that selection comes out.

Hypothesis runs derandomized (the same examples on every run), 150 of them per book and
property; written-out poisons (fuzzing/corpus.py), one per kind of trouble the issue
names, run the same properties deterministically. bench/fuzz.py (`make fuzz`) is the
long run.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from typing import Any

import msgpack
import pytest
from hypothesis import HealthCheck, Phase, given, note, settings
from hypothesis import strategies as st

from oddswatch.model import Market
from tests.providers.fuzzing import (
    FOLLOW_UPS,
    WIRES,
    ByteEdit,
    Edit,
    Mutation,
    Wire,
    apply,
    feed,
    poisoned_then_good,
    violations,
)
from tests.providers.fuzzing.codecs import JsonCodec, MsgpackCodec
from tests.providers.fuzzing.corpus import FRAMES, POISONS, Poison
from tests.providers.fuzzing.mutate import SHARED
from tests.providers.fuzzing.strategies import mutations

pytestmark = pytest.mark.timeout(120)
BOOKS = sorted(WIRES)
EXAMPLES = 150
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    phases=[Phase.explicit, Phase.reuse, Phase.generate, Phase.shrink],  # no slow "explain"
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
seeds = st.integers(min_value=0, max_value=2**32 - 1)


@pytest.fixture(autouse=True, scope="module")
def _quiet() -> Iterator[None]:
    """Each example builds a fresh state, which warns once per kind of trouble."""
    logging.disable(logging.WARNING)
    yield
    logging.disable(logging.NOTSET)


# -- the harness itself: valid streams read whole, mutations that do what they say -------


@pytest.mark.parametrize("book", BOOKS)
def test_valid_payloads_come_out_whole(book: str) -> None:
    wire = WIRES[book](7)
    stages = wire.stages(wire.new_state())
    updates = []
    for _ in range(60):
        outcome = feed(wire, stages, wire.valid(), wire.now)
        assert outcome.escapes == []
        updates += outcome.updates
    assert violations(wire, updates) == []
    assert {u.selection_id for u in updates} == set(wire.client_ids.values())
    assert {(u.market, u.side) for u in updates} == {(q.market, q.side) for q in wire.quotes()}


@pytest.mark.parametrize("book", BOOKS)
@pytest.mark.parametrize("follow_up", FOLLOW_UPS)
def test_a_new_price_or_line_after_an_intact_record_comes_out(book: str, follow_up: str) -> None:
    wire = WIRES[book](11)
    for index in range(len(wire.quotes())):
        assert poisoned_then_good(wire, index, [], follow_up) is None


def test_edits_reach_deep_nesting_dates_and_huge_numbers() -> None:
    dk, fanduel = WIRES["draftkings"](3), WIRES["fanduel"](3)
    nested = apply(dk.valid(), [Edit("nest", 0.5, pick=700)], dk.codec)  # 900 lists deep
    assert depth(msgpack.unpackb(nested, timestamp=0, strict_map_key=False)) >= 900
    year_10000 = MsgpackCodec.dates.index(MsgpackCodec.dates[2])
    dated = apply(dk.valid(), [Edit("date", 0.0, pick=year_10000)], dk.codec)
    with pytest.raises(OverflowError):  # what a datetime cannot hold
        msgpack.unpackb(dated, timestamp=3)
    pick = (SHARED + JsonCodec.specials).index(10**400)
    huge = apply(fanduel.valid(), [Edit("replace", 0.9, pick=pick)], fanduel.codec)
    assert b"1" + b"0" * 400 in huge
    assert apply(b'{"a": 1}', [ByteEdit("truncate", 0.5)], fanduel.codec) == b'{"a"'


def depth(tree: Any) -> int:
    deepest, stack = 0, [(tree, 0)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        children = node.values() if isinstance(node, dict) else node
        if isinstance(node, dict | list):
            stack.extend((child, level + 1) for child in children)
    return deepest


# -- the properties ------------------------------------------------------------------------


@pytest.mark.parametrize("book", BOOKS)
@FUZZ
@given(seed=seeds, edits=mutations())
def test_no_exception_escapes_the_entry_points(book: str, seed: int, edits: list[Mutation]) -> None:
    wire = WIRES[book](seed)
    payload = apply(wire.valid(), edits, wire.codec)
    note(f"payload: {payload[:600]!r}")
    outcome = feed(wire, wire.stages(wire.new_state()), payload, wire.now)
    assert not outcome.escapes, "; ".join(f"{e} at {e.site}" for e in outcome.escapes)


@pytest.mark.parametrize("book", BOOKS)
@FUZZ
@given(seed=seeds, edits=mutations())
def test_every_emitted_update_satisfies_the_invariants(
    book: str, seed: int, edits: list[Mutation]
) -> None:
    wire = WIRES[book](seed)
    payload = apply(wire.valid(), edits, wire.codec)
    note(f"payload: {payload[:600]!r}")
    outcome = feed(wire, wire.stages(wire.new_state()), payload, wire.now)
    for update in outcome.updates:
        note(f"update: {update}")
    assert violations(wire, outcome.updates) == []


@pytest.mark.parametrize("book", BOOKS)
@FUZZ
@given(
    seed=seeds,
    index=st.integers(0, 5),
    edits=mutations(),
    follow_up=st.sampled_from(FOLLOW_UPS),
)
def test_a_good_record_after_a_poisoned_one_is_applied(
    book: str, seed: int, index: int, edits: list[Mutation], follow_up: str
) -> None:
    wire = WIRES[book](seed)
    quote = wire.quotes()[index]
    note(f"selection: {wire.client_ids[quote.selection_id]} {quote.market} {quote.side}")
    if quote.market is Market.MONEYLINE:
        note("a moneyline: the follow-up is a new price")
    assert poisoned_then_good(wire, index, edits, follow_up) is None


# -- written-out poisons: each kind of trouble the issue names, per book ------------------


def _poisoned(poison: Poison) -> tuple[Wire, int, bytes]:
    wire = WIRES[poison.book](5)
    index = next(i for i, q in enumerate(wire.quotes()) if q.market is poison.market)
    quote = wire.quotes()[index]
    moved = quote.american + (5 if quote.american > 0 else -5)  # a change: it must come out
    sid, clean = wire.client_ids[quote.selection_id], wire.move(quote, moved, quote.line)
    payload = apply(clean, [poison.patch], wire.codec, lambda tree: wire.scope(tree, sid))
    assert payload != clean, "the patch did not apply"
    return wire, index, payload


@pytest.mark.parametrize("poison", POISONS, ids=lambda p: p.id)
def test_a_written_out_poison_escapes_nothing(poison: Poison) -> None:
    wire, _, payload = _poisoned(poison)
    outcome = feed(wire, wire.stages(wire.new_state()), payload, wire.now)
    assert not outcome.escapes, "; ".join(f"{e} at {e.site}" for e in outcome.escapes)


@pytest.mark.parametrize(("book", "name", "frame"), FRAMES, ids=[f"{b}: {n}" for b, n, _ in FRAMES])
def test_a_written_out_frame_escapes_nothing(book: str, name: str, frame: bytes) -> None:
    wire = WIRES[book](5)
    outcome = feed(wire, wire.stages(wire.new_state()), frame, wire.now)
    assert not outcome.escapes, "; ".join(f"{e} at {e.site}" for e in outcome.escapes)


@pytest.mark.parametrize("poison", POISONS, ids=lambda p: p.id)
def test_a_written_out_poison_emits_only_valid_updates(poison: Poison) -> None:
    wire, _, payload = _poisoned(poison)
    outcome = feed(wire, wire.stages(wire.new_state()), payload, wire.now)
    assert violations(wire, outcome.updates) == []


@pytest.mark.parametrize("follow_up", FOLLOW_UPS)
@pytest.mark.parametrize("poison", POISONS, ids=lambda p: p.id)
def test_a_written_out_poison_leaves_the_selection_live(poison: Poison, follow_up: str) -> None:
    wire, index, _ = _poisoned(poison)
    assert poisoned_then_good(wire, index, [poison.patch], follow_up) is None
