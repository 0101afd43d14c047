"""The file sink: JSON Lines, one append-only file per game and day, for people who run
without Postgres's odds history or want files beside it (`OW_SINKS`, `OW_FS_SINK_DIR`).

Layout: `<dir>/<day>/<provider>/<league>/<event_id>.jsonl`, one
`oddswatch.codec.encode_update` line per update, appended in batch order. `<day>` is the
date of the update's `received_at` in the configured zone (`OW_TIMEZONE`), so an evening
game stays in one file (a UTC day would cut US evening games at 00:00 UTC); a day's
directory can be archived or removed whole. Path parts are made filesystem-safe (anything
but letters, digits, `.`, `_`, `-` becomes `_`).

A re-sent update is not appended twice: the persister re-reads a batch after a crash or a
failed write, so the sink knows the update ids of every file it touched lately (read from
the file the first time) and appends only new ones; `last_inserted` counts them. A line
torn by a crash is skipped when read and ended before the next append. File I/O runs in a
worker thread; one batch is one `write` per file.
"""

from __future__ import annotations

import asyncio
import logging
import os
import re
from collections import OrderedDict, defaultdict
from collections.abc import Sequence
from datetime import UTC, date, tzinfo
from pathlib import Path
from typing import Self

from oddswatch.codec import decode_update, encode_update
from oddswatch.errors import NotConfigured, ParseError, SinkError
from oddswatch.model import OddsUpdate
from oddswatch.settings import Settings
from sinks.base import Sink, register

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")
KNOWN_FILES = 4096  # files whose update ids stay in memory (the most recently written)


def safe_part(value: str) -> str:
    part = _UNSAFE.sub("_", value)
    return "_" + part if part in ("", ".", "..") else part


@register
class FsSink(Sink):
    name = "fs"

    def __init__(self, directory: str | Path, tz: tzinfo = UTC) -> None:
        super().__init__()
        self.directory = Path(directory)
        self.tz = tz
        self._known: OrderedDict[Path, set[str]] = OrderedDict()  # path -> its update ids
        self._lock = asyncio.Lock()  # batches of one sink append one after another

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        if not settings.fs_sink_dir:
            raise NotConfigured("fs sink needs OW_FS_SINK_DIR")
        return cls(settings.fs_sink_dir, settings.tz)

    def day(self, update: OddsUpdate) -> date:
        return update.received_at.astimezone(self.tz).date()

    def path(self, provider: str, league: str, event_id: str, day: date) -> Path:
        parts = (safe_part(provider), safe_part(league), safe_part(event_id) + ".jsonl")
        return self.directory.joinpath(day.isoformat(), *parts)

    async def _write(self, batch: Sequence[OddsUpdate]) -> None:
        files: defaultdict[Path, list[OddsUpdate]] = defaultdict(list)
        for u in batch:
            files[self.path(u.provider, u.league, u.event_id, self.day(u))].append(u)
        async with self._lock:
            self.last_inserted = await asyncio.to_thread(self._append_new, files)

    async def read(self, provider: str, league: str, event_id: str) -> list[OddsUpdate]:
        """Every day's file of one game, oldest day first."""
        pattern = f"*/{safe_part(provider)}/{safe_part(league)}/{safe_part(event_id)}.jsonl"
        paths = sorted(self.directory.glob(pattern))
        days = await asyncio.gather(*(asyncio.to_thread(_read_lines, p) for p in paths))
        return [u for updates in days for u in updates]

    def _append_new(self, files: dict[Path, list[OddsUpdate]]) -> int:
        """Append what each file lacks; returns how many lines were appended."""
        appended = 0
        for path, updates in files.items():
            known = self._ids(path)
            new = {u.update_id: u for u in updates if u.update_id not in known}
            if not new:
                continue
            try:
                _append(path, [encode_update(u) + b"\n" for u in new.values()])
            except OSError as exc:
                self._known.pop(path, None)  # what reached the file is read again next time
                raise SinkError(f"fs sink cannot write {exc.filename}: {exc.strerror}") from exc
            known.update(new)
            appended += len(new)
        return appended

    def _ids(self, path: Path) -> set[str]:
        """The update ids `path` holds: remembered, or read from the file (which is also
        given a final newline if a crash left its last line torn)."""
        known = self._known.get(path)
        if known is not None:
            self._known.move_to_end(path)
            return known
        known = {u.update_id for u in _read_lines(path)}
        _end_torn_line(path)
        self._known[path] = known
        if len(self._known) > KNOWN_FILES:
            self._known.popitem(last=False)
        return known


def _append(path: Path, lines: list[bytes]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as fh:
        fh.write(b"".join(lines))


def _end_torn_line(path: Path) -> None:
    try:
        with path.open("rb+") as fh:
            if fh.seek(0, os.SEEK_END) == 0:
                return
            fh.seek(-1, os.SEEK_END)
            if fh.read(1) != b"\n":
                fh.seek(0, os.SEEK_END)
                fh.write(b"\n")
    except FileNotFoundError:
        return
    except OSError as exc:
        raise SinkError(f"fs sink cannot write {exc.filename}: {exc.strerror}") from exc


def _read_lines(path: Path) -> list[OddsUpdate]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    except OSError as exc:
        raise SinkError(f"fs sink cannot read {exc.filename}: {exc.strerror}") from exc
    updates = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            updates.append(decode_update(line))
        except ParseError:  # e.g. a line torn by a crash mid-write
            logger.warning("unreadable line skipped", extra={"path": str(path), "line": number})
    return updates
