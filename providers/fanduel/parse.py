"""Pure FanDuel payload readers: league hrefs, the event JSON, the getMarketPrices JSON.

This module is the one place that knows FanDuel's wire shapes; the client and the stream
never name a field. Public facts (shared/protocols/sportsbooks.md §7): the league page
paths, the event link shape `/<sport>/<league>/<away-slug>-@-<home-slug>-<eventId>` and
the market-prices URL `{api_url}/api/sports/fixedodds/readonly/v1/getMarketPrices
?priceHistory=1`. Everything else here is DEFINED BY US, because the reference never got
that far: the event JSON path `/api/event-page?eventId=<id>` and its fields, the
getMarketPrices request body `{"marketIds": [...]}` and its response fields, the market
type names, `result.type` as the runner's side and the status words. They are modelled on
what a Betfair-style exchange API looks like and documented in docs/fanduel-wire.md; if
the live site spells them differently, adjusting the client is a change to this module
(and the simulator's `simulator/fanduel/wire.py`), nothing else.

No I/O and no logging: bad input raises ParseError; a record whose known shape changed
carries the names of the fields that no longer match (`drift`) and is read as far as it
safely can be. The caller counts and logs.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qs, urlsplit

import orjson

from oddswatch.errors import InvalidPrice, ParseError
from oddswatch.model import Event, EventStatus, Market, PriceStatus, Selection, Side, Team
from oddswatch.odds import (
    american_to_decimal,
    decimal_to_american,
    parse_american,
    parse_decimal,
    parse_line,
)
from providers.scraping import Found, event_links, link_pattern, selection

PROVIDER = "fanduel"

# -- wire constants (ours, except PRICES_PATH and PRICES_PARAMS: §7) ---------------------

EVENT_JSON_PATH = "/api/event-page"
EVENT_ID_PARAM = "eventId"
PRICES_PATH = "/api/sports/fixedodds/readonly/v1/getMarketPrices"
PRICES_PARAMS: dict[str, str] = {"priceHistory": "1"}

MAIN_MARKETS: dict[str, Market] = {
    "MONEY_LINE": Market.MONEYLINE,
    "MATCH_HANDICAP_(2-WAY)": Market.SPREAD,
    "RUN_LINE": Market.SPREAD,
    "PUCK_LINE": Market.SPREAD,
    "TOTAL_POINTS_(OVER/UNDER)": Market.TOTAL,
    "TOTAL_RUNS_(OVER/UNDER)": Market.TOTAL,
    "TOTAL_GOALS_(OVER/UNDER)": Market.TOTAL,
}
RESULT_SIDES: dict[str, Side] = {
    "HOME": Side.HOME,
    "AWAY": Side.AWAY,
    "OVER": Side.OVER,
    "UNDER": Side.UNDER,
}
_SIDES_OF = {
    Market.MONEYLINE: (Side.HOME, Side.AWAY),
    Market.SPREAD: (Side.HOME, Side.AWAY),
    Market.TOTAL: (Side.OVER, Side.UNDER),
}
MARKET_STATUSES = {
    "OPEN": PriceStatus.OPEN,
    "SUSPENDED": PriceStatus.SUSPENDED,
    "CLOSED": PriceStatus.CLOSED,
}
RUNNER_STATUSES = {
    "ACTIVE": PriceStatus.OPEN,
    "SUSPENDED": PriceStatus.SUSPENDED,
    "REMOVED": PriceStatus.CLOSED,
    "WINNER": PriceStatus.CLOSED,
    "LOSER": PriceStatus.CLOSED,
}
_RANK = {PriceStatus.OPEN: 0, PriceStatus.SUSPENDED: 1, PriceStatus.CLOSED: 2}
_AMERICAN = ("winRunnerOdds", "americanDisplayOdds", "americanOdds")
_DECIMAL = ("winRunnerOdds", "trueOdds", "decimalOdds", "decimalOdds")

# -- league page ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EventRef:
    """An event link of a league page. Teams never come from its slug."""

    event_id: str
    url: str


def event_href_pattern(site_url: str, league_path: str) -> re.Pattern[str]:
    """Event links under one league path: `<site><league_path>/<slug>-@-<slug>-<id>`."""
    base = site_url.rstrip("/") + "/" + league_path.strip("/")
    return link_pattern(base, r"/([a-z0-9\-.%]*(?:@|%40)[a-z0-9\-.%]*)-(\d+)")


def event_refs(hrefs: Iterable[str], site_url: str, league_path: str) -> list[EventRef]:
    """The event links of a league among resolved hrefs, one per event id, sorted by id."""
    pattern = event_href_pattern(site_url, league_path)
    return event_links(hrefs, pattern, lambda match, url: EventRef(match.group(2), url))


def is_event_json(url: str, event_id: str) -> bool:
    """Whether a response URL is the event JSON of `event_id` (any host)."""
    parts = urlsplit(url)
    ids = parse_qs(parts.query).get(EVENT_ID_PARAM, [])
    return parts.path.rstrip("/").endswith(EVENT_JSON_PATH) and ids == [event_id]


def decode(raw: bytes) -> Any:
    """A body as JSON; ParseError (with the payload) when it is not JSON."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise ParseError("body is not JSON", provider=PROVIDER, payload=raw) from None


# -- runners (shared by the event JSON and getMarketPrices) -----------------------------


@dataclass(frozen=True, slots=True)
class RunnerPrice:
    """One runner as read: its price (American, decimal), line and status.

    None means not stated or unreadable; `drift` names the fields whose shape changed."""

    market_id: str
    selection_id: str | None
    price: tuple[int, float] | None
    handicap: float | None
    status: PriceStatus | None
    drift: tuple[str, ...] = ()


def read_price(runner: dict[str, Any], drift: list[str]) -> tuple[int, float] | None:
    """American when stated; only when it is absent, the stated decimal.

    A missing key is drift; an explicit null is the book stating no such price."""
    american, has_american = _path(runner, _AMERICAN)
    decimal, has_decimal = _path(runner, _DECIMAL)
    if not has_american:
        drift.append(".".join(_AMERICAN))
    if not has_decimal:
        drift.append(".".join(_DECIMAL))
    try:
        if isinstance(american, str | int | float) and not isinstance(american, bool):
            odds = parse_american(american)
            return odds, american_to_decimal(odds)
        if isinstance(decimal, int | float | str) and not isinstance(decimal, bool):
            price = parse_decimal(decimal)  # "2.70" as text is read too
            return decimal_to_american(price), price
    except InvalidPrice:
        return None
    return None


def read_runner(runner: dict[str, Any], market_id: str, market_status: object) -> RunnerPrice:
    drift: list[str] = []
    sid = runner.get("selectionId")
    if not isinstance(sid, int | str) or isinstance(sid, bool):
        drift.append("selectionId")
        sid = None
    price = read_price(runner, drift)
    handicap = _handicap(runner, drift)
    status = _status(market_status, runner.get("runnerStatus"), drift)
    return RunnerPrice(
        market_id, None if sid is None else str(sid), price, handicap, status, tuple(drift)
    )


def normalize_line(kind: Market, handicap: float | None) -> float | None:
    """Moneyline: None; spread: the runner's own handicap; total: the total points."""
    if kind is Market.MONEYLINE or handicap is None:
        return None
    return abs(handicap) if kind is Market.TOTAL else handicap + 0.0


def _path(data: dict[str, Any], keys: tuple[str, ...]) -> tuple[object, bool]:
    """The value at a key path and whether every key was there (null stops early: stated)."""
    value: object = data
    for key in keys:
        if value is None:
            return None, True
        if not isinstance(value, dict) or key not in value:
            return None, False
        value = value[key]
    return value, True


def _handicap(runner: dict[str, Any], drift: list[str]) -> float | None:
    """The runner's line; a missing key or a value that is not a number is drift."""
    if "handicap" not in runner:
        drift.append("handicap")
        return None
    value = runner["handicap"]
    if value is None:
        return None
    try:
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise InvalidPrice("not a line")
        return parse_line(value)
    except InvalidPrice:
        drift.append("handicap")
        return None


def _status(market: object, runner: object, drift: list[str]) -> PriceStatus | None:
    """The worse of the market's and the runner's status; unknown words are drift."""
    found = []
    for key, value, known in (
        ("marketStatus", market, MARKET_STATUSES),
        ("runnerStatus", runner, RUNNER_STATUSES),
    ):
        status = known.get(value) if isinstance(value, str) else None
        if status is None:
            drift.append(key)
        else:
            found.append(status)
    return max(found, key=_RANK.__getitem__) if found else None


# -- event JSON -------------------------------------------------------------------------


def parse_iso(value: object) -> datetime:
    """`2026-11-21T00:30:00.000Z` → aware UTC datetime; a naive value is taken as UTC."""
    try:
        parsed = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise ParseError("not an ISO time", provider=PROVIDER, payload=value) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def parse_event(data: Any, ref: EventRef, league: str, now: datetime) -> Found:
    """Event JSON → the Event (teams from its explicit home/away fields, start in UTC)
    and the Selections of its main full-game moneyline, spread and total markets
    (`skipped`: their runners whose side or price could not be read; `drift`: their
    fields whose shape changed)."""
    event = _event(data, ref, league, now)
    selections: list[Selection] = []
    skipped, drift = 0, list[str]()
    for market in _dicts(data.get("markets")):
        kind = MAIN_MARKETS.get(str(market.get("marketType")))
        if kind is None or str(market.get("eventId", ref.event_id)) != ref.event_id:
            continue
        found, bad, fields = _market_selections(market, kind, event)
        selections += found
        skipped, drift = skipped + bad, drift + fields
    return Found(event, tuple(selections), skipped, tuple(dict.fromkeys(drift)))


def _event(data: Any, ref: EventRef, league: str, now: datetime) -> Event:
    info = data.get("event") if isinstance(data, dict) else None
    if not isinstance(info, dict):
        raise ParseError("event JSON has no event", provider=PROVIDER, endpoint=ref.url)
    if str(info.get("eventId")) != ref.event_id:
        raise ParseError("event JSON names another event", provider=PROVIDER, endpoint=ref.url)
    home, away = _team(info, "homeTeam"), _team(info, "awayTeam")
    if home is None or away is None:
        raise ParseError("event has no home/away team", provider=PROVIDER, endpoint=ref.url)
    if "openDate" not in info:
        raise ParseError("event has no start time", provider=PROVIDER, endpoint=ref.url)
    start = parse_iso(info["openDate"])
    live = info.get("inPlay") is True or start <= now
    status = EventStatus.LIVE if live else EventStatus.SCHEDULED
    return Event(PROVIDER, league, ref.event_id, home, away, start, status, ref.url)


def _team(info: dict[str, Any], key: str) -> Team | None:
    team = info.get(key)
    name = team.get("name") if isinstance(team, dict) else None
    return Team(name) if isinstance(name, str) and name.strip() else None


def _market_selections(
    market: dict[str, Any], kind: Market, event: Event
) -> tuple[list[Selection], int, list[str]]:
    market_id = market.get("marketId")
    runners = market.get("runners")
    if not isinstance(market_id, str | int) or not isinstance(runners, list):
        return [], 1, ["marketId" if not isinstance(market_id, str | int) else "runners"]
    found, skipped, drift = list[Selection](), 0, list[str]()
    for raw in _dicts(runners):
        runner = read_runner(raw, str(market_id), market.get("marketStatus"))
        side = _result_side(raw, kind)
        drift += runner.drift
        if side is None or runner.selection_id is None or runner.price is None:
            skipped += 1
            continue
        label = str(raw.get("runnerName", ""))
        found.append(
            _selection(runner, runner.selection_id, runner.price, (kind, side, label), event)
        )
    return found, skipped, drift


def _result_side(runner: dict[str, Any], kind: Market) -> Side | None:
    result = runner.get("result")
    side = RESULT_SIDES.get(str(result.get("type"))) if isinstance(result, dict) else None
    return side if side in _SIDES_OF[kind] else None


def _selection(
    runner: RunnerPrice,
    selection_id: str,
    price: tuple[int, float],
    what: tuple[Market, Side, str],
    event: Event,
) -> Selection:
    kind, side, label = what
    line, status = normalize_line(kind, runner.handicap), runner.status or PriceStatus.OPEN
    return selection(event, runner.market_id, selection_id, kind, side, label=label, price=price,
                     line=line, status=status)  # fmt: skip


def _dicts(value: object) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


# -- getMarketPrices --------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PricesReply:
    runners: tuple[RunnerPrice, ...]
    markets: tuple[str, ...]  # market ids the reply holds
    drift: tuple[str, ...]  # market-level fields whose shape changed (one per market)


def prices_request(market_ids: Iterable[str]) -> dict[str, Any]:
    """The JSON body of a getMarketPrices POST."""
    return {"marketIds": sorted(set(market_ids))}


RunnerRecord = tuple[str, object, dict[str, Any]]  # market id, market status, raw runner


def runner_records(data: Any) -> tuple[list[RunnerRecord], list[str], list[str]]:
    """A decoded getMarketPrices reply → (its raw runners with their market, the market
    ids it holds, the market-level fields that drifted). Runners are read one at a time
    by `read_runner`, so one bad runner spoils nothing else."""
    if not isinstance(data, list):
        return [], [], ["<reply is not a list>"]
    records: list[RunnerRecord] = []
    markets: list[str] = []
    drift: list[str] = []
    for market in data:
        market_id = market.get("marketId") if isinstance(market, dict) else None
        details = market.get("runnerDetails") if isinstance(market, dict) else None
        if not isinstance(market_id, str | int) or not isinstance(details, list):
            drift.append("runnerDetails" if isinstance(market_id, str | int) else "marketId")
            continue
        markets.append(str(market_id))
        status = market.get("marketStatus")
        records += [(str(market_id), status, item) for item in _dicts(details)]
    return records, markets, drift


def parse_prices(raw: bytes) -> PricesReply:
    """A getMarketPrices body → its runners. Not JSON: ParseError; a reply that is not a
    list of markets is drift (nothing readable)."""
    records, markets, drift = runner_records(decode(raw))
    runners = [read_runner(item, market_id, status) for market_id, status, item in records]
    return PricesReply(tuple(runners), tuple(markets), tuple(drift))
