"""The poison fault: its values and switch, and the polling books (BetMGM, FanDuel) over
real sockets: responses stay strict JSON, a share of records carry exactly one poisoned
value, of every kind the wire allows over a run, as the book's stats count them; a
poisoned record is clean in the next response; none with the fault off; reproducible
from the seed."""

from __future__ import annotations

import math
import random
import re
from collections.abc import Iterator
from typing import Any

import httpx
import msgpack
import orjson
import pytest
from poison_checks import (
    KINDS,
    RATE,
    Tally,
    betmgm_time_kinds,
    kinds_of_betmgm,
    kinds_of_fanduel,
    market_side,
)

from simulator.config import SimConfig
from simulator.poison import (
    DEEP_LEVELS,
    Kind,
    Poison,
    dumps,
    nested,
    replaced,
)
from simulator.server import SimHandle, run_in_thread

pytestmark = pytest.mark.timeout(60)

API = "/cds-api/bettingoffer/fixture-view"
EVENT_JSON = "/api/event-page"
PRICES = "/api/sports/fixedodds/readonly/v1/getMarketPrices?priceHistory=1"
ACCESS_ID = re.compile(r'"accessId":"([^"]+)"')
FANDUEL_KINDS = tuple(k for k in KINDS if k not in ("wrong_side", "bad_date"))
POLLS = 200  # at most: a run ends once every kind was seen


def control(http: httpx.Client, path: str, **body: Any) -> Any:
    response = http.post(f"/_sim/{path}", json=body)
    response.raise_for_status()
    return response.json()


def book_stats(http: httpx.Client, book: str) -> dict[str, int]:
    return dict(http.get("/_sim/stats").json()["books"][book])


def nba_games(http: httpx.Client) -> list[dict[str, Any]]:
    return [g for g in http.get("/_sim/state").json()["games"] if g["league"] == "nba"]


# -- the values and the switch ---------------------------------------------------------


def test_deep_nesting_fits_both_encodings_inside_a_message() -> None:
    value = {"jsonrpc": "2.0", "params": {"data": [[24, ["s", None, nested(1.91)]]]}}
    assert msgpack.unpackb(msgpack.packb(value)) == value
    assert orjson.loads(dumps(value)) == value
    deep = value["params"]["data"][0][1][2]  # type: ignore[index]
    levels = 0
    while isinstance(deep, list):
        deep, levels = deep[0], levels + 1
    assert (levels, deep) == (DEEP_LEVELS, 1.91)


def test_poisoned_json_is_strict_and_holds_huge_numbers() -> None:
    assert orjson.loads(dumps({"american": 10**30, "decimal": "NaN"})) == {
        "american": 1e30,
        "decimal": "NaN",
    }
    with pytest.raises(ValueError):
        dumps({"decimal": math.nan})  # never a NaN token: the message would not be JSON


def test_replaced_copies_only_the_path() -> None:
    record = {"price": {"american": "-110", "decimal": "1.909"}, "ids": [1, 2]}
    poisoned = replaced(record, ("price", "american"), "")
    assert poisoned == {"price": {"american": "", "decimal": "1.909"}, "ids": [1, 2]}
    assert record["price"] == {"american": "-110", "decimal": "1.909"}
    assert poisoned["ids"] is record["ids"]


def test_draws_reproduce_from_the_seed() -> None:
    def draws(seed: int) -> list[float]:
        poison = Poison.seeded(seed, "fanduel", 0.5)
        return [poison.rng.random() for _ in range(20)]

    assert draws(3) == draws(3) != draws(4)
    assert Poison(random.Random(1)).stats() == {"poisoned": 0} | {
        f"poisoned_{kind.value}": 0 for kind in Kind
    }


def test_a_rate_outside_0_to_1_is_refused(sim: SimHandle, http: httpx.Client) -> None:
    for rate in (1.5, -0.1, "lots"):
        body = {"action": "poison", "rate": rate}
        assert http.post("/_sim/misbehave", json=body).status_code == 400
    with pytest.raises(ValueError):
        SimConfig(poison_rate=2.0)
    control(http, "misbehave", action="poison")
    assert {book.poison.rate for book in sim.simulator.books.values()} == {0.1}  # the default


# -- BetMGM ----------------------------------------------------------------------------


def access_id(http: httpx.Client) -> str:
    found = ACCESS_ID.search(http.get("/en/sports/basketball-7/today").text)
    assert found is not None
    return found.group(1)


def betmgm_options(game: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Option id -> (model selection id, the option's name)."""
    teams = {"away": game["away_full"], "home": game["home_full"]}
    found = {}
    for quote in game["selections"]:
        sid = quote["selection_id"]
        code, side = market_side(sid)
        if code == "ML":
            name = teams[side]
        elif code == "HC":
            name = f"{teams[side]} {quote['line']:+g}"
        else:
            name = f"{quote['label']} {quote['line']:g}"
        found[game["books"]["betmgm"]["selections"][sid]] = (sid, name)
    return found


def betmgm_poll(http: httpx.Client, aid: str, game: dict[str, Any], tally: Tally) -> None:
    """One fixture-view response into `tally` (the first-half market must stay clean)."""
    params = {"x-bwin-accessid": aid, "fixtureIds": game["books"]["betmgm"]["event_id"]}
    response = http.get(API, params=params)
    assert response.status_code == 200
    [fixture] = orjson.loads(response.content)["fixtures"]  # strict JSON
    options = betmgm_options(game)
    for market in fixture["optionMarkets"]:
        main = {"key": "Period", "value": "RegularTime"} in market["parameters"]
        for option in market["options"]:
            if not main:
                assert option["price"]["americanOdds"] == -110 and "participantId" in option
                continue
            sid, name = options[str(option["id"])]
            tally.record(sid, kinds_of_betmgm(option, sid, name))
    tally.message(betmgm_time_kinds(fixture["startDate"]))


def test_betmgm_poisons_a_share_of_options_of_every_kind(
    sim: SimHandle, http: httpx.Client
) -> None:
    games, aid = nba_games(http), access_id(http)
    off = Tally()
    for game in games:
        betmgm_poll(http, aid, game, off)
    assert off.records == 6 * len(games) and off.poisoned == 0

    control(http, "misbehave", action="poison", book="betmgm", rate=RATE)
    tally = Tally()
    for _ in range(POLLS):
        for game in games:
            betmgm_poll(http, aid, game, tally)
        if set(KINDS) <= set(tally.kinds):
            break
    tally.assert_share()
    tally.assert_matches(book_stats(http, "betmgm"))


# -- FanDuel ---------------------------------------------------------------------------


def fanduel_markets(http: httpx.Client, game: dict[str, Any]) -> list[str]:
    """Every market id of a game, the one clients leave out included."""
    event_id = game["books"]["fanduel"]["event_id"]
    event = http.get(EVENT_JSON, params={"eventId": event_id}).json()
    return [market["marketId"] for market in event["markets"]]


def fanduel_poll(
    http: httpx.Client, game: dict[str, Any], markets: list[str], tally: Tally
) -> list[Any]:
    """One getMarketPrices reply into `tally` (the extra market must stay clean)."""
    books = game["books"]["fanduel"]
    main = set(books["markets"].values())
    runners = {runner: sid for sid, runner in books["selections"].items()}
    response = http.post(PRICES, json={"marketIds": markets})
    assert response.status_code == 200
    reply: list[Any] = orjson.loads(response.content)  # strict JSON
    for market in reply:
        for runner in market["runnerDetails"]:
            if market["marketId"] not in main:
                assert kinds_of_fanduel(runner, "0ML_extra_1") == []
                continue
            sid = runners[str(runner["selectionId"])]
            tally.record(sid, kinds_of_fanduel(runner, sid))
    return reply


def test_fanduel_poisons_a_share_of_runners_of_every_kind_it_can_carry(
    sim: SimHandle, http: httpx.Client
) -> None:
    games = nba_games(http)
    markets = {g["event_id"]: fanduel_markets(http, g) for g in games}
    off = Tally()
    for game in games:
        fanduel_poll(http, game, markets[game["event_id"]], off)
    assert off.records == 6 * len(games) and off.poisoned == 0

    control(http, "misbehave", action="poison", book="fanduel", rate=RATE)
    tally = Tally()
    for _ in range(POLLS):
        for game in games:
            fanduel_poll(http, game, markets[game["event_id"]], tally)
        if set(FANDUEL_KINDS) <= set(tally.kinds):
            break
    tally.assert_share(FANDUEL_KINDS)
    tally.assert_matches(book_stats(http, "fanduel"))
    assert book_stats(http, "betmgm")["poisoned"] == 0  # one book armed


def test_a_poisoned_runner_is_clean_and_true_in_the_next_reply(
    sim: SimHandle, http: httpx.Client
) -> None:
    game = nba_games(http)[0]
    markets = fanduel_markets(http, game)
    clean = fanduel_poll(http, game, markets, Tally())
    control(http, "misbehave", action="poison", book="fanduel", event_id=game["event_id"], rate=1)
    first, second = Tally(), Tally()
    fanduel_poll(http, game, markets, first)
    assert first.poisoned == first.records == 6  # rate 1: every main runner
    assert fanduel_poll(http, game, markets, second) == clean
    assert second.poisoned == 0
    assert nba_games(http)[0]["selections"] == game["selections"]  # the model is untouched


def test_count_caps_the_poisoned_records(sim: SimHandle, http: httpx.Client) -> None:
    game = nba_games(http)[0]
    markets = fanduel_markets(http, game)
    control(http, "misbehave", action="poison", book="fanduel", rate=1, count=2)
    tally = Tally()
    for _ in range(3):
        fanduel_poll(http, game, markets, tally)
    assert (tally.records, tally.poisoned) == (18, 2)
    assert http.get("/_sim/stats").json()["poisoned"] == 2  # the sum over the books


def test_the_same_seed_poisons_the_same_way() -> None:
    def replies(seed: int) -> list[bytes]:
        config = SimConfig(
            port=0, seed=seed, leagues=("nba",), games_per_league=2, live_games=1,
            frozen=True, poison_rate=0.5,
        )  # fmt: skip
        with run_in_thread(config) as sim, httpx.Client(base_url=sim.url, timeout=5) as http:
            markets = fanduel_markets(http, nba_games(http)[0])
            return [http.post(PRICES, json={"marketIds": markets}).content for _ in range(10)]

    assert replies(21) == replies(21) != replies(22)


@pytest.fixture
def poisoned_from_start() -> Iterator[SimHandle]:
    config = SimConfig(port=0, seed=5, leagues=("nba",), games_per_league=1, live_games=1,
                       frozen=True, poison_rate=1.0)  # fmt: skip
    with run_in_thread(config) as handle:
        yield handle


def test_poison_rate_in_the_config_arms_every_book_from_the_start(
    poisoned_from_start: SimHandle,
) -> None:
    assert {book.poison.rate for book in poisoned_from_start.simulator.books.values()} == {1.0}
    with httpx.Client(base_url=poisoned_from_start.url, timeout=5) as http:
        game = nba_games(http)[0]
        tally = Tally()
        fanduel_poll(http, game, fanduel_markets(http, game), tally)
        assert tally.poisoned == 6
        control(http, "misbehave", action="clear")
        fanduel_poll(http, game, fanduel_markets(http, game), tally)
        fanduel_poll(http, game, fanduel_markets(http, game), tally)
        assert (tally.records, tally.poisoned) == (18, 6)
