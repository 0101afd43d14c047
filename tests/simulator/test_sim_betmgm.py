"""The BetMGM fake book over real sockets: pages, the fixture-view API, access ids, faults."""

from __future__ import annotations

import re
import time
from typing import Any

import httpx
import orjson
import pytest

from simulator.betmgm.book import BetMGMBook
from simulator.server import SimHandle

pytestmark = pytest.mark.timeout(30)

API = "/cds-api/bettingoffer/fixture-view"
ACCESS_ID = re.compile(r'"accessId":"([^"]+)"')
EVENT_LINK = re.compile(r"/en/sports/events/[a-z0-9\-]+-\d+")


def mgm(sim: SimHandle) -> BetMGMBook:
    book = sim.simulator.books["betmgm"]
    assert isinstance(book, BetMGMBook)
    return book


def access_id(http: httpx.Client) -> str:
    page = http.get("/en/sports/basketball-7/today").text
    found = ACCESS_ID.search(page)
    assert found is not None
    return found.group(1)


def fixture_view(http: httpx.Client, fixture_ids: str, aid: str | None = None) -> httpx.Response:
    params = {"x-bwin-accessid": aid or access_id(http), "fixtureIds": fixture_ids, "lang": "en-us"}
    return http.get(API, params=params)


def ids(game: dict[str, Any]) -> dict[str, Any]:
    described: dict[str, Any] = game["books"]["betmgm"]
    return described


def game_state(http: httpx.Client, model_id: str) -> dict[str, Any]:
    games = http.get("/_sim/state").json()["games"]
    found: dict[str, Any] = next(g for g in games if g["event_id"] == model_id)
    return found


def test_league_page_lists_games_only_through_its_script(http: httpx.Client) -> None:
    games = [g for g in http.get("/_sim/state").json()["games"] if g["league"] == "nfl"]
    final = games[0]["event_id"]
    http.post("/_sim/status", json={"event_id": final, "status": "final"}).raise_for_status()
    response = http.get("/en/sports/football-11/today")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/html")
    assert EVENT_LINK.findall(response.text) == []  # a plain GET sees no event link
    data = re.search(r"var games = (\[.*?\]);", response.text)
    assert data is not None
    listed = {(g["id"], g["away"], g["home"]) for g in orjson.loads(data.group(1))}
    expected = {
        (ids(g)["event_id"], *ids(g)["url"].rsplit("-", 1)[0].split("/")[-1].split("-at-"))
        for g in games
        if g["event_id"] != final
    }
    assert listed == expected and len(listed) == len(games) - 1
    assert ACCESS_ID.search(response.text)


def test_nhl_page_and_fixture_name_hockey_markets(http: httpx.Client) -> None:
    nhl = [g for g in http.get("/_sim/state").json()["games"] if g["league"] == "nhl"]
    page = http.get("/en/sports/ice-hockey-12/today").text
    data = re.search(r"var games = (\[.*?\]);", page)
    assert data is not None
    assert {g["id"] for g in orjson.loads(data.group(1))} == {ids(g)["event_id"] for g in nhl}
    fixture = fixture_view(http, ids(nhl[0])["event_id"]).json()["fixtures"][0]
    names = [m["name"]["value"] for m in fixture["optionMarkets"]]
    assert names == ["Money Line", "Puck Line", "Totals", "1st Period Puck Line"]
    periods = [p["value"] for m in fixture["optionMarkets"] for p in m["parameters"]
               if p["key"] == "Period"]  # fmt: skip
    assert periods == ["RegularTime"] * 3 + ["1stPeriod"]


def test_event_page_requests_its_fixture_with_the_embedded_access_id(
    http: httpx.Client, live_game: dict[str, Any]
) -> None:
    page = http.get(ids(live_game)["url"]).text
    assert ACCESS_ID.search(page)
    assert f'query.set("fixtureIds", "{ids(live_game)["event_id"]}")' in page
    assert 'query.set("x-bwin-accessid", cds.accessId)' in page and f'"url":"{API}"' in page
    assert http.get("/en/sports/events/a-at-b-99999999").status_code == 404
    assert http.get("/en/sports/nope").status_code == 404


def test_fixture_view_matches_the_market_model(
    http: httpx.Client, live_game: dict[str, Any]
) -> None:
    move = {"event_id": live_game["event_id"], "market": "spread", "side": "home"}
    http.post("/_sim/move", json=move | {"american": -125, "line": -7.5}).raise_for_status()
    game = game_state(http, live_game["event_id"])
    fixture = fixture_view(http, ids(game)["event_id"]).json()["fixtures"][0]
    assert fixture["id"] == ids(game)["event_id"] and fixture["stage"] == "Live"
    assert fixture["startDate"].replace("Z", "+00:00") == game["starts_at"]
    teams = {p["properties"]["type"]: p for p in fixture["participants"]}
    # BetMGM spells teams "<City> <Nickname>", the model's full names, and says so in state.
    assert (ids(game)["home"], ids(game)["away"]) == (game["home_full"], game["away_full"])
    assert teams["HomeTeam"]["name"] == {"value": game["home_full"], "short": game["home"]}
    assert teams["AwayTeam"]["name"] == {"value": game["away_full"], "short": game["away"]}
    assert fixture["name"]["value"] == f"{game['away_full']} at {game['home_full']}"
    markets = {m["id"]: m for m in fixture["optionMarkets"]}
    options = {str(o["id"]): (m, o) for m in markets.values() for o in m["options"]}
    for selection in game["selections"]:
        market, option = options[ids(game)["selections"][selection["selection_id"]]]
        assert str(market["id"]) == ids(game)["markets"][selection["market"]]
        assert option["price"] == {"americanOdds": selection["american"],
                                   "odds": round(selection["decimal"], 2)}  # fmt: skip
        attr = option.get("attr")
        assert (None if attr is None else float(attr)) == selection["line"]
        if selection["market"] != "total":
            owner = teams["HomeTeam" if selection["side"] == "home" else "AwayTeam"]
            assert option["participantId"] == owner["participantId"]
        else:
            assert option["totalsPrefix"].lower() == selection["side"]
    assert options[ids(game)["selections"][f"0HC{game['event_id']}_3"]][1]["attr"] == "-7.5"
    periods = [
        [p["value"] for p in m["parameters"] if p["key"] == "Period"] for m in markets.values()
    ]
    assert sorted(periods) == [["1stHalf"], ["RegularTime"], ["RegularTime"], ["RegularTime"]]
    assert (ids(game)["polls"], ids(game_state(http, game["event_id"]))["polls"]) == (0, 1)


def test_fixture_view_requests(http: httpx.Client, sim: SimHandle) -> None:
    games = http.get("/_sim/state").json()["games"]
    both = f"{ids(games[0])['event_id']},{ids(games[1])['event_id']}"
    aid = access_id(http)
    got = fixture_view(http, both, aid).json()["fixtures"]
    assert [f["id"] for f in got] == both.split(",")
    assert fixture_view(http, "12345678", aid).json() == {"fixtures": []}
    assert http.get(API, params={"x-bwin-accessid": aid}).status_code == 400
    assert http.post(API, json={}).status_code == 405
    mgm(sim).odds_format = "decimal"
    prices = [o["price"] for m in got[:1] for o in m["optionMarkets"][0]["options"]]
    assert all("americanOdds" in p for p in prices)
    decimal = fixture_view(http, ids(games[0])["event_id"], aid).json()["fixtures"][0]
    assert all(set(o["price"]) == {"odds"} for m in decimal["optionMarkets"] for o in m["options"])
    stats = http.get("/_sim/stats").json()["books"]["betmgm"]
    assert stats["api_requests"] == 4 and stats["connections"] == 0  # the POST is refused first


def test_access_ids_are_checked_and_expire(http: httpx.Client, sim: SimHandle) -> None:
    fixture = ids(http.get("/_sim/state").json()["games"][0])["event_id"]
    assert http.get(API, params={"fixtureIds": fixture}).status_code == 401
    forged = "MTc5NTI3OTQxMi44MjkuMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA="
    assert fixture_view(http, fixture, forged).status_code == 401
    mgm(sim).access_ids.ttl_s = 0.3
    aid = access_id(http)
    assert fixture_view(http, fixture, aid).status_code == 200
    time.sleep(0.4)
    stale = fixture_view(http, fixture, aid)
    assert stale.status_code == 401 and stale.json() == {"error": "access id expired"}
    assert aid not in stale.text
    assert http.get("/_sim/stats").json()["books"]["betmgm"]["auth_failures"] == 3


def test_drop_malformed_and_text_hit_the_next_responses_of_one_game(
    http: httpx.Client, live_game: dict[str, Any]
) -> None:
    games = http.get("/_sim/state").json()["games"]
    target, other = (
        ids(live_game)["event_id"],
        next(ids(g)["event_id"] for g in games if g["event_id"] != live_game["event_id"]),
    )
    aid = access_id(http)
    for action in ("drop", "malformed", "text"):
        body = {"action": action, "book": "betmgm", "event_id": live_game["event_id"]}
        http.post("/_sim/misbehave", json=body | {"count": 2}).raise_for_status()
    assert fixture_view(http, other, aid).json()["fixtures"][0]["id"] == other
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):
            fixture_view(http, target, aid)
    for _ in range(2):
        broken = fixture_view(http, target, aid)
        assert broken.status_code == 200 and broken.headers["content-type"] == "application/json"
        with pytest.raises(orjson.JSONDecodeError):
            orjson.loads(broken.content)
    for _ in range(2):
        page = fixture_view(http, target, aid)
        assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert fixture_view(http, target, aid).json()["fixtures"][0]["id"] == target
    assert http.get("/_sim/stats").json()["books"]["betmgm"]["faults_served"] == 6


def test_schema_drift_until_cleared_and_stall_holds_the_fixture(
    http: httpx.Client, live_game: dict[str, Any]
) -> None:
    fixture, aid = ids(live_game)["event_id"], access_id(http)

    def shape() -> tuple[type, type]:
        got = fixture_view(http, fixture, aid).json()["fixtures"][0]
        return type(got["participants"][0]["name"]), type(
            got["optionMarkets"][0]["options"][0]["price"]["americanOdds"]
        )

    http.post("/_sim/misbehave", json={"action": "schema", "count": 1}).raise_for_status()
    assert [shape(), shape()] == [(str, str), (dict, int)]
    http.post("/_sim/misbehave", json={"action": "schema"}).raise_for_status()
    assert [shape(), shape()] == [(str, str), (str, str)]
    http.post("/_sim/misbehave", json={"action": "clear"}).raise_for_status()
    assert shape() == (dict, int)

    def home_ml() -> int:
        got = fixture_view(http, fixture, aid).json()["fixtures"][0]
        market = next(m for m in got["optionMarkets"] if m["name"]["value"] == "Money Line")
        price: int = market["options"][0]["price"]["americanOdds"]  # home first
        return price

    before = home_ml()
    stall = {"action": "stall", "seconds": 0.5, "event_id": live_game["event_id"]}
    http.post("/_sim/misbehave", json=stall).raise_for_status()
    move = {"event_id": live_game["event_id"], "market": "moneyline", "side": "home"}
    http.post("/_sim/move", json=move | {"american": before - 40}).raise_for_status()
    assert home_ml() == before  # held
    time.sleep(0.55)
    assert home_ml() == before - 40


def test_suspended_and_final_games(http: httpx.Client, live_game: dict[str, Any]) -> None:
    fixture, aid, eid = ids(live_game)["event_id"], access_id(http), live_game["event_id"]
    http.post("/_sim/status", json={"event_id": eid, "status": "suspended"}).raise_for_status()
    got = fixture_view(http, fixture, aid).json()["fixtures"][0]
    assert got["stage"] == "Live"
    assert {m["status"] for m in got["optionMarkets"][:3]} == {"Suspended"}
    http.post("/_sim/status", json={"event_id": eid, "status": "final"}).raise_for_status()
    got = fixture_view(http, fixture, aid).json()["fixtures"][0]
    assert got["stage"] == "Finished" and got["optionMarkets"][0]["status"] == "Closed"
