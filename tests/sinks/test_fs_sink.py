"""FsSink specifics: one JSON Lines file per game and day, safe paths, torn lines skipped,
nothing appended twice (in one process or after a restart)."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import UTC, date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sinkdata import make_updates

from oddswatch.codec import decode_update
from oddswatch.errors import NotConfigured
from oddswatch.model import OddsUpdate
from oddswatch.settings import Settings
from sinks.fs import FsSink

NOON = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)
DAY = date(2026, 11, 21)
NEW_YORK = ZoneInfo("America/New_York")


def lines(path: Path) -> list[OddsUpdate]:
    return [decode_update(line) for line in path.read_bytes().splitlines()]


def test_one_file_per_game_and_day(tmp_path: Path) -> None:
    sink = FsSink(tmp_path)
    updates = make_updates(6, start=NOON)
    asyncio.run(sink.write(updates))
    path = tmp_path / "2026-11-21" / "draftkings" / "nba" / "g1.jsonl"
    assert sink.path("draftkings", "nba", "g1", DAY) == path
    assert lines(path) == updates[0::2]
    assert sorted(p.name for p in path.parent.iterdir()) == ["g1.jsonl", "g2.jsonl"]
    assert sink.last_inserted == 6


def test_the_day_is_the_configured_zones(tmp_path: Path) -> None:
    """An evening game in New York crosses 00:00 UTC and stays in one file; the next
    local day starts a new one."""
    sink = FsSink(tmp_path, NEW_YORK)
    evening = datetime(2026, 11, 21, 23, 30, tzinfo=UTC)  # 18:30 in New York
    late = datetime(2026, 11, 22, 3, 30, tzinfo=UTC)  # 22:30 in New York, next UTC day
    after = datetime(2026, 11, 22, 5, 30, tzinfo=UTC)  # 00:30 in New York, the next day
    base = make_updates(3, event_ids=("g1",))
    times = (evening, late, after)
    updates = [dataclasses.replace(u, received_at=t) for u, t in zip(base, times, strict=True)]
    asyncio.run(sink.write(updates))
    files = sorted(p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.jsonl"))
    assert files == ["2026-11-21/draftkings/nba/g1.jsonl", "2026-11-22/draftkings/nba/g1.jsonl"]
    assert asyncio.run(sink.read("draftkings", "nba", "g1")) == updates  # days in order


def test_a_re_sent_batch_appends_nothing(tmp_path: Path) -> None:
    updates = make_updates(8, start=NOON)

    async def body() -> tuple[int, int, int]:
        sink = FsSink(tmp_path)
        await sink.write(updates[:5])
        first = sink.last_inserted
        await sink.write(updates)  # a persister re-reading its batch, and 3 more
        second = sink.last_inserted
        await sink.write(updates)
        return first, second, sink.last_inserted

    assert asyncio.run(body()) == (5, 3, 0)
    assert asyncio.run(FsSink(tmp_path).read("draftkings", "nba", "g1")) == updates[0::2]


def test_a_new_process_reads_what_the_files_hold(tmp_path: Path) -> None:
    updates = make_updates(6, start=NOON)
    asyncio.run(FsSink(tmp_path).write(updates[:4]))
    restarted = FsSink(tmp_path)  # knows nothing until it reads the files
    asyncio.run(restarted.write(updates))
    assert restarted.last_inserted == 2
    assert lines(restarted.path("draftkings", "nba", "g2", DAY)) == updates[1::2]


def test_unsafe_ids_stay_inside_the_directory(tmp_path: Path) -> None:
    sink = FsSink(tmp_path / "odds")
    update = dataclasses.replace(make_updates(1, start=NOON)[0], event_id="../../etc/x y")
    asyncio.run(sink.write([update]))
    assert sink.path("draftkings", "nba", "..", DAY) == (
        tmp_path / "odds/2026-11-21/draftkings/nba/_...jsonl"
    )
    [written] = (tmp_path / "odds").rglob("*.jsonl")
    assert written.name == ".._.._etc_x_y.jsonl"
    assert asyncio.run(sink.read("draftkings", "nba", "../../etc/x y")) == [update]


def test_a_torn_last_line_is_skipped_and_ended_before_the_next_append(tmp_path: Path) -> None:
    updates = make_updates(6, event_ids=("g1",), start=NOON)
    asyncio.run(FsSink(tmp_path).write(updates[:4]))
    path = FsSink(tmp_path).path("draftkings", "nba", "g1", DAY)
    with path.open("ab") as fh:
        fh.write(b'{"provider": "draftki')  # a crash in the middle of a write
    restarted = FsSink(tmp_path)
    assert asyncio.run(restarted.read("draftkings", "nba", "g1")) == updates[:4]
    asyncio.run(restarted.write(updates))
    assert restarted.last_inserted == 2
    assert asyncio.run(restarted.read("draftkings", "nba", "g1")) == updates


def test_from_settings_uses_the_directory_and_the_zone(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, fs_sink_dir=str(tmp_path), timezone="Europe/Paris")  # type: ignore[call-arg]
    sink = FsSink.from_settings(settings)
    assert (sink.directory, sink.tz) == (tmp_path, ZoneInfo("Europe/Paris"))
    with pytest.raises(NotConfigured):
        FsSink.from_settings(settings.model_copy(update={"fs_sink_dir": ""}))
