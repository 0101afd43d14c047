"""The DraftKings msgpack websocket: auth, records, scripted moves and wire faults."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import msgpack
import pytest
from sim_helpers import TOKEN_PATH, open_ws, records, recv, subscribe_message
from websockets.exceptions import ConnectionClosed, ConnectionClosedError
from websockets.sync.client import ClientConnection

from simulator.config import SimConfig
from simulator.server import SimHandle, run_in_thread

pytestmark = pytest.mark.timeout(30)


def move(
    http: httpx.Client, event_id: str, sid: str, american: int, line: float | None = None
) -> None:
    body = {"event_id": event_id, "selection_id": sid, "american": american, "line": line}
    http.post("/_sim/move", json=body).raise_for_status()


def misbehave(http: httpx.Client, action: str, **fields: Any) -> None:
    http.post("/_sim/misbehave", json={"action": action, **fields}).raise_for_status()


def refused(sim: SimHandle, event_id: str, token: str) -> tuple[Any, int | None]:
    with open_ws(sim.url) as ws:
        ws.send(subscribe_message(event_id, token))
        reply = recv(ws)
        with pytest.raises(ConnectionClosed) as closed:
            ws.recv(timeout=3)
    return reply, closed.value.rcvd.code if closed.value.rcvd else None


def test_subscribe_then_records_stream(
    sim: SimHandle, http: httpx.Client, live_game: dict[str, Any]
) -> None:
    token = http.get(TOKEN_PATH).json()["token"]
    with open_ws(sim.url) as ws:
        ws.send(subscribe_message(live_game["event_id"], token))
        ack = recv(ws)
        assert ack["id"] == "dk-ws-client" and ack["result"]["subscriptionId"]
        http.post("/_sim/freeze", json={"frozen": False})
        seen: dict[str, int] = {}
        while len(seen) < 2 or 24 not in seen.values():
            frame = recv(ws)
            assert frame["method"] == "update" and frame["params"]["entity"] == "events"
            sent_at = frame["params"]["sentAt"]
            assert abs(sent_at - datetime.now(UTC)) < timedelta(seconds=5)
            for code, payload in records(frame):
                first = payload[0] not in seen
                assert (code, len(payload)) == ((35, 13) if first else (24, 8))
                seen[payload[0]] = code
        assert set(seen) <= {s["selection_id"] for s in live_game["selections"]}


@pytest.mark.parametrize("token", ["garbage", "a.b.c", ""])
def test_bad_token_is_refused(sim: SimHandle, live_game: dict[str, Any], token: str) -> None:
    reply, code = refused(sim, live_game["event_id"], token)
    assert reply["error"]["code"] == 401
    assert code == 4001


def test_expired_token_is_refused(sim: SimHandle, live_game: dict[str, Any]) -> None:
    expired = sim.simulator.books["draftkings"].tokens.issue(now=time.time() - 121)
    reply, code = refused(sim, live_game["event_id"], expired)
    assert reply == {"jsonrpc": "2.0", "id": "dk-ws-client", "error": reply["error"]}
    assert "expired" in reply["error"]["message"]
    assert code == 4001


def test_move_arrives_exactly(
    http: httpx.Client, live_game: dict[str, Any], subscribed: ClientConnection
) -> None:
    eid = live_game["event_id"]
    sid = f"0HC{eid}_3"
    move(http, eid, sid, -120, -3.5)
    [(code, payload)] = records(recv(subscribed))
    assert code == 35 and len(payload) == 13
    assert payload[0] == sid and payload[2] == live_game["home"]
    assert payload[3] == ["\u2212120", 1.83] and payload[4] == 1.83 and payload[5] == -3.5
    assert payload[8] == f"2_{eid}_HC" and payload[9][0] == "Spread"
    assert payload[10] == f"0HC{eid}_1"

    move(http, eid, sid, 105, -3.5)  # odds only: the line is unchanged (None)
    assert records(recv(subscribed)) == [
        [24, [sid, None, ["+105", 2.05], 2.05, None, None, None, None]]
    ]
    move(http, eid, sid, 105, -3.5)  # the same price again: a no-change record
    assert records(recv(subscribed)) == [
        [24, [sid, None, ["+105", 2.05], 2.05, None, None, None, None]]
    ]


def test_malformed_and_text_frames(
    http: httpx.Client, live_game: dict[str, Any], subscribed: ClientConnection
) -> None:
    misbehave(http, "malformed", event_id=live_game["event_id"])
    with pytest.raises(ValueError):
        msgpack.unpackb(subscribed.recv(timeout=3))
    misbehave(http, "text")
    assert isinstance(subscribed.recv(timeout=3), str)


def test_schema_change_sends_14_fields(
    http: httpx.Client, live_game: dict[str, Any], subscribed: ClientConnection
) -> None:
    eid = live_game["event_id"]
    misbehave(http, "schema", count=1)
    move(http, eid, f"0ML{eid}_3", -150)
    [(code, payload)] = records(recv(subscribed))
    assert (code, len(payload), payload[0]) == (35, 14, f"0ML{eid}_3")
    move(http, eid, f"0ML{eid}_3", -155)  # the count is spent: back to normal
    assert [len(p) for _, p in records(recv(subscribed))] == [8]


def test_drop_closes_abruptly(
    sim: SimHandle, http: httpx.Client, live_game: dict[str, Any], subscribed: ClientConnection
) -> None:
    misbehave(http, "drop", event_id=live_game["event_id"])
    with pytest.raises(ConnectionClosedError) as closed:
        subscribed.recv(timeout=3)
    assert closed.value.rcvd is None  # no close frame: the TCP connection was cut


def test_stall_holds_updates_then_resumes(
    http: httpx.Client, live_game: dict[str, Any], subscribed: ClientConnection
) -> None:
    eid = live_game["event_id"]
    misbehave(http, "stall", event_id=eid, seconds=1.0)
    move(http, eid, f"0OU{eid}_1", -125)
    with pytest.raises(TimeoutError):
        subscribed.recv(timeout=0.6)
    [(code, payload)] = records(recv(subscribed, timeout=3))
    assert (code, payload[0], payload[3][0]) == (35, f"0OU{eid}_1", "\u2212125")


def test_stats_count_connections(
    sim: SimHandle, http: httpx.Client, subscribed: ClientConnection
) -> None:
    stats = http.get("/_sim/stats").json()
    assert stats["connections"] == 1 and stats["subscriptions"] == 1


def test_initial_data_sends_every_selection(
    sim: SimHandle, http: httpx.Client, live_game: dict[str, Any]
) -> None:
    token = http.get(TOKEN_PATH).json()["token"]
    message = msgpack.unpackb(subscribe_message(live_game["event_id"], token))
    message["params"]["queryParams"]["initialData"] = True
    with open_ws(sim.url) as ws:
        ws.send(msgpack.packb(message))
        assert "result" in recv(ws)
        sent = {payload[0]: code for code, payload in records(recv(ws))}
    assert sent == {s["selection_id"]: 35 for s in live_game["selections"]}


def test_unchanged_prices_are_sent_again_now_and_then() -> None:
    config = SimConfig(port=0, seed=3, leagues=("nba",), games_per_league=1, live_games=1,
                       updates_per_s=50.0, repeat_probability=1.0)  # fmt: skip
    with run_in_thread(config) as sim, httpx.Client(base_url=sim.url, timeout=5) as http:
        event_id = http.get("/_sim/state").json()["games"][0]["event_id"]
        token = http.get(TOKEN_PATH).json()["token"]
        with open_ws(sim.url) as ws:
            ws.send(subscribe_message(event_id, token))
            recv(ws)
            last: dict[str, Any] = {}
            repeated = False
            while not repeated:
                for code, payload in records(recv(ws)):
                    odds = payload[3] if code == 35 else payload[2]
                    repeated |= code == 24 and odds is not None and last.get(payload[0]) == odds
                    last[payload[0]] = odds or last.get(payload[0])
