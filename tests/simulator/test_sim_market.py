"""The market model: realistic, consistent prices; deterministic by seed; a game lifecycle."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from oddswatch.model import EventStatus, Side
from oddswatch.model import Market as Kind
from oddswatch.odds import implied_probability
from simulator.config import SimConfig
from simulator.game import Game, reprice, walk
from simulator.market import Market

pytestmark = pytest.mark.timeout(30)

NOW = datetime(2026, 11, 20, 23, 0, tzinfo=UTC)  # 6 PM in New York
TOTALS = {"nba": (210, 240), "nfl": (38, 52), "mlb": (7, 10), "nhl": (5.5, 7)}
FIXED_LINE_ML = {"mlb": 200, "nhl": 300}  # run / puck line leagues: the widest moneyline


def market(**overrides: object) -> Market:
    config = SimConfig(port=0, now=NOW, games_per_league=10, live_games=4)
    for name, value in overrides.items():
        setattr(config, name, value)
    return Market(config)


def prices(m: Market) -> list[tuple[str, int, float | None]]:
    return [
        (q.selection_id, q.american, q.line) for g in m.games.values() for q in g.quotes.values()
    ]


def random_walk(game: Game, steps: int = 300) -> list[None]:
    return [(walk(game), reprice(game))[0] for _ in range(steps)]


def test_same_seed_same_day_and_prices() -> None:
    first, second = market(seed=3), market(seed=3)
    assert prices(first) == prices(second)
    for a, b in zip(first.games.values(), second.games.values(), strict=True):
        random_walk(a, 50)
        random_walk(b, 50)
    assert prices(first) == prices(second)
    assert prices(market(seed=4)) != prices(market(seed=3))


def test_ids_and_teams() -> None:
    m = market()
    assert len(m.games) == 40  # 10 per league, four leagues
    for game in m.games.values():
        eid = game.event_id
        assert re.fullmatch(r"\d{8}", eid)
        assert game.home != game.away
        assert sorted(game.quotes) == sorted(
            f"0{code}{eid}_{n}" for code in ("ML", "HC", "OU") for n in (1, 3)
        )
        assert game.quote(Kind.MONEYLINE, Side.AWAY).selection_id == f"0ML{eid}_1"
        assert game.quote(Kind.TOTAL, Side.UNDER).market_id == f"2_{eid}_OU"
        assert game.quote(Kind.SPREAD, Side.HOME).label == game.home


@pytest.mark.parametrize("league", ["nba", "nfl", "mlb", "nhl"])
def test_prices_stay_realistic_while_walking(league: str) -> None:
    for game in market().league_games(league):
        for _ in range(150):
            walk(game)
            reprice(game)
            check_prices(game)


def check_prices(game: Game) -> None:
    ml_home = game.quote(Kind.MONEYLINE, Side.HOME).american
    ml_away = game.quote(Kind.MONEYLINE, Side.AWAY).american
    home, away = game.quote(Kind.SPREAD, Side.HOME), game.quote(Kind.SPREAD, Side.AWAY)
    over, under = game.quote(Kind.TOTAL, Side.OVER), game.quote(Kind.TOTAL, Side.UNDER)
    assert home.line is not None and home.line * 2 == int(home.line * 2)  # half points
    assert away.line == -home.line
    assert over.line == under.line
    assert over.line is not None and TOTALS[game.league][0] <= over.line <= TOTALS[game.league][1]
    overround = implied_probability(ml_home) + implied_probability(ml_away)
    assert 1.03 < overround < 1.07
    if home.line < 0:  # home favoured on the spread: not the underdog on the moneyline
        assert implied_probability(ml_home) >= implied_probability(ml_away)
    if home.line > 0:
        assert implied_probability(ml_home) <= implied_probability(ml_away)
    if game.league in FIXED_LINE_ML:
        widest = FIXED_LINE_ML[game.league]
        assert abs(home.line) == 1.5
        assert min(ml_home, ml_away) >= -widest and max(ml_home, ml_away) <= widest
    else:
        for quote in (home, away, over, under):
            assert -115 <= quote.american <= -105


def test_nhl_prices_look_like_hockey() -> None:
    games = market().league_games("nhl")
    totals = [g.quote(Kind.TOTAL, Side.OVER).line for g in games]
    assert all(t is not None and t * 2 == int(t * 2) for t in totals)  # half goals
    assert 6.0 <= sum(t or 0.0 for t in totals) / len(totals) <= 6.5
    for game in games:  # the puck line sits on the moneyline favourite
        home_line = game.quote(Kind.SPREAD, Side.HOME).line
        ml_home, ml_away = (
            game.quote(Kind.MONEYLINE, side).american for side in (Side.HOME, Side.AWAY)
        )
        favourite = ml_home <= ml_away
        assert home_line == (-1.5 if favourite else 1.5)
        assert game.home_full.endswith(game.home.split(" ", 1)[1])  # "<City> <Nickname>"
    assert game.model.duration_s == 2.75 * 3600


def test_walk_moves_prices_and_sometimes_lines() -> None:
    game = market().league_games("nba")[0]
    start = {sid: q.price for sid, q in game.quotes.items()}
    lines = set()
    for _ in range(2000):
        walk(game)
        reprice(game)
        lines.add(game.spread_line)
    assert {sid: q.price for sid, q in game.quotes.items()} != start
    assert len(lines) > 1


def test_day_layout() -> None:
    m = market()
    tz = ZoneInfo("America/New_York")
    for league in ("nba", "nfl", "mlb", "nhl"):
        games = m.league_games(league)
        live = [g for g in games if g.status is EventStatus.LIVE]
        assert len(live) == 4
        for game in live:
            assert NOW - timedelta(minutes=60) <= game.starts_at <= NOW
        for game in games:
            if game.status is EventStatus.SCHEDULED:
                assert game.starts_at > NOW
                assert game.starts_at.astimezone(tz).date() == NOW.astimezone(tz).date()
            duration = game.ends_at - game.starts_at
            assert duration == timedelta(seconds=m.config.game_duration_s[league])
            assert duration >= timedelta(hours=2.5)


def test_lifecycle() -> None:
    m = market(suspend_every_s=0.0)
    game = next(g for g in m.games.values() if g.status is EventStatus.SCHEDULED)
    m.advance(game, game.starts_at)
    assert game.status is EventStatus.LIVE
    game.status, game.suspended_until = (
        EventStatus.SUSPENDED,
        game.starts_at + timedelta(seconds=20),
    )
    m.advance(game, game.starts_at + timedelta(seconds=10))
    assert game.status is EventStatus.SUSPENDED
    m.advance(game, game.starts_at + timedelta(seconds=21))
    assert game.status is EventStatus.LIVE
    m.advance(game, game.ends_at)
    assert game.status is EventStatus.FINAL


def test_live_games_get_suspended_now_and_then() -> None:
    m = market(suspend_every_s=60.0)
    game = next(g for g in m.games.values() if g.status is EventStatus.LIVE)
    t = NOW
    seen = set()
    for _ in range(200):
        t += timedelta(seconds=5)
        m.advance(game, t)
        seen.add(game.status)
    assert seen == {EventStatus.LIVE, EventStatus.SUSPENDED}


def test_status_set_by_hand_is_kept() -> None:
    m = market()
    game = next(g for g in m.games.values() if g.status is EventStatus.LIVE)
    m.set_status(game.event_id, EventStatus.SUSPENDED)
    m.advance(game, game.ends_at + timedelta(hours=1))
    assert game.status is EventStatus.SUSPENDED


def test_frozen_market_does_not_move() -> None:
    m = market(frozen=True)
    before = prices(m)
    for game in m.games.values():
        assert m.step(game) == []
    assert prices(m) == before


def test_step_returns_changed_quotes() -> None:
    m = market()
    game = next(g for g in m.games.values() if g.status is EventStatus.LIVE)
    changed = set()
    for _ in range(20):
        changed.update(m.step(game))
    assert changed and changed <= set(game.quotes)


def test_move_sets_an_exact_price() -> None:
    m = market(frozen=True)
    game = next(iter(m.games.values()))
    sid = f"0HC{game.event_id}_3"
    quote = m.move(game.event_id, sid, -125, -7.5)
    assert (quote.american, quote.line) == (-125, -7.5)
    assert game.quotes[sid].price == (-125, -7.5)
