"""Counters a stream keeps per monitor run; the monitor publishes them in heartbeats."""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(slots=True)
class StreamStats:
    frames: int = 0  # frames received
    bytes: int = 0
    records: int = 0  # typed records found in frames
    updates: int = 0  # updates the stream yielded
    parse_errors: int = 0  # frames that could not be decoded at all
    unknown_records: int = 0  # records of a type code we do not know
    drift: int = 0  # records of a known type whose shape changed (schema drift)
    invalid_values: int = 0  # values that are not prices/lines/times, broken invariants
    skipped: int = 0  # records we read but could not map (another game, no price yet)
    bugs: int = 0  # unexpected exceptions on one record or payload (our code failed)
    reconnects: int = 0
    written: int = 0  # updates that passed the change filter and were written
    unchanged: int = 0  # updates dropped by the change filter
    dropped: int = 0  # updates lost because Redis stayed down past the pending limit
    lease_reacquired: int = 0  # times the run took back its vanished lease (Redis restart)

    def as_dict(self) -> dict[str, int]:
        return asdict(self)
