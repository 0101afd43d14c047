"""Golden tests for the per-game FanDuel state: getMarketPrices bodies in, exact
OddsUpdates out, and nothing out for what did not change."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from oddswatch.changes import ChangeFilter
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, PriceStatus, Selection, Side, Team
from providers.fanduel.stream import GameState

EVENT = Event(
    provider="fanduel",
    league="nba",
    event_id="34567890",
    home=Team("NY Knicks"),
    away=Team("BOS Celtics"),
    starts_at=datetime(2026, 11, 23, 0, 30, tzinfo=UTC),
)
RECEIVED_AT = datetime(2026, 11, 23, 1, 0, 1, tzinfo=UTC)
# (market id, selection id, market, side, line, american, decimal) as scraped
SCRAPED = [
    ("734.1", "11", Market.MONEYLINE, Side.HOME, None, -150, 1.6667),
    ("734.1", "12", Market.MONEYLINE, Side.AWAY, None, 130, 2.3),
    ("734.2", "21", Market.SPREAD, Side.HOME, -3.5, -110, 1.9091),
    ("734.2", "22", Market.SPREAD, Side.AWAY, 3.5, -110, 1.9091),
    ("734.3", "31", Market.TOTAL, Side.OVER, 221.5, -105, 1.9524),
    ("734.3", "32", Market.TOTAL, Side.UNDER, 221.5, -115, 1.8696),
]


def selections() -> list[Selection]:
    return [
        Selection("fanduel", "nba", "34567890", mid, sid, kind, side, "", am, dec, line)
        for mid, sid, kind, side, line, am, dec in SCRAPED
    ]


def runner(
    sid: str, handicap: float, american: object, decimal: float, status: str = "ACTIVE"
) -> Any:
    return {
        "selectionId": int(sid),
        "handicap": handicap,
        "runnerStatus": status,
        "winRunnerOdds": {
            "americanDisplayOdds": {"americanOdds": american},
            "trueOdds": {"decimalOdds": {"decimalOdds": decimal}},
        },
    }


def body(changes: dict[str, Any] | None = None, status: dict[str, str] | None = None) -> bytes:
    """All three markets at the scraped prices, with some runners replaced."""
    changes, status = changes or {}, status or {}
    markets: dict[str, list[Any]] = {}
    for mid, sid, _, _, line, american, decimal in SCRAPED:
        handicap = 0 if line is None else line
        markets.setdefault(mid, []).append(
            changes.get(sid, runner(sid, handicap, american, decimal))
        )
    return orjson.dumps(
        [
            {"marketId": mid, "marketStatus": status.get(mid, "OPEN"), "runnerDetails": runners}
            for mid, runners in markets.items()
        ]
    )


def update(
    mid: str, sid: str, kind: tuple[Market, Side], line: float | None, price: tuple[int, float],
    seq: int, status: PriceStatus = PriceStatus.OPEN,
) -> OddsUpdate:  # fmt: skip
    (market, side), (american, decimal) = kind, price
    return OddsUpdate(
        provider="fanduel",
        league="nba",
        event_id="34567890",
        market_id=mid,
        selection_id=sid,
        market=market,
        side=side,
        line=line,
        price_american=american,
        price_decimal=decimal,
        received_at=RECEIVED_AT,
        status=status,
        seq=seq,
        update_id="x",
    )


def golden(updates: list[OddsUpdate]) -> list[OddsUpdate]:
    for u in updates:
        assert len(u.update_id) == 32 and u.update_id != "x"
    return [
        OddsUpdate(**{**{f: getattr(u, f) for f in OddsUpdate.__slots__}, "update_id": "x"})
        for u in updates
    ]


def test_prices_equal_to_the_scrape_yield_nothing_however_often_polled() -> None:
    stats = StreamStats()
    state = GameState(EVENT, selections(), stats)
    changes = ChangeFilter(selections())  # the monitor's
    assert state.market_ids == ["734.1", "734.2", "734.3"]
    for _ in range(3):
        assert changes.changed(state.feed(body(), RECEIVED_AT)) == []
    assert (stats.frames, stats.records, stats.updates) == (3, 18, 18)  # all read, none new
    assert (stats.parse_errors, stats.drift, stats.skipped, stats.unknown_records) == (0, 0, 0, 0)


def test_each_change_is_yielded_once_with_normalized_fields() -> None:
    stats = StreamStats()
    state = GameState(EVENT, selections(), stats)
    changes = ChangeFilter(selections())  # the monitor's
    moved = body(
        {
            "12": runner("12", 0, "EVEN", 2.0),
            "21": runner("21", -4.5, "\u2212120", 1.8333),
            "32": runner("32", -222.5, -110, 1.9091),  # an Under's line stated negative
        }
    )
    first = changes.changed(state.feed(moved, RECEIVED_AT))
    assert golden(first) == [
        update("734.1", "12", (Market.MONEYLINE, Side.AWAY), None, (100, 2.0), 2),
        update("734.2", "21", (Market.SPREAD, Side.HOME), -4.5, (-120, 1.8333), 3),
        update("734.3", "32", (Market.TOTAL, Side.UNDER), 222.5, (-110, 1.9091), 6),
    ]
    assert changes.changed(state.feed(moved, RECEIVED_AT)) == []  # the same again: nothing
    back = changes.changed(state.feed(body(), RECEIVED_AT))  # and back to the scraped prices
    assert [(u.selection_id, u.price_american, u.line, u.seq) for u in back] == [
        ("12", 130, None, 14),  # seq counts every price read: 6 a poll
        ("21", -110, -3.5, 15),
        ("32", -115, 221.5, 18),
    ]
    assert stats.updates == 18


def test_suspension_and_reopening_are_changes() -> None:
    state = GameState(EVENT, selections(), StreamStats())
    changes = ChangeFilter(selections())  # the monitor's
    suspended = changes.changed(state.feed(body(status={"734.3": "SUSPENDED"}), RECEIVED_AT))
    assert [(u.selection_id, u.status) for u in suspended] == [
        ("31", PriceStatus.SUSPENDED),
        ("32", PriceStatus.SUSPENDED),
    ]
    runner_only = changes.changed(
        state.feed(body({"11": runner("11", 0, -150, 1.6667, status="SUSPENDED")}), RECEIVED_AT)
    )
    assert [(u.selection_id, u.status) for u in runner_only] == [
        ("11", PriceStatus.SUSPENDED),
        ("31", PriceStatus.OPEN),
        ("32", PriceStatus.OPEN),
    ]


def test_a_decimal_only_price_keeps_the_stated_decimal() -> None:
    state = GameState(EVENT, selections(), StreamStats())
    changes = ChangeFilter(selections())  # the monitor's
    updates = changes.changed(state.feed(body({"11": runner("11", 0, None, 1.625)}), RECEIVED_AT))
    assert golden(updates) == [
        update("734.1", "11", (Market.MONEYLINE, Side.HOME), None, (-160, 1.625), 1)
    ]


def test_bodies_that_are_not_json_are_counted_not_raised(caplog: pytest.LogCaptureFixture) -> None:
    stats = StreamStats()
    state = GameState(EVENT, selections(), stats)
    changes = ChangeFilter(selections())  # the monitor's
    with caplog.at_level(logging.DEBUG, logger="providers.fanduel.stream"):
        for raw in (b'[{"marketId": "734.1", "runnerDe', b"<!DOCTYPE html><h1>Sorry</h1>"):
            assert changes.changed(state.feed(raw, RECEIVED_AT)) == []
    assert (stats.frames, stats.parse_errors, stats.updates) == (2, 2, 0)
    levels = [r.levelno for r in caplog.records if r.getMessage() == "payload not decodable"]
    assert levels == [logging.WARNING, logging.DEBUG]


def test_drift_is_counted_and_what_is_readable_is_still_used() -> None:
    stats = StreamStats()
    state = GameState(EVENT, selections(), stats)
    changes = ChangeFilter(selections())  # the monitor's

    def renamed(sid: str, handicap: float, american: int, decimal: float) -> Any:
        drifted = runner(sid, handicap, american, decimal)
        win = drifted["winRunnerOdds"]
        win["americanOddsV2"] = {"odds": win.pop("americanDisplayOdds")["americanOdds"]}
        return drifted

    unchanged = {
        sid: renamed(sid, 0 if ln is None else ln, am, dec) for _, sid, _, _, ln, am, dec in SCRAPED
    }
    assert (
        changes.changed(state.feed(body(unchanged), RECEIVED_AT)) == []
    )  # exact decimals: no phantom change
    assert stats.drift == 6
    moved = unchanged | {"22": renamed("22", 3.5, -125, 1.8)}
    no_handicap = {k: v for k, v in runner("31", 0, -105, 1.9524).items() if k != "handicap"}
    updates = changes.changed(state.feed(body(moved | {"31": no_handicap}), RECEIVED_AT))
    assert [(u.selection_id, u.price_american, u.price_decimal, u.line) for u in updates] == [
        ("22", -125, 1.8, 3.5)
    ]  # the total keeps its last line when the handicap is missing
    assert stats.drift == 12


def test_runners_we_cannot_map_are_skipped_or_unknown() -> None:
    stats = StreamStats()
    state = GameState(EVENT, selections(), stats)
    changes = ChangeFilter(selections())  # the monitor's
    strangers = orjson.dumps(
        [
            {
                "marketId": "734.1",
                "marketStatus": "OPEN",
                "runnerDetails": [runner("99", 0, 200, 3.0)],
            },
            {
                "marketId": "734.9",
                "marketStatus": "OPEN",
                "runnerDetails": [runner("91", 0, 200, 3.0)],
            },
            {
                "marketId": "734.2",
                "marketStatus": "OPEN",
                "runnerDetails": [runner("21", -3.5, "PK", 2.0) | {"winRunnerOdds": {}}],
            },
        ]
    )
    assert changes.changed(state.feed(strangers, RECEIVED_AT)) == []
    counts = (stats.records, stats.skipped, stats.unknown_records, stats.updates)
    assert counts == (3, 3, 1, 0)
