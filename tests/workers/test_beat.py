"""Beat survives its broker and hands over fast (workers/beat.py, schedule.py).

Real `celery beat` subprocesses against a private redis-server the test stops, starts
again (empty, as after `shutdown nosave`) or starves of its lock holder. What beat
scheduled is read from the broker itself: the `tasks.reconcile` messages on `control`.
Each test prints its figures (run with -s to see them).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import redis

from oddswatch.settings import Settings
from tests.private_redis import PrivateRedis, private_redis
from tests.waiting import wait_for
from workers.schedule import beat_lock_timeout_s, beat_loop_s, build_schedule

ROOT = Path(__file__).resolve().parents[2]
SCHEDULE = build_schedule(Settings(_env_file=None))  # type: ignore[call-arg]
LOCK_TIMEOUT_S = beat_lock_timeout_s(SCHEDULE)
SENT_RECONCILE = "Scheduler: Sending due task reconcile (tasks.reconcile)"
ACQUIRED = "beat: acquired the lock"
DOWN_S = 5.0  # as long as the operator's Redis restart in issue 14


class Beat:
    """`celery -A workers beat` with its broker and data on `server`; log in a file."""

    def __init__(self, name: str, server: PrivateRedis, tmp_path: Path) -> None:
        self.log = tmp_path / f"{name}.log"
        env = {key: value for key, value in os.environ.items() if not key.startswith("OW_")}
        env |= {"OW_BROKER_URL": server.url(0), "OW_REDIS_URL": server.url(1)}
        env["PYTHONPATH"] = str(ROOT)
        argv = [sys.executable, "-m", "celery", "-A", "workers", "beat", "--loglevel", "INFO"]
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                argv, cwd=tmp_path, env=env, stdout=out, stderr=subprocess.STDOUT
            )

    @property
    def alive(self) -> bool:
        return self.popen.poll() is None

    def records(self) -> list[dict[str, str]]:
        lines = self.log.read_text(errors="replace").splitlines()
        return [json.loads(line) for line in lines if line.startswith("{")]

    def messages(self) -> list[str]:
        return [record["msg"] for record in self.records()]

    def logged_at(self, message: str, since: datetime | None = None) -> datetime | None:
        """When `message` was first logged (after `since`), by the beat's clock: figures
        from these stay true on a loaded machine where the test notices late."""
        stamps = [
            datetime.fromisoformat(record["ts"])
            for record in self.records()
            if record["msg"] == message
        ]
        return next((ts for ts in stamps if since is None or ts > since), None)

    def seconds_to(self, message: str, since: datetime) -> float:
        at = self.logged_at(message, since)
        assert at is not None, f"{message!r} not logged since {since}"
        return (at - since).total_seconds()

    def logged(self, message: str) -> bool:
        return message in self.messages()

    def kill(self) -> None:
        self.popen.send_signal(signal.SIGKILL)
        self.popen.wait(10)

    def stop(self) -> None:
        if self.alive:
            self.popen.terminate()
            try:
                self.popen.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()


def reconciles(server: PrivateRedis) -> int:
    """How many `tasks.reconcile` messages wait on the broker's `control` queue."""
    try:
        with redis.Redis.from_url(server.url(0), socket_connect_timeout=1) as client:
            raw = client.lrange("control", 0, -1)
    except redis.ConnectionError:
        return 0
    return sum(json.loads(message)["headers"]["task"] == "tasks.reconcile" for message in raw)


def clear_queue(server: PrivateRedis) -> None:
    with redis.Redis.from_url(server.url(0)) as client:
        client.delete("control")


def test_timing_follows_the_shortest_interval() -> None:
    schedule = build_schedule(Settings(_env_file=None, reconcile_every_s=5))  # type: ignore[call-arg]
    assert beat_loop_s(schedule) == 1.0
    assert beat_lock_timeout_s(schedule) == 10
    assert beat_lock_timeout_s({"x": {"schedule": timedelta(seconds=0.2)}}) == 2


def test_beat_survives_a_redis_restart(tmp_path: Path) -> None:
    server = private_redis(tmp_path)
    beat = Beat("beat", server, tmp_path)
    try:
        wait_for(lambda: reconciles(server), 30, "beat's first reconcile")
        server.stop()
        time.sleep(DOWN_S)
        assert beat.alive, f"beat exited while Redis was down: {beat.messages()[-3:]}"
        server.start()
        up_at = datetime.now(UTC)
        wait_for(lambda: reconciles(server), 30, "a reconcile after Redis came back")
        back_s = beat.seconds_to(SENT_RECONCILE, up_at)
        assert beat.alive
        print(
            f"\nbeat: Redis down {DOWN_S:.0f}s (restarted empty): beat stayed alive; "
            f"first reconcile {back_s:.1f}s after Redis returned"
        )
        messages = beat.messages()
        assert "beat: broker unreachable, retrying" in messages
        assert "beat: broker reachable again" in messages
        assert messages.count("beat: schedule installed") == 2, "lost entries re-installed"
        assert back_s <= LOCK_TIMEOUT_S / 2 + 2, "reconcile is due at once after a re-install"
    finally:
        beat.stop()
        server.stop()


def test_beat_survives_a_redis_that_hangs(tmp_path: Path) -> None:
    server = private_redis(tmp_path)
    beat = Beat("beat", server, tmp_path)
    try:
        wait_for(lambda: reconciles(server), 30, "beat's first reconcile")
        server.pause()
        wait_for(lambda: beat.logged("beat: broker unreachable, retrying"), 30, "a timeout")
        time.sleep(DOWN_S)
        assert beat.alive
        resumed_at = datetime.now(UTC)
        server.resume()
        what = "a reconcile sent after Redis answered again"
        wait_for(lambda: beat.logged_at(SENT_RECONCILE, resumed_at), 30, what)
        print(
            f"\nbeat: Redis hung (SIGSTOP) {DOWN_S:.0f}s+: beat stayed alive; first reconcile "
            f"{beat.seconds_to(SENT_RECONCILE, resumed_at):.1f}s after it answered again"
        )
        retries = [line for line in beat.log.read_text().splitlines() if "retrying" in line]
        assert [line for line in retries if "TimeoutError" in line], retries
    finally:
        beat.stop()
        server.stop()


def test_beat_started_before_its_broker_waits_for_it(tmp_path: Path) -> None:
    server = PrivateRedis(tmp_path)
    beat = Beat("beat", server, tmp_path)
    try:
        wait_for(lambda: beat.logged("beat: broker unreachable, retrying"), 30, "a retry")
        time.sleep(2)
        assert beat.alive
        server.start()
        up_at = datetime.now(UTC)
        wait_for(lambda: reconciles(server), 30, "a reconcile once Redis is up")
        print(
            f"\nbeat started without Redis: first reconcile "
            f"{beat.seconds_to(SENT_RECONCILE, up_at):.1f}s after Redis came up"
        )
    finally:
        beat.stop()
        server.stop()


def test_a_standby_beat_takes_over_within_seconds_of_a_kill(tmp_path: Path) -> None:
    server = private_redis(tmp_path)
    first = Beat("first", server, tmp_path)
    second: Beat | None = None
    try:
        wait_for(lambda: first.logged(ACQUIRED), 30, "the first beat's lock")
        second = Beat("second", server, tmp_path)
        standby = "beat: standing by, another beat holds the lock"
        wait_for(lambda: second.logged(standby), 30, "the second beat standing by")
        wait_for(lambda: reconciles(server), 30, "the first beat's reconcile")
        assert not second.logged(ACQUIRED)
        first.kill()
        killed_at = datetime.now(UTC)
        clear_queue(server)
        wait_for(lambda: second.logged(ACQUIRED), 30, "the takeover")
        took_over_s = second.seconds_to(ACQUIRED, killed_at)
        wait_for(lambda: reconciles(server), 30, "the second beat's reconcile")
        reconcile_s = second.seconds_to(SENT_RECONCILE, killed_at)
        print(
            f"\nbeat SIGKILLed: standby took the lock {took_over_s:.1f}s later "
            f"(lock timeout {LOCK_TIMEOUT_S}s), first reconcile {reconcile_s:.1f}s after the kill"
        )
        assert took_over_s <= LOCK_TIMEOUT_S + 2
        assert second.alive
    finally:
        first.stop()
        if second is not None:
            second.stop()
        server.stop()


def test_a_beat_stopped_cleanly_hands_the_lock_over_at_once(tmp_path: Path) -> None:
    server = private_redis(tmp_path)
    first = Beat("first", server, tmp_path)
    second: Beat | None = None
    try:
        wait_for(lambda: first.logged(ACQUIRED), 30, "the first beat's lock")
        second = Beat("second", server, tmp_path)
        standby = "beat: standing by, another beat holds the lock"
        wait_for(lambda: second.logged(standby), 30, "the second beat standing by")
        first.stop()
        assert first.logged("beat: released the lock")
        wait_for(lambda: second.logged(ACQUIRED), 30, "the handover")
        released = first.logged_at("beat: released the lock")
        assert released is not None
        handover_s = second.seconds_to(ACQUIRED, released)
        print(f"\nbeat stopped (SIGTERM): standby took the lock {handover_s:.1f}s after release")
        assert handover_s <= 3 * beat_loop_s(SCHEDULE)
    finally:
        first.stop()
        if second is not None:
            second.stop()
        server.stop()
