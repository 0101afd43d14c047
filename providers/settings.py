"""What the books' settings groups share. Each group lives in its provider's package
(`providers/<name>/settings.py`), subclasses the bases below (in the end the kernel's
`ProviderSettings`) and is declared on the provider class (`settings_model`);
`Settings.group` reads it.

    BookSettings      every book: site_url, league_paths, user_agent, http_timeout_s, and
                      `missing(leagues)`: what a provider cannot run without (its group's
                      `required` fields left empty, a league without a path)
    PollingSettings   books polled over HTTP: poll_interval_s (> 0)
    BrowserSettings   books whose pages are read in Chromium: page_timeout_s
    SocketSettings    books streamed over a websocket: the keepalive pings

A group overrides the defaults that are the book's own (its URLs and league paths;
`league_paths_of` builds the common `/{sport}/{league}` kind).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from pydantic import Field

from oddswatch.settings import ProviderSettings

# The desktop Chrome whose pages and APIs every book is asked for, unless a group sets its own.
USER_AGENT = (
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/140.0.0.0 Safari/537.36"
)
# The sport of each league the books cover, as their URLs name it.
SPORTS = {"nba": "basketball", "nfl": "football", "mlb": "baseball", "nhl": "hockey"}


def league_paths_of(template: str) -> dict[str, str]:
    """Each league's path from a book's template: `/{sport}/{league}` → `/basketball/nba`."""
    return {league: template.format(sport=sport, league=league) for league, sport in SPORTS.items()}


class BookSettings(ProviderSettings):
    """Where a book lives and how we ask it."""

    required: ClassVar[tuple[str, ...]] = ("site_url",)  # fields that must not be empty

    site_url: str = ""
    league_paths: dict[str, str] = Field(default_factory=dict)  # league → its page or path
    user_agent: str = USER_AGENT
    http_timeout_s: float = 20.0

    def missing(self, leagues: Iterable[str]) -> list[str]:
        """What a provider covering `leagues` lacks: each empty `required` field, then
        each league without a path."""
        missing = [name for name in self.required if not getattr(self, name)]
        return missing + [
            f"league_paths[{lg}]" for lg in sorted(leagues) if not self.league_paths.get(lg)
        ]


class PollingSettings(BookSettings):
    poll_interval_s: float = 1.0  # one request per live game per interval

    def missing(self, leagues: Iterable[str]) -> list[str]:
        """As every book's, and a poll interval that is not above 0."""
        missing = super().missing(leagues)
        return missing + ([] if self.poll_interval_s > 0 else ["poll_interval_s (> 0)"])


class BrowserSettings(BookSettings):
    page_timeout_s: float = 60.0  # one page load in Chromium (retried twice)


class SocketSettings(BookSettings):
    ping_interval_s: float = 20.0  # websocket keepalive: a dead peer is found within
    ping_timeout_s: float = 20.0  # ping_interval_s + ping_timeout_s
