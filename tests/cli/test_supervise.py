"""`make up`'s supervision (cli/supervise.py) with real child processes that exit."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter

import pytest

from cli.supervise import GaveUp, Proc, Supervisor
from tests.waiting import wait_for


def exits(code: int, after_s: float = 0.0) -> list[str]:
    return [sys.executable, "-c", f"import sys, time; time.sleep({after_s}); sys.exit({code})"]


class Starts(Counter[str]):
    """The `start` a supervisor is given: spawns the child and counts the starts."""

    def __call__(self, proc: Proc) -> None:
        self[proc.name] += 1
        proc.popen = subprocess.Popen(proc.argv)


def test_a_child_that_exits_is_started_again_and_the_others_are_left_alone() -> None:
    crashing = Proc("beat", exits(3, after_s=0.2))
    steady = Proc("worker", [sys.executable, "-c", "import time; time.sleep(60)"])
    starts, lines = Starts(), list[str]()
    supervisor = Supervisor([crashing, steady], starts, say=lines.append, backoff_base_s=0.1)
    for proc in supervisor.procs:
        starts(proc)
    worker_pid = steady.popen.pid if steady.popen else None
    try:
        wait_for(lambda: supervisor.check_now() or starts["beat"] >= 3, 15, "two restarts")
        assert starts["worker"] == 1
        assert steady.popen is not None and steady.popen.poll() is None
        assert steady.popen.pid == worker_pid
        assert lines[:4] == [
            "up: beat exited with code 3 (1 exit in the last 60s); starting it in 0.1s",
            "up: beat started again",
            "up: beat exited with code 3 (2 exits in the last 60s); starting it in 0.2s",
            "up: beat started again",
        ]
    finally:
        for proc in supervisor.procs:
            if proc.popen is not None:
                proc.popen.kill()
                proc.popen.wait()


def test_a_child_that_keeps_failing_stops_the_stack() -> None:
    failing = Proc("flower", exits(1))
    starts, lines = Starts(), list[str]()
    supervisor = Supervisor([failing], starts, say=lines.append, backoff_base_s=0.05, max_exits=3)
    starts(failing)
    with pytest.raises(GaveUp, match=r"^flower exited with code 1, 3 exits in the last 60s"):
        wait_for(supervisor.check_now, 15, "the supervisor to give up")
    assert starts["flower"] == 3


def test_exits_older_than_the_window_are_forgotten() -> None:
    proc = Proc("simulator", exits(2))
    starts, lines = Starts(), list[str]()
    supervisor = Supervisor([proc], starts, say=lines.append, max_exits=2, window_s=60.0)
    starts(proc)
    assert proc.popen is not None
    proc.popen.wait()
    supervisor.check(now=0.0)
    supervisor.check(now=1.0)  # due: started again
    proc.popen.wait()
    supervisor.check(now=100.0)  # the first exit left the window: not two in a row
    assert lines == [
        "up: simulator exited with code 2 (1 exit in the last 60s); starting it in 1s",
        "up: simulator started again",
        "up: simulator exited with code 2 (1 exit in the last 60s); starting it in 1s",
    ]
    assert proc.restart_at == 101.0
