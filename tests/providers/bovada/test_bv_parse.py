"""Golden tests of the pure Bovada readers: Atmosphere frames, markets, coupon groups/events."""

from __future__ import annotations

import copy
from datetime import UTC, datetime
from typing import Any

import pytest

from oddswatch.errors import ParseError, SchemaDrift
from oddswatch.model import Event, EventStatus, Market, PriceStatus, Selection, Side, Team
from providers.bovada import coupon, parse

NOW = datetime(2026, 11, 22, 1, 0, tzinfo=UTC)
START_MS = 1_795_305_600_000  # 2026-11-22T00:00:00Z
GAME_PERIOD = {"description": "Game", "abbreviation": "G", "main": True}
KNICKS, CELTICS = Team("NY Knicks"), Team("BOS Celtics")


def outcome(oid: str, label: str, american: Any, handicap: Any = None, **more: Any) -> Any:
    price = {"american": american, "decimal": "1.909"}
    if handicap is not None:
        price["handicap"] = handicap
    return {"id": oid, "description": label, "price": price, **more}


def market(mid: str, description: str, outcomes: list[Any], **more: Any) -> dict[str, Any]:
    return {
        "id": mid,
        "description": description,
        "period": dict(GAME_PERIOD),
        "outcomes": outcomes,
        **more,
    }


SPREAD = market(
    "m2",
    "Point Spread",
    [
        outcome("o3", "BOS Celtics", "+100", "6.5", type="A", competitorId="e1-2"),
        outcome("o4", "NY Knicks", "\u2212120", "-6.5", type="H", competitorId="e1-1"),
    ],
)
EVENT: dict[str, Any] = {
    "id": "e1",
    "link": "/basketball/nba/bos-celtics-ny-knicks-202611211900",
    "startTime": START_MS,
    "live": False,
    # Home listed second: the `home` flag decides, not the order.
    "competitors": [
        {"id": "e1-2", "name": "BOS Celtics", "home": False},
        {"id": "e1-1", "name": "NY Knicks", "home": True},
    ],
    "displayGroups": [
        {
            "description": "Game Lines",
            "alternateType": False,
            "markets": [
                market(
                    "m1",
                    "Moneyline",
                    [
                        outcome("o1", "BOS Celtics", "EVEN", competitorId="e1-2"),
                        outcome("o2", "NY Knicks", "-120", competitorId="e1-1"),
                    ],
                ),
                SPREAD,
                market(
                    "m3",
                    "Total",
                    [
                        outcome("o5", "Over", "-110", "221.5", type="O"),
                        outcome("o6", "Under", "-110", "-221.5", type="U"),  # never negated
                    ],
                ),
                market(
                    "m4",
                    "Moneyline",
                    [outcome("o7", "BOS Celtics", "+150", type="A")],
                    period={"description": "First Half", "abbreviation": "1H", "main": True},
                ),
                market("m5", "Player Points", [outcome("o8", "Over", "-110", "25.5", type="O")]),
            ],
        },
        {
            "description": "Alternate Lines",
            "alternateType": True,
            "markets": [
                market("m6", "Point Spread", [outcome("o9", "x", "+180", "9.5", type="A")])
            ],
        },
    ],
}


def selection(sid: str, mid: str, kind: tuple[Market, Side], label: str, **more: Any) -> Selection:
    market_kind, side = kind
    return Selection(
        provider="bovada",
        league="nba",
        event_id="e1",
        market_id=mid,
        selection_id=sid,
        market=market_kind,
        side=side,
        label=label,
        **more,
    )


def test_event_golden() -> None:
    found = coupon.parse_event(EVENT, "nba", "https://www.bovada.lv/", NOW)
    assert found.event == Event(
        provider="bovada",
        league="nba",
        event_id="e1",
        home=KNICKS,
        away=CELTICS,
        starts_at=datetime(2026, 11, 22, 0, 0, tzinfo=UTC),
        status=EventStatus.LIVE,  # started before NOW
        url="https://www.bovada.lv/basketball/nba/bos-celtics-ny-knicks-202611211900",
    )
    ml, sp, tot = (Market.MONEYLINE, Market.SPREAD, Market.TOTAL)
    assert found.selections == (
        selection(
            "o1", "m1", (ml, Side.AWAY), "BOS Celtics", price_american=100, price_decimal=2.0
        ),
        selection(
            "o2", "m1", (ml, Side.HOME), "NY Knicks", price_american=-120, price_decimal=1.8333
        ),
        selection(
            "o3",
            "m2",
            (sp, Side.AWAY),
            "BOS Celtics",
            price_american=100,
            price_decimal=2.0,
            line=6.5,
        ),
        selection(
            "o4",
            "m2",
            (sp, Side.HOME),
            "NY Knicks",
            price_american=-120,
            price_decimal=1.8333,
            line=-6.5,
        ),
        selection(
            "o5",
            "m3",
            (tot, Side.OVER),
            "Over",
            price_american=-110,
            price_decimal=1.9091,
            line=221.5,
        ),
        selection(
            "o6",
            "m3",
            (tot, Side.UNDER),
            "Under",
            price_american=-110,
            price_decimal=1.9091,
            line=221.5,
        ),
    )
    assert (found.skipped, found.drift) == (0, ())


def test_event_without_teams_or_start_is_drift() -> None:
    for field in ("id", "startTime", "competitors"):
        broken = {k: v for k, v in EVENT.items() if k != field}
        with pytest.raises(SchemaDrift):
            coupon.parse_event(broken, "nba", "", NOW)
    two_homes = {**EVENT, "competitors": [{"name": "A", "home": True}, {"name": "B", "home": True}]}
    with pytest.raises(SchemaDrift):
        coupon.parse_event(two_homes, "nba", "", NOW)


def test_event_status_and_scheduled() -> None:
    later = coupon.parse_event({**EVENT, "startTime": START_MS + 7_200_000}, "nba", "", NOW)
    assert later.event.status is EventStatus.SCHEDULED
    live = coupon.parse_event(
        {**EVENT, "startTime": START_MS + 7_200_000, "live": True}, "nba", "", NOW
    )
    assert live.event.status is EventStatus.LIVE


def test_league_groups_match_the_whole_link_or_name_never_a_substring() -> None:
    def group(description: str, link: str) -> dict[str, Any]:
        return {
            "path": [
                {"description": description, "link": link},
                {"description": "Basketball", "link": "/basketball"},
            ],
            "events": [],
        }

    nba = group("NBA", "/basketball/nba")
    renamed = group("National Basketball Association", "/basketball/nba/")
    data = [
        group("NBA Preseason", "/basketball/nba-preseason"),
        nba,
        renamed,
        group("WNBA", "/basketball/wnba"),
        group("NBA G League", "/basketball/nba-g-league"),
        {"path": "broken"},
        "junk",
    ]
    assert coupon.league_groups(data, "/basketball/nba", ["NBA"]) == [nba, renamed]
    spring = group("MLB Spring Training", "/baseball/mlb-spring-training")
    assert coupon.league_groups([spring], "/baseball/mlb", ["MLB"]) == []
    opted_in = coupon.league_groups([spring], "/baseball/mlb", ["MLB", "mlb spring training"])
    assert opted_in == [spring]
    with pytest.raises(SchemaDrift):
        coupon.league_groups({"path": []}, "/basketball/nba", ["NBA"])


def test_group_events_are_listed_once() -> None:
    groups: list[dict[str, Any]] = [
        {"events": [{"id": "1"}, {"id": 2}]},
        {"events": [{"id": "1"}, {"x": 1}]},
        {"events": "junk"},
    ]
    events = coupon.group_events(groups)
    assert events == [{"id": "1"}, {"id": 2}, {"x": 1}]
    assert coupon.listed_ids(events) == ("1", "2")


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Moneyline", Market.MONEYLINE),
        ("Point Spread", Market.SPREAD),
        ("Spread", Market.SPREAD),
        ("Runline", Market.SPREAD),
        ("Puck Line", Market.SPREAD),
        ("Total", Market.TOTAL),
        ("Total Runs", Market.TOTAL),
        ("Total Goals", Market.TOTAL),
        ("Alternate Point Spread", Market.OTHER),
        ("Player Points", Market.OTHER),
    ],
)
def test_market_names(name: str, kind: Market) -> None:
    assert parse.market_kind({"description": name}) is kind


def test_market_kind_falls_back_to_key() -> None:
    assert parse.market_kind({"description": "Game Lines?", "key": "2W-HCAP"}) is Market.SPREAD
    assert parse.market_kind({"descriptionKey": "Head To Head"}) is Market.MONEYLINE


def test_prices_even_unicode_minus_and_decimal_only() -> None:
    read = parse.read_market(
        market(
            "m",
            "Moneyline",
            [
                outcome("a", "A", "EVEN", type="A"),
                outcome("b", "B", "\u2212135", type="H"),
                {"id": "c", "type": "H", "price": {"decimal": "2.50"}},
                {"id": "d", "type": "H", "price": {"american": "-115", "decimal": "1.87"}},
            ],
        )
    )
    got = [(q.selection_id, parse.prices(q.american, q.decimal)) for q in read.quotes]
    assert got == [
        ("a", (100, 2.0)),
        ("b", (-135, 1.7407)),
        ("c", (150, 2.5)),
        ("d", (-115, 1.8696)),
    ]
    assert read.drift == ()


def test_missing_or_reshaped_fields_are_drift() -> None:
    renamed = {k: v for k, v in SPREAD.items() if k != "outcomes"} | {"selections": []}
    assert parse.read_market(renamed) == parse.MarketRead(tracked=True, drift=("outcomes",))
    no_period = {k: v for k, v in SPREAD.items() if k != "period"}
    assert parse.read_market(no_period).drift == ("period",)
    reshaped = copy.deepcopy(SPREAD)
    reshaped["outcomes"][0]["price"] = {"american": -105, "handicap": 6.5}  # numbers
    reshaped["outcomes"][1]["price"] = "-120"  # not an object
    read = parse.read_market(reshaped)
    assert read.drift == ("american", "handicap", "price")
    assert read.unreadable == 1
    assert [(q.selection_id, q.american, q.handicap) for q in read.quotes] == [("o3", -105, 6.5)]
    no_price = copy.deepcopy(SPREAD)
    no_price["outcomes"][0]["price"] = {"handicap": "6.5"}
    assert parse.read_market(no_price).drift == ("price",)
    assert parse.read_market("junk").drift == ("market",)


def test_unreadable_american_price_is_drift_not_a_decimal_fallback() -> None:
    read = parse.read_market(market("m", "Moneyline", [outcome("a", "A", "PK", type="A")]))
    assert (read.quotes, read.drift, read.unreadable) == ((), ("american",), 1)


def test_statuses() -> None:
    base = market(
        "m",
        "Moneyline",
        [
            outcome("a", "A", "+100", type="A", status="S"),
            outcome("b", "B", "-120", type="H"),
            outcome("c", "B", "-120", type="H", status="Z"),
        ],
    )
    read = parse.read_market(base)
    assert [q.status for q in read.quotes] == [
        PriceStatus.SUSPENDED,
        PriceStatus.OPEN,
        PriceStatus.OPEN,
    ]
    assert read.drift == ("status",)
    suspended = parse.read_market({**base, "status": "S"})
    assert {q.status for q in suspended.quotes} == {PriceStatus.SUSPENDED}


def test_side_by_marker_competitor_known_then_exact_label() -> None:
    def quote(label: str, market: Market = Market.SPREAD, **more: Any) -> parse.Quote:
        fields = {"marker": None, "competitor_id": None, **more}
        return parse.Quote(
            "m",
            "s",
            market,
            label,
            american=-110,
            decimal=None,
            handicap=1.5,
            status=PriceStatus.OPEN,
            **fields,
        )

    ids = {"e1-1": Side.HOME, "e1-2": Side.AWAY}
    assert parse.side_of(quote("?", marker="H"), ids, None, KNICKS, CELTICS) is Side.HOME
    assert parse.side_of(quote("?", competitor_id="e1-2"), ids, None, KNICKS, CELTICS) is Side.AWAY
    assert parse.side_of(quote("?"), ids, Side.HOME, KNICKS, CELTICS) is Side.HOME
    assert parse.side_of(quote("BOS Celtics"), {}, None, KNICKS, CELTICS) is Side.AWAY
    assert parse.side_of(quote("Celtics"), {}, None, KNICKS, CELTICS) is None  # no substrings
    assert parse.side_of(quote("Over", Market.TOTAL), {}, None, KNICKS, CELTICS) is Side.OVER
    assert parse.side_of(quote("?", Market.TOTAL, marker="H"), {}, None, KNICKS, CELTICS) is None


def test_lines() -> None:
    assert parse.line_of(Market.MONEYLINE, 3.0) is None
    assert parse.line_of(Market.SPREAD, -3.5) == -3.5
    assert parse.line_of(Market.SPREAD, 3.5) == 3.5
    assert parse.line_of(Market.TOTAL, -221.5) == 221.5
    assert parse.line_of(Market.TOTAL, None) is None


def test_frames() -> None:
    kind = parse.FrameKind
    assert parse.split_frame(" " * 64).kind is kind.PADDING
    assert parse.split_frame("\n").kind is kind.PADDING
    assert parse.split_frame("X").kind is kind.HEARTBEAT
    assert parse.split_frame("~", heartbeat="~").kind is kind.HEARTBEAT
    handshake = parse.split_frame("0b1c2d3e-0000-4000-8000-00000000abcd|5000|X|")
    assert (handshake.kind, handshake.heartbeat_ms, handshake.heartbeat) == (
        kind.HANDSHAKE,
        5000,
        "X",
    )
    message = parse.split_frame('/events/1.1|{"a": "x|y"}')
    assert (message.kind, message.header, message.body) == (
        kind.MESSAGE,
        "/events/1.1",
        '{"a": "x|y"}',
    )
    with pytest.raises(ParseError):
        parse.split_frame("<html>502 Bad Gateway</html>")
    with pytest.raises(ParseError):
        parse.decode_body("{not json")


def test_body() -> None:
    body = parse.read_body({"eventId": 7, "lastModified": START_MS, "markets": []})
    assert body == parse.Body([], "7", datetime(2026, 11, 22, tzinfo=UTC))
    assert parse.read_body({"clock": "12:00"}).markets is None
    assert parse.read_body([1, 2]).markets is None
    assert parse.read_body({"markets": [], "lastModified": "soon"}).source_ts is None


def test_client_frames() -> None:
    assert parse.subscribe_frame("123") == "SUBSCRIBE|A|/events/123.1?delta=true"
    assert parse.unsubscribe_frame("123") == "UNSUBSCRIBE|123"
