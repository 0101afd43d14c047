"""Pure BetMGM payload readers: league hrefs, the page's access id, the fixture-view JSON.

No I/O and no logging. `read_fixture_view` turns one fixture-view body into a
FixtureView: the fixture's teams and start, and one OptionPrice per option of its main
full-game moneyline, spread and total markets. Shape changes it can read around are
listed in `FixtureView.drift` (the caller counts them); shapes it cannot read at all
raise SchemaDrift. Nothing here assumes an odds format: a price is American only when
`price.americanOdds` is there, decimal only when nothing but `price.odds` is.
"""

from __future__ import annotations

import email.utils
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, NamedTuple
from urllib.parse import parse_qs, unquote, urlsplit

import orjson

from oddswatch.errors import InvalidPrice, ParseError, SchemaDrift
from oddswatch.model import Event, EventStatus, Market, PriceStatus, Selection, Side, Team
from oddswatch.model import team_key as key_of
from oddswatch.odds import (
    american_to_decimal,
    decimal_to_american,
    parse_american,
    parse_decimal,
    parse_line,
)

PROVIDER = "betmgm"
ACCESS_PARAM = "x-bwin-accessid"

# -- league page and access id ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventRef:
    """An event link `/en/sports/events/<away-slug>-at-<home-slug>-<fixtureId>`."""

    event_id: str
    url: str
    slug: str = ""


def event_href_pattern(site_url: str) -> re.Pattern[str]:
    base = re.escape(site_url.rstrip("/"))
    return re.compile(rf"^{base}/en/sports/events/([a-z0-9\-%]+)-(\d+)$", re.IGNORECASE)


def clean_href(href: str) -> str:
    """A resolved href without its query, fragment and trailing slash."""
    return href.strip().split("#", 1)[0].split("?", 1)[0].rstrip("/")


def event_refs(hrefs: Iterable[str], site_url: str) -> list[EventRef]:
    """The event links among resolved hrefs, one per fixture id, sorted by id."""
    pattern = event_href_pattern(site_url)
    refs: dict[str, EventRef] = {}
    for href in hrefs:
        url = clean_href(href)
        if (match := pattern.match(url)) and match.group(2) not in refs:
            refs[match.group(2)] = EventRef(match.group(2), url, unquote(match.group(1)).lower())
    return [refs[key] for key in sorted(refs)]


_ACCESS_ID_RE = re.compile(r'"accessId"\s*:\s*"([A-Za-z0-9+/=_\-]{8,})"')


def access_id_from_page(page: str) -> str:
    """The CDS access id from the page's `clientConfig` script. The error never carries
    the page (it may hold the id in a shape we do not know)."""
    match = _ACCESS_ID_RE.search(page)
    if match is None:
        raise ParseError("page has no access id", provider=PROVIDER)
    return match.group(1)


def is_fixture_view(url: str, api_path: str, fixture_id: str) -> bool:
    """Whether a request URL is the fixture-view call for this fixture."""
    parts = urlsplit(url)
    if not parts.path.rstrip("/").endswith(api_path.rstrip("/")):
        return False
    ids = parse_qs(parts.query).get("fixtureIds", [])
    return any(fixture_id in value.split(",") for value in ids)


def http_date(value: str | None) -> datetime | None:
    """An HTTP `Date` header as aware UTC, or None."""
    try:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
    except (TypeError, ValueError):
        return None
    return None if parsed is None else parsed.astimezone(UTC)


def decode_body(raw: bytes) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ParseError("fixture-view is not JSON", provider=PROVIDER, payload=raw) from None


# -- fixture-view -----------------------------------------------------------------------

MARKET_TYPES = {"2way": Market.MONEYLINE, "handicap": Market.SPREAD, "over/under": Market.TOTAL}
MARKET_NAMES = {"money line": Market.MONEYLINE, "moneyline": Market.MONEYLINE}
MARKET_NAMES |= {name: Market.SPREAD for name in ("spread", "run line", "puck line")}
MARKET_NAMES |= {
    name: Market.TOTAL for name in ("totals", "total", "total points", "total runs", "total goals")
}
FULL_GAME = "regulartime"
PARTICIPANT_SIDES = {"hometeam": Side.HOME, "awayteam": Side.AWAY}
TOTAL_SIDES = {"over": Side.OVER, "o": Side.OVER, "under": Side.UNDER, "u": Side.UNDER}
STATUSES = {"suspended": PriceStatus.SUSPENDED, "closed": PriceStatus.CLOSED}
STAGES = {
    "live": EventStatus.LIVE,
    "prematch": EventStatus.SCHEDULED,
    "finished": EventStatus.FINAL,
}


@dataclass(frozen=True, slots=True)
class OptionPrice:
    """One option of a main market; market/side None when this payload does not say."""

    market_id: str
    selection_id: str
    market: Market | None
    side: Side | None
    label: str
    line: float | None
    price_american: int
    price_decimal: float
    status: PriceStatus


@dataclass(frozen=True, slots=True)
class FixtureView:
    fixture_id: str
    starts_at: datetime | None
    stage: EventStatus | None
    home: Team | None
    away: Team | None
    options: tuple[OptionPrice, ...]
    skipped: int  # options of tracked markets whose price, side or line was unreadable
    drift: tuple[str, ...]  # shape changes read around


class MarketHead(NamedTuple):
    market_id: str
    kind: Market | None  # None: named only by a name we could not map
    status: PriceStatus


class Reader:
    """The state of reading one fixture: its participants and what drifted."""

    def __init__(self, fixture: dict[str, Any], slug: str) -> None:
        self.fixture = fixture
        self.drift: set[str] = set()
        self.skipped = 0
        self.sides: dict[str, Side] = {}  # participant id -> side
        self.names: dict[str, Side] = {}  # participant name -> side
        self.teams: dict[Side, Team] = {}
        for raw in _dicts(fixture.get("participants")):
            self._participant(raw, slug)

    def _participant(self, raw: dict[str, Any], slug: str) -> None:
        name = self.text(raw.get("name"), "participant.name")
        props = raw.get("properties")
        kind = props.get("type") if isinstance(props, dict) else None
        side = PARTICIPANT_SIDES.get(_lower(kind))
        if side is None:
            self.drift.add("participant.properties.type")
            side = _side_from_slug(name, slug)
        if name is None or side is None:
            return
        self.teams[side], self.names[name] = Team(name), side
        if "participantId" in raw:
            self.sides[_id(raw["participantId"])] = side

    def options(self) -> list[tuple[dict[str, Any], MarketHead]]:
        """Every raw option of the fixture's main tracked markets, with its market."""
        markets = self.fixture.get("optionMarkets")
        if not isinstance(markets, list):
            self.drift.add("optionMarkets missing")
        return [pair for market in _dicts(markets) for pair in self.market_options(market)]

    def market_options(self, market: dict[str, Any]) -> list[tuple[dict[str, Any], MarketHead]]:
        """The raw options of one market when it is a main tracked one."""
        if market.get("isMain") is False:
            return []
        kind = _market_kind(self, market)
        if kind is Market.OTHER:
            return []
        if not _id(market.get("id")):
            self.drift.add("market.id")
            return []
        status = STATUSES.get(_lower(market.get("status")), PriceStatus.OPEN)
        head = MarketHead(_id(market["id"]), kind, status)
        return [(raw, head) for raw in _dicts(market.get("options"))]

    def take_drift(self) -> tuple[str, ...]:
        """What drifted since the last call."""
        drift, self.drift = tuple(sorted(self.drift)), set()
        return drift

    def text(self, value: object, where: str) -> str | None:
        """`{"value": text}`; a bare string is read too, as drift."""
        if isinstance(value, dict) and isinstance(value.get("value"), str):
            return str(value["value"])
        if isinstance(value, str):
            self.drift.add(f"{where} is a string")
            return value
        return None


def find_fixture(data: Any, fixture_id: str) -> dict[str, Any] | None:
    """The fixture `fixture_id` of a fixture-view body; None when the body lists fixtures
    but not this one. Raises SchemaDrift when there is no `fixtures` list at all."""
    fixtures = data.get("fixtures") if isinstance(data, dict) else None
    if not isinstance(fixtures, list):
        raise SchemaDrift("no fixtures list", provider=PROVIDER)
    return next((f for f in _dicts(fixtures) if _id(f.get("id")) == fixture_id), None)


def read_fixture_view(data: Any, fixture_id: str, slug: str = "") -> FixtureView | None:
    """The fixture `fixture_id` of a fixture-view body, read whole (see `find_fixture`)."""
    fixture = find_fixture(data, fixture_id)
    if fixture is None:
        return None
    reader = Reader(fixture, slug)
    options = []
    for raw, head in reader.options():
        try:
            option = read_option(reader, raw, head)
        except InvalidPrice:
            option = None
        reader.skipped += option is None
        options += [] if option is None else [option]
    return FixtureView(
        fixture_id=fixture_id,
        starts_at=_start(reader, fixture.get("startDate")),
        stage=STAGES.get(_lower(fixture.get("stage"))),
        home=reader.teams.get(Side.HOME),
        away=reader.teams.get(Side.AWAY),
        options=tuple(options),
        skipped=reader.skipped,
        drift=tuple(sorted(reader.drift)),
    )


def _start(reader: Reader, value: object) -> datetime | None:
    try:
        parsed = datetime.fromisoformat(value) if isinstance(value, str) else None
    except ValueError:
        parsed = None
    if parsed is None:
        reader.drift.add("startDate")
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def _side_from_slug(name: str | None, slug: str) -> Side | None:
    """Home/away by the event link's `<away>-at-<home>` slug, when the marker is missing."""
    away, sep, home = slug.partition("-at-")
    key = key_of(name or "")
    if not sep or not key:
        return None
    return {away: Side.AWAY, home: Side.HOME}.get(key)


def _market_kind(reader: Reader, market: dict[str, Any]) -> Market | None:
    """From `parameters` MarketType + Period; by the market name (as drift) without them."""
    params = {
        _lower(p.get("key")): _lower(p.get("value")) for p in _dicts(market.get("parameters"))
    }
    if "markettype" in params:
        if params.get("period", FULL_GAME) != FULL_GAME:
            return Market.OTHER
        return MARKET_TYPES.get(params["markettype"], Market.OTHER)
    reader.drift.add("market.parameters")
    name = reader.text(market.get("name"), "market.name")
    return MARKET_NAMES.get(name.strip().lower(), None) if name else None


def read_option(reader: Reader, raw: dict[str, Any], head: MarketHead) -> OptionPrice | None:
    """One option; None when it has no id. Raises InvalidPrice when its price or line
    is unreadable."""
    market_id, kind, status = head
    if not _id(raw.get("id")):
        reader.drift.add("option.id")
        return None
    label = reader.text(raw.get("name"), "option.name") or ""
    american, decimal = _price(reader, raw.get("price"))
    line = _line(reader, raw, label, kind)
    own = STATUSES.get(_lower(raw.get("status")), PriceStatus.OPEN)
    return OptionPrice(
        market_id=market_id,
        selection_id=_id(raw["id"]),
        market=kind,
        side=_side(reader, raw, label, kind),
        label=label,
        line=line,
        price_american=american,
        price_decimal=decimal,
        status=status if status is not PriceStatus.OPEN else own,
    )


def _price(reader: Reader, price: object) -> tuple[int, float]:
    """(American, decimal) as the payload states them: American when `americanOdds` is
    there, else decimal from `odds`. Raises InvalidPrice when neither is readable."""
    if not isinstance(price, dict):
        reader.drift.add("option.price")
        raise InvalidPrice("no price object")
    american = price.get("americanOdds")
    if american is not None:
        if not isinstance(american, int) or isinstance(american, bool):
            reader.drift.add("price.americanOdds is not an integer")
        odds = parse_american(american)
        return odds, american_to_decimal(odds)
    decimal = price.get("odds")
    if isinstance(decimal, int | float | str) and not isinstance(decimal, bool):
        stated = parse_decimal(decimal)  # "2.70" as text is read too
        return decimal_to_american(stated), stated
    reader.drift.add("price has neither americanOdds nor odds")
    raise InvalidPrice("no price")


def _line(reader: Reader, raw: dict[str, Any], label: str, kind: Market | None) -> float | None:
    if kind is Market.MONEYLINE:
        return None
    attr = raw.get("attr")
    if isinstance(attr, str | int | float) and not isinstance(attr, bool):
        return parse_line(attr.replace(",", ".") if isinstance(attr, str) else attr)
    if kind is None:
        return None
    reader.drift.add("option.attr")
    return parse_line(label.rsplit(" ", 1)[-1]) if label else None


def _side(reader: Reader, raw: dict[str, Any], label: str, kind: Market | None) -> Side | None:
    prefix = raw.get("totalsPrefix")
    first = label.strip().split(" ", 1)[0].lower() if label else ""
    if kind is Market.TOTAL or (kind is None and "participantId" not in raw):
        return TOTAL_SIDES.get(_lower(prefix)) or TOTAL_SIDES.get(first)
    if "participantId" in raw:
        return reader.sides.get(_id(raw["participantId"]))
    return reader.names.get(label)


def _id(value: object) -> str:
    """An id sent as text or a whole number, as text; anything else: ""."""
    if isinstance(value, str) or (isinstance(value, int) and not isinstance(value, bool)):
        return str(value)
    return ""


def _lower(value: object) -> str:
    """A word of the payload, lower-cased; anything but text (a number, a list nested
    500 deep) is no word: "" (str() of it could recurse past the interpreter's limit)."""
    return value.lower() if isinstance(value, str) else ""


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# -- scrape records ---------------------------------------------------------------------


def event_from_view(view: FixtureView, ref: EventRef, league: str, now: datetime) -> Event:
    if view.home is None or view.away is None:
        raise ParseError("fixture has no home/away teams", provider=PROVIDER, endpoint=ref.url)
    if view.starts_at is None:
        raise ParseError("fixture has no start time", provider=PROVIDER, endpoint=ref.url)
    status = view.stage or (EventStatus.LIVE if view.starts_at <= now else EventStatus.SCHEDULED)
    return Event(
        PROVIDER, league, ref.event_id, view.home, view.away, view.starts_at, status, ref.url
    )


def selections_from_view(view: FixtureView, event: Event) -> tuple[list[Selection], int]:
    """The view's options as Selections; options whose market or side is unknown are
    counted as skipped."""
    selections = [
        Selection(
            provider=PROVIDER,
            league=event.league,
            event_id=event.event_id,
            market_id=o.market_id,
            selection_id=o.selection_id,
            market=o.market,
            side=o.side,
            label=o.label,
            price_american=o.price_american,
            price_decimal=o.price_decimal,
            line=o.line,
            status=o.status,
        )
        for o in view.options
        if o.market is not None and o.side is not None
    ]
    return selections, view.skipped + len(view.options) - len(selections)
