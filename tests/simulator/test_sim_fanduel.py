"""The FanDuel fake book over real sockets: script-rendered pages, the event JSON,
getMarketPrices, and its faults (docs/fanduel-wire.md)."""

from __future__ import annotations

import asyncio
import time
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.async_api import async_playwright

from simulator.server import SimHandle

pytestmark = pytest.mark.timeout(60)

CHROMIUM = "/usr/bin/chromium"
PRICES = "/api/sports/fixedodds/readonly/v1/getMarketPrices?priceHistory=1"
LEAGUE_PATHS = {
    "nba": "/basketball/nba",
    "nfl": "/football/nfl",
    "mlb": "/baseball/mlb",
    "nhl": "/hockey/nhl",
}
needs_chromium = pytest.mark.skipif(
    not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"
)


def games(http: httpx.Client, league: str | None = None) -> list[dict[str, Any]]:
    state = http.get("/_sim/state").json()["games"]
    return [g for g in state if league in (None, g["league"])]


def fd(game: dict[str, Any]) -> dict[str, Any]:
    books: dict[str, Any] = game["books"]["fanduel"]
    return books


def prices(http: httpx.Client, market_ids: list[str]) -> httpx.Response:
    return http.post(PRICES, json={"marketIds": market_ids})


def misbehave(http: httpx.Client, **body: Any) -> None:
    http.post("/_sim/misbehave", json={"book": "fanduel", **body}).raise_for_status()


def runners(reply: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {str(r["selectionId"]): r for m in reply for r in m["runnerDetails"]}


async def rendered(url: str, paths: list[str]) -> tuple[dict[str, list[str]], list[Any]]:
    """Per path, the anchors Chromium sees; and the event JSON an event page fetched."""
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            page = await browser.new_page()
            links = {}
            for path in paths:
                await page.goto(url + path, wait_until="domcontentloaded")
                await page.wait_for_selector("#events a", timeout=5000)
                links[path] = await page.eval_on_selector_all("a", "els => els.map(a => a.href)")
            event_page = links[paths[0]][0]
            async with page.expect_response(lambda r: "/api/event-page?" in r.url) as caught:
                await page.goto(event_page, wait_until="domcontentloaded")
            return links, [await (await caught.value).json()]
        finally:
            await browser.close()


@needs_chromium
def test_chromium_renders_every_leagues_links_and_the_event_page_fetches_its_json(
    sim: SimHandle, http: httpx.Client
) -> None:
    final = games(http, "mlb")[0]["event_id"]
    http.post("/_sim/status", json={"event_id": final, "status": "final"}).raise_for_status()
    static = http.get("/basketball/nba").text
    assert "<a " not in static  # nothing to find without running the script
    paths = list(LEAGUE_PATHS.values())
    links, (event_json,) = asyncio.run(rendered(sim.url, paths))
    for league, path in LEAGUE_PATHS.items():
        expected = {fd(g)["event_id"] for g in games(http, league) if g["event_id"] != final}
        got = {href.rsplit("-", 1)[1] for href in links[path]}
        assert got == expected, league
        assert all(href.startswith(f"{sim.url}{path}/") and "-@-" in href for href in links[path])
    assert str(event_json["event"]["eventId"]) == links[paths[0]][0].rsplit("-", 1)[1]


def test_event_json_carries_teams_start_ids_and_prices(http: httpx.Client) -> None:
    game = games(http, "mlb")[0]
    ids = fd(game)
    body = http.get("/api/event-page", params={"eventId": ids["event_id"]}).json()
    event = body["event"]
    teams = (event["homeTeam"]["name"], event["awayTeam"]["name"])
    assert teams == (ids["home"], ids["away"]) == (game["home_full"], game["away_full"])
    assert event["name"] == f"{game['away_full']} @ {game['home_full']}"
    start = datetime.fromisoformat(event["openDate"])
    assert start == datetime.fromisoformat(game["starts_at"]) and event["openDate"].endswith("Z")
    kinds = {m["marketType"]: m for m in body["markets"]}
    assert set(kinds) == {
        "MONEY_LINE", "RUN_LINE", "TOTAL_RUNS_(OVER/UNDER)", "FIRST_5_INNINGS_MONEY_LINE"
    }  # fmt: skip
    assert {
        kinds[k]["marketId"] for k in ("MONEY_LINE", "RUN_LINE", "TOTAL_RUNS_(OVER/UNDER)")
    } == set(ids["markets"].values())
    main = {
        str(r["selectionId"]): (m["marketId"], r)
        for m in body["markets"]
        if m["marketType"] != "FIRST_5_INNINGS_MONEY_LINE"
        for r in m["runners"]
    }
    for s in game["selections"]:
        market_id, runner = main[ids["selections"][s["selection_id"]]]
        assert market_id == ids["markets"][s["market_id"]]
        assert runner["result"]["type"] == s["side"].upper()
        assert runner["winRunnerOdds"]["americanDisplayOdds"]["americanOdds"] == s["american"]
        decimal = runner["winRunnerOdds"]["trueOdds"]["decimalOdds"]["decimalOdds"]
        assert abs(decimal - s["decimal"]) < 0.006  # the true price, the model shows 2 places
        assert runner["handicap"] == (s["line"] or 0)
        names = {"home": game["home_full"], "away": game["away_full"]}
        assert runner["runnerName"] == names.get(s["side"], s["label"])


def test_nhl_event_json_names_hockey_markets(http: httpx.Client) -> None:
    game = games(http, "nhl")[0]
    body = http.get("/api/event-page", params={"eventId": fd(game)["event_id"]}).json()
    assert {m["marketType"] for m in body["markets"]} == {
        "MONEY_LINE", "PUCK_LINE", "TOTAL_GOALS_(OVER/UNDER)", "FIRST_PERIOD_MONEY_LINE"
    }  # fmt: skip
    assert body["event"]["competitionName"] == "NHL"
    assert body["event"]["homeTeam"]["name"] == game["home_full"] == fd(game)["home"]


def test_prices_follow_moves_and_game_status(http: httpx.Client) -> None:
    game = next(g for g in games(http, "nba") if g["status"] == "live")
    ids = fd(game)
    market_ids = list(ids["markets"].values())
    reply = prices(http, [*market_ids, "734.000000000"]).json()
    assert [m["marketId"] for m in reply] == market_ids  # unknown ids are left out
    assert {m["marketStatus"] for m in reply} == {"OPEN"}
    move = {"event_id": game["event_id"], "market": "spread", "side": "away", "american": 125}
    quote = http.post("/_sim/move", json=move | {"line": 7.5}).json()
    moved = runners(prices(http, market_ids).json())[ids["selections"][quote["selection_id"]]]
    assert (moved["handicap"], moved["winRunnerOdds"]["americanDisplayOdds"]["americanOdds"]) == (
        7.5,
        125,
    )
    for status, shown in (("suspended", "SUSPENDED"), ("final", "CLOSED")):
        http.post("/_sim/status", json={"event_id": game["event_id"], "status": status})
        assert {m["marketStatus"] for m in prices(http, market_ids).json()} == {shown}
    polls = fd(next(g for g in games(http) if g["event_id"] == game["event_id"]))["polls"]
    assert polls == 4


def test_prices_requests_must_be_posts_of_market_ids(http: httpx.Client) -> None:
    assert http.get(PRICES).status_code == 405
    for bad in (b"not json", b'{"marketIds": "734.1"}', b"[1]", b'{"marketIds": [1]}'):
        assert http.post(PRICES, content=bad).status_code == 400


def test_drop_malformed_text_and_schema_faults(http: httpx.Client) -> None:
    game = games(http, "nfl")[0]
    market_ids = list(fd(game)["markets"].values())
    misbehave(http, action="drop", count=2)
    for _ in range(2):
        with pytest.raises(httpx.RemoteProtocolError):  # closed without a response
            prices(http, market_ids)
    misbehave(http, action="malformed")
    misbehave(http, action="text")
    malformed, text = prices(http, market_ids), prices(http, market_ids)
    assert malformed.status_code == 200 and malformed.headers["content-type"] == "application/json"
    with pytest.raises(ValueError):
        malformed.json()
    assert (text.status_code, text.headers["content-type"]) == (200, "text/html; charset=utf-8")
    assert text.text.startswith("<!DOCTYPE html>")
    misbehave(http, action="schema", count=1)
    drifted, normal = prices(http, market_ids).json(), prices(http, market_ids).json()
    for runner in runners(drifted).values():
        assert set(runner["winRunnerOdds"]) == {"americanOddsV2", "trueOdds"}
    for runner in runners(normal).values():
        assert set(runner["winRunnerOdds"]) == {"americanDisplayOdds", "trueOdds"}
    stats = http.get("/_sim/stats").json()["books"]["fanduel"]
    assert (stats["dropped"], stats["malformed_sent"], stats["text_sent"]) == (2, 1, 1)
    assert stats["drifted_sent"] == 1


def test_faults_for_one_game_leave_the_others_alone_until_cleared(http: httpx.Client) -> None:
    one, other = games(http, "nba")[:2]
    ids_one, ids_other = list(fd(one)["markets"].values()), list(fd(other)["markets"].values())
    misbehave(http, action="schema", event_id=one["event_id"])  # no count: until clear
    for _ in range(2):
        assert "americanDisplayOdds" in str(prices(http, ids_other).json())
        assert "americanOddsV2" in str(prices(http, ids_one).json())
    misbehave(http, action="drop", event_id=one["event_id"])
    assert prices(http, ids_other).status_code == 200
    misbehave(http, action="clear")
    assert "americanDisplayOdds" in str(prices(http, ids_one).json())


def test_stall_holds_a_games_prices_for_its_seconds(http: httpx.Client) -> None:
    game = next(g for g in games(http, "nba") if g["status"] == "live")
    ids = fd(game)
    market_ids = list(ids["markets"].values())
    misbehave(http, action="stall", event_id=game["event_id"], seconds=0.6)
    started = time.monotonic()
    quote = http.post(
        "/_sim/move",
        json={"event_id": game["event_id"], "market": "moneyline", "side": "home", "american": 444},
    ).json()
    sid = ids["selections"][quote["selection_id"]]

    def shown() -> int:
        price: int = runners(prices(http, market_ids).json())[sid]["winRunnerOdds"][
            "americanDisplayOdds"
        ]["americanOdds"]
        return price

    assert shown() != 444
    time.sleep(max(0.0, 0.7 - (time.monotonic() - started)))
    assert shown() == 444


def test_paths(http: httpx.Client) -> None:
    game = games(http, "nba")[0]
    event_id = fd(game)["event_id"]
    assert http.get(f"/basketball/nba/a-@-b-{event_id}").status_code == 200
    assert http.get("/hockey/nhl").status_code == 200
    for path in (
        f"/football/nfl/a-@-b-{event_id}",  # the game is not an NFL game
        "/basketball/nba/a-@-b-99999999",
        "/hockey/khl",
        "/api/event-page?eventId=1",
    ):
        assert http.get(path).status_code == 404, path
    assert http.get("/leagues/basketball/nba").status_code == 200  # DraftKings still owns its own
    assert (
        http.get(f"/api/sportscontent/dkusnj/v1/events/{game['event_id']}/categories").status_code
        == 200
    )
