"""The token and subscribe helpers of the DraftKings client: no network here."""

from __future__ import annotations

import asyncio
import base64
import time

import msgpack
import orjson
import pytest

from oddswatch.errors import AuthError, NotConfigured, ParseError
from oddswatch.settings import Settings
from providers.draftkings import DraftKings, DraftKingsSettings
from providers.draftkings.client import DraftKingsClient, Token, read_token, subscribe_message


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def jwt(claims: dict[str, object]) -> str:
    header = b64(orjson.dumps({"alg": "HS256", "typ": "JWT"}))
    return f"{header}.{b64(orjson.dumps(claims))}.{b64(b'secret-signature')}"


def test_read_token_takes_exp_without_verifying() -> None:
    value = jwt({"IsAnonymous": True, "iat": 1_800_000_000, "exp": 1_800_000_120})
    token = read_token(orjson.dumps({"token": value}))
    assert (token.value, token.expires_at) == (value, 1_800_000_120.0)
    assert value not in repr(token) and value not in str(token)
    assert token.fresh(30, now=1_800_000_089) and not token.fresh(30, now=1_800_000_090)


@pytest.mark.parametrize(
    "body",
    [
        b"<html>bot check</html>",
        orjson.dumps({"jwt": "x"}),
        orjson.dumps({"token": "not-a-jwt"}),
        orjson.dumps({"token": "a.!!!.c"}),
        orjson.dumps({"token": jwt({"exp": "soon"})}),
        orjson.dumps({"token": jwt({"iat": 1})}),
    ],
)
def test_unreadable_token_responses_raise_without_the_body(body: bytes) -> None:
    with pytest.raises(ParseError) as raised:
        read_token(body)
    assert raised.value.payload is None and "bot check" not in str(raised.value)
    assert raised.value.__cause__ is None


def test_subscribe_message_matches_the_contract() -> None:
    message = msgpack.unpackb(
        subscribe_message("31234567", "T.O.K", site="dkusnj", client_version="9.9")
    )
    assert message == {
        "jsonrpc": "2.0",
        "method": "subscribe",
        "id": "dk-ws-client",
        "params": {
            "entity": "events",
            "queryParams": {
                "query": "$filter=id eq '31234567'",
                "initialData": False,
                "includeMarkets": "$filter=tags/all(t: t ne 'SportcastBetBuilder')",
                "projection": "sportsbook",
                "locale": "en",
            },
            "forwardedHeaders": {},
            "clientMetadata": {
                "feature": "event",
                "X-Client-Name": "web",
                "X-Client-Version": "9.9",
            },
            "jwt": "T.O.K",
            "siteName": "dkusnj",
        },
    }


def live_settings(**dk: object) -> Settings:
    live = Settings(_env_file=None, mode="live")  # type: ignore[call-arg]
    return live.with_group("draftkings", DraftKingsSettings(**dk))  # type: ignore[arg-type]


def test_api_headers_identify_the_web_client() -> None:
    headers = DraftKingsClient(live_settings(client_version="1.2.3")).api_headers()
    assert headers["origin"] == "https://sportsbook.draftkings.com"
    assert {k: v for k, v in headers.items() if k.startswith("x-client")} == {
        "x-client-name": "web",
        "x-client-version": "1.2.3",
        "x-client-page": "Event",
        "x-client-feature": "event-page",
        "x-client-widget-name": "EventPageWidget",
        "x-client-widget-version": "2.4.0",
    }


def test_cached_token_is_reused_until_the_margin() -> None:
    client = DraftKingsClient(live_settings(token_refresh_margin_s=30))
    client._token = Token("a.b.c", time.time() + 60)  # the cache is the unit here
    assert asyncio.run(client.token()) == "a.b.c"


def test_token_failure_is_an_auth_error_without_the_token_url_body() -> None:
    # Port 9 on loopback (discard) refuses connections: the fetch fails fast, offline.
    client = DraftKingsClient(
        live_settings(token_source="http", token_url="http://127.0.0.1:9/token", http_timeout_s=2)
    )
    client._token = Token("a.b.c", time.time() + 10)  # inside the margin
    with pytest.raises(AuthError) as raised:
        asyncio.run(client.token())
    assert "a.b.c" not in str(raised.value) and raised.value.__cause__ is None


def test_from_settings_needs_urls() -> None:
    with pytest.raises(NotConfigured):
        DraftKings.from_settings(live_settings(ws_url=""))
    assert DraftKings.from_settings(live_settings()).name == "draftkings"
