"""The DraftKings fake book, speaking docs/draftkings-wire.md on the simulator's port.

Layout: `book` (HTTP routes and the websocket handler), `pages` (HTML and categories
JSON), `token` (the anonymous JWT), `wire` (msgpack frames and records), `feed`
(fan-out of price changes to subscribers, and the wire faults in force).
"""

from simulator.draftkings.book import DraftKingsBook

BOOK = DraftKingsBook
