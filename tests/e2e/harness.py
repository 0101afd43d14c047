"""Real processes for end-to-end tests: Celery workers as subprocesses and a client app."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from celery import Celery

from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]


class Worker:
    """`celery -A workers worker` in a subprocess, its log captured to a file."""

    def __init__(self, env: dict[str, str], queues: str, name: str, log_dir: Path) -> None:
        self.name = name
        self.log = log_dir / f"{name}.log"
        argv = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "workers",
            "worker",
            "-Q",
            queues,
            "-P",
            "threads",
            "-c",
            "40",
            "-n",
            f"{name}@%h",
            "--loglevel",
            "INFO",
            "--without-mingle",
            "--without-gossip",
        ]
        self.proc = subprocess.Popen(
            argv,
            cwd=ROOT,
            env=env,
            stdout=self.log.open("wb"),
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_for(self._ready, 60, f"worker {name} ready")

    def _ready(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"worker {self.name} exited:\n{self.log.read_text()[-3000:]}")
        return b"ready." in self.log.read_bytes()

    def kill(self) -> None:
        """SIGKILL, as when a machine dies: no shutdown code runs."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(10)

    def stop(self, timeout_s: float = 30) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout_s)
            except subprocess.TimeoutExpired:
                self.kill()


def client_app(broker_url: str) -> Celery:
    app = Celery("oddswatch-tests", broker=broker_url, backend=broker_url)
    app.conf.task_ignore_result = False
    return app


class SimControl:
    def __init__(self, url: str) -> None:
        self.http = httpx.Client(base_url=url, timeout=10)

    def post(self, path: str, body: dict[str, Any]) -> Any:
        response = self.http.post(f"/_sim/{path}", json=body)
        response.raise_for_status()
        return response.json()

    def state_subscribers(self, event_id: str) -> int:
        """How many websocket subscriptions the book holds for one game."""
        games = self.state()["games"]
        return next((g["subscribers"] for g in games if g["event_id"] == event_id), 0)

    def state(self) -> Any:
        response = self.http.get("/_sim/state")
        response.raise_for_status()
        return response.json()
