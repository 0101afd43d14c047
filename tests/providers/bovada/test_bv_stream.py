"""Golden tests for the per-game Bovada state: Atmosphere frames in, exact OddsUpdates out."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from oddswatch.changes import ChangeFilter
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, PriceStatus, Selection, Side, Team
from providers.bovada.stream import GameState

EVENT = Event(
    provider="bovada",
    league="nba",
    event_id="75813693",
    home=Team("NY Knicks"),
    away=Team("BOS Celtics"),
    starts_at=datetime(2026, 11, 23, 0, 30, tzinfo=UTC),
)
RECEIVED_AT = datetime(2026, 11, 23, 1, 0, 1, tzinfo=UTC)
MODIFIED_MS = 1_795_395_600_500
MODIFIED = datetime(2026, 11, 23, 1, 0, 0, 500000, tzinfo=UTC)
LIVE = {"description": "Live Game", "abbreviation": "G", "live": True, "main": True}


def seed(sid: str, mid: str, kind: tuple[Market, Side], american: int, line: float | None) -> Any:
    market, side = kind
    return Selection(
        provider="bovada",
        league="nba",
        event_id=EVENT.event_id,
        market_id=mid,
        selection_id=sid,
        market=market,
        side=side,
        label="",
        price_american=american,
        price_decimal=0.0,
        line=line,
    )


SEEDS = [
    seed("101", "m-ml", (Market.MONEYLINE, Side.AWAY), 150, None),
    seed("102", "m-ml", (Market.MONEYLINE, Side.HOME), -180, None),
    seed("103", "m-sp", (Market.SPREAD, Side.AWAY), -110, 4.5),
    seed("104", "m-sp", (Market.SPREAD, Side.HOME), -110, -4.5),
    seed("105", "m-tot", (Market.TOTAL, Side.OVER), -110, 221.5),
    seed("106", "m-tot", (Market.TOTAL, Side.UNDER), -110, 221.5),
]


def outcome(oid: str, american: str | int | None, handicap: str | None = None, **more: Any) -> Any:
    price: dict[str, Any] = {} if american is None else {"american": american}
    if handicap is not None:
        price["handicap"] = handicap
    return {"id": oid, "description": "", "status": "O", "price": price, **more}


def market(mid: str, description: str, *outcomes: Any, **more: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "description": description,
        "period": LIVE,
        "outcomes": list(outcomes),
        **more,
    }


def frame(*markets: Any, event_id: str = EVENT.event_id, **body: Any) -> str:
    data = {"eventId": event_id, "lastModified": MODIFIED_MS, "markets": list(markets), **body}
    return f"/events/{event_id}.1|{orjson.dumps(data).decode()}"


def update(sid: str, mid: str, kind: tuple[Market, Side], line: float | None, price: Any) -> Any:
    (market, side), (american, decimal) = kind, price
    return OddsUpdate(
        provider="bovada",
        league="nba",
        event_id=EVENT.event_id,
        market_id=mid,
        selection_id=sid,
        market=market,
        side=side,
        line=line,
        price_american=american,
        price_decimal=decimal,
        received_at=RECEIVED_AT,
        source_ts=MODIFIED,
        update_id="x",
    )


def golden(updates: list[OddsUpdate]) -> list[OddsUpdate]:
    """Updates without their random update_id and their seq (checked separately)."""
    for u in updates:
        assert len(u.update_id) == 32 and u.update_id != "x"
    return [replace(u, update_id="x", seq=0) for u in updates]


def state(stats: StreamStats | None = None) -> GameState:
    return GameState(EVENT, SEEDS, stats or StreamStats())


def test_control_frames_are_neither_updates_nor_errors() -> None:
    stats = StreamStats()
    game = state(stats)
    for raw in (" " * 64, "6f1d1f7e-4a3b-4c2d-9e8f-0a1b2c3d4e5f|2000|X|", "X", b"X", "\n"):
        assert game.feed(raw, RECEIVED_AT) == []
    assert (stats.frames, stats.parse_errors, stats.unknown_records) == (5, 0, 0)
    # The heartbeat interval the handshake announces belongs to the shared connection (the
    # hub): test_bv_hub.py routes control frames, and the stall test of test_bv_simulator.py
    # shows the silence limit it sets. A game's state only ignores control frames.


def test_every_outcome_read_becomes_an_update_and_repeats_are_the_change_filters() -> None:
    stats = StreamStats()
    game = state(stats)
    moved = frame(
        market("m-sp", "Spread", outcome("104", "\u2212120", "-5.5", type="H")),
        market("m-tot", "Total", outcome("106", "EVEN", "-222.5", type="U")),
        market("m-ml", "Moneyline", outcome("101", "+150", type="A")),  # as scraped
    )
    first = game.feed(moved, RECEIVED_AT)
    assert golden(first) == [
        update("104", "m-sp", (Market.SPREAD, Side.HOME), -5.5, (-120, 1.8333)),
        update("106", "m-tot", (Market.TOTAL, Side.UNDER), 222.5, (100, 2.0)),
        update("101", "m-ml", (Market.MONEYLINE, Side.AWAY), None, (150, 2.5)),
    ]
    assert [u.seq for u in first] == [1, 2, 3]
    again = game.feed(moved, RECEIVED_AT)  # the same prices again
    changes = ChangeFilter()
    assert changes.changed(first) == first and changes.changed(again) == []
    assert (stats.records, stats.updates, stats.skipped) == (6, 6, 0)


def test_point_spread_and_spread_are_one_market_and_lines_keep_their_sign() -> None:
    game = state()
    updates = game.feed(
        frame(
            market("m-sp", "Point Spread", outcome("103", "-105", "+3.5", type="A")),
            market("m-sp", "Spread", outcome("104", "-115", "-3.5", type="H")),
        ),
        RECEIVED_AT,
    )
    assert [(u.market, u.side, u.line) for u in updates] == [
        (Market.SPREAD, Side.AWAY, 3.5),
        (Market.SPREAD, Side.HOME, -3.5),
    ]


def test_side_from_seed_when_the_delta_has_no_marker_and_line_kept_when_not_restated() -> None:
    game = state()
    [moved] = game.feed(frame(market("m-tot", "Total", outcome("105", "-125"))), RECEIVED_AT)
    assert (moved.side, moved.line, moved.price_american) == (Side.OVER, 221.5, -125)


def test_decimal_only_price_and_status_changes() -> None:
    game = state()
    decimal_only = {"id": "101", "status": "O", "price": {"decimal": "2.6"}}
    [priced] = game.feed(frame(market("m-ml", "Moneyline", decimal_only)), RECEIVED_AT)
    assert (priced.price_american, priced.price_decimal) == (160, 2.6)
    suspended = frame(market("m-ml", "Moneyline", outcome("102", "-180", type="H"), status="S"))
    [held] = game.feed(suspended, RECEIVED_AT)
    assert (held.selection_id, held.status, held.price_american) == (
        "102",
        PriceStatus.SUSPENDED,
        -180,
    )
    reopened = frame(market("m-ml", "Moneyline", outcome("102", "-180", type="H")))
    assert [u.status for u in game.feed(reopened, RECEIVED_AT)] == [PriceStatus.OPEN]


def test_new_outcome_by_marker_or_exact_team_name() -> None:
    stats = StreamStats()
    game = state(stats)
    updates = game.feed(
        frame(
            market("m-ml2", "Moneyline", outcome("201", "+140", type="A")),
            market("m-ml2", "Moneyline", {**outcome("202", "-160"), "description": "NY Knicks"}),
            market("m-ml2", "Moneyline", {**outcome("203", "-160"), "description": "Knicks"}),
        ),
        RECEIVED_AT,
    )
    assert [(u.selection_id, u.side) for u in updates] == [("201", Side.AWAY), ("202", Side.HOME)]
    assert stats.skipped == 1  # "Knicks" is not a team name: never matched by substring


def test_malformed_text_and_undecodable_frames_are_counted_and_the_next_frame_works() -> None:
    stats = StreamStats()
    game = state(stats)
    for raw in ("/events/75813693.1|{not json", "<html>502</html>", b"\xff\xfe|{}"):
        assert game.feed(raw, RECEIVED_AT) == []
    assert stats.parse_errors == 3
    moved = frame(market("m-ml", "Moneyline", outcome("101", "+175", type="A")))
    assert [u.price_american for u in game.feed(moved, RECEIVED_AT)] == [175]


def test_unknown_bodies_and_other_events() -> None:
    stats = StreamStats()
    game = state(stats)
    assert game.feed('/events/75813693.1|{"clock": "Q3 5:12"}', RECEIVED_AT) == []
    other = frame(market("m-ml", "Moneyline", outcome("101", "+175", type="A")), event_id="1")
    assert game.feed(other, RECEIVED_AT) == []
    assert (stats.unknown_records, stats.skipped, stats.updates) == (1, 1, 0)


def test_schema_drift_is_counted_and_what_is_safe_is_still_read(
    caplog: pytest.LogCaptureFixture,
) -> None:
    stats = StreamStats()
    game = state(stats)
    reshaped = {"american": -102, "handicap": 4.5}  # numbers, no decimal: the fake's drift
    numbers = market("m-sp", "Spread", outcome("103", None, type="A") | {"price": reshaped})
    renamed = {**market("m-tot", "Total"), "selections": [outcome("105", "-150", "221.5")]}
    del renamed["outcomes"]
    with caplog.at_level(logging.DEBUG, logger="providers.bovada.stream"):
        updates = game.feed(frame(numbers, renamed), RECEIVED_AT)
        game.feed(frame(renamed), RECEIVED_AT)
    assert [(u.selection_id, u.price_american, u.line) for u in updates] == [("103", -102, 4.5)]
    assert (stats.records, stats.drift, stats.updates) == (1, 3, 1)  # one outcome read
    levels = [r.levelno for r in caplog.records if r.getMessage().endswith("shape drift")]
    assert levels == [logging.WARNING, logging.WARNING, logging.DEBUG]


def test_other_periods_and_markets_are_ignored() -> None:
    stats = StreamStats()
    game = state(stats)
    half = market("m-h", "Moneyline", outcome("301", "+100", type="A"))
    half["period"] = {"description": "First Half", "abbreviation": "1H", "main": True}
    prop = market("m-p", "Player Points", outcome("302", "-110", "25.5", type="O"))
    assert game.feed(frame(half, prop), RECEIVED_AT) == []
    assert (stats.records, stats.skipped, stats.drift) == (0, 0, 0)  # no tracked outcome


def test_source_ts_received_at_and_seq_across_frames() -> None:
    game = state()
    before = datetime.now(UTC)
    a = game.feed(frame(market("m-ml", "Moneyline", outcome("101", "+160", type="A"))))
    b = game.feed(frame(market("m-ml", "Moneyline", outcome("101", "+170", type="A"))))
    assert [(u.seq, u.source_ts) for u in a + b] == [(1, MODIFIED), (2, MODIFIED)]
    assert before <= b[0].received_at <= datetime.now(UTC)
    assert a[0].update_id != b[0].update_id
