"""The kit's GameState and guard, on a tiny wire of our own: `sid=price;sid=price`.

A record is `selection_id=american`; the state remembers the last price per selection.
What is tested is the kit's part: isolation of a bad record, the state left untouched by
it, reasons counted apart, TransportError passing through, the payload logged whole."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest

from oddswatch.errors import ParseError, SchemaDrift, TransportError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, Selection, Side, Team
from oddswatch.odds import american_to_decimal, parse_american
from providers.kit.skips import Reason, Skip
from providers.kit.state import Change, Decoded, GameState

EVENT = Event("tiny", "nba", "1", Team("NY Knicks"), Team("BOS Celtics"),
              datetime(2026, 11, 30, tzinfo=UTC))  # fmt: skip
SIDES = {"h": Side.HOME, "a": Side.AWAY}


class TinyState(GameState[str, int]):
    provider = "tiny"

    def seed(self, selection: Selection) -> int:
        return selection.price_american

    def decode(self, payload: bytes | str, source_ts: datetime | None) -> Decoded[str]:
        text = payload.decode() if isinstance(payload, bytes) else payload
        if text == "drop":
            raise TransportError("the peer closed", provider="tiny")
        if not text.startswith("v1:"):
            raise ParseError("no version", provider="tiny")
        return Decoded(text[3:].split(";"), source_ts)

    def apply(self, record: str, source_ts: datetime | None, received_at: datetime) -> Change[int]:
        sid, _, price = record.partition("=")
        if sid == "boom":
            raise KeyError("a bug of ours")
        if sid == "shape":
            raise SchemaDrift("two equals signs", provider="tiny")
        if sid not in SIDES:
            raise Skip(Reason.SKIPPED, "tiny selection not ours", selection_id=sid)
        american = parse_american(price)
        decimal = american_to_decimal(american)
        update = OddsUpdate("tiny", "nba", "1", "m", sid, Market.MONEYLINE, SIDES[sid], None,
                            american, decimal, received_at, seq=self.next_seq)  # fmt: skip
        return Change(sid, american, update)


def test_a_bad_record_is_isolated_and_the_state_stays_as_it_was() -> None:
    stats = StreamStats()
    state = TinyState(EVENT, [], stats)
    assert [u.price_american for u in state.feed("v1:h=-110;a=+100")] == [-110, 100]
    assert [u.price_american for u in state.feed("v1:h=abc;a=+120")] == [120]
    assert state.memory == {"h": -110, "a": 120}  # h untouched by its bad price
    assert [u.price_american for u in state.feed("v1:h=-130")] == [-130]
    assert (stats.invalid_values, stats.bugs, stats.updates) == (1, 0, 4)
    assert [u.seq for u in state.feed("v1:a=+150;h=-150")] == [5, 6]


def test_reasons_are_counted_apart() -> None:
    stats = StreamStats()
    state = TinyState(EVENT, [], stats)
    got = state.feed("v1:boom=1;shape=2;x=+100;h=+99;a=+105")
    assert [u.side for u in got] == [Side.AWAY]
    assert state.feed("not ours at all") == []
    assert state.feed(b"\xff\xfe") == []
    counts = (stats.bugs, stats.drift, stats.skipped, stats.invalid_values, stats.parse_errors)
    assert counts == (1, 1, 1, 1, 2)
    assert (stats.frames, stats.records) == (3, 5)


def test_transport_errors_pass_through() -> None:
    state = TinyState(EVENT, [], StreamStats())
    with pytest.raises(TransportError):
        state.feed("drop")


def test_an_update_that_breaks_an_invariant_is_not_committed() -> None:
    stats = StreamStats()
    selection = Selection("tiny", "nba", "1", "m", "h", Market.MONEYLINE, Side.HOME, "NY", -110,
                          1.9091)  # fmt: skip
    state = TinyState(EVENT, [selection], stats)
    assert state.memory == {"h": -110}
    huge = OddsUpdate("tiny", "nba", "1", "m", "h", Market.TOTAL, Side.HOME, None, -110, 1.9091,
                      datetime.now(UTC))  # fmt: skip
    state.apply = lambda *_: Change("h", 500, huge)  # type: ignore[method-assign]
    assert state.feed("v1:h=+500") == []
    assert state.memory == {"h": -110} and stats.invalid_values == 1 and state.seq == 0


def test_the_first_of_a_kind_is_logged_with_the_whole_payload(
    caplog: pytest.LogCaptureFixture,
) -> None:
    state = TinyState(EVENT, [], StreamStats())
    long_frame = "v1:boom=1;" + "x=+100;" * 100
    with caplog.at_level(logging.DEBUG, logger=__name__):
        state.feed(long_frame)
        state.feed(long_frame)
    bug = [r for r in caplog.records if r.getMessage() == "unexpected error on a record"]
    assert [r.levelno for r in bug] == [logging.ERROR, logging.DEBUG]
    assert bug[0].payload == long_frame  # type: ignore[attr-defined]  # whole, not cut
    assert bug[0].exc_info is not None and bug[0].error_type == "KeyError"  # type: ignore[attr-defined]
    skips = [r for r in caplog.records if r.getMessage() == "tiny selection not ours"]
    assert skips[0].levelno == logging.WARNING and all(
        r.levelno == logging.DEBUG for r in skips[1:]
    )
