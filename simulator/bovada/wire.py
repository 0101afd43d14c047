"""Bovada's Atmosphere websocket frames: what the client sends, what the book pushes.

Client → book (text): `SUBSCRIBE|A|/events/<id>.1?delta=true`, `UNSUBSCRIBE|<id>`.
Book → client (text): on open a whitespace padding frame and the Atmosphere handshake
`<tracking uuid>|<heartbeat ms>|X|`; every heartbeat interval the heartbeat padding `X`;
deltas as `/events/<id>.1|<json body>`. See docs/bovada-wire.md.
"""

from __future__ import annotations

import re
import uuid
from typing import Any, NamedTuple
from urllib.parse import parse_qs

import orjson

from simulator.poison import dumps

SUBSCRIPTION_PATH = "/services/sports/subscription/"
HEARTBEAT = "X"
PADDING = " " * 64
TEXT = "<html><head><title>502 Bad Gateway</title></head><body>502 Bad Gateway</body></html>"
REQUIRED_QUERY = {"X-Atmosphere-Transport": "websocket", "X-Atmosphere-Framework": None}
_SUBSCRIBE = re.compile(r"^SUBSCRIBE\|A\|/events/(\d+)\.1(?:\?delta=(?:true|false))?$")
_UNSUBSCRIBE = re.compile(r"^UNSUBSCRIBE\|(\d+)$")


class Command(NamedTuple):
    action: str  # "subscribe" | "unsubscribe"
    event_id: str


def parse_command(frame: str | bytes) -> Command | None:
    """A client frame as a command, None when it is not one we know."""
    if not isinstance(frame, str):
        return None
    if match := _SUBSCRIBE.match(frame):
        return Command("subscribe", match.group(1))
    if match := _UNSUBSCRIBE.match(frame):
        return Command("unsubscribe", match.group(1))
    return None


def client_id(path: str) -> str | None:
    """The client id of a subscription path when it is a canonical UUID, else None."""
    text = path[len(SUBSCRIPTION_PATH) :] if path.startswith(SUBSCRIPTION_PATH) else ""
    try:
        parsed = uuid.UUID(text)
    except ValueError:
        return None
    return text if str(parsed) == text.lower() else None


def query_problem(query: str) -> str | None:
    """Why an Atmosphere query string is refused, None when it is fine."""
    params = parse_qs(query)
    for name, wanted in REQUIRED_QUERY.items():
        values = params.get(name)
        if not values:
            return f"missing {name}"
        if wanted is not None and values[0] != wanted:
            return f"{name} must be {wanted}"
    return None


def handshake(tracking_id: str, heartbeat_s: float) -> str:
    return f"{tracking_id}|{round(heartbeat_s * 1000)}|{HEARTBEAT}|"


def topic(event_id: str) -> str:
    return f"/events/{event_id}.1"


def message(event_id: str, body: dict[str, Any], *, poisoned: bool = False) -> str:
    """A push; a `poisoned` body may hold what orjson does not write (simulator/poison.py)."""
    return f"{topic(event_id)}|{(dumps(body) if poisoned else orjson.dumps(body)).decode()}"


def malformed(event_id: str) -> str:
    return f"{topic(event_id)}|{{not json"
