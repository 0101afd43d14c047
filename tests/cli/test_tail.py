from datetime import UTC, datetime

from cli.tail import arrow, format_line
from oddswatch.model import Market, OddsUpdate, Side

NOW = datetime(2026, 11, 21, 23, 30, 5, tzinfo=UTC)


def _u(american: int, decimal: float, line: float | None = -6.5) -> OddsUpdate:
    return OddsUpdate(
        "draftkings", "nba", "1", "m", "0HC1_3", Market.SPREAD, Side.HOME, line, american,
        decimal, NOW,
    )  # fmt: skip


def test_arrows_follow_the_payout() -> None:
    assert arrow(None, _u(-110, 1.9091)) == "·"
    assert arrow(_u(-110, 1.9091), _u(-105, 1.9524)) == "↑"
    assert arrow(_u(-110, 1.9091), _u(-115, 1.8696)) == "↓"
    assert arrow(_u(-110, 1.9091), _u(-110, 1.9091, line=-7.0)) == "↕"


def test_line_format() -> None:
    text = format_line(_u(-110, 1.9091), "BOS Celtics @ NY Knicks", "↑")
    assert text.startswith("23:30:05 BOS Celtics @ NY Knicks")
    assert "spread" in text and "home" in text and "-6.5" in text and "-110" in text


def test_filters_match_provider_league_and_game() -> None:
    from cli.tail import matches

    update = _u(-110, 1.9091)
    assert matches(update, (None, None, None))
    assert matches(update, ("draftkings", "nba", "1"))
    assert not matches(update, ("draftkings", "nfl", None))
    assert not matches(update, (None, None, "2"))
