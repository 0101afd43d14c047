from datetime import UTC, datetime

from oddswatch.changes import ChangeFilter
from oddswatch.codec import (
    decode_update,
    encode_update,
    snapshot_from_dict,
    snapshot_to_dict,
)
from oddswatch.model import (
    Event,
    Market,
    OddsUpdate,
    PriceStatus,
    Selection,
    Side,
    Snapshot,
    Team,
    team_key,
)
from oddswatch.settings import Settings

NOW = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)


def update(price: int = -110, line: float | None = -6.5, sel: str = "0HC1_3") -> OddsUpdate:
    return OddsUpdate(
        provider="draftkings",
        league="nba",
        event_id="1",
        market_id="2_1_HC",
        selection_id=sel,
        market=Market.SPREAD,
        side=Side.HOME,
        line=line,
        price_american=price,
        price_decimal=1.9091,
        received_at=NOW,
        source_ts=NOW,
        seq=3,
    )


def test_update_round_trips_through_codec() -> None:
    original = update()
    assert decode_update(encode_update(original)) == original
    no_line = update(line=None)
    assert decode_update(encode_update(no_line)) == no_line
    assert len({update().update_id for _ in range(100)}) == 100


def test_snapshot_round_trips() -> None:
    event = Event("draftkings", "nba", "1", Team("NY Knicks"), Team("BOS Celtics"), NOW)
    sel = Selection(
        "draftkings",
        "nba",
        "1",
        "2_1_ML",
        "0ML1_3",
        Market.MONEYLINE,
        Side.HOME,
        "NY Knicks",
        -150,
        1.6667,
    )
    snap = Snapshot("draftkings", "nba", NOW, (event,), (sel,))
    assert snapshot_from_dict(snapshot_to_dict(snap)) == snap
    assert event.home.key == "new-york-knicks"  # canonical, whatever the book's spelling
    assert event.home.name == "NY Knicks"
    unknown = Event("draftkings", "nba", "2", Team("NY Foo"), Team("BOS Celtics"), NOW)
    assert unknown.home.key == "ny-foo"  # not in the team table: the spelling's slug
    assert team_key("Montréal  Canadiens") == "montreal-canadiens"


def test_change_filter_drops_unchanged_prices() -> None:
    filt = ChangeFilter(seed=[update(-110)])
    assert filt.changed([update(-110)]) == []
    moved = update(-115)
    assert filt.changed([moved, update(-115)]) == [moved]
    suspended = OddsUpdate(**{**_fields(update(-115)), "status": PriceStatus.SUSPENDED})
    assert filt.changed([suspended]) == [suspended]
    other = update(-110, sel="0HC1_1")
    assert filt.changed([other]) == [other]


def _fields(u: OddsUpdate) -> dict[str, object]:
    return {name: getattr(u, name) for name in OddsUpdate.__slots__}  # type: ignore[attr-defined]


def test_today_is_the_configured_zone_not_the_host() -> None:
    settings = Settings(_env_file=None, timezone="America/New_York")  # type: ignore[call-arg]
    # 02:00 UTC on the 22nd is still the 21st in New York.
    assert str(settings.today(datetime(2026, 11, 22, 2, 0, tzinfo=UTC))) == "2026-11-21"
    start, end = settings.day_window(settings.today(NOW))
    assert start.hour == 5 and (end - start).total_seconds() == 86_400


def test_error_context_never_fails_on_hostile_payloads() -> None:
    from oddswatch.errors import ProviderError, truncate

    deep: list[object] = []
    inner = deep
    for _ in range(50_000):
        inner.append([])
        inner = inner[0]  # type: ignore[assignment]

    class Hostile:
        def __repr__(self) -> str:
            raise RuntimeError("no")

    for payload in (deep, 10**5000, Hostile(), "x" * 10_000, b"\xff" * 10_000):
        assert len(truncate(payload)) <= 201
        assert "payload=" in str(ProviderError("bad", payload=payload))
