"""Golden tests for the per-game delta merge: msgpack frames in, exact OddsUpdates out."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import msgpack
import pytest

from oddswatch.errors import AuthError
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, Selection, Side, Team
from providers.draftkings.stream import GameState

EVENT = Event(
    provider="draftkings",
    league="nba",
    event_id="31234567",
    home=Team("NY Knicks"),
    away=Team("BOS Celtics"),
    starts_at=datetime(2026, 11, 23, 0, 30, tzinfo=UTC),
)
SENT_AT = datetime(2026, 11, 23, 1, 0, 0, 500000, tzinfo=UTC)
RECEIVED_AT = datetime(2026, 11, 23, 1, 0, 1, tzinfo=UTC)


def frame(*records: list[object], sent_at: datetime = SENT_AT) -> bytes:
    params = {"entity": "events", "sentAt": sent_at, "data": list(records)}
    envelope = {"jsonrpc": "2.0", "method": "update", "params": params}
    return msgpack.packb(envelope, datetime=True)  # type: ignore[no-any-return]


def full(
    sid: str, label: str, odds: tuple[str, float], line: float | None, tag: str
) -> list[object]:
    american, decimal = odds
    market_id = f"2_31234567_{sid[1:3]}"
    role = {"Over": "Over", "Under": "Under", "NY Knicks": "Home"}.get(label, "Away")
    payload = [
        sid,
        sid[1:3],
        label,
        [american, decimal],
        decimal,
        line,
        role,
        [],
        market_id,
        [tag],
        "",
        0,
        {},
    ]
    return [35, payload]


def delta(sid: str, odds: list[object] | None = None, line: float | None = None) -> list[object]:
    decimal = None if odds is None else odds[1]
    return [24, [sid, None, odds, decimal, line, None, None, None]]


def update(
    sid: str, kind: tuple[Market, Side], line: float | None, price: tuple[int, float], seq: int
) -> OddsUpdate:
    (market, side), (american, decimal) = kind, price
    return OddsUpdate(
        provider="draftkings",
        league="nba",
        event_id="31234567",
        market_id=f"2_31234567_{sid[1:3]}",
        selection_id=sid,
        market=market,
        side=side,
        line=line,
        price_american=american,
        price_decimal=decimal,
        received_at=RECEIVED_AT,
        source_ts=SENT_AT,
        seq=seq,
        update_id="x",
    )


def golden(updates: list[OddsUpdate]) -> list[OddsUpdate]:
    """Updates with their (random) update_id replaced, after checking it is a fresh uuid hex."""
    for u in updates:
        assert len(u.update_id) == 32 and u.update_id != "x"
    return [
        OddsUpdate(**{**{f: getattr(u, f) for f in OddsUpdate.__slots__}, "update_id": "x"})
        for u in updates
    ]


def test_full_then_delta_records_merge_into_updates() -> None:
    stats = StreamStats()
    state = GameState(EVENT, [], stats)
    first = state.feed(
        frame(
            full("0ML31234567_1", "BOS Celtics", ("+150", 2.5), None, "Moneyline"),
            full("0HC31234567_3", "NY Knicks", ("−110", 1.91), -6.5, "Spread"),
            full("0OU31234567_1", "Over", ("−105", 1.95), 221.5, "Total"),
        ),
        RECEIVED_AT,
    )
    assert golden(first) == [
        update("0ML31234567_1", (Market.MONEYLINE, Side.AWAY), None, (150, 2.5), 1),
        update("0HC31234567_3", (Market.SPREAD, Side.HOME), -6.5, (-110, 1.9091), 2),
        update("0OU31234567_1", (Market.TOTAL, Side.OVER), 221.5, (-105, 1.9524), 3),
    ]
    second = state.feed(
        frame(
            delta("0HC31234567_3", odds=["−115", 1.87]),  # line None: unchanged
            delta("0OU31234567_1", line=222.5),  # odds None: unchanged
            delta("0ML31234567_1", odds=["EVEN", 2.0]),
        ),
        RECEIVED_AT,
    )
    assert golden(second) == [
        update("0HC31234567_3", (Market.SPREAD, Side.HOME), -6.5, (-115, 1.8696), 4),
        update("0OU31234567_1", (Market.TOTAL, Side.OVER), 222.5, (-105, 1.9524), 5),
        update("0ML31234567_1", (Market.MONEYLINE, Side.AWAY), None, (100, 2.0), 6),
    ]
    assert (stats.frames, stats.records, stats.updates) == (2, 6, 6)
    assert (stats.parse_errors, stats.unknown_records, stats.drift, stats.skipped) == (0, 0, 0, 0)


def test_delta_of_a_scraped_selection_uses_the_scrape_as_state() -> None:
    scraped = Selection(
        provider="draftkings",
        league="nba",
        event_id="31234567",
        market_id="2_31234567_HC",
        selection_id="0HC31234567_1",
        market=Market.SPREAD,
        side=Side.AWAY,
        label="BOS Celtics",
        price_american=-110,
        price_decimal=1.9091,
        line=6.5,
    )
    state = GameState(EVENT, [scraped], StreamStats())
    updates = state.feed(frame(delta("0HC31234567_1", odds=["+100", 2.0])), RECEIVED_AT)
    assert golden(updates) == [
        update("0HC31234567_1", (Market.SPREAD, Side.AWAY), 6.5, (100, 2.0), 1)
    ]


def test_unknown_type_and_drift_are_counted_and_drift_still_used(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stats = StreamStats()
    state = GameState(EVENT, [], stats)
    drifted = full("0OU31234567_3", "Under", ("−115", 1.87), 221.5, "Total")
    drifted[1].append({"schema": "next"})  # type: ignore[attr-defined]
    with caplog.at_level(logging.DEBUG, logger="providers.draftkings.stream"):
        updates = state.feed(frame([99, ["?"]], drifted), RECEIVED_AT)
    assert golden(updates) == [
        update("0OU31234567_3", (Market.TOTAL, Side.UNDER), 221.5, (-115, 1.8696), 1)
    ]
    assert (stats.records, stats.unknown_records, stats.drift, stats.updates) == (2, 1, 1, 1)
    drift_logs = [r for r in caplog.records if r.getMessage() == "draftkings record shape drift"]
    observed = [
        (r.levelno, r.__dict__["length"], r.__dict__["expected_length"]) for r in drift_logs
    ]
    assert observed == [(logging.WARNING, 14, 13)]


def test_malformed_and_text_frames_are_counted_not_raised() -> None:
    stats = StreamStats()
    state = GameState(EVENT, [], stats)
    assert state.feed(b"\xc1\xc1 not msgpack", RECEIVED_AT) == []
    assert state.feed('{"jsonrpc": "2.0", "method": "heartbeat"}', RECEIVED_AT) == []
    assert state.feed(b"", RECEIVED_AT) == []
    assert (stats.frames, stats.parse_errors, stats.updates) == (3, 3, 0)


def test_a_total_without_a_line_waits_for_its_line() -> None:
    stats = StreamStats()
    state = GameState(EVENT, [], stats)
    first = state.feed(
        frame(full("0OU31234567_1", "Over", ("−110", 1.91), None, "Total")), RECEIVED_AT
    )
    second = state.feed(frame(delta("0OU31234567_1", line=219.5)), RECEIVED_AT)
    assert first == []  # a total needs its line: remembered, counted as skipped
    assert [(u.market, u.line, u.price_american) for u in second] == [(Market.TOTAL, 219.5, -110)]
    assert (stats.skipped, stats.updates) == (1, 1)


def test_unmappable_records_are_skipped() -> None:
    stats = StreamStats()
    state = GameState(EVENT, [], stats)
    other_event = [
        35,
        [
            "0ML99999999_1",
            "ML",
            "Other",
            ["+100", 2.0],
            2.0,
            None,
            "Home",
            [],
            "2_99999999_ML",
            ["Moneyline"],
            "",
            0,
            {},
        ],
    ]
    pick = full("0HC31234567_1", "BOS Celtics", ("PK", 2.0), 0.0, "Spread")
    nobody = full("0ML31234567_9", "Someone Else", ("+300", 4.0), None, "Moneyline")
    nobody[1][6] = "?"  # type: ignore[index]
    prop = [
        35,
        [
            "0PP31234567_1",
            "PP",
            "Over",
            ["−120", 1.83],
            1.83,
            25.5,
            "Over",
            [],
            "2_31234567_PP",
            ["Player Points"],
            "",
            0,
            {},
        ],
    ]
    no_id = delta("0HC31234567_7", odds=["+100", 2.0])  # never seen, no market id
    assert state.feed(frame(other_event, pick, nobody, prop, no_id), RECEIVED_AT) == []
    assert (stats.records, stats.skipped, stats.invalid_values, stats.updates) == (5, 4, 1, 0)


def test_source_ts_and_seq() -> None:
    state = GameState(EVENT, [], StreamStats())
    a = state.feed(
        frame(full("0ML31234567_1", "BOS Celtics", ("+150", 2.5), None, "Moneyline")), RECEIVED_AT
    )
    later = datetime(2026, 11, 23, 1, 5, tzinfo=UTC)
    before = datetime.now(UTC)
    b = state.feed(frame(delta("0ML31234567_1", odds=["+160", 2.6]), sent_at=later))
    assert [(u.seq, u.source_ts) for u in a + b] == [(1, SENT_AT), (2, later)]
    assert b[0].received_at.tzinfo is UTC and before <= b[0].received_at <= datetime.now(UTC)
    assert a[0].update_id != b[0].update_id


def test_subscribe_replies() -> None:
    stats = StreamStats()
    state = GameState(EVENT, [], stats)
    ack = msgpack.packb({"jsonrpc": "2.0", "id": "dk-ws-client", "result": {"subscriptionId": "u"}})
    assert state.feed(ack, RECEIVED_AT) == []
    refused = msgpack.packb(
        {"jsonrpc": "2.0", "id": "dk-ws-client", "error": {"code": 401, "message": "jwt expired"}}
    )
    with pytest.raises(AuthError):
        state.feed(refused, RECEIVED_AT)
