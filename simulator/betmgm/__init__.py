"""The BetMGM fake book, speaking docs/betmgm-wire.md on the simulator's port.

Layout: `book` (HTTP routes and faults), `pages` (league and event HTML), `wire` (the
fixture-view JSON and the book's ids), `access` (the access id), `faults` (the API
faults in force).
"""

from simulator.betmgm.book import BetMGMBook

BOOK = BetMGMBook
