"""FsSink specifics: one JSON Lines file per game, safe paths, torn lines skipped."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from sinkdata import make_updates

from oddswatch.codec import decode_update
from oddswatch.model import OddsUpdate
from sinks.fs import FsSink


def test_one_file_per_game(tmp_path: Path) -> None:
    sink = FsSink(tmp_path)
    updates = make_updates(6)
    asyncio.run(sink.write(updates))
    path = tmp_path / "draftkings" / "nba" / "g1.jsonl"
    assert sink.path("draftkings", "nba", "g1") == path
    lines = path.read_bytes().splitlines()
    assert [decode_update(line) for line in lines] == updates[0::2]
    assert sorted(p.name for p in path.parent.iterdir()) == ["g1.jsonl", "g2.jsonl"]


def test_unsafe_ids_stay_inside_the_directory(tmp_path: Path) -> None:
    sink = FsSink(tmp_path / "odds")
    update = dataclasses.replace(make_updates(1)[0], event_id="../../etc/x y")
    asyncio.run(sink.write([update]))
    assert sink.path("draftkings", "nba", "..") == tmp_path / "odds/draftkings/nba/_...jsonl"
    [written] = (tmp_path / "odds").rglob("*.jsonl")
    assert written.name == ".._.._etc_x_y.jsonl"
    assert asyncio.run(sink.read("draftkings", "nba", "../../etc/x y")) == [update]


def test_a_torn_last_line_is_skipped(tmp_path: Path) -> None:
    sink = FsSink(tmp_path)
    updates = make_updates(4, event_ids=("g1",))
    asyncio.run(sink.write(updates))
    with sink.path("draftkings", "nba", "g1").open("ab") as fh:
        fh.write(b'{"provider": "draftki')
    read: list[OddsUpdate] = asyncio.run(sink.read("draftkings", "nba", "g1"))
    assert read == updates
