"""The one error tree of oddswatch.

    OddswatchError
    ├── ConfigError
    │   └── NotConfigured            a plugin lacks its configuration
    ├── UnknownPlugin                no provider/sink registered under a name
    ├── InvalidPrice                 a price string or number that is not a price
    ├── ProviderError                carries provider, endpoint, truncated payload
    │   ├── TransportError           network / HTTP / websocket failure (retryable)
    │   │   └── AuthError            token rejected or could not be obtained
    │   ├── ParseError               a payload we could not read
    │   │   └── SchemaDrift          a payload whose shape changed (loud)
    │   └── ScrapeError              a scrape that produced nothing usable
    ├── SinkError                    a sink could not write
    │   └── SinkUnavailable          its backend is down (retryable)
    └── LeaseLost                    a monitor no longer owns its game
        └── LeaseVanished            its lease is gone and nobody holds it: take it back

Retry decisions key on these classes, never on message text. Secrets never go into
messages: payloads are truncated and token-bearing values are never attached.
"""

from __future__ import annotations

import reprlib

_PAYLOAD_LIMIT = 200
_REPR = reprlib.Repr()  # bounded: depth 3, a few items per container, long values cut
_REPR.maxlevel, _REPR.maxstring, _REPR.maxother, _REPR.maxlong = 3, 200, 200, 200


def truncate(payload: object, limit: int = _PAYLOAD_LIMIT) -> str:
    """A short, printable excerpt of a payload for error context. Never fails: text and
    bytes are cut before anything else; another value's repr is bounded and a repr that
    raises (deep nesting, a 10,000-digit int, a hostile object) gives its type's name."""
    if isinstance(payload, bytes | bytearray):
        text = bytes(payload[: limit * 4]).decode("utf-8", "replace")
    elif isinstance(payload, str):
        text = payload[: limit + 1]
    else:
        try:
            text = _REPR.repr(payload)
        except Exception:
            text = f"<{type(payload).__name__}>"
    return text if len(text) <= limit else text[:limit] + "…"


class OddswatchError(Exception):
    """Root of every error oddswatch raises on purpose."""


class ConfigError(OddswatchError):
    """Settings that cannot work."""


class NotConfigured(ConfigError):
    """A plugin lacks its configuration; it is skipped and the reason logged."""


class UnknownPlugin(OddswatchError, LookupError):
    """No plugin is registered under the requested name."""


class InvalidPrice(OddswatchError, ValueError):
    """A value that cannot be read as odds."""


class ProviderError(OddswatchError):
    """A failure talking to or reading from a book."""

    def __init__(
        self,
        message: str,
        *,
        provider: str = "",
        endpoint: str = "",
        payload: object = None,
    ) -> None:
        self.provider = provider
        self.endpoint = endpoint
        self.payload = None if payload is None else truncate(payload)
        parts = [message]
        if provider:
            parts.append(f"provider={provider}")
        if endpoint:
            parts.append(f"endpoint={endpoint}")
        if self.payload is not None:
            parts.append(f"payload={self.payload}")
        super().__init__(" ".join(parts))


class TransportError(ProviderError):
    """Network, HTTP or websocket failure; worth a retry with backoff."""


class AuthError(TransportError):
    """A token was refused or could not be obtained."""


class ParseError(ProviderError):
    """A payload that could not be read."""


class SchemaDrift(ParseError):
    """A payload whose shape no longer matches what the parser knows."""


class ScrapeError(ProviderError):
    """A scrape that produced nothing usable."""


class SinkError(OddswatchError):
    """A sink could not write a batch."""


class SinkUnavailable(SinkError):
    """The sink's backend is unreachable; retry later."""


class LeaseLost(OddswatchError):
    """The monitor's lease was taken or expired; it must stop writing."""


class LeaseVanished(LeaseLost):
    """The lease key is gone (expired, or Redis restarted empty) and no other run holds it:
    the holder may take it back and write again."""
