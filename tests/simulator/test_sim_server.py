"""Running the simulator: in the caller's event loop, and until a signal (the CLI's way)."""

from __future__ import annotations

import asyncio
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from simulator.config import SimConfig
from simulator.server import Simulator
from tests.waiting import wait_for

pytestmark = pytest.mark.timeout(30)

ROOT = Path(__file__).resolve().parents[2]


def test_simulator_in_the_callers_loop() -> None:
    async def main() -> int:
        async with Simulator(SimConfig(port=0, games_per_league=2, live_games=1)) as sim:
            assert sim.url == f"http://127.0.0.1:{sim.port}" and sim.port > 0
            async with httpx.AsyncClient(base_url=sim.url) as http:
                return (await http.get("/leagues/baseball/mlb")).status_code

    assert asyncio.run(main()) == 200


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def wait_until_up(url: str, proc: subprocess.Popen[bytes]) -> None:
    def up() -> bool:
        assert proc.poll() is None, proc.communicate()[0].decode()
        try:
            httpx.get(f"{url}/_sim/stats", timeout=1).raise_for_status()
        except httpx.TransportError:
            return False
        return True

    wait_for(up, 15, "the simulator to come up")


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_run_serves_until_a_signal(sig: signal.Signals) -> None:
    port = free_port()
    code = (
        "from simulator.config import SimConfig; from simulator.server import run; "
        f"run(SimConfig(port={port}, games_per_league=2, live_games=1))"
    )
    proc = subprocess.Popen(
        [sys.executable, "-c", code], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_until_up(f"http://127.0.0.1:{port}", proc)
        proc.send_signal(sig)
        assert proc.wait(10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
