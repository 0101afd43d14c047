"""The CDS access id: an opaque base64 key the pages embed and the fixture-view API checks.

The real site's id is a long-lived application key; ours expires `ttl_s` after it was
issued (short in tests) so that a client must re-read it from a page. It is stateless:
`base64(expiry.signature)`, signed with a per-process secret. Ids never appear in logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time


class AccessIdError(ValueError):
    """The id is missing, malformed, badly signed or expired."""


class AccessIds:
    def __init__(self, ttl_s: float, secret: bytes | None = None) -> None:
        self.ttl_s = ttl_s
        self.issued = 0
        self._secret = secret or secrets.token_bytes(32)

    def issue(self, now: float | None = None) -> str:
        expires = (time.time() if now is None else now) + self.ttl_s
        body = f"{expires:.3f}"
        self.issued += 1
        return base64.b64encode(f"{body}.{self._sign(body)}".encode()).decode("ascii")

    def verify(self, access_id: str | None, now: float | None = None) -> None:
        if not access_id:
            raise AccessIdError("no access id")
        try:
            body, signature = base64.b64decode(access_id, validate=True).decode().rsplit(".", 1)
            expires = float(body)
        except (ValueError, UnicodeDecodeError):
            raise AccessIdError("malformed access id") from None
        if not hmac.compare_digest(signature, self._sign(body)):
            raise AccessIdError("unknown access id")
        if (time.time() if now is None else now) >= expires:
            raise AccessIdError("access id expired")

    def _sign(self, body: str) -> str:
        return hmac.new(self._secret, body.encode(), hashlib.sha256).hexdigest()[:32]
