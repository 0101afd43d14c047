"""The poison fault: its values and its switch."""

from __future__ import annotations

import math
import random
from typing import Any

import httpx
import msgpack
import orjson
import pytest

from simulator.config import SimConfig
from simulator.poison import DEEP_LEVELS, Kind, Poison, dumps, nested, replaced
from simulator.server import SimHandle

pytestmark = pytest.mark.timeout(60)


def control(http: httpx.Client, path: str, **body: Any) -> Any:
    response = http.post(f"/_sim/{path}", json=body)
    response.raise_for_status()
    return response.json()


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
