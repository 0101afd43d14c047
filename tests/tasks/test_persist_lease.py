"""The persister's slot lease: taken back when it vanished (a Redis restart), given up only
to another holder."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest

from oddswatch.settings import Settings
from sinks.keys import persist_lease_key
from tasks.engine import Runtime
from tasks.persist import run_persister
from tests.conftest import BROKER_URL, DATA_URL
from tests.waiting import wait_for


@pytest.fixture
def runtime(redis_data: object) -> Iterator[Runtime]:
    settings = Settings(
        _env_file=None, broker_url=BROKER_URL, redis_url=DATA_URL, sinks=["redis"],
        database_url="postgresql://postgres@127.0.0.1:9/nowhere", lease_renew_s=0.2,
    )  # type: ignore[call-arg]  # fmt: skip
    rt = Runtime(settings)
    yield rt
    rt.close()


def test_the_slot_lease_is_taken_back_and_given_up_only_to_another(runtime, redis_data) -> None:  # type: ignore[no-untyped-def]
    key = persist_lease_key(0)
    future = asyncio.run_coroutine_threadsafe(run_persister(runtime, 0), runtime.loop)
    token = wait_for(lambda: redis_data.get(key), 5, "the slot lease")
    redis_data.delete(key)  # as after a Redis restart without persistence
    wait_for(lambda: redis_data.get(key) == token, 5, "the same persister to take it back")
    assert not future.done()
    redis_data.set(key, "another-persister")
    result = future.result(timeout=5)
    assert result["reason"] == "lease_lost"
    assert redis_data.get(key) == b"another-persister"
