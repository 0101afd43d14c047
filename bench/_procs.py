"""Processes for benchmarks: start them (own session, log to a file), read their CPU and
memory from /proc (the process and its descendants), and stop every one of them.

CPU is read as utime + stime ticks; a descendant that exits between two samples loses the
ticks it used after the first one (none do here: Celery's threads pool forks nothing,
Chromium stays up once started).
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

logger = logging.getLogger("bench.procs")

CLK_TCK = os.sysconf("SC_CLK_TCK")
ROOT = Path(__file__).resolve().parents[1]

PidKey = tuple[int, int]  # (pid, start time in ticks): a pid is reused, this pair is not


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _stat(pid: int) -> list[str] | None:
    """/proc/<pid>/stat fields from field 3 (state) on; None when the pid is gone."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw.rsplit(")", 1)[1].split()


def _key(pid: int, fields: list[str]) -> PidKey:
    return pid, int(fields[19])


def _ticks(fields: list[str]) -> int:
    return int(fields[11]) + int(fields[12])


def _status_kb(pid: int, name: str) -> int:
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(name + ":"):
                return int(line.split()[1])
    return 0


def runqueue_wait_s(pid: int) -> float:
    """Seconds the process's threads spent runnable but waiting for a CPU (schedstat)."""
    total = 0
    with contextlib.suppress(OSError):
        for task in Path(f"/proc/{pid}/task").iterdir():
            with contextlib.suppress(OSError, IndexError, ValueError):
                total += int((task / "schedstat").read_text().split()[1])
    return total / 1e9


def descendants(root: int) -> list[int]:
    """Every live descendant of `root` (children, grandchildren, ...)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = [], [root]
    while todo:
        kids = children.get(todo.pop(), [])
        found.extend(kids)
        todo.extend(kids)
    return found


@dataclass(frozen=True, slots=True)
class TreeSample:
    """CPU ticks and memory of one process and of its descendants at one moment."""

    at: float  # monotonic seconds
    main: tuple[PidKey, int, int, int] | None  # (key, ticks, rss kB, peak rss kB)
    waited_s: float  # the main process's threads: runnable, waiting for a CPU
    children: dict[PidKey, tuple[int, int]]  # key -> (ticks, rss kB)

    @classmethod
    def take(cls, pid: int) -> TreeSample:
        fields = _stat(pid)
        main = None
        if fields is not None:
            rss, hwm = _status_kb(pid, "VmRSS"), _status_kb(pid, "VmHWM")
            main = (_key(pid, fields), _ticks(fields), rss, hwm)
        children = {}
        for child in descendants(pid):
            if (cf := _stat(child)) is not None:
                children[_key(child, cf)] = (_ticks(cf), _status_kb(child, "VmRSS"))
        return cls(time.monotonic(), main, runqueue_wait_s(pid), children)


def usage(start: TreeSample, end: TreeSample) -> dict[str, object]:
    """RSS at the end and cores used between two samples of the same process tree."""
    wall = max(end.at - start.at, 1e-9)
    if start.main is None or end.main is None:
        return {"error": "process gone"}
    cores = (end.main[1] - start.main[1]) / CLK_TCK / wall
    child_ticks = sum(t - start.children.get(k, (0, 0))[0] for k, (t, _) in end.children.items())
    child_cores = child_ticks / CLK_TCK / wall
    out: dict[str, object] = {
        "rss_mb": round(end.main[2] / 1024, 1),
        "peak_rss_mb": round(end.main[3] / 1024, 1),
        "cpu_cores": round(cores + child_cores, 3),
        # threads runnable but not running (CPU contention), in thread-cores
        "cpu_wait_cores": round((end.waited_s - start.waited_s) / wall, 3),
    }
    if end.children:
        out["self_cpu_cores"] = round(cores, 3)
        out["children"] = {
            "count": len(end.children),
            "rss_mb": round(sum(r for _, r in end.children.values()) / 1024, 1),
            "cpu_cores": round(child_cores, 3),
        }
    return out


HOST_FIELDS = ("user", "nice", "system", "idle", "iowait", "irq", "softirq", "steal")


def host_ticks() -> tuple[float, dict[str, int]]:
    """(monotonic time, the all-CPU tick counters of /proc/stat by name)."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    return time.monotonic(), dict(zip(HOST_FIELDS, values, strict=True))


def host_usage(
    start: tuple[float, dict[str, int]], end: tuple[float, dict[str, int]]
) -> dict[str, float]:
    """Cores used between two `host_ticks`: busy (user+nice+system+irq+softirq), and
    the softirq (loopback networking, mostly) and steal (the hypervisor) parts apart."""
    wall = end[0] - start[0]
    delta = {k: (end[1][k] - start[1][k]) / CLK_TCK / wall for k in HOST_FIELDS}
    busy = delta["user"] + delta["nice"] + delta["system"] + delta["irq"] + delta["softirq"]
    return {
        "busy_cores": round(busy, 3),
        "softirq_cores": round(delta["softirq"], 3),
        "steal_cores": round(delta["steal"], 3),
    }


def pids_where(keep: Callable[[str], bool]) -> list[int]:
    """Pids whose command line (NULs as spaces) satisfies `keep`."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if keep(cmdline):
            found.append(int(entry.name))
    return found


def ticks_of(pids: Iterable[int]) -> dict[PidKey, int]:
    out = {}
    for pid in pids:
        if (fields := _stat(pid)) is not None:
            out[_key(pid, fields)] = _ticks(fields)
    return out


class Proc:
    """One subprocess in its own session (a terminal's Ctrl-C reaches only us), its output
    in `log`."""

    def __init__(self, name: str, argv: list[str], env: dict[str, str], log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        log_dir.mkdir(parents=True, exist_ok=True)
        with self.log.open("wb") as out:
            self.popen = subprocess.Popen(
                argv, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        self.pid = self.popen.pid
        logger.info("started %s pid=%d: %s", name, self.pid, " ".join(argv))

    def alive(self) -> bool:
        return self.popen.poll() is None

    def log_tail(self, chars: int = 3000) -> str:
        return self.log.read_text(errors="replace")[-chars:]

    def log_count(self, *needles: str) -> int:
        text = self.log.read_text(errors="replace")
        return sum(1 for line in text.splitlines() if any(n in line for n in needles))

    def terminate(self) -> list[PidKey]:
        """SIGTERM to the process (a Celery worker's warm shutdown); returns its
        descendants, to be killed if they outlive it."""
        kids = [k for k in ticks_of(descendants(self.pid))]
        if self.alive():
            self.popen.send_signal(signal.SIGTERM)
        return kids

    def wait_or_kill(self, deadline: float, kids: list[PidKey]) -> None:
        try:
            self.popen.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            logger.warning("%s did not stop in time: SIGKILL", self.name)
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)  # its session: leftovers included
        self.popen.wait(10)
        for pid, started in kids:  # descendants that left the session
            fields = _stat(pid)
            if fields is not None and _key(pid, fields) == (pid, started):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)


class ProcSet:
    """Every process a benchmark starts; leaving the block stops them all (workers first,
    in stages), also on Ctrl-C or an error. Ctrl-C is ignored while stopping."""

    def __init__(self) -> None:
        self.stages: list[list[Proc]] = []  # stopped last stage first

    def add(self, proc: Proc, stage: int = 0) -> Proc:
        while len(self.stages) <= stage:
            self.stages.append([])
        self.stages[stage].append(proc)
        return proc

    def __enter__(self) -> ProcSet:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop_all()

    def stop_all(self, timeout_s: float = 40.0) -> None:
        previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
        try:
            for stage in reversed(self.stages):
                self._stop_stage(stage, timeout_s)
            self.stages = []
        finally:
            signal.signal(signal.SIGINT, previous)

    @staticmethod
    def _stop_stage(procs: list[Proc], timeout_s: float) -> None:
        kids = {p.name: p.terminate() for p in procs}
        deadline = time.monotonic() + timeout_s
        for proc in procs:
            proc.wait_or_kill(deadline, kids[proc.name])
            logger.info("stopped %s (exit %s)", proc.name, proc.popen.returncode)


@contextlib.contextmanager
def interrupts_raise() -> Iterator[None]:
    """SIGINT and SIGTERM raise KeyboardInterrupt, so `finally` blocks run on Ctrl-C and
    on `kill` (also when started in the background, where SIGINT comes in ignored)."""

    def handler(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, handler) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, old in previous.items():
            signal.signal(sig, old)
