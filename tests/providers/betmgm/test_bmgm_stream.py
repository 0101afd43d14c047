"""Golden tests for the per-game BetMGM state: fixture-view bodies in, every readable
option out; through the monitor's change filter, the changed ones."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import orjson
import pytest
from bmgm_helpers import FID, payload

from oddswatch.changes import ChangeFilter
from oddswatch.metrics import StreamStats
from oddswatch.model import Event, Market, OddsUpdate, PriceStatus, Side, Team
from providers.betmgm import parse
from providers.betmgm.stream import GameState

EVENT = Event(
    provider="betmgm",
    league="nba",
    event_id=FID,
    home=Team("NY Knicks"),
    away=Team("BOS Celtics"),
    starts_at=datetime(2026, 11, 22, 0, 30, tzinfo=UTC),
)
RECEIVED_AT = datetime(2026, 11, 22, 1, 0, 1, tzinfo=UTC)
SOURCE_TS = datetime(2026, 11, 22, 1, 0, 0, tzinfo=UTC)


def body(data: Any) -> bytes:
    return orjson.dumps(data)


def scraped() -> list[Any]:
    view = parse.read_fixture_view(payload(), FID)
    assert view is not None
    return parse.selections_from_view(view, EVENT)[0]


def options(data: dict[str, Any], market: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = data["fixtures"][1]["optionMarkets"][market]["options"]
    return found


def key(u: OddsUpdate) -> tuple[Any, ...]:
    return (u.selection_id, u.market_id, u.market, u.side, u.line, u.price_american,
            u.price_decimal, u.status)  # fmt: skip


def test_unseeded_state_emits_everything_and_the_filter_keeps_it_once() -> None:
    stats = StreamStats()
    state = GameState(EVENT, [], stats)
    changes = ChangeFilter()
    first = changes.changed(state.feed(body(payload()), RECEIVED_AT, SOURCE_TS))
    assert [key(u) for u in first] == [
        ("1", "501", Market.MONEYLINE, Side.AWAY, None, 150, 2.5, PriceStatus.OPEN),
        ("2", "501", Market.MONEYLINE, Side.HOME, None, -180, 1.5556, PriceStatus.OPEN),
        ("3", "502", Market.SPREAD, Side.AWAY, 6.5, 100, 2.0, PriceStatus.OPEN),
        ("4", "502", Market.SPREAD, Side.HOME, -6.5, -120, 1.8333, PriceStatus.OPEN),
        ("5", "503", Market.TOTAL, Side.OVER, 221.5, -110, 1.9091, PriceStatus.OPEN),
        ("6", "503", Market.TOTAL, Side.UNDER, 221.5, -115, 1.87, PriceStatus.OPEN),
    ]
    assert [u.seq for u in first] == [1, 2, 3, 4, 5, 6]
    assert {(u.received_at, u.source_ts, u.provider, u.event_id) for u in first} == {
        (RECEIVED_AT, SOURCE_TS, "betmgm", FID)
    }
    assert len({u.update_id for u in first}) == 6
    again = state.feed(body(payload()), RECEIVED_AT)
    assert len(again) == 6 and changes.changed(again) == []
    assert (stats.frames, stats.records, stats.updates) == (2, 12, 12)
    assert (stats.parse_errors, stats.drift, stats.skipped) == (0, 0, 0)


def test_seeded_filter_keeps_only_changes_and_each_once() -> None:
    stats = StreamStats()
    state = GameState(EVENT, scraped(), stats)
    changes = ChangeFilter(scraped())
    assert changes.changed(state.feed(body(payload()))) == []  # the scrape's prices
    data = payload()
    options(data, 1)[1].update(attr="-7.5", price={"americanOdds": -105, "odds": 1.95})
    options(data, 0)[0]["price"] = {"americanOdds": 150, "odds": 2.5}  # unchanged
    changed = changes.changed(state.feed(body(data)))
    assert [key(u) for u in changed] == [
        ("4", "502", Market.SPREAD, Side.HOME, -7.5, -105, 1.9524, PriceStatus.OPEN)
    ]
    assert changes.changed(state.feed(body(data))) == []  # the same body again
    data["fixtures"][1]["optionMarkets"][2]["status"] = "Suspended"
    suspended = changes.changed(state.feed(body(data)))
    assert [(u.selection_id, u.status) for u in suspended] == [
        ("5", PriceStatus.SUSPENDED),
        ("6", PriceStatus.SUSPENDED),
    ]
    assert suspended[0].seq < suspended[1].seq


def test_decimal_only_prices_are_converted_never_assumed() -> None:
    state = GameState(EVENT, scraped(), StreamStats())
    data = payload()
    options(data, 0)[1]["price"] = {"odds": 1.91}
    options(data, 0)[0]["price"] = {"americanOdds": -110, "odds": 1.91}
    updates = ChangeFilter(scraped()).changed(state.feed(body(data)))
    got = {u.selection_id: (u.price_american, u.price_decimal) for u in updates}
    assert got == {"1": (-110, 1.9091), "2": (-110, 1.91)}


def test_not_json_and_html_bodies_are_parse_errors(caplog: pytest.LogCaptureFixture) -> None:
    stats = StreamStats()
    state = GameState(EVENT, scraped(), stats)
    with caplog.at_level(logging.DEBUG, logger="providers.betmgm.stream"):
        assert state.feed(b'{"fixtures": [{"id": \x00 not json') == []
        assert state.feed(b"<html><body>We'll be right back</body></html>") == []
    assert (stats.frames, stats.parse_errors, stats.updates) == (2, 2, 0)
    levels = [r.levelno for r in caplog.records if "not decodable" in r.getMessage()]
    assert levels == [logging.WARNING, logging.DEBUG]


def test_drift_is_counted_and_what_is_readable_is_still_used() -> None:
    stats = StreamStats()
    state = GameState(EVENT, scraped(), stats)
    data = payload()
    for p in data["fixtures"][1]["participants"]:
        p["name"] = p["name"]["value"]
    options(data, 0)[1]["price"] = {"americanOdds": "\u2212190", "odds": 1.53}
    updates = ChangeFilter(scraped()).changed(state.feed(body(data)))
    assert [(u.selection_id, u.price_american, u.price_decimal) for u in updates] == [
        ("2", -190, 1.5263)
    ]
    assert state.feed(body({"fixture": {}})) == []  # no fixtures list at all
    # drift: participant names as strings, americanOdds as text, no fixtures list
    assert (stats.drift, stats.parse_errors, stats.updates) == (3, 0, 6)


def test_unmappable_options_are_skipped_and_seeds_fill_a_drifted_market_kind() -> None:
    stats = StreamStats()
    state = GameState(EVENT, scraped(), stats)
    data = payload()
    spread = data["fixtures"][1]["optionMarkets"][1]
    spread.pop("parameters")
    spread["name"] = {"value": "Handicap 2.0"}  # unknown name: the kind comes from the scrape
    options(data, 1)[0]["price"] = {"americanOdds": 105, "odds": 2.05}
    new = {"id": 77, "name": {"value": "?"}, "price": {"americanOdds": 300}}  # never scraped
    options(data, 1).append(new)
    updates = ChangeFilter(scraped()).changed(state.feed(body(data)))
    assert [key(u) for u in updates] == [
        ("3", "502", Market.SPREAD, Side.AWAY, 6.5, 105, 2.05, PriceStatus.OPEN)
    ]
    assert (stats.skipped, stats.drift) == (1, 1)


def test_an_absent_fixture_yields_nothing() -> None:
    stats = StreamStats()
    state = GameState(EVENT, scraped(), stats)
    assert state.feed(body({"fixtures": []})) == []
    assert (stats.frames, stats.drift, stats.parse_errors) == (1, 0, 0)
