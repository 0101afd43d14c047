"""Decode a book's payload to a tree and encode it back, with what only the wire can say.

An edit may put `Raw` bytes where a value belongs: what the encoding library refuses to
write (NaN and 10**400 in JSON, a msgpack Timestamp out of datetime's range or with
impossible nanoseconds, a 900-deep nest that would exhaust the encoder's recursion).
The tree then holds `PLACEHOLDER` there, and `encode` splices the bytes in its place.
"""

from __future__ import annotations

import json
import struct
from typing import Any, ClassVar

import msgpack
import orjson


class Raw:
    """Bytes written as they are where a value belongs."""

    __slots__ = ("data",)

    def __init__(self, data: bytes) -> None:
        self.data = data

    def __repr__(self) -> str:
        return f"Raw({self.data[:40]!r}{'…' if len(self.data) > 40 else ''})"


PLACEHOLDER = "@@raw@@"  # where a Raw value goes until the encoder splices its bytes in


class Codec:
    """What a mutation needs of a wire format; subclasses fill in the format."""

    date_keys: frozenset[str] = frozenset()  # fields that hold a time
    specials: ClassVar[tuple[Any, ...]] = ()  # NaN, infinities, huge numbers
    dates: ClassVar[tuple[Any, ...]] = ()  # extreme and impossible times

    def decode(self, payload: bytes) -> tuple[bytes, Any] | None:
        """(prefix, tree); None when the payload does not decode."""
        raise NotImplementedError

    def encode(self, prefix: bytes, tree: Any, raw: bytes | None = None) -> bytes | None:
        """The payload, `raw` in place of PLACEHOLDER; None when the tree cannot be written."""
        raise NotImplementedError

    def nest(self, depth: int, *, as_dict: bool, inner: Any) -> Raw:
        raise NotImplementedError


# -- msgpack (DraftKings) ----------------------------------------------------------------


def _ext_timestamp(seconds: int, nanos: int = 0, width: int = 96) -> Raw:
    """A msgpack Timestamp (ext -1) as its bytes, whatever the values."""
    if width == 32:
        return Raw(b"\xd6\xff" + struct.pack(">I", seconds & 0xFFFFFFFF))
    if width == 64:
        packed = ((nanos & 0x3FFFFFFF) << 34) | (seconds & 0x3FFFFFFFF)
        return Raw(b"\xd7\xff" + struct.pack(">Q", packed))
    return Raw(b"\xc7\x0c\xff" + struct.pack(">Iq", nanos & 0xFFFFFFFF, seconds))


_PACKED_PLACEHOLDER: bytes = msgpack.packb(PLACEHOLDER)


class MsgpackCodec(Codec):
    date_keys = frozenset({"sentAt"})
    specials = (
        float("nan"), float("inf"), float("-inf"), 1e30, -1e30, 2**64 - 1,
        "9" * 5000, "-" + "9" * 5000, Raw(b"\xc1"), Raw(b"\xc7\x05\xff12345"),
    )  # fmt: skip
    dates = (
        _ext_timestamp(2**63 - 1),
        _ext_timestamp(-(2**63)),
        _ext_timestamp(253_402_300_800),  # year 10000
        _ext_timestamp(-62_135_596_801),  # year 0
        _ext_timestamp(-1),
        _ext_timestamp(0, nanos=2**32 - 1),  # nanoseconds past a second
        _ext_timestamp(0, nanos=2**30 - 1, width=64),
        _ext_timestamp(2**32 - 1, width=32),  # 2106
        _ext_timestamp(0, width=32),
        Raw(b"\xc7\x05\xff\x00\x00\x00\x00\x00"),  # a Timestamp of a length that has none
        msgpack.Timestamp(0, 0),
        "0000-01-01T00:00:00Z", "9999-12-31T23:59:59Z", -1, 2**63 - 1, 1e300,
    )  # fmt: skip

    def decode(self, payload: bytes) -> tuple[bytes, Any] | None:
        try:
            return b"", msgpack.unpackb(payload, raw=False, timestamp=0, strict_map_key=False)
        except Exception:  # the harness decodes what it can; anything else is not mutated
            return None

    def encode(self, prefix: bytes, tree: Any, raw: bytes | None = None) -> bytes | None:
        try:
            packed: bytes = msgpack.packb(tree, use_bin_type=True)
        except (ValueError, TypeError, OverflowError):
            return None
        if raw is not None:
            packed = packed.replace(_PACKED_PLACEHOLDER, raw, 1)
        return prefix + packed

    def nest(self, depth: int, *, as_dict: bool, inner: Any) -> Raw:
        body = self.encode(b"", inner if not isinstance(inner, dict | list) else 1) or b"\x01"
        return Raw((b"\x81\xa1a" if as_dict else b"\x91") * depth + body)


# -- JSON (Bovada, BetMGM, FanDuel) ------------------------------------------------------


class JsonCodec(Codec):
    """JSON, after an optional `<header>|` (Bovada's Atmosphere messages)."""

    specials = (
        Raw(b"NaN"), Raw(b"Infinity"), Raw(b"-Infinity"), 10**30, -(10**30), 10**400,
        Raw(b"1e400"), 1e308, 2**64, "9" * 5000, "-" + "9" * 5000, Raw(b"-0"),
    )  # fmt: skip
    dates = (
        "0000-01-01T00:00:00Z", "0001-01-01T00:00:00+14:00", "9999-12-31T23:59:59Z",
        "9999-12-31T23:59:59-12:00", "99999-01-01T00:00:00Z", "2026-02-30T00:00:00Z",
        "2026-11-22T25:00:00Z", "2026-11-22", "", "now",
        0, -1, -62_135_596_800_000, -62_135_596_800_001, 253_402_300_800_000,
        -(2**63), 2**63, 10**20, 10**400, 1e300, -1e300, "1795395600500",
    )  # fmt: skip

    def __init__(self, *, header: bool = False, date_keys: frozenset[str] = frozenset()) -> None:
        self.header, self.date_keys = header, date_keys

    def decode(self, payload: bytes) -> tuple[bytes, Any] | None:
        prefix, body = b"", payload
        if self.header:
            head, sep, body = payload.partition(b"|")
            if not sep:
                return None
            prefix = head + sep
        try:
            return prefix, orjson.loads(body)
        except orjson.JSONDecodeError:
            return None

    def encode(self, prefix: bytes, tree: Any, raw: bytes | None = None) -> bytes | None:
        try:
            data = orjson.dumps(tree)
        except (orjson.JSONEncodeError, TypeError):  # big ints, lone surrogates, deep nests
            try:
                text = json.dumps(tree, ensure_ascii=False, separators=(",", ":"))
            except (ValueError, TypeError, RecursionError):
                return None
            data = text.encode("utf-8", "surrogatepass")  # a lone surrogate: invalid UTF-8
        if raw is not None:
            data = data.replace(f'"{PLACEHOLDER}"'.encode(), raw, 1)
        return prefix + data

    def nest(self, depth: int, *, as_dict: bool, inner: Any) -> Raw:
        body = self.encode(b"", inner if not isinstance(inner, dict | list) else 1) or b"1"
        opening, closing = (b'{"a":', b"}") if as_dict else (b"[", b"]")
        return Raw(opening * depth + body + closing * depth)
