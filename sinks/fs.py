"""The file sink: JSON Lines, one file per game, for people who run without Postgres.

Layout: `<dir>/<provider>/<league>/<event_id>.jsonl`, one `oddswatch.codec.encode_update`
line per update, appended in batch order. A game that crosses midnight stays in one file.
Path parts are made filesystem-safe (anything but letters, digits, `.`, `_`, `-` becomes
`_`). File I/O runs in a worker thread; one batch is written per file with one `write`.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections import defaultdict
from collections.abc import Sequence
from pathlib import Path
from typing import Self

from oddswatch.codec import decode_update, encode_update
from oddswatch.errors import NotConfigured, ParseError, SinkError
from oddswatch.model import OddsUpdate
from oddswatch.settings import Settings
from sinks.base import Sink, register

logger = logging.getLogger(__name__)

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]")


def safe_part(value: str) -> str:
    part = _UNSAFE.sub("_", value)
    return "_" + part if part in ("", ".", "..") else part


@register
class FsSink(Sink):
    name = "fs"

    def __init__(self, directory: str | Path) -> None:
        super().__init__()
        self.directory = Path(directory)
        self._lock = asyncio.Lock()  # batches of one sink append one after another

    @classmethod
    def from_settings(cls, settings: Settings) -> Self:
        if not settings.fs_sink_dir:
            raise NotConfigured("fs sink needs OW_FS_SINK_DIR")
        return cls(settings.fs_sink_dir)

    def path(self, provider: str, league: str, event_id: str) -> Path:
        parts = (safe_part(provider), safe_part(league), safe_part(event_id) + ".jsonl")
        return self.directory.joinpath(*parts)

    async def _write(self, batch: Sequence[OddsUpdate]) -> None:
        files: defaultdict[Path, list[bytes]] = defaultdict(list)
        for u in batch:
            files[self.path(u.provider, u.league, u.event_id)].append(encode_update(u) + b"\n")
        async with self._lock:
            await asyncio.to_thread(_append_all, files)

    async def read(self, provider: str, league: str, event_id: str) -> list[OddsUpdate]:
        path = self.path(provider, league, event_id)
        return await asyncio.to_thread(_read_lines, path)


def _append_all(files: dict[Path, list[bytes]]) -> None:
    try:
        for path, lines in files.items():
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("ab") as fh:
                fh.write(b"".join(lines))
    except OSError as exc:
        raise SinkError(f"fs sink cannot write {exc.filename}: {exc.strerror}") from exc


def _read_lines(path: Path) -> list[OddsUpdate]:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return []
    updates = []
    for number, line in enumerate(raw.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            updates.append(decode_update(line))
        except ParseError:  # e.g. a line torn by a crash mid-write
            logger.warning("unreadable line skipped", extra={"path": str(path), "line": number})
    return updates
