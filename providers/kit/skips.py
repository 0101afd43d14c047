"""Why a record was dropped: one reason per kind of trouble, so a format change, a bad
value and a bug in our own code are told apart.

    parse_error     a payload or record we could not decode at all
    unknown         a record of a type we do not know
    drift           a record of a known type whose shape changed (it may still be read)
    invalid_value   a value that is not a price, a line or a time, or an update that
                    breaks an invariant (`providers.kit.invariants`)
    skipped         read fine but not ours or not mappable (another game, no price yet)
    bug             any other exception: our code failed on this input

`Skip` is raised by a provider's decode/apply for the record at hand; the guard catches
it (and every other exception) and counts it under its reason.
"""

from __future__ import annotations

from enum import StrEnum


class Reason(StrEnum):
    PARSE_ERROR = "parse_error"
    UNKNOWN = "unknown"
    DRIFT = "drift"
    INVALID_VALUE = "invalid_value"
    SKIPPED = "skipped"
    BUG = "bug"


# StreamStats field counting each reason.
STATS_FIELD = {
    Reason.PARSE_ERROR: "parse_errors",
    Reason.UNKNOWN: "unknown_records",
    Reason.DRIFT: "drift",
    Reason.INVALID_VALUE: "invalid_values",
    Reason.SKIPPED: "skipped",
    Reason.BUG: "bugs",
}


class Skip(Exception):
    """Drop the record at hand for `reason`; `message` is constant, details in `fields`."""

    def __init__(self, reason: Reason, message: str, **fields: object) -> None:
        super().__init__(message)
        self.reason, self.message, self.fields = reason, message, fields
