"""Golden tests for providers.fanduel.parse: payloads built here, exact expected records."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import orjson
import pytest

from oddswatch.errors import ParseError
from oddswatch.model import Event, EventStatus, Market, PriceStatus, Selection, Side, Team
from providers.fanduel import parse

SITE = "https://sportsbook.fanduel.com"
NOW = datetime(2026, 11, 22, 0, 0, tzinfo=UTC)
# The slug says Knicks @ Celtics; the JSON's explicit fields say the opposite, and win.
REF = parse.EventRef("34567890", f"{SITE}/basketball/nba/ny-knicks-@-bos-celtics-34567890")


# -- league page hrefs ------------------------------------------------------------------


def test_event_refs_keep_the_leagues_event_links_basketball_included() -> None:
    hrefs = [
        f"{SITE}/basketball/nba/bos-celtics-@-ny-knicks-34567890",
        f"{SITE}/basketball/nba/lal-lakers-%40-gs-warriors-34567891?tab=popular",
        f"{SITE}/basketball/nba/bos-celtics-@-ny-knicks-34567890/",  # duplicate
        f"{SITE}/basketball/nba",  # the league page itself
        f"{SITE}/basketball/nba/futures-34567892",  # no "@": not a game
        f"{SITE}/football/nfl/kc-chiefs-@-buf-bills-34567893",  # another league
        "https://elsewhere.example/basketball/nba/a-@-b-1",
        f"{SITE}/basketball/nba/phi-76ers-@-por-trail-blazers-34567894#x",
    ]
    assert parse.event_refs(hrefs, SITE, "/basketball/nba") == [
        parse.EventRef("34567890", f"{SITE}/basketball/nba/bos-celtics-@-ny-knicks-34567890"),
        parse.EventRef("34567891", f"{SITE}/basketball/nba/lal-lakers-%40-gs-warriors-34567891"),
        parse.EventRef("34567894", f"{SITE}/basketball/nba/phi-76ers-@-por-trail-blazers-34567894"),
    ]
    football = parse.event_refs(hrefs, SITE + "/", "football/nfl")
    assert [ref.event_id for ref in football] == ["34567893"]


def test_is_event_json_matches_path_and_event_id_on_any_host() -> None:
    assert parse.is_event_json("https://sbapi.example/api/event-page?eventId=7&_ak=x", "7")
    assert not parse.is_event_json("https://sbapi.example/api/event-page?eventId=8", "7")
    assert not parse.is_event_json("https://sbapi.example/api/other?eventId=7", "7")


# -- event JSON -------------------------------------------------------------------------


def odds(american: object = -110, decimal: object = 1.9091) -> dict[str, Any]:
    return {
        "americanDisplayOdds": {"americanOdds": american},
        "trueOdds": {"decimalOdds": {"decimalOdds": decimal}},
    }


def runner(sid: int, side: str, handicap: float, price: dict[str, Any], name: str = "") -> Any:
    return {
        "selectionId": sid,
        "runnerName": name or side.title(),
        "handicap": handicap,
        "runnerStatus": "ACTIVE",
        "result": {"type": side},
        "winRunnerOdds": price,
    }


def market(market_id: str, kind: str, *runners: Any, status: str = "OPEN") -> dict[str, Any]:
    return {
        "marketId": market_id,
        "eventId": 34567890,
        "marketType": kind,
        "marketName": kind.title(),
        "marketStatus": status,
        "runners": list(runners),
    }


def event_json(*markets: Any, **event: Any) -> dict[str, Any]:
    info = {
        "eventId": 34567890,
        "name": "BOS Celtics @ NY Knicks",
        "openDate": "2026-11-22T00:30:00.000Z",
        "homeTeam": {"name": "NY Knicks"},
        "awayTeam": {"name": "BOS Celtics"},
    }
    return {"event": info | event, "markets": list(markets)}


def selection(
    market_id: str, sid: str, what: tuple[Market, Side, str], price: tuple[int, float], **more: Any
) -> Selection:
    (kind, side, label), (american, decimal) = what, price
    return Selection(
        provider="fanduel",
        league="nba",
        event_id="34567890",
        market_id=market_id,
        selection_id=sid,
        market=kind,
        side=side,
        label=label,
        price_american=american,
        price_decimal=decimal,
        **more,
    )


def test_parse_event_reads_teams_start_and_main_markets() -> None:
    data = event_json(
        market(
            "734.1",
            "MONEY_LINE",
            runner(11, "HOME", 0, odds(-150, 1.6667), "NY Knicks"),
            runner(12, "AWAY", 0, odds("+130", 2.3), "BOS Celtics"),
        ),
        market(
            "734.2",
            "MATCH_HANDICAP_(2-WAY)",
            runner(21, "HOME", -3.5, odds("\u2212110", 1.9091), "NY Knicks"),
            runner(22, "AWAY", 3.5, odds("EVEN", 2.0), "BOS Celtics"),
        ),
        market(
            "734.3",
            "TOTAL_POINTS_(OVER/UNDER)",
            runner(31, "OVER", 221.5, odds(-105, 1.9524)),
            runner(32, "UNDER", -221.5, odds(None, 1.87)),  # only a decimal price is stated
            status="SUSPENDED",
        ),
        market("734.4", "FIRST_HALF_MONEY_LINE", runner(41, "HOME", 0, odds())),
        market("734.5", "MONEY_LINE", runner(51, "HOME", 0, odds())) | {"eventId": 999},
    )
    found = parse.parse_event(data, REF, "nba", NOW)
    assert found.event == Event(
        provider="fanduel",
        league="nba",
        event_id="34567890",
        home=Team("NY Knicks"),
        away=Team("BOS Celtics"),
        starts_at=datetime(2026, 11, 22, 0, 30, tzinfo=UTC),
        status=EventStatus.SCHEDULED,
        url=REF.url,
    )
    suspended = {"status": PriceStatus.SUSPENDED}
    assert list(found.selections) == [
        selection("734.1", "11", (Market.MONEYLINE, Side.HOME, "NY Knicks"), (-150, 1.6667)),
        selection("734.1", "12", (Market.MONEYLINE, Side.AWAY, "BOS Celtics"), (130, 2.3)),
        selection(
            "734.2", "21", (Market.SPREAD, Side.HOME, "NY Knicks"), (-110, 1.9091), line=-3.5
        ),
        selection("734.2", "22", (Market.SPREAD, Side.AWAY, "BOS Celtics"), (100, 2.0), line=3.5),
        selection(
            "734.3",
            "31",
            (Market.TOTAL, Side.OVER, "Over"),
            (-105, 1.9524),
            line=221.5,
            **suspended,
        ),
        selection(
            "734.3",
            "32",
            (Market.TOTAL, Side.UNDER, "Under"),
            (-115, 1.87),
            line=221.5,
            **suspended,
        ),
    ]
    assert (found.skipped, found.drift) == (0, ())


def test_parse_event_start_times_are_utc_and_started_games_are_live() -> None:
    for text in ("2026-11-21T19:30:00-05:00", "2026-11-22T00:30:00", "2026-11-22T00:30:00Z"):
        found = parse.parse_event(event_json(openDate=text), REF, "nba", NOW)
        assert found.event.starts_at == datetime(2026, 11, 22, 0, 30, tzinfo=UTC)
        assert found.event.starts_at.tzinfo is UTC
    started = parse.parse_event(event_json(openDate="2026-11-21T23:50:00Z"), REF, "nba", NOW)
    in_play = parse.parse_event(event_json(inPlay=True), REF, "nba", NOW)
    assert started.event.status is in_play.event.status is EventStatus.LIVE


def test_parse_event_skips_unreadable_runners_and_names_drifted_fields() -> None:
    no_american = runner(11, "HOME", 0, {"trueOdds": {"decimalOdds": {"decimalOdds": 1.5}}})
    data = event_json(
        market(
            "734.1",
            "MONEY_LINE",
            no_american,  # the American key vanished: drift, the decimal is still read
            runner(12, "OVER", 0, odds()),  # an Over in a moneyline: no side
            runner(13, "AWAY", 0, {"americanDisplayOdds": {"americanOdds": "PK"}}),
        ),
        market("734.2", "MATCH_HANDICAP_(2-WAY)") | {"runners": None},
    )
    found = parse.parse_event(data, REF, "nba", NOW)
    assert [(s.selection_id, s.price_american, s.price_decimal) for s in found.selections] == [
        ("11", -200, 1.5)
    ]
    assert found.skipped == 3
    assert found.drift == (
        "winRunnerOdds.americanDisplayOdds.americanOdds",
        "winRunnerOdds.trueOdds.decimalOdds.decimalOdds",
        "runners",
    )


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"markets": []},
        event_json(eventId=1),
        event_json(homeTeam=None),
        event_json(awayTeam={"name": " "}),
        {"event": {k: v for k, v in event_json()["event"].items() if k != "openDate"}},
        event_json(openDate="tonight"),
    ],
)
def test_parse_event_refuses_what_is_not_this_event(data: Any) -> None:
    with pytest.raises(ParseError):
        parse.parse_event(data, REF, "nba", NOW)


# -- getMarketPrices --------------------------------------------------------------------


def prices_body(*markets: Any) -> bytes:
    return orjson.dumps(list(markets))


def detail(sid: int, handicap: float, price: dict[str, Any], status: str = "ACTIVE") -> Any:
    return {
        "selectionId": sid,
        "handicap": handicap,
        "runnerStatus": status,
        "winRunnerOdds": price,
    }


def test_prices_request_is_sorted_and_unique() -> None:
    assert parse.prices_request(["734.2", "734.1", "734.2"]) == {"marketIds": ["734.1", "734.2"]}


def test_parse_prices_reads_runners_statuses_and_prices() -> None:
    raw = prices_body(
        {
            "marketId": "734.2",
            "marketStatus": "OPEN",
            "runnerDetails": [
                detail(21, -4.5, odds("\u2212115", 1.8696)),
                detail(22, 4.5, odds(-105), status="SUSPENDED"),
            ],
        },
        {
            "marketId": "734.3",
            "marketStatus": "SUSPENDED",
            "runnerDetails": [detail(31, 220, odds())],
        },
        {
            "marketId": "734.4",
            "marketStatus": "CLOSED",
            "runnerDetails": [detail(41, 0, odds(100))],
        },
    )
    reply = parse.parse_prices(raw)
    assert reply.runners == (
        parse.RunnerPrice("734.2", "21", (-115, 1.8696), -4.5, PriceStatus.OPEN),
        parse.RunnerPrice("734.2", "22", (-105, 1.9524), 4.5, PriceStatus.SUSPENDED),
        parse.RunnerPrice("734.3", "31", (-110, 1.9091), 220.0, PriceStatus.SUSPENDED),
        parse.RunnerPrice("734.4", "41", (100, 2.0), 0.0, PriceStatus.CLOSED),
    )
    assert (reply.markets, reply.drift) == (("734.2", "734.3", "734.4"), ())


def test_parse_prices_counts_shape_changes_as_drift_and_reads_what_it_can() -> None:
    renamed = {
        "americanOddsV2": {"odds": -120},
        "trueOdds": {"decimalOdds": {"decimalOdds": 1.8333}},
    }
    raw = prices_body(
        {"marketId": "734.1", "marketStatus": "OPEN", "runners": []},  # runnerDetails renamed
        {
            "marketId": "734.2",
            "marketStatus": "PAUSED",  # a status word we do not know
            "runnerDetails": [
                {"selectionId": 21, "runnerStatus": "ACTIVE", "winRunnerOdds": renamed},
            ],
        },
    )
    reply = parse.parse_prices(raw)
    assert reply.drift == ("runnerDetails",)
    assert reply.runners == (
        parse.RunnerPrice(
            "734.2",
            "21",
            (-120, 1.8333),
            None,
            PriceStatus.OPEN,
            ("winRunnerOdds.americanDisplayOdds.americanOdds", "handicap", "marketStatus"),
        ),
    )
    assert parse.parse_prices(b'{"marketPrices": []}').drift == ("<reply is not a list>",)


@pytest.mark.parametrize(
    "raw", [b'[{"marketId": "734.1", "runnerDe', b"<!DOCTYPE html><h1>Sorry</h1>", b""]
)
def test_parse_prices_refuses_bodies_that_are_not_json(raw: bytes) -> None:
    with pytest.raises(ParseError) as refused:
        parse.parse_prices(raw)
    assert refused.value.payload is not None


def test_normalize_line() -> None:
    assert parse.normalize_line(Market.MONEYLINE, 0.0) is None
    assert parse.normalize_line(Market.SPREAD, -3.5) == -3.5
    assert parse.normalize_line(Market.SPREAD, 0) == 0.0
    assert parse.normalize_line(Market.TOTAL, -221.5) == 221.5
    assert parse.normalize_line(Market.TOTAL, None) is None
