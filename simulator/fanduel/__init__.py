"""The FanDuel fake book, speaking docs/fanduel-wire.md on the simulator's port.

Layout: `book` (HTTP routes, faults, stats), `pages` (league and event pages, rendered
by script), `wire` (the event JSON, the getMarketPrices reply and FanDuel's ids),
`faults` (what the control API switched on).
"""

from simulator.fanduel.book import FanDuelBook

BOOK = FanDuelBook
