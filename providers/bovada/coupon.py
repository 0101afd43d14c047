"""Pure readers of Bovada's coupon JSON: the league's groups, their events and selections.

`GET .../coupon/events/A/description{league_path}` answers a JSON array of groups
`{"path": [{"description", "link", ...}, ...], "events": [...]}`; path[0] is the group's own
node. Markets are read by `parse.read_market`, the same reader the websocket uses.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from oddswatch.errors import SchemaDrift
from oddswatch.model import Event, EventStatus, Market, Selection, Side, Team
from providers.scraping import Found, selection

from .parse import PROVIDER, Quote, dicts, epoch_ms, ident, line_of, prices, read_market, side_of


def league_groups(data: Any, link: str, names: Iterable[str]) -> list[dict[str, Any]]:
    """The coupon's groups of one league: those whose own path node (path[0]) has the
    league's `link`, or a `description` equal to one of `names` (whole, case-insensitive)."""
    if not isinstance(data, list):
        raise SchemaDrift("coupon is not a list of groups", provider=PROVIDER, payload=data)
    wanted_link = link.rstrip("/").lower()
    wanted_names = {name.strip().upper() for name in names}
    found = []
    for group in data:
        node = _path_node(group)
        if node is None:
            continue
        node_link = node.get("link")
        node_name = node.get("description")
        by_link = isinstance(node_link, str) and node_link.rstrip("/").lower() == wanted_link
        by_name = isinstance(node_name, str) and node_name.strip().upper() in wanted_names
        if by_link or by_name:
            found.append(group)
    return found


def group_names(data: Any) -> list[str]:
    """The path descriptions of every group (for a 'no such league' error)."""
    nodes = [_path_node(group) for group in data] if isinstance(data, list) else []
    return [str(node.get("description")) for node in nodes if node is not None]


def _path_node(group: Any) -> dict[str, Any] | None:
    path = group.get("path") if isinstance(group, dict) else None
    if isinstance(path, list) and path and isinstance(path[0], dict):
        return path[0]
    return None


def group_events(groups: Iterable[dict[str, Any]]) -> list[Any]:
    """Every event of the groups, the first copy of an id only."""
    seen: set[str | None] = set()
    events = []
    for group in groups:
        raws = group.get("events")
        for raw in raws if isinstance(raws, list) else []:
            event_id = ident(raw.get("id")) if isinstance(raw, dict) else None
            if event_id is None or event_id not in seen:
                events.append(raw)
                seen.add(event_id)
    return events


def listed_ids(events: Iterable[Any]) -> tuple[str, ...]:
    ids = (ident(raw.get("id")) if isinstance(raw, dict) else None for raw in events)
    return tuple(event_id for event_id in ids if event_id is not None)


def parse_event(raw: Any, league: str, site_url: str, now: datetime) -> Found:
    """One coupon event → its Event and main full-game Selections (alternate display
    groups and other periods left out; `skipped`: outcomes of tracked markets whose side,
    line or price we could not read; `drift`: fields whose shape changed). Raises
    SchemaDrift without id, start or teams."""
    event_id = ident(raw.get("id")) if isinstance(raw, dict) else None
    if event_id is None:
        raise SchemaDrift("event has no id", provider=PROVIDER, payload=raw)
    starts_at = epoch_ms(raw.get("startTime"))
    if starts_at is None:
        raise SchemaDrift("event has no startTime", provider=PROVIDER, endpoint=event_id)
    home, away, competitors = _competitors(raw.get("competitors"), event_id)
    live = raw.get("live") is True or starts_at <= now
    link = raw.get("link")
    url = site_url.rstrip("/") + link if isinstance(link, str) else ""
    status = EventStatus.LIVE if live else EventStatus.SCHEDULED
    event = Event(PROVIDER, league, event_id, home, away, starts_at, status, url)
    return _selections(raw.get("displayGroups"), event, competitors)


def _competitors(value: Any, event_id: str) -> tuple[Team, Team, dict[str, Side]]:
    """Home and away by each competitor's boolean `home` (never by list order)."""
    teams: dict[Side, Team] = {}
    ids: dict[str, Side] = {}
    for item in dicts(value):
        name, is_home = item.get("name"), item.get("home")
        if not isinstance(name, str) or not name.strip() or not isinstance(is_home, bool):
            continue
        side = Side.HOME if is_home else Side.AWAY
        teams.setdefault(side, Team(name))
        if (competitor_id := ident(item.get("id"))) is not None:
            ids[competitor_id] = side
    if len(teams) != 2:
        raise SchemaDrift("event has no home and away competitor", provider=PROVIDER,
                          endpoint=event_id, payload=value)  # fmt: skip
    return teams[Side.HOME], teams[Side.AWAY], ids


def _selections(groups: Any, event: Event, competitors: Mapping[str, Side]) -> Found:
    found: dict[str, Selection] = {}
    skipped, drift = 0, set[str]()
    for group in dicts(groups):
        if group.get("alternateType"):
            continue
        markets = group.get("markets")
        for raw in markets if isinstance(markets, list) else []:
            read = read_market(raw)
            drift.update(read.drift)
            skipped += read.unreadable
            for quote in read.quotes:
                selection = _selection(quote, event, competitors)
                skipped += selection is None
                if selection is not None:
                    found.setdefault(selection.selection_id, selection)
    return Found(event, tuple(found.values()), skipped, tuple(sorted(drift)))


def _selection(quote: Quote, event: Event, competitors: Mapping[str, Side]) -> Selection | None:
    side = side_of(quote, competitors, None, event.home, event.away)
    line = line_of(quote.market, quote.handicap)
    if side is None or (line is None and quote.market is not Market.MONEYLINE):
        return None
    price = prices(quote.american, quote.decimal)
    return selection(event, quote.market_id, quote.selection_id, quote.market, side,
                     label=quote.label, price=price, line=line, status=quote.status)  # fmt: skip
