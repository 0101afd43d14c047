"""The anonymous websocket token: an HS256 JWT with DraftKings' claim names.

The real site signs RS256 with its own key; the simulator signs with a per-process secret
and checks signature, `nbf` and `exp` on subscribe. Tokens never appear in logs.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
import time
from typing import Any

import orjson

ISSUER = "urn:dk"
NBF_LEEWAY_S = 30
_HEADER = {"alg": "HS256", "typ": "JWT"}


class TokenError(ValueError):
    """The token is malformed, badly signed, not yet valid or expired."""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


class TokenIssuer:
    def __init__(self, ttl_s: float = 120.0, secret: bytes | None = None) -> None:
        self.ttl_s = ttl_s
        self._secret = secret or secrets.token_bytes(32)

    def issue(self, now: float | None = None) -> str:
        iat = int(time.time() if now is None else now)
        claims = {
            "IsAnonymous": True,
            "SiteGroupId": "36",
            "SiteId": "15",
            "DomainId": "21",
            "CountryCode": "US",
            "nbf": iat,
            "iat": iat,
            "exp": iat + max(1, math.ceil(self.ttl_s)),
            "iss": ISSUER,
            "aud": ISSUER,
        }
        signing_input = f"{_b64(orjson.dumps(_HEADER))}.{_b64(orjson.dumps(claims))}"
        return f"{signing_input}.{_b64(self._sign(signing_input))}"

    def verify(self, token: str, now: float | None = None) -> dict[str, Any]:
        """The token's claims; raises TokenError when it must be refused."""
        claims = self._decode(token)
        now = time.time() if now is None else now
        if not isinstance(claims.get("exp"), int | float) or now >= claims["exp"]:
            raise TokenError("token expired")
        if now + NBF_LEEWAY_S < claims.get("nbf", 0):
            raise TokenError("token not yet valid")
        return claims

    def _decode(self, token: str) -> dict[str, Any]:
        try:
            signing_input, signature = token.rsplit(".", 1)
            claims = orjson.loads(_unb64(signing_input.split(".", 1)[1]))
            good = hmac.compare_digest(_unb64(signature), self._sign(signing_input))
        except (ValueError, IndexError, AttributeError):
            raise TokenError("malformed token") from None
        if not good:
            raise TokenError("bad token signature")
        if not isinstance(claims, dict):
            raise TokenError("malformed token")
        return claims

    def _sign(self, signing_input: str) -> bytes:
        return hmac.new(self._secret, signing_input.encode("ascii"), hashlib.sha256).digest()
