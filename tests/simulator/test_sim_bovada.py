"""The Bovada fake book over real sockets: the coupon, the Atmosphere handshake and frames,
subscriptions, pushes, status changes and the wire faults."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Any

import httpx
import orjson
import pytest
from websockets.exceptions import ConnectionClosed, InvalidStatus
from websockets.sync.client import ClientConnection, connect

from simulator.bovada import BovadaBook
from simulator.server import SimHandle
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(30)

COUPON = "/services/sports/event/coupon/events/A/description/basketball/nba"
ATMOSPHERE = (
    "X-Atmosphere-tracking-id=0&X-Atmosphere-Framework=3.1.0-javascript"
    "&X-Atmosphere-Transport=websocket"
)
HANDSHAKE = re.compile(r"^[0-9a-f-]{36}\|(\d+)\|X\|$")
HEARTBEAT_S = 0.2


@pytest.fixture(autouse=True)
def fast_heartbeat(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(BovadaBook, "heartbeat_s", HEARTBEAT_S)


@pytest.fixture
def bv_game(http: httpx.Client, live_game: dict[str, Any]) -> dict[str, Any]:
    """The live NBA game with Bovada's ids (`book`: describe())."""
    return {**live_game, "book": live_game["books"]["bovada"]}


@pytest.fixture
def ws(sim: SimHandle) -> Iterator[ClientConnection]:
    with open_ws(sim) as conn:
        yield conn


def open_ws(sim: SimHandle, client_id: str | None = None, query: str = ATMOSPHERE) -> Any:
    path = f"/services/sports/subscription/{uuid.uuid4() if client_id is None else client_id}"
    url = sim.url.replace("http://", "ws://") + path + (f"?{query}" if query else "")
    return connect(url, compression=None, open_timeout=5, close_timeout=2)


def next_frame(ws: ClientConnection, wanted: Callable[[str], bool], timeout: float = 3.0) -> str:
    deadline = time.monotonic() + timeout
    while True:
        frame = ws.recv(timeout=max(0.01, deadline - time.monotonic()))
        assert isinstance(frame, str)
        if wanted(frame):
            return frame


def is_push(frame: str) -> bool:
    return frame.startswith("/events/")


def is_content(frame: str) -> bool:
    """Neither padding, nor a heartbeat, nor the Atmosphere handshake."""
    return frame.strip() not in ("", "X") and HANDSHAKE.match(frame) is None


def drain(ws: ClientConnection, quiet_s: float) -> list[str | bytes]:
    """Every frame until the socket has been quiet for `quiet_s`."""
    frames = []
    while True:
        try:
            frames.append(ws.recv(timeout=quiet_s))
        except TimeoutError:
            return frames


def push_body(ws: ClientConnection, timeout: float = 3.0) -> dict[str, Any]:
    header, _, body = next_frame(ws, is_push, timeout).partition("|")
    data: dict[str, Any] = orjson.loads(body)
    assert header == f"/events/{data['eventId']}.1"
    return data


def outcomes(body: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {o["id"]: o for m in body["markets"] for o in m["outcomes"]}


def subscribe(ws: ClientConnection, http: httpx.Client, game: dict[str, Any]) -> None:
    ws.send(f"SUBSCRIBE|A|/events/{game['book']['event_id']}.1?delta=true")
    wait_for(lambda: book_state(http, game)["subscribers"], 3, "the subscription", every_s=0.02)


def book_state(http: httpx.Client, game: dict[str, Any]) -> dict[str, Any]:
    games = http.get("/_sim/state").json()["games"]
    found: dict[str, Any] = next(g for g in games if g["event_id"] == game["event_id"])
    return dict(found["books"]["bovada"])


def book_stats(http: httpx.Client) -> dict[str, int]:
    return dict(http.get("/_sim/stats").json()["books"]["bovada"])


def post(http: httpx.Client, path: str, body: dict[str, Any]) -> None:
    http.post(f"/_sim/{path}", json=body).raise_for_status()


def move(http: httpx.Client, game: dict[str, Any], index: int, american: int) -> str:
    """Move one model selection; returns its Bovada outcome id."""
    sid = game["selections"][index]["selection_id"]
    post(http, "move", {"event_id": game["event_id"], "selection_id": sid, "american": american})
    return str(game["book"]["selections"][sid])


def test_coupon_lists_the_leagues_games_after_a_decoy_group(http: httpx.Client) -> None:
    groups = http.get(COUPON, params={"preMatchOnly": "false", "eventsLimit": "50"}).json()
    assert [(g["path"][0]["description"], g["path"][0]["link"]) for g in groups] == [
        ("NBA Preseason", "/basketball/nba-preseason"),
        ("NBA", "/basketball/nba"),
    ]
    games = http.get("/_sim/state").json()["games"]
    nba = {g["books"]["bovada"]["event_id"]: g for g in games if g["league"] == "nba"}
    events = groups[1]["events"]
    assert {e["id"] for e in events} == set(nba)
    assert groups[0]["events"][0]["id"] not in nba
    orders = set()
    for event in events:
        game = nba[event["id"]]
        home = next(c["name"] for c in event["competitors"] if c["home"] is True)
        away = next(c["name"] for c in event["competitors"] if c["home"] is False)
        described = game["books"]["bovada"]
        assert (home, away) == (described["home"], described["away"])
        assert (home, away) == (game["home_full"], game["away_full"])  # "<City> <Nickname>"
        assert event["description"] == f"{away} @ {home}"
        orders.add(event["competitors"][0]["home"])
        start = datetime.fromisoformat(game["starts_at"])
        assert event["startTime"] == int(start.timestamp() * 1000)
        main = event["displayGroups"][0]
        assert main["alternateType"] is False and len(main["markets"]) == 3
        prices = {o["id"]: o["price"] for m in main["markets"] for o in m["outcomes"]}
        for selection in game["selections"]:
            price = prices[str(game["books"]["bovada"]["selections"][selection["selection_id"]])]
            american = selection["american"]
            assert price["american"] == ("EVEN" if abs(american) == 100 else f"{american:+d}")
            line = selection["line"]
            assert price.get("handicap") == (None if line is None else f"{line:.1f}")
    assert orders == {True, False}, "home must not always be listed first"


def test_nhl_coupon_names_the_puck_line(http: httpx.Client) -> None:
    groups = http.get(COUPON.replace("/basketball/nba", "/hockey/nhl")).json()
    assert [(g["path"][0]["description"], g["path"][0]["link"]) for g in groups] == [
        ("NHL Preseason", "/hockey/nhl-preseason"),
        ("NHL", "/hockey/nhl"),
    ]
    event = groups[1]["events"][0]
    assert event["sport"] == "HCKY" and event["link"].startswith("/hockey/nhl/")
    main, _alternate, part = event["displayGroups"]
    assert [m["description"] for m in main["markets"]] == ["Moneyline", "Puck Line", "Total"]
    assert part["markets"][0]["period"]["abbreviation"] == "1P"


def test_prematch_only_events_limit_and_unknown_paths(http: httpx.Client) -> None:
    games = http.get("/_sim/state").json()["games"]
    scheduled = {
        g["books"]["bovada"]["event_id"]
        for g in games
        if g["league"] == "nba" and g["status"] == "scheduled"
    }
    pre = http.get(COUPON, params={"preMatchOnly": "true"}).json()
    assert {e["id"] for e in pre[1]["events"]} == scheduled
    assert len(http.get(COUPON, params={"eventsLimit": "1"}).json()[1]["events"]) == 1
    assert http.get(COUPON.replace("/nba", "/wnba")).status_code == 404
    assert http.get("/services/nothing/here").status_code == 404


def test_handshake_refuses_bad_or_reused_client_ids(sim: SimHandle, http: httpx.Client) -> None:
    for client_id, query, status in (
        ("", ATMOSPHERE, 400),
        ("not-a-uuid", ATMOSPHERE, 400),
        (str(uuid.uuid4()), "", 400),
        (str(uuid.uuid4()), ATMOSPHERE.replace("=websocket", "=long-polling"), 400),
    ):
        with pytest.raises(InvalidStatus) as refused:
            open_ws(sim, client_id, query)
        assert refused.value.response.status_code == status, (client_id, query)
    reused = str(uuid.uuid4())
    with open_ws(sim, reused):
        pass
    with pytest.raises(InvalidStatus) as again:
        open_ws(sim, reused)
    assert again.value.response.status_code == 409
    assert book_stats(http)["handshakes_refused"] == 5


def test_open_sends_padding_and_handshake_then_heartbeats(ws: ClientConnection) -> None:
    padding = ws.recv(timeout=3)
    assert isinstance(padding, str) and padding.strip() == ""
    handshake = ws.recv(timeout=3)
    assert isinstance(handshake, str)
    match = HANDSHAKE.match(handshake)
    assert match is not None and int(match.group(1)) == HEARTBEAT_S * 1000
    started = time.monotonic()
    assert [ws.recv(timeout=2) for _ in range(3)] == ["X", "X", "X"]
    assert time.monotonic() - started >= 2 * HEARTBEAT_S


def test_subscribed_moves_are_pushed_until_unsubscribed(
    ws: ClientConnection, http: httpx.Client, bv_game: dict[str, Any]
) -> None:
    subscribe(ws, http, bv_game)
    outcome_id = move(http, bv_game, 0, 100)
    body = push_body(ws)
    assert body["eventId"] == bv_game["book"]["event_id"]
    [market] = body["markets"]
    assert market["period"] == {"id": "119", "description": "Live Game", "abbreviation": "G",
                                "live": True, "main": True}  # fmt: skip
    pushed = outcomes(body)[outcome_id]
    assert (pushed["price"]["american"], pushed["status"]) == ("EVEN", "O")
    assert pushed["type"] in ("H", "A", "O", "U")
    event_id = bv_game["book"]["event_id"]
    ws.send(f"UNSUBSCRIBE|{event_id}")
    ws.send(f"UNSUBSCRIBE|{event_id}")  # a second one is a client bug: counted
    time.sleep(0.2)
    move(http, bv_game, 0, -130)
    with pytest.raises(TimeoutError):
        next_frame(ws, is_push, timeout=4 * HEARTBEAT_S)
    stats = book_stats(http)
    assert (stats["subscribes"], stats["unsubscribes"], stats["bad_commands"]) == (1, 1, 1)
    assert stats["heartbeats_sent"] >= 1


def test_status_changes_are_pushed_for_every_outcome(
    ws: ClientConnection, http: httpx.Client, bv_game: dict[str, Any]
) -> None:
    subscribe(ws, http, bv_game)
    post(http, "status", {"event_id": bv_game["event_id"], "status": "suspended"})
    body = push_body(ws)
    assert set(outcomes(body)) == {str(i) for i in bv_game["book"]["selections"].values()}
    assert {o["status"] for o in outcomes(body).values()} == {"S"}
    assert {m["status"] for m in body["markets"]} == {"S"}
    post(http, "status", {"event_id": bv_game["event_id"], "status": "live"})
    assert {o["status"] for o in outcomes(push_body(ws)).values()} == {"O"}


def test_malformed_text_and_schema_faults(
    ws: ClientConnection, http: httpx.Client, bv_game: dict[str, Any]
) -> None:
    subscribe(ws, http, bv_game)
    event_id = bv_game["book"]["event_id"]
    post(http, "misbehave", {"action": "malformed", "book": "bovada"})
    assert next_frame(ws, is_content) == f"/events/{event_id}.1|{{not json"
    post(http, "misbehave", {"action": "text", "book": "bovada"})
    assert "|" not in next_frame(ws, is_content)
    post(http, "misbehave", {"action": "schema", "book": "bovada", "count": 1})
    first = move(http, bv_game, 2, -140)
    drifted = outcomes(push_body(ws))[first]["price"]
    assert drifted["american"] == -140 and "decimal" not in drifted
    second = move(http, bv_game, 3, -150)
    assert outcomes(push_body(ws))[second]["price"]["american"] == "-150"


def test_stall_holds_heartbeats_and_pushes_then_delivers(
    ws: ClientConnection, http: httpx.Client, bv_game: dict[str, Any]
) -> None:
    subscribe(ws, http, bv_game)
    post(http, "misbehave", {"action": "stall", "book": "bovada", "seconds": 1.0})
    outcome_id = move(http, bv_game, 1, -160)
    started = time.monotonic()
    body = push_body(ws)
    assert time.monotonic() - started >= 0.8
    assert outcomes(body)[outcome_id]["price"]["american"] == "-160"
    post(http, "misbehave", {"action": "stall", "book": "bovada", "seconds": 30.0})
    time.sleep(2 * HEARTBEAT_S)
    drain(ws, quiet_s=HEARTBEAT_S / 2)
    assert drain(ws, quiet_s=3 * HEARTBEAT_S) == [], "a stalled connection sent a frame"
    post(http, "misbehave", {"action": "clear", "book": "bovada"})
    assert next_frame(ws, lambda f: f == "X", timeout=1.0) == "X"


def test_drop_aborts_the_connections_of_an_event(
    ws: ClientConnection, http: httpx.Client, bv_game: dict[str, Any]
) -> None:
    subscribe(ws, http, bv_game)
    reply = http.post(
        "/_sim/misbehave",
        json={"action": "drop", "book": "bovada", "event_id": bv_game["event_id"]},
    ).json()
    assert reply["connections"] == 1
    with pytest.raises(ConnectionClosed):
        next_frame(ws, lambda f: False, timeout=3)
    wait_for(
        lambda: not book_state(http, bv_game)["subscribers"], 3, "the dropped subscription to go"
    )


def test_one_connection_carries_several_subscriptions(
    ws: ClientConnection, http: httpx.Client, bv_game: dict[str, Any]
) -> None:
    games = http.get("/_sim/state").json()["games"]
    live = [g for g in games if g["league"] == "nba" and g["status"] == "live"]
    second = next(g for g in live if g["event_id"] != bv_game["event_id"])
    other = {**second, "book": second["books"]["bovada"]}
    subscribe(ws, http, bv_game)
    subscribe(ws, http, other)
    stats = book_stats(http)
    assert (stats["connections"], stats["subscriptions"], stats["subscribes"]) == (1, 2, 2)
    pushed = {}
    for game, american in ((bv_game, 120), (other, 130)):
        outcome_id = move(http, game, 0, american)
        body = push_body(ws)  # the header's topic is the body's event (checked there)
        assert body["eventId"] == game["book"]["event_id"]
        pushed[body["eventId"]] = outcomes(body)[outcome_id]["price"]["american"]
    assert pushed == {bv_game["book"]["event_id"]: "+120", other["book"]["event_id"]: "+130"}
    ws.send(f"UNSUBSCRIBE|{bv_game['book']['event_id']}")
    time.sleep(0.2)
    move(http, bv_game, 0, 140)
    outcome_id = move(http, other, 0, 150)
    body = push_body(ws)
    assert body["eventId"] == other["book"]["event_id"], "the unsubscribed game was pushed"
    assert outcomes(body)[outcome_id]["price"]["american"] == "+150"
    assert (book_stats(http)["subscriptions"], book_stats(http)["unsubscribes"]) == (1, 1)
