"""The provider kit: what every source stands on, so a provider is its wire and nothing more.

    transport (providers.websocket, providers.http, kit.poll)
      → state.feed(payload)        one entry point per game: decode, then per record
          → guard                  a bad record is isolated, counted by reason, logged whole
          → invariants             every update checked once before it leaves
      → OddsUpdate                 (the change filter runs once, in the monitor)

A payload can be fed to a state without any socket: replay, golden fixtures and the fuzz
tests use the same `feed` as the live streams.
"""
