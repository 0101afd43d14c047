"""The Redis key schema as documented (README, sinks/keys.py), and no second copy of it."""

from __future__ import annotations

import re
from pathlib import Path

from sinks import keys

ROOT = Path(__file__).resolve().parents[2]
CODE = ("cli", "oddswatch", "providers", "simulator", "sinks", "tasks", "workers", "bench")
# Where a key literal may stand: the schema itself, and the stream name's setting default.
ALLOWED = {Path("sinks/keys.py"), Path("oddswatch/settings.py")}
KEY_LITERAL = re.compile(r"""[bf]?["']ow:""")


def test_the_documented_keys() -> None:
    assert keys.list_key("draftkings", "nba", "7") == "ow:odds:draftkings:nba:7"
    assert keys.board_key("draftkings", "nba", "7") == "ow:board:draftkings:nba:7"
    assert keys.lease_key("draftkings", "7") == "ow:lease:draftkings:7"
    assert keys.dispatch_key("draftkings", "7") == "ow:dispatch:draftkings:7"
    assert keys.persist_lease_key(0) == "ow:lease:persist:0"
    assert keys.persist_dispatch_key(0) == "ow:dispatch:persist:0"
    assert keys.snapshot_key("bovada", "nfl") == "ow:snapshot:bovada:nfl"
    assert keys.MONITORS_KEY == "ow:monitors"
    assert keys.monitor_key("bovada", "7") == "ow:monitor:bovada:7"
    assert keys.metrics_key("bovada") == "ow:metrics:bovada"
    assert keys.recent_key("bovada", 29_000_000) == "ow:metrics:bovada:m:29000000"
    assert keys.dead_stream("ow:updates") == "ow:updates:dead"
    assert (keys.UPDATE_FIELD, keys.UPDATE_FIELD_BYTES) == ("u", b"u")


def test_monitor_members_round_trip() -> None:
    member = keys.monitor_member("fanduel", "nhl", "a:b")
    assert member == "fanduel:nhl:a:b"
    assert keys.parse_monitor_member(member.encode()) == ("fanduel", "nhl", "a:b")


def test_no_key_is_built_outside_the_schema_module() -> None:
    found = []
    for package in CODE:
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = path.relative_to(ROOT)
            if relative in ALLOWED:
                continue
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                if KEY_LITERAL.search(line):
                    found.append(f"{relative}:{number}: {line.strip()}")
    assert not found, "Redis keys built outside sinks/keys.py:\n" + "\n".join(found)
