"""The poison fault on the websocket books (DraftKings, Bovada) over real sockets: frames
stay valid msgpack / Atmosphere + JSON, a share of records carry exactly one poisoned
value, of every kind over a run, as the book's stats count them; a poisoned record is
followed by a clean one; none with the fault off."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import httpx
import msgpack
import orjson
import pytest
from poison_checks import (
    KINDS,
    RATE,
    Tally,
    bovada_time_kinds,
    dk_sent_at_kinds,
    kinds_of_bovada,
    kinds_of_dk,
)
from sim_helpers import TOKEN_PATH, open_ws, subscribe_message
from websockets.sync.client import ClientConnection, connect

from simulator.bovada import BovadaBook
from simulator.config import SimConfig
from simulator.server import SimHandle, run_in_thread
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(60)

RUN_S = 15.0  # at most: a run ends once every kind was seen
QUIET_S = 0.6
ATMOSPHERE = "X-Atmosphere-Framework=3.1.0-javascript&X-Atmosphere-Transport=websocket"


@pytest.fixture(autouse=True)
def fast_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BovadaBook, "heartbeat_s", 0.2)


def live_sim(poison_rate: float) -> SimHandle:
    config = SimConfig(
        port=0, seed=13, leagues=("nba",), games_per_league=2, live_games=2,
        updates_per_s=50.0, repeat_probability=0.0, poison_rate=poison_rate,
    )  # fmt: skip
    return run_in_thread(config)


@pytest.fixture
def poisoned_sim() -> Iterator[SimHandle]:
    """Live, moving prices, every book poisoning from the start."""
    with live_sim(RATE) as handle:
        yield handle


@pytest.fixture
def clean_sim() -> Iterator[SimHandle]:
    with live_sim(0.0) as handle:
        yield handle


def control(http: httpx.Client, path: str, **body: Any) -> Any:
    response = http.post(f"/_sim/{path}", json=body)
    response.raise_for_status()
    return response.json()


def book_stats(http: httpx.Client, book: str) -> dict[str, int]:
    return dict(http.get("/_sim/stats").json()["books"][book])


def first_game(http: httpx.Client) -> dict[str, Any]:
    game: dict[str, Any] = http.get("/_sim/state").json()["games"][0]
    return game


# -- DraftKings ------------------------------------------------------------------------


@contextmanager
def dk_socket(sim: SimHandle, http: httpx.Client, event_id: str) -> Iterator[ClientConnection]:
    with open_ws(sim.url) as ws:
        ws.send(subscribe_message(event_id, http.get(TOKEN_PATH).json()["token"]))
        assert "result" in msgpack.unpackb(ws.recv(timeout=3))
        yield ws


def dk_read(ws: ClientConnection, labels: dict[str, str], tally: Tally, until: float) -> bool:
    """Read one update frame into `tally`; False when none came before `until`."""
    try:
        raw = ws.recv(timeout=max(0.01, until - time.monotonic()))
    except TimeoutError:
        return False
    assert isinstance(raw, bytes)
    frame = msgpack.unpackb(raw)  # valid msgpack, whatever a value holds
    assert frame["method"] == "update"
    for record in frame["params"]["data"]:
        code, payload = record
        tally.record(payload[0], kinds_of_dk(record, labels), whole=code == 35)
    tally.message(dk_sent_at_kinds(frame["params"]["sentAt"]))
    return True


def dk_run(ws: ClientConnection, labels: dict[str, str], tally: Tally, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not set(KINDS) <= set(tally.kinds):
        dk_read(ws, labels, tally, deadline)


def dk_quiesce(
    http: httpx.Client, ws: ClientConnection, labels: dict[str, str], tally: Tally
) -> None:
    """Freeze the market and read until the book has nothing more to send."""
    control(http, "freeze", frozen=True)
    while dk_read(ws, labels, tally, time.monotonic() + QUIET_S):
        pass


def test_draftkings_poisons_a_share_of_records_of_every_kind_then_stops_on_clear(
    poisoned_sim: SimHandle,
) -> None:
    with httpx.Client(base_url=poisoned_sim.url, timeout=5) as http:
        game = first_game(http)
        labels = {s["selection_id"]: s["label"] for s in game["selections"]}
        with dk_socket(poisoned_sim, http, game["event_id"]) as ws:
            tally = Tally()
            dk_run(ws, labels, tally, RUN_S)
            dk_quiesce(http, ws, labels, tally)
            tally.assert_share()
            tally.assert_matches(book_stats(http, "draftkings"))

            control(http, "misbehave", action="clear")
            control(http, "freeze", frozen=False)
            after = Tally()
            dk_run(ws, labels, after, 1.5)
            assert after.records > 20 and after.poisoned == 0
        assert book_stats(http, "draftkings")["poisoned"] == tally.poisoned


def test_draftkings_sends_the_true_price_whole_right_after_a_poisoned_record(
    sim: SimHandle, http: httpx.Client, live_game: dict[str, Any]
) -> None:
    eid = live_game["event_id"]
    sid = f"0HC{eid}_3"
    labels = {s["selection_id"]: s["label"] for s in live_game["selections"]}
    with dk_socket(sim, http, eid) as ws:
        control(http, "misbehave", action="poison", book="draftkings", event_id=eid, rate=1.0)
        control(http, "move", event_id=eid, selection_id=sid, american=-120, line=-3.5)
        first = msgpack.unpackb(ws.recv(timeout=3))
        [record] = first["params"]["data"]
        found = kinds_of_dk(record, labels) + dk_sent_at_kinds(first["params"]["sentAt"])
        assert len(found) == 1
        second = msgpack.unpackb(ws.recv(timeout=3))  # the next tick, rate 1.0 or not
        [[code, payload]] = second["params"]["data"]
        assert (code, payload[0], payload[3], payload[5]) == (35, sid, ["\u2212120", 1.83], -3.5)
        assert kinds_of_dk([code, payload], labels) == []
        assert dk_sent_at_kinds(second["params"]["sentAt"]) == []
    quote = next(s for s in first_game_state(http, eid)["selections"] if s["selection_id"] == sid)
    assert (quote["american"], quote["line"]) == (-120, -3.5)  # the model never saw it
    assert book_stats(http, "draftkings")["poisoned"] == 1


def first_game_state(http: httpx.Client, event_id: str) -> dict[str, Any]:
    games = http.get("/_sim/state").json()["games"]
    found: dict[str, Any] = next(g for g in games if g["event_id"] == event_id)
    return found


# -- Bovada ----------------------------------------------------------------------------


@contextmanager
def bovada_socket(
    sim: SimHandle, http: httpx.Client, game: dict[str, Any]
) -> Iterator[ClientConnection]:
    path = f"/services/sports/subscription/{uuid.uuid4()}?{ATMOSPHERE}"
    url = sim.url.replace("http://", "ws://") + path
    with connect(url, compression=None, open_timeout=5) as ws:
        ws.send(f"SUBSCRIBE|A|/events/{game['books']['bovada']['event_id']}.1?delta=true")
        wait_for(
            lambda: first_game_state(http, game["event_id"])["books"]["bovada"]["subscribers"],
            3,
            "the subscription",
            every_s=0.02,
        )
        yield ws


@dataclass
class BovadaGame:
    """A game's outcome ids and descriptions as Bovada writes them."""

    sids: dict[str, str]  # outcome id -> model selection id
    labels: dict[str, str]  # model selection id -> description

    @classmethod
    def of(cls, game: dict[str, Any]) -> BovadaGame:
        sides = {"_1": game["away_full"], "_3": game["home_full"]}
        labels = {
            s["selection_id"]: s["label"]
            if s["market"] == "total"
            else sides[s["selection_id"][-2:]]
            for s in game["selections"]
        }
        books = game["books"]["bovada"]["selections"]
        return cls({outcome: sid for sid, outcome in books.items()}, labels)


def bovada_read(
    ws: ClientConnection, game: BovadaGame, tally: Tally, until: float
) -> dict[str, Any] | None:
    """Read frames until one push went into `tally` (its body); None when none came
    before `until`."""
    while True:
        try:
            raw = ws.recv(timeout=max(0.01, until - time.monotonic()))
        except TimeoutError:
            return None
        assert isinstance(raw, str)
        header, sep, body = raw.partition("|")
        if header.startswith("/events/") and sep:
            break
    data: dict[str, Any] = orjson.loads(body)  # strict JSON: no NaN or Infinity token
    for market in data["markets"]:
        for outcome in market["outcomes"]:
            sid = game.sids[outcome["id"]]
            tally.record(sid, kinds_of_bovada(outcome, sid, game.labels[sid]))
    tally.message(bovada_time_kinds(data["lastModified"]))
    return data


def bovada_run(ws: ClientConnection, game: BovadaGame, tally: Tally, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and not set(KINDS) <= set(tally.kinds):
        bovada_read(ws, game, tally, deadline)


def test_bovada_off_sends_no_poison_then_armed_poisons_every_kind(clean_sim: SimHandle) -> None:
    with httpx.Client(base_url=clean_sim.url, timeout=5) as http:
        state = first_game(http)
        game = BovadaGame.of(state)
        with bovada_socket(clean_sim, http, state) as ws:
            off = Tally()
            bovada_run(ws, game, off, 1.5)
            assert off.records > 20 and off.poisoned == 0

            control(http, "misbehave", action="poison", book="bovada", rate=RATE)
            tally = Tally()
            bovada_run(ws, game, tally, RUN_S)
            control(http, "freeze", frozen=True)
            while bovada_read(ws, game, tally, time.monotonic() + QUIET_S) is not None:
                pass
        tally.assert_share()
        tally.assert_matches(book_stats(http, "bovada"))
        assert book_stats(http, "draftkings")["poisoned"] == 0  # one book armed


def test_bovada_pushes_the_true_price_right_after_a_poisoned_outcome(
    sim: SimHandle, http: httpx.Client, live_game: dict[str, Any]
) -> None:
    eid = live_game["event_id"]
    sid = f"0OU{eid}_1"
    game = BovadaGame.of(live_game)
    with bovada_socket(sim, http, live_game) as ws:
        control(http, "misbehave", action="poison", book="bovada", event_id=eid, rate=1.0)
        control(http, "move", event_id=eid, selection_id=sid, american=-125, line=230.5)
        first, second = Tally(), Tally()
        assert bovada_read(ws, game, first, time.monotonic() + 3)
        assert first.records == 1 and first.poisoned == 1
        data = bovada_read(ws, game, second, time.monotonic() + 3)  # at the next heartbeat
        assert data is not None and second.records == 1 and second.poisoned == 0
        [outcome] = data["markets"][0]["outcomes"]
        assert (outcome["price"]["american"], outcome["price"]["handicap"]) == ("-125", "230.5")
    quote = next(s for s in first_game_state(http, eid)["selections"] if s["selection_id"] == sid)
    assert (quote["american"], quote["line"]) == (-125, 230.5)
    assert book_stats(http, "bovada")["poisoned"] == 1
