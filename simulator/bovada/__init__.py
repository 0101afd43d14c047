"""The Bovada fake book, speaking docs/bovada-wire.md on the simulator's port.

Layout: `book` (HTTP routes, handshake checks and the websocket handler), `view` (the
coupon and delta JSON of the market model, Bovada's ids), `wire` (Atmosphere frames and
commands), `feed` (connections, subscriptions, pushes, heartbeats and the faults in force).
"""

from simulator.bovada.book import BovadaBook

BOOK = BovadaBook

__all__ = ["BOOK", "BovadaBook"]
