"""DraftKings' settings group: `OW_DRAFTKINGS__*` (e.g. `OW_DRAFTKINGS__WS_URL`)."""

from __future__ import annotations

from typing import ClassVar, Literal, Self

from providers.settings import BrowserSettings, SocketSettings, league_paths_of


class DraftKingsSettings(BrowserSettings, SocketSettings):
    """Where DraftKings lives and how the client identifies itself."""

    required: ClassVar[tuple[str, ...]] = (
        "site_url",
        "api_url",
        "ws_url",
        "token_url",
        "site",
        "client_version",
    )

    site_url: str = "https://sportsbook.draftkings.com"
    api_url: str = "https://sportsbook-nash.draftkings.com"
    ws_url: str = "wss://sportsbook-ws-us-nj.draftkings.com/websocket?format=msgpack&locale=en"
    # Where the anonymous websocket JWT comes from. `browser`: load site_url in Chromium and
    # capture the JSON response of token_url; `http`: GET token_url directly.
    token_source: Literal["browser", "http"] = "browser"
    token_url: str = "https://sportsbook.draftkings.com/sites/US-NJ-SB/api/v1/anonymous-token"
    token_refresh_margin_s: float = 30.0
    site: str = "dkusnj"
    client_version: str = "2542.2.1.9"
    league_paths: dict[str, str] = league_paths_of("/leagues/{sport}/{league}")

    def for_demo(self, simulator_url: str) -> Self:
        """As every group, and the simulator's token is fetched over plain HTTP (it has no
        page that would hand it to a browser) unless the token source was set."""
        demo = super().for_demo(simulator_url)
        live_source = type(self).model_fields["token_source"].default
        if self.token_source == live_source and demo.token_url != self.token_url:
            demo = demo.model_copy(update={"token_source": "http"})
        return demo
