"""`py-spy record` against running workers for the measurement window, and the top
functions of each profile.

Profiles are written in py-spy's raw (collapsed stacks) format, aggregated by function
(`--function`), which speedscope and flamegraph.pl both open. Only the thread holding the
GIL is sampled (`--gil`: py-spy's idle detection counts threads parked in
`Condition.wait` as busy), so the samples are where the process spends Python CPU, and
`gil_busy` (samples / (rate × seconds)) is the share of the window the GIL was held.
`--nonblocking` reads the stacks without stopping the process: stopping all of a
monitor worker's threads 100 times a second halved its throughput.
`own` counts a function when it is the innermost frame, `total` when it is anywhere on
the stack; both are percentages of the samples.
"""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from _procs import Proc, ProcSet

logger = logging.getLogger("bench.profile")

RATE_HZ = 100


def py_spy() -> str:
    """The venv's py-spy, installed from PyPI when absent."""
    path = Path(sys.executable).parent / "py-spy"
    if not path.exists():
        logger.info("installing py-spy into the venv")
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "py-spy"], check=True)
    return str(path)


def start(
    procs: ProcSet, targets: dict[str, Proc], seconds: float, out_dir: Path
) -> dict[str, Path]:
    """One recorder per target, each ending by itself after `seconds`."""
    exe = py_spy()
    outputs = {}
    for name, target in targets.items():
        out = out_dir / f"{name}.collapsed.txt"
        argv = [
            *(exe, "record", "-p", str(target.pid), "-d", str(max(1, round(seconds)))),
            *("-r", str(RATE_HZ), "--gil", "--function", "--nonblocking"),
            *("-f", "raw", "-o", str(out)),
        ]
        procs.add(Proc(f"py-spy-{name}", argv, dict(os.environ), out_dir / "logs"), stage=2)
        outputs[name] = out
    return outputs


# Frames of the event loop, the thread pool and threading: on every stack, so left out of
# the `total` ranking (their own time still counts).
PLUMBING = ("threading.py", "asyncio/", "concurrent/", "selectors.py", "celery/")


def _file(frame: str) -> str:
    """`encode_update (oddswatch/codec.py:75)` → `oddswatch/codec.py`."""
    return frame.rpartition(" (")[2].rpartition(":")[0] or frame


def summarize(path: Path, seconds: float, top: int = 15) -> dict[str, Any]:
    """Top functions by own and by total samples, and files by own samples, as
    percentages of all samples."""
    if not path.exists():
        return {"error": f"no profile at {path}"}
    own: Counter[str] = Counter()
    total: Counter[str] = Counter()
    files: Counter[str] = Counter()
    samples = 0
    for line in path.read_text(errors="replace").splitlines():
        stack, _, count_text = line.rpartition(" ")
        if not stack or not count_text.isdigit():
            continue
        count, frames = int(count_text), [f.strip() for f in stack.split(";") if f.strip()]
        samples += count
        own[frames[-1]] += count
        files[_file(frames[-1])] += count
        for frame in set(frames):
            if not _file(frame).startswith(PLUMBING):
                total[frame] += count
    return {
        "file": str(path),
        "samples": samples,
        "gil_busy": round(samples / (RATE_HZ * seconds), 3),
        "top_own_pct": _top(own, samples, top),
        "top_total_pct": _top(total, samples, top),
        "top_files_own_pct": _top(files, samples, 10),
    }


def _top(counter: Counter[str], samples: int, top: int) -> list[list[Any]]:
    return [[name, round(100 * n / max(samples, 1), 1)] for name, n in counter.most_common(top)]
