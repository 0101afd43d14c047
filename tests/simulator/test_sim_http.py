"""The DraftKings fake book's HTTP side and the control API, over real sockets."""

from __future__ import annotations

import base64
import json
import re
import time
from datetime import datetime
from typing import Any

import httpx
import pytest
from sim_helpers import TOKEN_PATH

from simulator.server import SimHandle

pytestmark = pytest.mark.timeout(30)

EVENT_HREF = re.compile(r'href="(/event/[a-z0-9\-@%]+/(\d+))"', re.IGNORECASE)


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def test_league_page_links_every_game_not_final(http: httpx.Client) -> None:
    games = [g for g in http.get("/_sim/state").json()["games"] if g["league"] == "nfl"]
    final = games[0]["event_id"]
    http.post("/_sim/status", json={"event_id": final, "status": "final"}).raise_for_status()
    response = http.get("/leagues/football/nfl")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert int(response.headers["content-length"]) == len(response.content)
    linked = {event_id for _, event_id in EVENT_HREF.findall(response.text)}
    assert linked == {g["event_id"] for g in games} - {final}
    assert TOKEN_PATH in response.text  # the page fetches a token like a browser session


def test_event_page_has_start_time(http: httpx.Client, live_game: dict[str, Any]) -> None:
    response = http.get(f"/event/any-%40-slug/{live_game['event_id']}")
    assert response.status_code == 200
    found = re.search(r'"startEventDate":"([^"]+Z)"', response.text)
    assert found is not None
    assert datetime.fromisoformat(found.group(1)) == datetime.fromisoformat(live_game["starts_at"])
    assert re.search(r'data-testid="scoreboard-date">Today \d{1,2}:\d\d [AP]M<', response.text)


def test_categories(http: httpx.Client, live_game: dict[str, Any]) -> None:
    eid = live_game["event_id"]
    body = http.get(f"/api/sportscontent/dkusnj/v1/events/{eid}/categories").json()
    assert body["events"][0]["id"] == eid
    assert {p["venueRole"] for p in body["events"][0]["participants"]} == {"Home", "Away"}
    assert {m["id"]: m["marketType"]["name"] for m in body["markets"]} == {
        f"2_{eid}_ML": "Moneyline",
        f"2_{eid}_HC": "Spread",
        f"2_{eid}_OU": "Total",
    }
    by_id = {s["id"]: s for s in body["selections"]}
    assert sorted(by_id) == sorted(s["selection_id"] for s in live_game["selections"])
    for selection in live_game["selections"]:
        shown = by_id[selection["selection_id"]]
        american = shown["displayOdds"]["american"]
        assert american[0] in "+\u2212"
        assert int(american.replace("\u2212", "-")) == selection["american"]
        assert shown["displayOdds"]["decimal"] == f"{selection['decimal']:.2f}"
        assert shown.get("points") == selection["line"]
        assert shown["marketId"] == selection["market_id"]
    assert by_id[f"0HC{eid}_3"]["outcomeType"] == "Home"
    assert by_id[f"0OU{eid}_1"]["label"] == "Over"


def test_token_claims(http: httpx.Client) -> None:
    token = http.get(TOKEN_PATH).json()["token"]
    header = claims("x." + token.split(".")[0])
    assert header["alg"] == "HS256"
    body = claims(token)
    assert body["exp"] - body["iat"] == 120
    assert abs(body["iat"] - time.time()) < 5
    assert body["IsAnonymous"] is True and body["CountryCode"] == "US"
    assert body["iss"] == body["aud"] == "urn:dk"
    assert {"SiteGroupId", "SiteId", "DomainId", "nbf"} <= body.keys()


def test_unknown_paths_are_404(http: httpx.Client) -> None:
    for path in ("/nope", "/event/a-%40-b/99999999", "/_sim/nope", "/leagues/hockey/khl"):
        assert http.get(path).status_code == 404, path


def test_control_api(sim: SimHandle, http: httpx.Client, live_game: dict[str, Any]) -> None:
    eid = live_game["event_id"]
    moved = http.post(
        "/_sim/move",
        json={"event_id": eid, "selection_id": f"0HC{eid}_3", "american": -125, "line": -7.5},
    ).json()
    assert (moved["american"], moved["line"]) == (-125, -7.5)
    state = http.get("/_sim/state").json()
    game = next(g for g in state["games"] if g["event_id"] == eid)
    assert {"status", "starts_at", "selections", "subscribers"} <= game.keys()
    assert any(s["american"] == -125 and s["line"] == -7.5 for s in game["selections"])
    assert http.post("/_sim/freeze", json={"frozen": False}).json() == {"frozen": False}
    assert http.post("/_sim/status", json={"event_id": eid, "status": "suspended"}).is_success
    http.get("/")
    stats = http.get("/_sim/stats").json()
    assert stats["http_requests"] >= 1 and stats["connections"] == 0


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("move", {"event_id": "1", "selection_id": "x", "american": -110}, 404),
        ("move", {"event_id": "1"}, 400),
        ("status", {"event_id": "1", "status": "sleeping"}, 400),
        ("freeze", {"frozen": "yes"}, 400),
        ("misbehave", {"action": "explode"}, 400),
    ],
)
def test_control_api_errors(
    http: httpx.Client, path: str, body: dict[str, Any], status: int
) -> None:
    assert http.post(f"/_sim/{path}", json=body).status_code == status
    assert http.post(f"/_sim/{path}", content=b"not json").status_code == 400
