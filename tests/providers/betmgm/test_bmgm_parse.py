"""Golden tests for providers.betmgm.parse: payloads built here, exact expected records."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest
from bmgm_helpers import FID, payload

from oddswatch.errors import ParseError, SchemaDrift
from oddswatch.model import Event, EventStatus, Market, PriceStatus, Selection, Side, Team
from providers.betmgm import parse

SITE = "https://www.co.betmgm.com"
START = datetime(2026, 11, 22, 0, 30, tzinfo=UTC)
NOW = datetime(2026, 11, 21, 18, 0, tzinfo=UTC)
REF = parse.EventRef(FID, f"{SITE}/en/sports/events/bos-celtics-at-ny-knicks-{FID}", "")


def price_of(view: parse.FixtureView) -> dict[str, tuple[Any, ...]]:
    return {
        o.selection_id: (o.market_id, o.market, o.side, o.line, o.price_american, o.price_decimal)
        for o in view.options
    }


def read(data: Any, slug: str = "") -> parse.FixtureView:
    view = parse.read_fixture_view(data, FID, slug)
    assert view is not None
    return view


def test_fixture_view_golden() -> None:
    view = read(payload())
    assert (view.fixture_id, view.starts_at, view.stage) == (FID, START, EventStatus.SCHEDULED)
    assert (view.home, view.away) == (Team("NY Knicks"), Team("BOS Celtics"))
    assert price_of(view) == {
        "1": ("501", Market.MONEYLINE, Side.AWAY, None, 150, 2.5),
        "2": ("501", Market.MONEYLINE, Side.HOME, None, -180, 1.5556),
        "3": ("502", Market.SPREAD, Side.AWAY, 6.5, 100, 2.0),
        "4": ("502", Market.SPREAD, Side.HOME, -6.5, -120, 1.8333),
        "5": ("503", Market.TOTAL, Side.OVER, 221.5, -110, 1.9091),
        "6": ("503", Market.TOTAL, Side.UNDER, 221.5, -115, 1.87),  # only decimal stated
    }
    assert (view.skipped, view.drift) == (0, ())
    assert all(o.status is PriceStatus.OPEN for o in view.options)


def test_scrape_records_from_a_view() -> None:
    view = read(payload())
    event = parse.event_from_view(view, REF, "nba", NOW)
    assert event == Event("betmgm", "nba", FID, Team("NY Knicks"), Team("BOS Celtics"), START,
                          EventStatus.SCHEDULED, REF.url)  # fmt: skip
    selections, skipped = parse.selections_from_view(view, event)
    assert skipped == 0
    assert selections[3] == Selection(
        provider="betmgm",
        league="nba",
        event_id=FID,
        market_id="502",
        selection_id="4",
        market=Market.SPREAD,
        side=Side.HOME,
        label="NY Knicks −6.5",
        price_american=-120,
        price_decimal=1.8333,
        line=-6.5,
    )


def test_american_is_used_when_stated_and_decimal_only_otherwise() -> None:
    data = payload()
    ml = data["fixtures"][1]["optionMarkets"][0]["options"]
    ml[0]["price"] = {"americanOdds": 100, "odds": 1.95}  # both: American wins, decimal derived
    ml[1]["price"] = {"odds": 2.5}  # decimal only
    got = price_of(read(data))
    assert got["1"][4:] == (100, 2.0)
    assert got["2"][4:] == (150, 2.5)


def test_even_and_unicode_minus_as_text_are_read_as_drift() -> None:
    data = payload()
    ml = data["fixtures"][1]["optionMarkets"][0]["options"]
    ml[0]["price"] = {"americanOdds": "EVEN", "odds": 2.0}
    ml[1]["price"] = {"americanOdds": "\u2212180", "odds": 1.56}
    view = read(data)
    assert price_of(view)["1"][4:] == (100, 2.0)
    assert price_of(view)["2"][4:] == (-180, 1.5556)
    assert view.drift == ("price.americanOdds is not an integer",)


def test_participant_name_as_a_plain_string_is_read_as_drift() -> None:
    data = payload()
    for p in data["fixtures"][1]["participants"]:
        p["name"] = p["name"]["value"]
    view = read(data)
    assert (view.home, view.away) == (Team("NY Knicks"), Team("BOS Celtics"))
    assert view.drift == ("participant.name is a string",)
    assert price_of(view) == price_of(read(payload()))


def test_missing_side_markers_fall_back_to_the_link_slug() -> None:
    data = payload()
    for p in data["fixtures"][1]["participants"]:
        del p["properties"]
    view = read(data, slug="bos-celtics-at-ny-knicks")
    assert (view.home, view.away) == (Team("NY Knicks"), Team("BOS Celtics"))
    assert price_of(view)["4"][2] is Side.HOME
    assert view.drift == ("participant.properties.type",)
    unknown = read(data)  # no slug: no sides, so moneyline and spread options cannot be mapped
    assert (unknown.home, unknown.away) == (None, None)
    assert [o.side for o in unknown.options if o.market is not Market.TOTAL] == [None] * 4
    with pytest.raises(ParseError):
        parse.event_from_view(unknown, REF, "nba", NOW)


@pytest.mark.parametrize(
    ("change", "drift", "options"),
    [
        (lambda f: f.pop("optionMarkets"), ("optionMarkets missing",), 0),
        (lambda f: f["optionMarkets"][0].pop("parameters"), ("market.parameters",), 6),
        (lambda f: f["optionMarkets"][0].pop("id"), ("market.id",), 4),
        (lambda f: f["optionMarkets"][0]["options"][0].pop("id"), ("option.id",), 5),
        (lambda f: f["optionMarkets"][0]["options"][0].pop("price"), ("option.price",), 5),
        (
            lambda f: f["optionMarkets"][0]["options"][0].update(price={"american": "+150"}),
            ("price has neither americanOdds nor odds",),
            5,
        ),
        (lambda f: f["optionMarkets"][1]["options"][0].pop("attr"), ("option.attr",), 6),
        (lambda f: f.pop("startDate"), ("startDate",), 6),
    ],
)
def test_missing_fields_are_drift(change: Any, drift: tuple[str, ...], options: int) -> None:
    data = payload()
    change(data["fixtures"][1])
    view = read(data)
    assert view.drift == drift
    assert len(view.options) == options
    assert view.skipped == (1 if options == 5 else 0)


def test_market_kind_by_name_without_parameters_and_line_from_the_label() -> None:
    data = payload()
    spread = data["fixtures"][1]["optionMarkets"][1]
    del spread["parameters"]
    for o in spread["options"]:
        del o["attr"]
    got = price_of(read(data))
    assert got["3"][1:4] == (Market.SPREAD, Side.AWAY, 6.5)
    assert got["4"][1:4] == (Market.SPREAD, Side.HOME, -6.5)


@pytest.mark.parametrize(
    ("spread_name", "total_name"),
    [("Puck Line", "Total Goals"), ("Run Line", "Total Runs"), ("Spread", "Totals")],
)
def test_hockey_and_baseball_market_names_without_parameters(
    spread_name: str, total_name: str
) -> None:
    data = payload()
    spread, total = data["fixtures"][1]["optionMarkets"][1:3]
    for market, name in ((spread, spread_name), (total, total_name)):
        del market["parameters"]
        market["name"] = {"value": name}
    got = price_of(read(data))
    assert got["4"][1:4] == (Market.SPREAD, Side.HOME, -6.5)
    assert got["5"][1:4] == (Market.TOTAL, Side.OVER, 221.5)


def test_suspended_market_and_option_and_bad_prices() -> None:
    data = payload()
    markets = data["fixtures"][1]["optionMarkets"]
    markets[0]["status"] = "Suspended"
    markets[2]["options"][0]["status"] = "Suspended"
    markets[1]["options"][0]["price"] = {"americanOdds": 50}  # |odds| < 100: not a price
    view = read(data)
    statuses = {o.selection_id: o.status for o in view.options}
    assert statuses["1"] is statuses["2"] is statuses["5"] is PriceStatus.SUSPENDED
    assert statuses["4"] is statuses["6"] is PriceStatus.OPEN
    assert "3" not in statuses and view.skipped == 1


def test_bodies_without_a_fixtures_list_raise_drift_and_absent_fixtures_are_none() -> None:
    bodies: list[Any] = [{"fixture": {}}, [], "x", {"fixtures": {"id": FID}}]
    for data in bodies:
        with pytest.raises(SchemaDrift):
            parse.read_fixture_view(data, FID)
    assert parse.read_fixture_view({"fixtures": []}, FID) is None
    with pytest.raises(ParseError) as bad:
        parse.decode_body(b"<html>busy</html>")
    assert bad.value.payload is not None and "busy" in bad.value.payload


def test_event_refs() -> None:
    hrefs = [
        f"{SITE}/en/sports/events/bos-celtics-at-ny-knicks-16012345",
        f"{SITE}/en/sports/events/bos-celtics-at-ny-knicks-16012345?market=all#top",
        f"{SITE}/en/sports/events/la-lakers-at-gs-warriors-16012346/",
        f"{SITE}/en/sports/basketball-7/today",
        f"{SITE}/en/sports/events/no-id-here",
        "https://elsewhere.example/en/sports/events/a-at-b-1",
    ]
    assert parse.event_refs(hrefs, SITE) == [
        parse.EventRef(FID, hrefs[0], "bos-celtics-at-ny-knicks"),
        parse.EventRef("16012346", hrefs[2].rstrip("/"), "la-lakers-at-gs-warriors"),
    ]


def test_access_id_and_fixture_view_urls() -> None:
    page = '<script>window.clientConfig = {"cds": {"accessId": "QUJDRA+/ZWZn="}};</script>'
    assert parse.access_id_from_page(page) == "QUJDRA+/ZWZn="
    with pytest.raises(ParseError) as missing:
        parse.access_id_from_page('{"cds": {"accessKey": "QUJDRA+/ZWZn="}}')
    assert missing.value.payload is None  # the page is never attached
    api = "/cds-api/bettingoffer/fixture-view"
    url = f"{SITE}{api}?x-bwin-accessid=abc&fixtureIds=1%2C{FID}&lang=en-us"
    assert parse.is_fixture_view(url, api, FID)
    assert not parse.is_fixture_view(url, api, "1601234")
    assert not parse.is_fixture_view(f"{SITE}/cds-api/other?fixtureIds={FID}", api, FID)
    assert parse.http_date("Sat, 21 Nov 2026 18:00:00 GMT") == NOW
    assert parse.http_date("yesterday") is None and parse.http_date(None) is None


def test_stage_decides_the_event_status() -> None:
    data = payload()
    fixture = data["fixtures"][1]
    for stage, status in (("Live", EventStatus.LIVE), ("Finished", EventStatus.FINAL)):
        fixture["stage"] = stage
        assert parse.event_from_view(read(data), REF, "nba", NOW).status is status
    del fixture["stage"]
    later = copy.deepcopy(NOW).replace(day=23)
    assert parse.event_from_view(read(data), REF, "nba", later).status is EventStatus.LIVE
