"""The faults in force on BetMGM's fixture-view API, a polling endpoint.

Plain HTTP responses close their connection, so there is no open connection to abort:
each fault applies to the next `count` API responses (of one game, or of any game):

* drop: the response is cut off mid-body (its Content-Length promises more than is sent
  before the connection closes), so the client sees a broken transfer;
* malformed: a body that is not JSON; text: an HTML error page with status 200;
* schema: the body in its drifted shape (`count` responses, or until `clear`);
* stall: for `seconds`, responses carry the game's fixture as it was when the stall
  began, so the feed is stuck and moves made meanwhile only come out afterwards.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from enum import Enum
from typing import Any


class Fault(Enum):
    NONE = "none"
    DROP = "drop"
    MALFORMED = "malformed"
    TEXT = "text"
    SCHEMA = "schema"


@dataclass(slots=True)
class Pending:
    """A fault for the next `left` responses of one game (None: every game)."""

    left: float = 0.0
    event_id: str | None = None

    def take(self, event_id: str) -> bool:
        if self.left <= 0 or self.event_id not in (None, event_id):
            return False
        self.left -= 1
        return True


@dataclass(slots=True)
class Faults:
    pending: dict[Fault, Pending] = field(default_factory=dict)
    stall_until: float = 0.0
    stuck: dict[str, Any] = field(default_factory=dict)  # model event id -> held fixture
    served: int = 0  # responses a fault changed

    def arm(self, fault: Fault, event_id: str | None, count: int | None) -> None:
        default = math.inf if fault is Fault.SCHEMA else 1
        self.pending[fault] = Pending(default if count is None else count, event_id)

    def stall(self, seconds: float, fixtures: dict[str, Any]) -> None:
        """Hold these fixtures (by model event id) as they are now for `seconds`."""
        self.stall_until, self.stuck = time.monotonic() + seconds, fixtures

    def clear(self) -> None:
        self.pending.clear()
        self.stall_until, self.stuck = 0.0, {}

    def take(self, event_id: str) -> Fault:
        """The fault the next response of a game carries (at most one, in this order)."""
        for fault in (Fault.DROP, Fault.MALFORMED, Fault.TEXT, Fault.SCHEMA):
            pending = self.pending.get(fault)
            if pending is not None and pending.take(event_id):
                self.served += 1
                return fault
        return Fault.NONE

    def held(self, event_id: str) -> Any | None:
        """The fixture to send for a game during a stall of it, else None."""
        if not self.stuck or time.monotonic() >= self.stall_until:
            self.stuck = {}
            return None
        fixture = self.stuck.get(event_id)
        self.served += fixture is not None
        return fixture
