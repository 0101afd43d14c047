"""Pure DraftKings payload readers: league hrefs, event pages, categories JSON (websocket
frames are in `frames`).

No I/O and no logging: each function takes a payload (and the clock or zone it needs)
and returns domain records or the small immutable records below; bad input raises
ParseError. The caller counts and logs.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from oddswatch.errors import InvalidPrice, ParseError
from oddswatch.model import Event, EventStatus, Market, Selection, Side, Team, team_key
from oddswatch.odds import american_to_decimal, parse_american, parse_line
from providers.scraping import Found, event_links, link_pattern, selection

PROVIDER = "draftkings"

# -- league page ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventRef:
    """An event link of a league page; teams come from its slug (`away-%40-home`)."""

    event_id: str
    url: str
    away: Team | None = None
    home: Team | None = None


def event_href_pattern(site_url: str) -> re.Pattern[str]:
    return link_pattern(site_url, r"/event/([a-z0-9\-@%]+)/(\d+)")


def event_refs(hrefs: Iterable[str], site_url: str) -> list[EventRef]:
    """The event links among resolved hrefs, one per event id, sorted by id."""
    return event_links(hrefs, event_href_pattern(site_url), _event_ref)


def _event_ref(match: re.Match[str], url: str) -> EventRef:
    return EventRef(match.group(2), url, *teams_from_slug(match.group(1)))


def teams_from_slug(slug: str) -> tuple[Team | None, Team | None]:
    """`bos-celtics-%40-ny-knicks` (or `%2540`) → (away, home); no `@` → (None, None)."""
    text = slug
    for _ in range(4):  # `%2540` takes two rounds
        text, previous = unquote(text), text
        if text == previous:
            break
    if "@" not in text:
        return None, None
    away, _, home = text.partition("@")
    return _slug_team(away), _slug_team(home)


def _slug_team(part: str) -> Team | None:
    words = [word for word in part.split("-") if word]
    return Team(" ".join(words).title()) if words else None


# -- event page: start time -------------------------------------------------------------

_START_RE = re.compile(r'"startEventDate"\s*:\s*"([^"]+)"')
_SCOREBOARD_RE = re.compile(r"data-testid=[\"']scoreboard-date[\"'][^>]*>(.*?)</span", re.I | re.S)
_WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_CLOCK = r"(\d{1,2}):(\d{2})\s*([ap])\.?m\.?"
_MONTH_DAY_RE = re.compile(
    rf"^(?:[a-z]+\.?,?\s+)?([a-z]{{3}})[a-z]*\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?:at\s+)?{_CLOCK}$",
    re.IGNORECASE,
)
_RELATIVE_RE = re.compile(rf"^([a-z]+),?\s+(?:at\s+)?{_CLOCK}$", re.IGNORECASE)


def parse_iso(value: str) -> datetime:
    """`2026-11-21T00:30:00Z` → aware UTC datetime; a naive value is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        raise ParseError("not an ISO time", provider=PROVIDER, payload=value) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def start_from_event_page(page: str, now: datetime, tz: ZoneInfo) -> datetime:
    """The start (UTC) from `"startEventDate"`, else from the scoreboard-date text."""
    if match := _START_RE.search(page):
        return parse_iso(match.group(1))
    if match := _SCOREBOARD_RE.search(page):
        return parse_scoreboard_date(html.unescape(re.sub(r"<[^>]*>", " ", match[1])), now, tz)
    raise ParseError("event page has no start time", provider=PROVIDER)


def parse_scoreboard_date(text: str, now: datetime, tz: ZoneInfo) -> datetime:
    """`Today 7:30 PM`, `Tomorrow …`, `Sun 1:00 PM`, `Thu Mar 26th 5:30 PM` in `tz` → UTC."""
    clean = " ".join(text.split())
    local_now = now.astimezone(tz)
    if match := _MONTH_DAY_RE.match(clean):
        when = _clock(*match.groups()[2:])
        on = _month_day(match[1], int(match[2]), local_now.date(), clean)
    elif match := _RELATIVE_RE.match(clean):
        when = _clock(*match.groups()[1:])
        on = _relative_day(match[1], when, local_now, clean)
    else:
        raise ParseError("unknown scoreboard date", provider=PROVIDER, payload=clean)
    return datetime.combine(on, when, tzinfo=tz).astimezone(UTC)


def _clock(hour: str, minute: str, half: str) -> time:
    h, m = int(hour), int(minute)
    if not (1 <= h <= 12 and m < 60):
        raise ParseError("bad clock time", provider=PROVIDER, payload=f"{hour}:{minute}")
    return time(h % 12 + (12 if half.lower() == "p" else 0), m)


def _relative_day(word: str, when: time, local_now: datetime, text: str) -> date:
    today, lowered = local_now.date(), word.lower()
    if lowered in ("today", "tomorrow"):
        return today + timedelta(days=lowered == "tomorrow")
    if len(lowered) < 3 or lowered[:3] not in _WEEKDAYS:
        raise ParseError("unknown scoreboard day", provider=PROVIDER, payload=text)
    ahead = (_WEEKDAYS.index(lowered[:3]) - today.weekday()) % 7  # both count Monday as 0
    if ahead == 0 and when < local_now.time():
        ahead = 7  # "Sun 1:00 PM" read on a Sunday afternoon is next Sunday
    return today + timedelta(days=ahead)


def _month_day(month: str, day: int, today: date, text: str) -> date:
    """The date of that month and day nearest to today (the year is not shown)."""
    if month.lower() not in _MONTHS:
        raise ParseError("unknown scoreboard month", provider=PROVIDER, payload=text)
    number, candidates = _MONTHS.index(month.lower()) + 1, []
    for year in (today.year - 1, today.year, today.year + 1):
        try:
            candidates.append(date(year, number, day))
        except ValueError:  # Feb 29th outside a leap year, Apr 31st
            continue
    if not candidates:
        raise ParseError("impossible scoreboard date", provider=PROVIDER, payload=text)
    return min(candidates, key=lambda candidate: abs((candidate - today).days))


# -- categories JSON --------------------------------------------------------------------

_MARKETS = {"moneyline": Market.MONEYLINE, "spread": Market.SPREAD, "total": Market.TOTAL}
_MARKETS |= {name: Market.SPREAD for name in ("point spread", "run line", "puck line")}
_MARKETS |= {name: Market.TOTAL for name in ("total points", "total runs", "total goals")}
_SIDES = {side.value: side for side in (Side.HOME, Side.AWAY, Side.OVER, Side.UNDER, Side.DRAW)}
_SIDES["tie"] = Side.DRAW
_PERIOD_RE = re.compile(r"\b([1-4])(?:st|nd|rd|th)\s+(half|quarter|period|inning)", re.I)


def market_from_name(name: object) -> Market:
    return (
        _MARKETS.get(name.strip().lower(), Market.OTHER) if isinstance(name, str) else Market.OTHER
    )


def market_from_selection_id(selection_id: str) -> Market | None:
    """Selection-id prefix `0ML`/`0HC`/`0OU` → market; another prefix → None."""
    return _PREFIXES.get(selection_id[:3].upper())


_PREFIXES = {"0ML": Market.MONEYLINE, "0HC": Market.SPREAD, "0OU": Market.TOTAL}


def period_from_name(name: object) -> str:
    """`Spread 1st Half` → `1h`; a name without a period → `game`."""
    match = _PERIOD_RE.search(name) if isinstance(name, str) else None
    return f"{match[1]}{match[2][0].lower()}" if match else "game"


def side_word(word: object) -> Side | None:
    """`Home`, `Away`, `Over`, `Under`, `Draw`/`Tie` (any case) → Side."""
    return _SIDES.get(word.strip().lower()) if isinstance(word, str) else None


def side_from_label(label: object, home: Team, away: Team) -> Side | None:
    """A selection label against the event's teams, or Over/Under (`Over 221.5` too)."""
    if not isinstance(label, str):
        return None
    first = label.strip().split(" ", 1)[0].lower()
    if first in ("over", "under"):
        return _SIDES[first]
    key = team_key(label)
    is_home, is_away = _names(key, home), _names(key, away)
    return (Side.HOME if is_home else Side.AWAY) if is_home != is_away else side_word(label)


def _names(key: str, team: Team) -> bool:
    """`ny-knicks` names `NY Knicks`; so do `knicks` and `ny-knicks-6-5`. The team's own
    spelling is compared, and its (canonical) key: `new-york-knicks`."""
    return any(_names_key(key, known) for known in {team_key(team.name), team.key})


def _names_key(key: str, team: str) -> bool:
    if not key or not team:
        return False
    return key == team or team.endswith("-" + key) or key.startswith(team + "-")


def parse_categories(
    data: Any, ref: EventRef, league: str, starts_at: datetime | None, now: datetime
) -> Found:
    """Categories JSON → the Event and its moneyline/spread/total Selections (`skipped`:
    those of the three markets whose side or price we could not read).

    `starts_at` comes from the event page; when it is None the JSON's event start is used.
    Markets of other events and of other types are left out.
    """
    if not isinstance(data, dict):
        raise ParseError("categories is not an object", provider=PROVIDER, payload=data)
    event = _event(data, ref, league, starts_at, now)
    markets = _markets(data, ref.event_id)
    selections, skipped = [], 0
    for raw in _dicts(data.get("selections")):
        market_id = str(raw.get("marketId"))
        if market_id in markets:
            selection = _selection(raw, market_id, *markets[market_id], event)
            skipped += selection is None
            selections += [] if selection is None else [selection]
    return Found(event, tuple(selections), skipped)


def _event(
    data: dict[str, Any], ref: EventRef, league: str, start: datetime | None, now: datetime
) -> Event:
    info = next((e for e in _dicts(data.get("events")) if str(e.get("id")) == ref.event_id), {})
    roles = {
        str(p.get("venueRole")).lower(): Team(p["name"])
        for p in _dicts(info.get("participants"))
        if isinstance(p.get("name"), str) and p["name"]
    }
    home, away = roles.get("home", ref.home), roles.get("away", ref.away)
    if home is None or away is None:
        raise ParseError("event has no teams", provider=PROVIDER, endpoint=ref.url)
    start_text = info.get("startEventDate")
    start = start or (parse_iso(start_text) if isinstance(start_text, str) else None)
    if start is None:
        raise ParseError("event has no start time", provider=PROVIDER, endpoint=ref.url)
    status = EventStatus.LIVE if start <= now else EventStatus.SCHEDULED
    return Event(PROVIDER, league, ref.event_id, home, away, start, status, ref.url)


def _markets(data: dict[str, Any], event_id: str) -> dict[str, tuple[Market, str]]:
    """Market id → (market, period) for this event's moneyline, spread and total markets."""
    markets: dict[str, tuple[Market, str]] = {}
    for market in _dicts(data.get("markets")):
        kind = _market_of(market)
        if kind is not Market.OTHER and str(market.get("eventId", event_id)) == event_id:
            markets[str(market.get("id"))] = (kind, period_from_name(market.get("name")))
    return markets


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def _market_of(market: dict[str, Any]) -> Market:
    market_type = market.get("marketType")
    return market_from_name(market_type.get("name") if isinstance(market_type, dict) else None)


def _selection(
    raw: dict[str, Any], market_id: str, kind: Market, period: str, event: Event
) -> Selection | None:
    roles = [p.get("venueRole") for p in _dicts(raw.get("participants"))]
    side = (
        side_word(raw.get("outcomeType"))
        or side_word(roles[0] if roles else None)
        or side_from_label(raw.get("label"), event.home, event.away)
    )
    odds = raw.get("displayOdds")
    american = odds.get("american") if isinstance(odds, dict) else None
    points = raw.get("points")
    if side is None or "id" not in raw or not isinstance(american, str | int):
        return None
    try:
        price = parse_american(american)
        line = None if kind is Market.MONEYLINE else parse_line(typed(points, str | int | float))
    except InvalidPrice:
        return None
    label, prices = str(raw.get("label", "")), (price, american_to_decimal(price))
    return selection(event, market_id, str(raw["id"]), kind, side, label=label, price=prices,
                     line=line, period=period)  # fmt: skip


def typed(value: Any, kind: Any) -> Any:
    """The value when it has the expected type (a bool is never a number), else None."""
    return value if isinstance(value, kind) and not isinstance(value, bool) else None
