"""Bovada transport: the coupon JSON over httpx, odds over the Atmosphere websocket.

Every URL and header value comes from the settings group (`OW_BOVADA__*`). Each
websocket connection has its own client id (a fresh uuid4 in the path), never a fixed
one: Atmosphere keys its subscriptions by it. No cookie or token is needed.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from oddswatch.settings import Settings
from providers.client import BookClient
from providers.websocket import Peer, Socket, open_socket

from .parse import PROVIDER
from .settings import BovadaSettings

COUPON_PATH = "/services/sports/event/coupon/events/A/description"
# Live games are listed too (preMatchOnly=false): games in progress are monitored.
COUPON_PARAMS = {
    "marketFilterId": "def",
    "preMatchOnly": "false",
    "eventsLimit": "50",
    "lang": "en",
}
ATMOSPHERE_PARAMS = {
    "X-Atmosphere-tracking-id": "0",
    "X-Atmosphere-Framework": "3.1.0-javascript",
    "X-Atmosphere-Transport": "websocket",
}


def coupon_url(site_url: str, league_path: str) -> str:
    return site_url.rstrip("/") + COUPON_PATH + "/" + league_path.strip("/")


def subscription_url(ws_url: str, client_id: str) -> str:
    """`{ws_url}/{client_id}?X-Atmosphere-...` (a query already on ws_url is kept first)."""
    parts = urlsplit(ws_url)
    query = "&".join(q for q in (parts.query, urlencode(ATMOSPHERE_PARAMS)) if q)
    path = f"{parts.path.rstrip('/')}/{client_id}"
    return urlunsplit((parts.scheme, parts.netloc, path, query, ""))


class BovadaClient(BookClient[BovadaSettings]):
    """One HTTP pool for the coupon; websockets for the hub (`hub.BovadaHub`), which keeps
    one open per provider instance."""

    def __init__(self, settings: Settings) -> None:
        super().__init__(PROVIDER, settings, BovadaSettings)
        self._peer = Peer.of(PROVIDER, self.group, __name__)

    async def coupon(self, league: str) -> Any:
        """The decoded coupon of a league (TransportError / ParseError when it fails)."""
        url = coupon_url(self.site_url, self.group.league_paths[league])
        headers = {"accept": "application/json", "referer": self.site_url + "/"}
        return await self.http.get_json(url, headers=headers, params=COUPON_PARAMS)

    async def connect(self, client_id: str) -> Socket:
        return await open_socket(subscription_url(self.group.ws_url, client_id), self._peer)
