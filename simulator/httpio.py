"""Plain HTTP on the websocket server's port.

The fake books answer pages, JSON and the control API from websockets'
`process_request` hook, and upgrade `/websocket` requests. websockets' handshake parser
refuses any request with a body, but the control API takes JSON bodies, so
`BodyConnection` (passed as `create_connection` to `serve`) swaps in a request parser
that reads a `Content-Length` body and hands on an `HttpRequest` carrying it. After the
request line and headers, parsing goes back to websockets' own frame parser.
"""

from __future__ import annotations

import email.utils
import http
from collections.abc import Generator
from dataclasses import dataclass
from typing import Any

import orjson
from websockets.asyncio.server import Server, ServerConnection
from websockets.datastructures import Headers
from websockets.exceptions import InvalidMessage, RequestLineTooLong
from websockets.http11 import Request, Response, parse_headers, parse_line
from websockets.protocol import Protocol
from websockets.server import ServerProtocol
from websockets.streams import StreamReader

MAX_BODY_BYTES = 1 << 20
HTML = "text/html; charset=utf-8"
JSON = "application/json"


@dataclass
class HttpRequest(Request):
    body: bytes = b""

    def json(self) -> Any:
        """The body as JSON (an empty body reads as {}); raises ValueError when it is not."""
        return orjson.loads(self.body) if self.body else {}


class BodyConnection(ServerConnection):
    """A websockets server connection whose handshake request may carry a body."""

    def __init__(self, protocol: ServerProtocol, server: Server, **kwargs: Any) -> None:
        super().__init__(protocol, server, **kwargs)
        # No byte has been received yet: replace the parser before it reads anything.
        protocol.parser = _parse(protocol)
        next(protocol.parser)


def _parse(protocol: ServerProtocol) -> Generator[None]:
    try:
        request = yield from _read_request(protocol.reader)
    except Exception as exc:
        protocol.handshake_exc = InvalidMessage("did not receive a valid HTTP request")
        protocol.handshake_exc.__cause__ = exc
        protocol.send_eof()
        protocol.parser = protocol.discard()
        next(protocol.parser)
        yield
        return
    protocol.events.append(request)
    yield from Protocol.parse(protocol)


def _read_request(reader: StreamReader) -> Generator[None, None, HttpRequest]:
    line = yield from parse_line(reader.read_line, RequestLineTooLong)
    method, path, version = line.decode("ascii").split(" ", 2)
    if version not in ("HTTP/1.1", "HTTP/1.0"):
        raise ValueError(f"unsupported protocol: {version}")
    headers = yield from parse_headers(reader.read_line)
    if "Transfer-Encoding" in headers:
        raise ValueError("transfer codings are not supported")
    length = int(headers.get("Content-Length", "0"))
    if not 0 <= length <= MAX_BODY_BYTES:
        raise ValueError(f"bad Content-Length: {length}")
    body = (yield from reader.read_exact(length)) if length else b""
    return HttpRequest(path, headers, method, version, body=bytes(body))


def respond(status: int, body: bytes, content_type: str) -> Response:
    """A complete HTTP/1.1 response; the connection closes after it."""
    headers = Headers(
        [
            ("Date", email.utils.formatdate(usegmt=True)),
            ("Content-Type", content_type),
            ("Content-Length", str(len(body))),
            ("Cache-Control", "no-store"),
            ("Connection", "close"),
        ]
    )
    return Response(status, http.HTTPStatus(status).phrase, headers, body)


def html(text: str, status: int = 200) -> Response:
    return respond(status, text.encode(), HTML)


def json_response(value: Any, status: int = 200) -> Response:
    return respond(status, orjson.dumps(value), JSON)


def error(status: int, message: str) -> Response:
    return json_response({"error": message}, status)


def not_found() -> Response:
    return error(404, "not found")
