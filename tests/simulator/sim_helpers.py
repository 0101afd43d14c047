"""Helpers for the simulator's tests: a DraftKings websocket client in a few lines."""

from __future__ import annotations

from typing import Any

import msgpack
from websockets.sync.client import ClientConnection, connect

TOKEN_PATH = "/sites/US-NJ-SB/api/v1/anonymous-token"


def subscribe_message(event_id: str, token: str) -> bytes:
    params = {
        "entity": "events",
        "queryParams": {
            "query": f"$filter=id eq '{event_id}'",
            "initialData": False,
            "includeMarkets": "$filter=tags/all(t: t ne 'SportcastBetBuilder')",
            "projection": "sportsbook",
            "locale": "en",
        },
        "forwardedHeaders": {},
        "clientMetadata": {"feature": "event", "X-Client-Name": "web", "X-Client-Version": "1"},
        "jwt": token,
        "siteName": "dkusnj",
    }
    message = {"jsonrpc": "2.0", "method": "subscribe", "id": "dk-ws-client", "params": params}
    packed: bytes = msgpack.packb(message)
    return packed


def open_ws(url: str) -> ClientConnection:
    ws_url = url.replace("http://", "ws://") + "/websocket?format=msgpack&locale=en"
    return connect(ws_url, compression=None, open_timeout=5, close_timeout=2)


def recv(ws: ClientConnection, timeout: float = 3.0) -> Any:
    return msgpack.unpackb(ws.recv(timeout=timeout), timestamp=3)


def records(frame: Any) -> list[list[Any]]:
    return list(frame["params"]["data"])
