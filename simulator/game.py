"""One game of the market model: its hidden expectations and the six quotes priced from them.

A game's prices come from two numbers, the expected home margin and the expected total.
A tick walks one of them a little and reprices: moneylines follow the margin (win
probability from a normal approximation with the league's sd), spreads and totals keep
their half-point line and move their juice until it leaves -105..-115, then the line
moves. MLB's run line and the NHL's puck line are fixed at ±1.5 on the favourite and
their prices move instead.

Teams come in two spellings: `home`/`away` are DraftKings's ("DET Pistons", also the
quotes' labels), `home_full`/`away_full` the "<City> <Nickname>" other books use
("Detroit Pistons"); `full_label(quote)` is a quote's label in the latter.

Selection and market ids are DraftKings-style (docs/draftkings-wire.md): `0ML<eid>_1`
away / `_3` home, `0HC…`, `0OU<eid>_1` over / `_3` under; markets `2_<eid>_ML` etc.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from oddswatch.model import EventStatus, Market, Side
from oddswatch.teams import LeagueTeam
from simulator.leagues import LEAGUES, League
from simulator.pricing import (
    cover_probability,
    decimal_odds,
    in_band,
    normal_cdf,
    over_probability,
    round_half,
    two_way,
)

STEP = 0.015  # one tick moves an expectation by N(0, STEP * sd)
MARGIN_SHARE = 0.6  # share of ticks that move the margin (the rest move the total)
MARKET_CODES = {Market.MONEYLINE: "ML", Market.SPREAD: "HC", Market.TOTAL: "OU"}
MARKET_NAMES = {Market.MONEYLINE: "Moneyline", Market.SPREAD: "Spread", Market.TOTAL: "Total"}
FIRST_SIDES = (Side.AWAY, Side.OVER)  # id suffix _1; the other side is _3
OPEN_STATUSES = (EventStatus.SCHEDULED, EventStatus.LIVE)

Price = tuple[int, float | None]  # (american, line)


def market_id(event_id: str, market: Market) -> str:
    return f"2_{event_id}_{MARKET_CODES[market]}"


def selection_id(event_id: str, market: Market, side: Side) -> str:
    return f"0{MARKET_CODES[market]}{event_id}_{1 if side in FIRST_SIDES else 3}"


@dataclass(slots=True)
class Quote:
    """The current price of one selection."""

    selection_id: str
    market_id: str
    market: Market
    side: Side
    label: str
    american: int = 100
    line: float | None = None

    @property
    def decimal(self) -> float:
        return decimal_odds(self.american)

    @property
    def price(self) -> Price:
        return (self.american, self.line)

    def to_dict(self) -> dict[str, Any]:
        return {
            "selection_id": self.selection_id,
            "market_id": self.market_id,
            "market": self.market.value,
            "side": self.side.value,
            "label": self.label,
            "american": self.american,
            "decimal": self.decimal,
            "line": self.line,
        }


@dataclass(eq=False, slots=True)
class Game:
    league: str
    event_id: str
    home: str  # DraftKings's spelling: "DET Pistons"
    away: str
    starts_at: datetime
    ends_at: datetime
    margin: float  # expected home margin
    total: float  # expected total
    rng: random.Random
    status: EventStatus = EventStatus.SCHEDULED
    pinned: bool = False  # status set by hand: the clock no longer changes it
    suspended_until: datetime | None = None
    checked_at: datetime | None = None
    spread_line: float = 0.0  # the home side's
    total_line: float = 0.0
    quotes: dict[str, Quote] = field(default_factory=dict)
    home_full: str = ""  # "<City> <Nickname>": "Detroit Pistons"
    away_full: str = ""

    @property
    def name(self) -> str:
        return f"{self.away} @ {self.home}"

    @property
    def full_name(self) -> str:
        return f"{self.away_full} @ {self.home_full}"

    def full_label(self, quote: Quote) -> str:
        """The quote's label with the team's full name (totals keep Over / Under)."""
        return {Side.HOME: self.home_full, Side.AWAY: self.away_full}.get(quote.side, quote.label)

    @property
    def model(self) -> League:
        return LEAGUES[self.league]

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    def quote(self, market: Market, side: Side) -> Quote:
        return self.quotes[selection_id(self.event_id, market, side)]


def new_game(
    league: str,
    event_id: str,
    teams: tuple[LeagueTeam, LeagueTeam],
    times: tuple[datetime, datetime],
    rng: random.Random,
) -> Game:
    """A priced game between (away, home) over (starts_at, ends_at)."""
    lg = LEAGUES[league]
    margin = _clamp(rng.gauss(lg.margin_mean, lg.margin_spread), -lg.margin_limit, lg.margin_limit)
    total = _clamp(rng.gauss(lg.total_mean, lg.total_spread), *lg.total_range)
    away, home = teams
    game = Game(league, event_id, home.short, away.short, times[0], times[1], margin, total, rng)
    game.home_full, game.away_full = home.name, away.name
    game.spread_line = -round_half(margin) + 0.0
    game.total_line = round_half(total)
    for market, side, label in _selections(game):
        sid = selection_id(event_id, market, side)
        game.quotes[sid] = Quote(sid, market_id(event_id, market), market, side, label)
    reprice(game)
    return game


def _selections(game: Game) -> list[tuple[Market, Side, str]]:
    return [
        (Market.MONEYLINE, Side.AWAY, game.away),
        (Market.MONEYLINE, Side.HOME, game.home),
        (Market.SPREAD, Side.AWAY, game.away),
        (Market.SPREAD, Side.HOME, game.home),
        (Market.TOTAL, Side.OVER, "Over"),
        (Market.TOTAL, Side.UNDER, "Under"),
    ]


def walk(game: Game) -> None:
    """Move the margin or the total by one small random step."""
    lg, rng = game.model, game.rng
    if rng.random() < MARGIN_SHARE:
        step = rng.gauss(0.0, STEP * lg.margin_sd)
        game.margin = _clamp(game.margin + step, -lg.margin_limit, lg.margin_limit)
    else:
        game.total = _clamp(game.total + rng.gauss(0.0, STEP * lg.total_sd), *lg.total_range)


def reprice(game: Game) -> list[str]:
    """Price all six quotes from the game's expectations; returns the ids that changed."""
    _rebalance_lines(game)
    changed = []
    for (market, side), price in _prices(game).items():
        quote = game.quote(market, side)
        if quote.price != price:
            quote.american, quote.line = price
            changed.append(quote.selection_id)
    return changed


def _rebalance_lines(game: Game) -> None:
    lg = game.model
    if lg.fixed_line is not None:
        game.spread_line = -lg.fixed_line if game.margin >= 0 else lg.fixed_line
    elif not in_band(cover_probability(game.margin, game.spread_line, lg.margin_sd)):
        game.spread_line = -round_half(game.margin) + 0.0
    if not in_band(over_probability(game.total, game.total_line, lg.total_sd)):
        game.total_line = round_half(game.total)


def _prices(game: Game) -> dict[tuple[Market, Side], Price]:
    lg, line, total = game.model, game.spread_line, game.total_line
    ml_home, ml_away = two_way(normal_cdf(game.margin / lg.margin_sd))
    hc_home, hc_away = two_way(cover_probability(game.margin, line, lg.margin_sd))
    over, under = two_way(over_probability(game.total, total, lg.total_sd))
    return {
        (Market.MONEYLINE, Side.AWAY): (ml_away, None),
        (Market.MONEYLINE, Side.HOME): (ml_home, None),
        (Market.SPREAD, Side.AWAY): (hc_away, -line + 0.0),
        (Market.SPREAD, Side.HOME): (hc_home, line),
        (Market.TOTAL, Side.OVER): (over, total),
        (Market.TOTAL, Side.UNDER): (under, total),
    }


def _clamp(x: float, low: float, high: float) -> float:
    return min(high, max(low, x))
