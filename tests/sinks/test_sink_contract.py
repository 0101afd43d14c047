"""One contract, every sink: what goes in comes back out, equal and in order."""

from __future__ import annotations

import asyncio

from sinkdata import SinkFactory, make_updates

from oddswatch.model import OddsUpdate


def _game(updates: list[OddsUpdate], event_id: str) -> list[OddsUpdate]:
    return [u for u in updates if u.event_id == event_id]


def test_batches_round_trip_per_game_in_order(make_sink: SinkFactory) -> None:
    updates = make_updates(24)

    async def body() -> tuple[list[OddsUpdate], list[OddsUpdate], list[OddsUpdate]]:
        sink = make_sink()
        try:
            assert await sink.write(updates[:10]) == 10
            assert await sink.write(updates[10:]) == 14
            g1 = await sink.read("draftkings", "nba", "g1")
            g2 = await sink.read("draftkings", "nba", "g2")
            other = await sink.read("draftkings", "nfl", "g1")
        finally:
            await sink.aclose()
        return g1, g2, other

    g1, g2, other = asyncio.run(body())
    assert g1 == _game(updates, "g1")
    assert g2 == _game(updates, "g2")
    assert other == []
    for got, sent in zip(g1, _game(updates, "g1"), strict=True):
        assert got.update_id == sent.update_id
        assert got.received_at.utcoffset() is not None
        assert got.source_ts == sent.source_ts
        assert type(got.line) is type(sent.line)
    assert {u.line for u in g1 + g2} == {None, -3.5, 221.5}
    assert {u.source_ts is None for u in g1} == {True, False}


def test_empty_batch_writes_nothing(make_sink: SinkFactory) -> None:
    async def body() -> tuple[int, list[OddsUpdate]]:
        sink = make_sink()
        try:
            written = await sink.write([])
            return written, await sink.read("draftkings", "nba", "g1")
        finally:
            await sink.aclose()

    assert asyncio.run(body()) == (0, [])
