"""Golden tests for providers.draftkings.parse: payloads built here, exact expected records."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import msgpack
import pytest

from oddswatch.errors import ParseError, SchemaDrift
from oddswatch.model import Event, EventStatus, Market, Selection, Side, Team
from providers.draftkings import frames, parse

SITE = "https://sportsbook.draftkings.com"
NY = ZoneInfo("America/New_York")
# Sunday 2026-11-22, 10:00 in New York.
SUNDAY_MORNING = datetime(2026, 11, 22, 15, 0, tzinfo=UTC)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# -- league page hrefs ------------------------------------------------------------------


def test_event_refs_decode_single_and_double_encoded_at() -> None:
    hrefs = [
        f"{SITE}/event/bos-celtics-%40-ny-knicks/31234567",
        f"{SITE}/event/lal-lakers-%2540-gs-warriors/31234568?category=odds",
        f"{SITE}/event/bos-celtics-%40-ny-knicks/31234567",  # duplicate
        f"{SITE}/leagues/basketball/nba",
        "https://elsewhere.example/event/a-%40-b/1",
        f"{SITE.upper()}/EVENT/MIA-HEAT-%40-ORL-MAGIC/31234570",
        f"{SITE}/event/mystery-game/31234569",
    ]
    assert parse.event_refs(hrefs, SITE) == [
        parse.EventRef(
            "31234567",
            f"{SITE}/event/bos-celtics-%40-ny-knicks/31234567",
            away=Team("Bos Celtics"),
            home=Team("Ny Knicks"),
        ),
        parse.EventRef(
            "31234568",
            f"{SITE}/event/lal-lakers-%2540-gs-warriors/31234568",
            away=Team("Lal Lakers"),
            home=Team("Gs Warriors"),
        ),
        parse.EventRef("31234569", f"{SITE}/event/mystery-game/31234569", None, None),
        parse.EventRef(
            "31234570",
            f"{SITE.upper()}/EVENT/MIA-HEAT-%40-ORL-MAGIC/31234570",
            away=Team("Mia Heat"),
            home=Team("Orl Magic"),
        ),
    ]


def test_slug_team_keys_match_book_spelling() -> None:
    away, home = parse.teams_from_slug("bos-celtics-%2540-ny-knicks")
    assert away is not None and home is not None
    assert (away.key, home.key) == (Team("BOS Celtics").key, Team("NY Knicks").key)


@pytest.mark.parametrize(
    ("label", "side"),
    [("NY Knicks", Side.HOME), ("Knicks", Side.HOME), ("New York Knicks", Side.HOME),
     ("BOS Celtics +6.5", Side.AWAY), ("Boston Celtics", Side.AWAY), ("Over 221.5", Side.OVER),
     ("Home", Side.HOME), ("LA Lakers", None)],
)  # fmt: skip
def test_side_from_label_reads_the_books_spelling_and_the_canonical_key(
    label: str, side: Side | None
) -> None:
    event = Event("draftkings", "nba", "1", Team("NY Knicks"), Team("BOS Celtics"), SUNDAY_MORNING)
    assert event.home.key == "new-york-knicks"  # the event's teams carry canonical keys
    assert parse.side_from_label(label, event.home, event.away) is side


@pytest.mark.parametrize(
    ("name", "kind"),
    [("Moneyline", Market.MONEYLINE), ("Puck Line", Market.SPREAD), ("Run Line", Market.SPREAD),
     ("Spread", Market.SPREAD), ("Total Goals", Market.TOTAL), ("Total", Market.TOTAL),
     ("Goalscorer", Market.OTHER), (None, Market.OTHER)],
)  # fmt: skip
def test_market_names_of_every_league(name: object, kind: Market) -> None:
    assert parse.market_from_name(name) is kind


# -- event page start time --------------------------------------------------------------


def test_start_from_embedded_start_event_date() -> None:
    page = '<script>window.x = {"startEventDate":"2026-11-23T00:30:00.0000000Z"}</script>'
    assert parse.start_from_event_page(page, SUNDAY_MORNING, NY) == utc(2026, 11, 23, 0, 30)


def test_start_from_scoreboard_date_when_no_embedded_date() -> None:
    page = '<div><span class="x" data-testid="scoreboard-date">Today 7:30 PM</span></div>'
    assert parse.start_from_event_page(page, SUNDAY_MORNING, NY) == utc(2026, 11, 23, 0, 30)


def test_event_page_without_start_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse.start_from_event_page("<html><body>nothing</body></html>", SUNDAY_MORNING, NY)


@pytest.mark.parametrize(
    ("text", "now", "expected"),
    [
        ("Today 7:30 PM", SUNDAY_MORNING, utc(2026, 11, 23, 0, 30)),
        ("Tomorrow 1:00 PM", SUNDAY_MORNING, utc(2026, 11, 23, 18, 0)),
        ("Tomorrow 12:05 AM", SUNDAY_MORNING, utc(2026, 11, 23, 5, 5)),
        # Sunday read on a Sunday morning is today (the reference resolved it to Saturday).
        ("Sun 1:00 PM", SUNDAY_MORNING, utc(2026, 11, 22, 18, 0)),
        # ... read on Wednesday 2026-11-25 it is the coming Sunday, 2026-11-29.
        ("Sun 1:00 PM", utc(2026, 11, 25, 15, 0), utc(2026, 11, 29, 18, 0)),
        # ... read on a Sunday after 1 PM it is next Sunday.
        ("Sunday 1:00 PM", utc(2026, 11, 22, 19, 0), utc(2026, 11, 29, 18, 0)),
        ("Sat 12:00 PM", SUNDAY_MORNING, utc(2026, 11, 28, 17, 0)),
        ("Mon 8:15 PM", SUNDAY_MORNING, utc(2026, 11, 24, 1, 15)),
        # Month-day forms for every league (NFL included), the year nearest to now, in DST.
        ("Thu Mar 26th 5:30 PM", SUNDAY_MORNING, utc(2027, 3, 26, 21, 30)),
        ("Sun Dec 14th 1:00 PM", SUNDAY_MORNING, utc(2026, 12, 14, 18, 0)),
        ("Nov 1st 1:00 PM", SUNDAY_MORNING, utc(2026, 11, 1, 18, 0)),
        ("  Today   7:30PM ", SUNDAY_MORNING, utc(2026, 11, 23, 0, 30)),
    ],
)
def test_scoreboard_date_forms(text: str, now: datetime, expected: datetime) -> None:
    assert parse.parse_scoreboard_date(text, now, NY) == expected


@pytest.mark.parametrize("text", ["Someday 7:30 PM", "Today 13:30 PM", "Foo 31st 1:00 PM", ""])
def test_unreadable_scoreboard_dates_raise(text: str) -> None:
    with pytest.raises(ParseError):
        parse.parse_scoreboard_date(text, SUNDAY_MORNING, NY)


# -- categories JSON --------------------------------------------------------------------

REF = parse.EventRef(
    "31234567",
    f"{SITE}/event/bos-celtics-%40-ny-knicks/31234567",
    away=Team("Bos Celtics"),
    home=Team("Ny Knicks"),
)


def categories() -> dict[str, object]:
    def sel(sid: str, market: str, label: str, american: str, **more: object) -> dict[str, object]:
        return {
            "id": sid,
            "marketId": market,
            "label": label,
            "displayOdds": {"american": american},
            **more,
        }

    knicks = [{"name": "NY Knicks", "venueRole": "Home"}]
    return {
        "events": [
            {
                "id": "31234567",
                "name": "BOS Celtics @ NY Knicks",
                "startEventDate": "2026-11-23T00:30:00Z",
                "participants": [
                    {"name": "NY Knicks", "venueRole": "Home"},
                    {"name": "BOS Celtics", "venueRole": "Away"},
                ],
            }
        ],
        "markets": [
            {
                "id": "2_31234567_ML",
                "eventId": "31234567",
                "name": "Moneyline",
                "marketType": {"name": "Moneyline"},
            },
            {
                "id": "2_31234567_HC",
                "eventId": "31234567",
                "name": "Spread",
                "marketType": {"name": "Spread"},
            },
            {
                "id": "2_31234567_OU",
                "eventId": "31234567",
                "name": "Total",
                "marketType": {"name": "Total"},
            },
            {
                "id": "2_31234567_H1",
                "eventId": "31234567",
                "name": "Spread 1st Half",
                "marketType": {"name": "Spread"},
            },
            {
                "id": "2_31234567_PP",
                "eventId": "31234567",
                "name": "Points",
                "marketType": {"name": "Player Points"},
            },
            {
                "id": "2_99999999_ML",
                "eventId": "99999999",
                "name": "Moneyline",
                "marketType": {"name": "Moneyline"},
            },
        ],
        "selections": [
            sel("0ML31234567_1", "2_31234567_ML", "BOS Celtics", "+150", outcomeType="Away"),
            sel("0ML31234567_3", "2_31234567_ML", "NY Knicks", "−180", participants=knicks),
            sel("0HC31234567_1", "2_31234567_HC", "BOS Celtics", "−110", points=6.5),
            sel(
                "0HC31234567_3",
                "2_31234567_HC",
                "NY Knicks",
                "−110",
                points=-6.5,
                outcomeType="Home",
            ),
            sel("0OU31234567_1", "2_31234567_OU", "Over", "−105", points=221.5, outcomeType="Over"),
            sel("0OU31234567_3", "2_31234567_OU", "Under", "EVEN", points=221.5),
            sel("0HC31234567_5", "2_31234567_H1", "NY Knicks", "+105", points=-3),
            sel("0XX31234567_7", "2_31234567_PP", "J. Brunson Over", "−120", points=25.5),
            sel("0ML99999999_1", "2_99999999_ML", "Other Team", "+100"),
            sel("0OU31234567_9", "2_31234567_OU", "Over", "PK", points=230.5),  # not a price
            sel("0HC31234567_9", "2_31234567_HC", "Somebody", "+100", points=1.5),  # no side
        ],
    }


Row = tuple[str, str, Market, Side, str, int, float, float | None, str]


def expected(row: Row) -> Selection:
    sid, market_id, market, side, label, american, decimal, line, period = row
    return Selection(
        provider="draftkings",
        league="nba",
        event_id="31234567",
        market_id=market_id,
        selection_id=sid,
        market=market,
        side=side,
        label=label,
        price_american=american,
        price_decimal=decimal,
        line=line,
        period=period,
    )


def test_categories_to_event_and_selections() -> None:
    found = parse.parse_categories(categories(), REF, "nba", None, SUNDAY_MORNING)
    assert found.event == Event(
        provider="draftkings",
        league="nba",
        event_id="31234567",
        home=Team("NY Knicks"),
        away=Team("BOS Celtics"),
        starts_at=utc(2026, 11, 23, 0, 30),
        status=EventStatus.SCHEDULED,
        url=REF.url,
    )
    ml, hc, ou = Market.MONEYLINE, Market.SPREAD, Market.TOTAL
    rows: list[Row] = [
        ("0ML31234567_1", "2_31234567_ML", ml, Side.AWAY, "BOS Celtics", 150, 2.5, None, "game"),
        ("0ML31234567_3", "2_31234567_ML", ml, Side.HOME, "NY Knicks", -180, 1.5556, None, "game"),
        ("0HC31234567_1", "2_31234567_HC", hc, Side.AWAY, "BOS Celtics", -110, 1.9091, 6.5, "game"),
        ("0HC31234567_3", "2_31234567_HC", hc, Side.HOME, "NY Knicks", -110, 1.9091, -6.5, "game"),
        ("0OU31234567_1", "2_31234567_OU", ou, Side.OVER, "Over", -105, 1.9524, 221.5, "game"),
        ("0OU31234567_3", "2_31234567_OU", ou, Side.UNDER, "Under", 100, 2.0, 221.5, "game"),
        ("0HC31234567_5", "2_31234567_H1", hc, Side.HOME, "NY Knicks", 105, 2.05, -3.0, "1h"),
    ]
    assert found.selections == tuple(expected(row) for row in rows)
    assert found.skipped == 2


def test_categories_start_and_teams_fall_back() -> None:
    data = categories()
    data["events"] = []
    start = utc(2026, 11, 22, 14, 0)  # from the event page, already begun
    found = parse.parse_categories(data, REF, "nba", start, SUNDAY_MORNING)
    assert REF.home is not None and REF.away is not None
    assert (found.event.home.name, found.event.away.name) == (REF.home.name, REF.away.name)
    assert (found.event.home.key, found.event.away.key) == ("new-york-knicks", "boston-celtics")
    assert (found.event.starts_at, found.event.status) == (start, EventStatus.LIVE)
    assert [s.side for s in found.selections[:2]] == [Side.AWAY, Side.HOME]


@pytest.mark.parametrize("data", [[], "x", {"events": [], "markets": [], "selections": []}])
def test_categories_without_start_or_object_raise(data: object) -> None:
    with pytest.raises(ParseError):
        parse.parse_categories(data, REF, "nba", None, SUNDAY_MORNING)


def test_categories_without_lists_give_no_selections() -> None:
    found = parse.parse_categories({"markets": "?"}, REF, "nba", SUNDAY_MORNING, SUNDAY_MORNING)
    assert (found.selections, found.skipped) == ((), 0)


# -- websocket frames -------------------------------------------------------------------

SENT_AT = datetime(2026, 11, 22, 23, 59, 58, 123456, tzinfo=UTC)


def update_frame(*records: list[object]) -> bytes:
    envelope = {
        "jsonrpc": "2.0",
        "method": "update",
        "params": {"entity": "events", "sentAt": SENT_AT, "data": list(records)},
    }
    return msgpack.packb(envelope, datetime=True)  # type: ignore[no-any-return]


def full(
    sid: str, label: str, odds: tuple[str, float], line: float | None, tag: str, *, extra: int = 0
) -> list[object]:
    american, decimal = odds
    market_id = f"2_1_{sid[1:3]}"
    payload = [sid, sid[1:3], label, [american, decimal], decimal, line, "Home", [], market_id]
    return [35, [*payload, [tag], sid + "x", 0, {}] + [None] * extra]


def test_decode_frame_finds_records_sent_at_and_drift() -> None:
    nested = [7, [[24, ["0HC1_3", None, ["−115", 1.87], None, None, None, None, None]]]]
    raw = update_frame(
        full("0HC1_3", "NY Knicks", ("−110", 1.91), -6.5, "Spread"),
        nested,
        full("0OU1_1", "Over", ("+100", 2.0), 221.5, "Total", extra=1),
        [35, [42]],  # leading field unreadable
    )
    frame = frames.decode_frame(raw)
    assert frame.sent_at == SENT_AT
    assert frame.unknown_types == (7,)
    records = [frames.read_record(*raw_record) for raw_record in frame.records]
    assert [
        (r.type_code, r.selection_id, r.american, r.decimal, r.line, r.drifted) for r in records
    ] == [
        (35, "0HC1_3", "−110", 1.91, -6.5, False),
        (24, "0HC1_3", "−115", 1.87, None, False),
        (35, "0OU1_1", "+100", 2.0, 221.5, True),
        (35, None, None, None, None, True),
    ]
    assert records[0].market_type == "Spread" and records[0].side == "Home"
    assert records[2].length == 14


def test_a_line_present_but_unreadable_is_drift_not_the_previous_line() -> None:
    payload = ["0OU1_1", "0U", "Over", ["+100", 2.0], 2.0, "O 215.5", "Over", [], "2_1_OU"]
    with pytest.raises(SchemaDrift):
        frames.read_record(35, [*payload, ["Total"], "x", 0, {}])


def test_decode_frame_replies_and_garbage() -> None:
    ack = msgpack.packb({"jsonrpc": "2.0", "id": "dk-ws-client", "result": {"subscriptionId": "u"}})
    error = msgpack.packb(
        {"jsonrpc": "2.0", "id": "dk-ws-client", "error": {"code": 401, "message": "no"}}
    )
    assert frames.decode_frame(ack).acked
    assert frames.decode_frame(error).error_code == 401
    for bad in (b"\xc1\xc1 not msgpack", b"", b"\x92\x01", '{"jsonrpc": "2.0"}'):
        with pytest.raises(ParseError):
            frames.decode_frame(bad)
    assert frames.decode_frame("#") == frames.Frame()  # a text frame whose bytes are msgpack 35


@pytest.mark.parametrize("seconds", [-62_167_219_200, 3_093_496_444_800, -(2**62)])
def test_an_impossible_sent_at_loses_only_the_time(seconds: int) -> None:
    envelope = {"params": {"sentAt": msgpack.Timestamp(seconds=seconds), "data": [
        full("0HC1_3", "NY Knicks", ("−110", 1.91), -6.5, "Spread")]}}  # fmt: skip
    frame = frames.decode_frame(msgpack.packb(envelope))
    assert frame.sent_at is None and len(frame.records) == 1
