"""`make up`'s supervision: a child that exits is started again, with backoff.

Each exit is counted; the child is started again after 1, 2, 4, ... seconds (capped) and
one line says which child exited, with what code, how often lately and when it comes
back. Only a child that keeps failing (`max_exits` exits within `window_s`) stops the
stack: `GaveUp` names it.
"""

from __future__ import annotations

import subprocess
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass
class Proc:
    name: str
    argv: list[str]
    popen: subprocess.Popen[bytes] | None = None
    exits: deque[float] = field(default_factory=deque)  # monotonic times of recent exits
    restart_at: float | None = None  # set while the child waits to be started again

    @property
    def is_worker(self) -> bool:
        return "worker" in self.argv


class GaveUp(Exception):
    """A child exited `max_exits` times within the window: something is wrong for good."""


@dataclass
class Supervisor:
    procs: list[Proc]
    start: Callable[[Proc], None]
    say: Callable[[str], None] = print
    max_exits: int = 5
    window_s: float = 60.0
    backoff_base_s: float = 1.0
    backoff_cap_s: float = 30.0

    def check(self, now: float) -> None:
        """Start again what is due; note children that exited. Raises GaveUp."""
        for proc in self.procs:
            if proc.restart_at is not None:
                if now >= proc.restart_at:
                    proc.restart_at = None
                    self.start(proc)
                    self.say(f"up: {proc.name} started again")
                continue
            code = proc.popen.poll() if proc.popen is not None else None
            if code is not None:
                self._exited(proc, code, now)

    def check_now(self) -> None:
        self.check(time.monotonic())

    def _exited(self, proc: Proc, code: int, now: float) -> None:
        proc.exits.append(now)
        while proc.exits and proc.exits[0] <= now - self.window_s:
            proc.exits.popleft()
        count = len(proc.exits)
        lately = f"{count} exit{'s' if count > 1 else ''} in the last {self.window_s:g}s"
        if count >= self.max_exits:
            raise GaveUp(f"{proc.name} exited with code {code}, {lately}: giving up")
        delay = min(self.backoff_cap_s, self.backoff_base_s * 2 ** (count - 1))
        proc.restart_at = now + delay
        self.say(f"up: {proc.name} exited with code {code} ({lately}); starting it in {delay:g}s")
