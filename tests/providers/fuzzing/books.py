"""The four books' wires: ids as each fake book derives them, payloads from its wire code.

The ids follow the fake books (simulator/<book>/): DraftKings uses the model's ids,
Bovada, BetMGM and FanDuel derive theirs (`derived_id`, `view.outcome_id`,
`wire.option_id`, `Ids`), as tests/providers/<book>/test_*_simulator.py read them back.
Where a simulator function stamps the wall clock (DraftKings's `sentAt`, Bovada's
`lastModified`), the stamp is replaced by the wire's own clock so runs are repeatable.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from functools import cached_property
from typing import Any, ClassVar

import msgpack
import orjson

from oddswatch.metrics import StreamStats
from oddswatch.model import EventStatus, Team, utcnow
from providers.bovada import hub as bv_hub
from providers.bovada import parse as bv_parse
from simulator.betmgm import wire as mgm
from simulator.book import derived_id
from simulator.bovada import view as bv_view
from simulator.bovada import wire as bv_wire
from simulator.draftkings import wire as dk
from simulator.fanduel import wire as fd
from simulator.game import Price, Quote

from .codecs import Codec, JsonCodec, MsgpackCodec
from .entry import Stage, state_stage
from .wire import Wire, find

DK_RPC_ID = "dk-ws-client"  # the client's subscribe request id (docs/draftkings-wire.md)


class DraftKingsWire(Wire):
    """msgpack frames: `[35, …]` full records, `[24, …]` deltas, the subscribe's replies."""

    name = "draftkings"
    state_module = "providers.draftkings.stream"
    codec: ClassVar[Codec] = MsgpackCodec()

    def __init__(self, seed: int) -> None:
        super().__init__(seed)
        self.sent: dict[str, Price] = {q.selection_id: q.price for q in self.quotes()}

    @property
    def event_id(self) -> str:
        return self.game.event_id

    def teams(self) -> tuple[Team, Team]:
        return Team(self.game.home), Team(self.game.away)

    def market_id(self, quote: Quote) -> str:
        return quote.market_id

    def selection_id(self, quote: Quote) -> str:
        return quote.selection_id

    def label(self, quote: Quote) -> str:
        return quote.label

    def payload(self, changed: list[str]) -> bytes:
        roll = self.rng.random()
        if roll < 0.05:
            return dk.ack_frame(DK_RPC_ID, str(uuid.UUID(int=self.rng.getrandbits(128))))
        if roll < 0.07:
            return dk.error_frame(DK_RPC_ID, 401, "jwt expired")
        if roll < 0.27:
            return self._frame([dk.full_record(self.game, q) for q in self.quotes()])
        quotes = [self.game.quotes[sid] for sid in changed] or [self.rng.choice(self.quotes())]
        return self._frame([self._delta(quote) for quote in quotes])

    def record(self, quote: Quote) -> bytes:
        if self.rng.random() < 0.5:
            return self._frame([dk.full_record(self.game, quote)])
        return self._frame([self._delta(quote)])

    def follow_up(self, quote: Quote) -> bytes:
        """A delta: only what changed, as the book sends once a selection was sent."""
        return self._frame([self._delta(quote)])

    def _delta(self, quote: Quote) -> list[Any]:
        record = dk.delta_record(quote, self.sent[quote.selection_id], repeat=True)
        self.sent[quote.selection_id] = quote.price
        assert record is not None  # `repeat` always gives one
        return record

    def _frame(self, records: list[list[Any]]) -> bytes:
        frame = msgpack.unpackb(dk.update_frame(records), raw=False, timestamp=0)
        frame["params"]["sentAt"] = msgpack.Timestamp.from_datetime(self.now)
        packed: bytes = msgpack.packb(frame, use_bin_type=True)
        return packed

    def refused(self, payload: bytes) -> bool:
        try:
            frame = msgpack.unpackb(payload, raw=False, timestamp=0, strict_map_key=False)
        except Exception:  # not even msgpack: it cannot mean anything
            return False
        return isinstance(frame, dict) and frame.get("id") == DK_RPC_ID and bool(frame.get("error"))

    def scope(self, tree: Any, selection_id: str) -> Any:
        return find(tree, lambda n: isinstance(n, list) and n[:1] == [selection_id])


class BovadaWire(Wire):
    """Atmosphere text frames: padding, heartbeat, handshake, `/events/<id>.1|<json>`."""

    name = "bovada"
    state_module = "providers.bovada.stream"
    codec: ClassVar[Codec] = JsonCodec(header=True, date_keys=frozenset({"lastModified"}))

    @property
    def event_id(self) -> str:
        return derived_id(self.game.event_id, self.name)

    def teams(self) -> tuple[Team, Team]:
        return Team(self.game.home_full), Team(self.game.away_full)

    def market_id(self, quote: Quote) -> str:
        return bv_view.market_id(self.game, quote.market)

    def selection_id(self, quote: Quote) -> str:
        return bv_view.outcome_id(quote)

    def label(self, quote: Quote) -> str:
        return bv_view.label(self.game, quote)

    def payload(self, changed: list[str]) -> bytes:
        roll = self.rng.random()
        if roll < 0.04:
            return bv_wire.PADDING.encode()
        if roll < 0.08:
            return bv_wire.HEARTBEAT.encode()
        if roll < 0.10:
            tracking = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
            return bv_wire.handshake(tracking, self.rng.choice((1.0, 3.0, 20.0))).encode()
        quotes = [self.game.quotes[sid] for sid in changed] or [self.rng.choice(self.quotes())]
        return self._message(self.quotes() if roll < 0.15 else quotes)

    def record(self, quote: Quote) -> bytes:
        return self._message([quote])

    def _message(self, quotes: list[Quote]) -> bytes:
        body = bv_view.delta_body(self.game, self.event_id, quotes)
        body["lastModified"] = int(self.now.timestamp() * 1000)
        return bv_wire.message(self.event_id, body).encode()

    def stages(self, state: object) -> list[Stage]:
        """The shared socket's hub routes every frame before a game's state sees it."""
        return [hub_stage(self.event_id), state_stage(state)]

    def scope(self, tree: Any, selection_id: str) -> Any:
        return find(tree, lambda n: isinstance(n, dict) and n.get("id") == selection_id)


def hub_stage(event_id: str) -> Stage:
    """`BovadaHub._route` on a connection where one session subscribes to `event_id` (what
    the live reader calls per frame: the router, the control frames, the delivery), a
    fresh hub per payload; `parse.route` alone if the hub no longer has that shape."""
    hub_class = getattr(bv_hub, "BovadaHub", None)
    conn_class = getattr(bv_hub, "_Connection", None)
    sub_class = getattr(bv_hub, "Subscription", None)
    if hub_class is None or conn_class is None or sub_class is None:
        return _route_stage()

    def hub(payload: bytes, received_at: datetime | None) -> None:
        conn = conn_class(None, "fuzz", 1)
        conn.add(sub_class(event_id, StreamStats(), conn))
        hub_class(None)._route(conn, payload, received_at or utcnow())

    return Stage("hub", hub)


def _route_stage() -> Stage:
    route = getattr(bv_parse, "route", None)
    if not callable(route):
        raise LookupError("neither BovadaHub._route nor parse.route: point hub_stage at the router")

    def call(payload: bytes, received_at: datetime | None) -> None:
        route(payload, bv_parse.HEARTBEAT)

    return Stage("route", call)


class BetMGMWire(Wire):
    """The fixture-view JSON body of one fixture, odds "both" or decimal only."""

    name = "betmgm"
    state_module = "providers.betmgm.stream"
    codec: ClassVar[Codec] = JsonCodec(date_keys=frozenset({"startDate"}))

    @property
    def event_id(self) -> str:
        return mgm.fixture_id(self.game)

    def teams(self) -> tuple[Team, Team]:
        return Team(self.game.home_full), Team(self.game.away_full)

    def market_id(self, quote: Quote) -> str:
        return mgm.market_id(self.game, quote.market)

    def selection_id(self, quote: Quote) -> str:
        return mgm.option_id(quote)

    def label(self, quote: Quote) -> str:
        return mgm.option_label(self.game, quote)

    def payload(self, changed: list[str]) -> bytes:
        return self._body("decimal" if self.rng.random() < 0.15 else "both")

    def record(self, quote: Quote) -> bytes:
        return self._body("both")

    def _body(self, odds_format: mgm.OddsFormat) -> bytes:
        return orjson.dumps({"fixtures": [mgm.fixture(self.game, odds_format)]})

    def scope(self, tree: Any, selection_id: str) -> Any:
        return find(tree, lambda n: isinstance(n, dict) and names(n.get("id"), selection_id))


class FanDuelWire(Wire):
    """The getMarketPrices reply for the game's three main markets."""

    name = "fanduel"
    state_module = "providers.fanduel.stream"
    codec: ClassVar[Codec] = JsonCodec()

    @cached_property
    def ids(self) -> fd.Ids:
        return fd.Ids([self.game])

    @property
    def event_id(self) -> str:
        return derived_id(self.game.event_id, self.name)

    def teams(self) -> tuple[Team, Team]:
        return Team(self.game.home_full), Team(self.game.away_full)

    def market_id(self, quote: Quote) -> str:
        return self.ids.market_of[(self.game.event_id, quote.market)]

    def selection_id(self, quote: Quote) -> str:
        return str(self.ids.runner_of[(quote.selection_id, False)])

    def label(self, quote: Quote) -> str:
        return self.game.full_label(quote)

    def payload(self, changed: list[str]) -> bytes:
        return self._reply(self.game.status)

    def record(self, quote: Quote) -> bytes:
        return self._reply(EventStatus.LIVE)

    def _reply(self, status: EventStatus) -> bytes:
        market_ids = sorted({self.market_id(q) for q in self.quotes()})
        prices = {sid: quote.price for sid, quote in self.game.quotes.items()}
        view = {self.game.event_id: (prices, status)}
        return orjson.dumps(fd.market_prices(self.ids, market_ids, view))

    def scope(self, tree: Any, selection_id: str) -> Any:
        return find(
            tree, lambda n: isinstance(n, dict) and names(n.get("selectionId"), selection_id)
        )


def names(value: object, selection_id: str) -> bool:
    """Whether an id field (text or a whole number) holds `selection_id`."""
    return (
        isinstance(value, str | int) and not isinstance(value, bool) and str(value) == selection_id
    )


WIRES: dict[str, type[Wire]] = {
    wire.name: wire for wire in (DraftKingsWire, BovadaWire, BetMGMWire, FanDuelWire)
}
