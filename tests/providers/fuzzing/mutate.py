"""Mutations of a payload, as plain data, at two levels.

`ByteEdit` works on the bytes (flip, insert, delete, truncate, duplicate, and widen a
run of digits to 100-6,400 of them: a number of any wire format, even one no encoder
writes, like Atmosphere's heartbeat interval). `Edit` decodes
the payload with its book's `Codec`, changes one node of the tree and encodes it again:
delete a field, replace a value (other types, huge numbers, NaN/Infinity, odd strings),
convert it to another type, copy another field's value in, resize a list, nest it
200-900 levels deep, or put an extreme or impossible date in. Positions are fractions
(`at`, `where`) and choices are integers (`pick`), so one mutation applies to any payload
and Hypothesis shrinks it well. `random_mutations` draws the same space from a seeded
`random.Random` for the long run in bench/fuzz.py.
"""

from __future__ import annotations

import random
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from .codecs import PLACEHOLDER, Codec, Raw

BYTE_OPS = ("flip", "insert", "delete", "truncate", "duplicate", "digits")
EDIT_OPS = ("delete", "replace", "convert", "copy", "resize", "nest", "date")
TIMES = (1, 2, 10, 1000)  # how often `duplicate` repeats its span
TOKENS = (
    b"\xc1", b"\xff", b"\x00", b'"', b"|", b"{", b"[", b"]", b"\\", b",", b":",
    b"\xed\xa0\x80", b"\xe2\x88\x92", b"9" * 50, b"NaN", b"-", b".", b"e999",
)  # fmt: skip
MAX_DEPTH, MIN_DEPTH = 900, 200
_DIGITS = re.compile(rb"[0-9]+")  # `digits` widens the first run at or after its position
# Values any format can carry; each codec adds what it alone can (`Codec.specials`).
SHARED: tuple[Any, ...] = (
    None, True, False, 0, 1, -1, 99, 100, -100, -110, 2**31, -(2**31), 2**63 - 1, -(2**63),
    0.0, -0.0, 0.5, 1.0, 1.00001, -110.5, 5e-324, 1e-300, 1e308,
    "", " ", "x", "\u2212110", "\uff0b150", "EVEN", "PK", "Over", "Under", "Home", "Draw",
    "O 215.5", "2.70", "+100", "-99", "1e400", "nan", "Infinity", "-0", "\u0663\u0665",
    "\u0000", "\U0001f3c0", "\u202e", "\ud800", "x" * 10_000,
    [], [None], [[]], ["x"], {}, {"value": None}, {"": ""},
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ByteEdit:
    op: str  # one of BYTE_OPS
    at: float  # where, as a fraction of the payload's length
    size: int = 1  # bytes deleted or duplicated, hundreds of digits; the bit flipped: size % 8
    data: bytes = b"\x00"  # what `insert` inserts
    times: int = 1  # how often `duplicate` repeats the span
    to: float = 0.0  # where `duplicate` puts the copies


@dataclass(frozen=True, slots=True)
class Edit:
    op: str  # one of EDIT_OPS
    where: float  # which node, as a fraction of the candidate nodes
    pick: int = 0  # which value, variant or depth


@dataclass(frozen=True, slots=True)
class Patch:
    """A written-out edit (corpus.py): `change(tree, record)` edits the decoded payload in
    place (`record`: the scoped selection's node, else None) and returns the bytes of a
    Raw value it put at PLACEHOLDER, if any."""

    name: str
    change: Callable[[Any, Any], bytes | None]

    def __repr__(self) -> str:
        return f"Patch({self.name!r})"


Mutation = ByteEdit | Edit | Patch
Scope = Callable[[Any], Any]  # the node of one record in a decoded tree, or None


def apply(
    payload: bytes, mutations: Sequence[Mutation], codec: Codec, scope: Scope | None = None
) -> bytes:
    """The payload after each mutation in turn. An Edit of a payload that does not decode
    (or whose result does not encode) leaves it as it was. `scope` restricts Edits to the
    nodes of one record."""
    for mutation in mutations:
        if isinstance(mutation, ByteEdit):
            payload = apply_bytes(payload, mutation)
        elif isinstance(mutation, Patch):
            payload = apply_patch(payload, mutation, codec, scope) or payload
        else:
            payload = apply_edit(payload, mutation, codec, scope) or payload
    return payload


def apply_bytes(payload: bytes, edit: ByteEdit) -> bytes:
    at = min(len(payload), int(edit.at * len(payload)))
    return _BYTE_EDITS[edit.op](payload, at, edit)


def _flip(payload: bytes, at: int, edit: ByteEdit) -> bytes:
    if at >= len(payload):
        return payload
    return payload[:at] + bytes([payload[at] ^ (1 << (edit.size % 8))]) + payload[at + 1 :]


def _insert(payload: bytes, at: int, edit: ByteEdit) -> bytes:
    return payload[:at] + edit.data + payload[at:]


def _delete_bytes(payload: bytes, at: int, edit: ByteEdit) -> bytes:
    return payload[:at] + payload[at + edit.size :]


def _truncate(payload: bytes, at: int, edit: ByteEdit) -> bytes:
    return payload[:at]


def _duplicate(payload: bytes, at: int, edit: ByteEdit) -> bytes:
    span, to = payload[at : at + edit.size], min(len(payload), int(edit.to * len(payload)))
    return payload[:to] + span * edit.times + payload[to:]


def _digits(payload: bytes, at: int, edit: ByteEdit) -> bytes:
    run = _DIGITS.search(payload, at)
    if run is None:
        return payload
    return payload[: run.start()] + b"9" * (100 * edit.size) + payload[run.end() :]


_BYTE_EDITS: dict[str, Callable[[bytes, int, ByteEdit], bytes]] = {
    "flip": _flip,
    "insert": _insert,
    "delete": _delete_bytes,
    "truncate": _truncate,
    "duplicate": _duplicate,
    "digits": _digits,
}


# -- structure ---------------------------------------------------------------------------


def apply_patch(payload: bytes, patch: Patch, codec: Codec, scope: Scope | None) -> bytes | None:
    decoded = codec.decode(payload)
    if decoded is None:
        return None
    prefix, tree = decoded
    raw = patch.change(tree, scope(tree) if scope is not None else None)
    return codec.encode(prefix, tree, raw)


class _Node(NamedTuple):
    parent: Any  # the dict or list holding it
    key: Any
    value: Any  # as enumerated, before the edit
    inside: bool  # within the scoped record


def apply_edit(payload: bytes, edit: Edit, codec: Codec, scope: Scope | None) -> bytes | None:
    decoded = codec.decode(payload)
    if decoded is None:
        return None
    prefix, tree = decoded
    holder = [tree]
    nodes = list(_nodes(holder, scope(tree) if scope is not None else None))
    candidates = _candidates(nodes, edit.op, codec)
    if not candidates:
        return None
    node = candidates[min(len(candidates) - 1, int(edit.where * len(candidates)))]
    _EDITS[edit.op](node, edit.pick, codec, nodes)
    raw = None
    if edit.op != "delete" and isinstance(value := node.parent[node.key], Raw):
        node.parent[node.key], raw = PLACEHOLDER, value.data
    return codec.encode(prefix, holder[0], raw)


def _nodes(holder: list[Any], scoped: Any) -> Iterator[_Node]:
    """Every node, the root first (depth first, no recursion: trees may be deep)."""
    stack: list[tuple[Any, Any, bool]] = [(holder, 0, scoped is None)]
    while stack:
        parent, key, inside = stack.pop()
        value = parent[key]
        inside = inside or value is scoped
        yield _Node(parent, key, value, inside)
        if isinstance(value, dict):
            stack.extend((value, k, inside) for k in reversed(list(value)))
        elif isinstance(value, list):
            stack.extend((value, i, inside) for i in range(len(value) - 1, -1, -1))


def _candidates(nodes: list[_Node], op: str, codec: Codec) -> list[_Node]:
    scoped = [n for n in nodes if n.inside] or nodes
    if op == "resize":
        return [n for n in scoped if isinstance(n.value, list)]
    if op == "date":
        dated = [n for n in scoped if isinstance(n.parent, dict) and n.key in codec.date_keys]
        return dated or [n for n in scoped if not isinstance(n.value, dict | list)]
    if op == "delete":
        return [n for n in scoped if n.parent is not nodes[0].parent]  # never the root
    return scoped


def _delete(node: _Node, pick: int, codec: Codec, nodes: list[_Node]) -> None:
    del node.parent[node.key]


def _replace(node: _Node, pick: int, codec: Codec, nodes: list[_Node]) -> None:
    pool = SHARED + codec.specials
    node.parent[node.key] = pool[pick % len(pool)]


def _convert(node: _Node, pick: int, codec: Codec, nodes: list[_Node]) -> None:
    node.parent[node.key] = convert(node.value, pick)


def _copy(node: _Node, pick: int, codec: Codec, nodes: list[_Node]) -> None:
    leaves = [n.value for n in nodes if not isinstance(n.value, dict | list)]
    if leaves:  # another field's value: a price where a line belongs, an id as a price
        node.parent[node.key] = leaves[pick % len(leaves)]


def _resize(node: _Node, pick: int, codec: Codec, nodes: list[_Node]) -> None:
    items: list[Any] = node.value
    variants: tuple[list[Any], ...] = (
        [],
        items[:-1],
        items[1:],
        items[:1],
        [*items, None],
        [*items, *items[-1:]],
        items * 3,
        items[::-1],
    )
    node.parent[node.key] = variants[pick % len(variants)]


def _nest(node: _Node, pick: int, codec: Codec, nodes: list[_Node]) -> None:
    depth = MIN_DEPTH + pick % (MAX_DEPTH - MIN_DEPTH + 1)
    node.parent[node.key] = codec.nest(depth, as_dict=pick % 2 == 1, inner=node.value)


def _date(node: _Node, pick: int, codec: Codec, nodes: list[_Node]) -> None:
    node.parent[node.key] = codec.dates[pick % len(codec.dates)]


_EDITS: dict[str, Callable[[_Node, int, Codec, list[_Node]], None]] = {
    "delete": _delete,
    "replace": _replace,
    "convert": _convert,
    "copy": _copy,
    "resize": _resize,
    "nest": _nest,
    "date": _date,
}


def convert(value: Any, pick: int) -> Any:
    """The value as another type: str, int, float, list, dict, bool, None, or negated."""
    converters: tuple[Callable[[Any], Any], ...] = (
        str,
        lambda v: int(float(v)),
        float,
        lambda v: [v],
        lambda v: {"value": v},
        bool,
        lambda v: None,
        lambda v: -v if isinstance(v, int | float) else f"-{v}",
    )
    try:
        return converters[pick % len(converters)](value)
    except (TypeError, ValueError, OverflowError):
        return "not convertible"
    except RecursionError:  # str() of a value nested deeper than the interpreter goes
        return "too deep"


# -- drawn from a seeded RNG (bench/fuzz.py) ---------------------------------------------


def random_mutations(rng: random.Random) -> list[Mutation]:
    """One to three mutations; about 40 % of them byte edits, the rest structure edits."""
    return [_random_one(rng) for _ in range(rng.choice((1, 1, 1, 2, 3)))]


def _random_one(rng: random.Random) -> Mutation:
    if rng.random() < 0.4:
        data = rng.choice(TOKENS) if rng.random() < 0.5 else rng.randbytes(rng.randint(1, 8))
        return ByteEdit(
            op=rng.choice(BYTE_OPS),
            at=rng.random(),
            size=rng.randint(1, 64),
            data=data,
            times=rng.choice(TIMES),
            to=rng.random(),
        )
    return Edit(op=rng.choice(EDIT_OPS), where=rng.random(), pick=rng.randrange(10_000))


__all__ = ["ByteEdit", "Codec", "Edit", "Mutation", "Patch", "Raw", "apply", "random_mutations"]
