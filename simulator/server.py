"""Run the fake books: in the current event loop, in a background thread, or until a signal.

One asyncio task per game ticks the market model at `updates_per_s` and hands the
changes to the books, which fan them out to their subscribers.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import signal
import threading
from types import TracebackType
from urllib.parse import urlsplit

from websockets.asyncio.server import Server, ServerConnection, serve
from websockets.http11 import Request, Response

from simulator.book import Book
from simulator.books import book_classes
from simulator.config import SimConfig
from simulator.control import Control
from simulator.game import Game
from simulator.httpio import BodyConnection, not_found
from simulator.market import Market

logger = logging.getLogger(__name__)
# websockets logs every received frame at DEBUG (subscribe frames and their JWT included)
# and every plain HTTP response at INFO (polling books make several a second per game).
logging.getLogger("websockets.server").setLevel(logging.WARNING)

IDLE_TICK_S = 1.0  # how often a game checks its clock when prices do not move
OPEN_TIMEOUT_S = 5.0  # a socket that sends no complete request is closed after this


class Simulator:
    def __init__(self, config: SimConfig | None = None) -> None:
        self.config = config or SimConfig()
        self.market = Market(self.config)
        self.books: dict[str, Book] = {
            cls.name: cls(self.market, self.config) for cls in book_classes()
        }
        self.control = Control(self.market, self.books, self.publish)
        self.port = self.config.port
        self._server: Server | None = None
        self._tasks: list[asyncio.Task[None]] = []

    @property
    def url(self) -> str:
        return f"http://{self.config.host}:{self.port}"

    async def start(self) -> None:
        self._server = await serve(
            self._handle,
            self.config.host,
            self.config.port,
            process_request=self._process_request,
            create_connection=BodyConnection,
            compression=None,
            max_size=2**20,
            open_timeout=OPEN_TIMEOUT_S,
            close_timeout=2,
        )
        self.port = self._server.sockets[0].getsockname()[1]
        self._tasks = [asyncio.create_task(self._drive(g)) for g in self.market.games.values()]
        logger.info("simulator listening", extra={"url": self.url, "games": len(self._tasks)})

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        self._tasks = []
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def __aenter__(self) -> Simulator:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    async def _process_request(self, ws: ServerConnection, request: Request) -> Response | None:
        path = urlsplit(request.path).path
        if path.startswith("/_sim/"):
            return await self.control.handle(path, request)
        book = self._owner(path)
        return not_found() if book is None else book.route(path, request)

    async def _handle(self, ws: ServerConnection) -> None:
        book = self._owner(urlsplit(ws.request.path).path if ws.request else "")
        if book is not None:
            await book.handle(ws)

    def _owner(self, path: str) -> Book | None:
        return next((book for book in self.books.values() if book.owns(path)), None)

    async def _drive(self, game: Game) -> None:
        """Tick one game forever: clock, random step, push."""
        rate = self.config.updates_per_s
        interval = 1.0 / rate if rate > 0 else IDLE_TICK_S
        loop = asyncio.get_running_loop()
        due = loop.time() + interval * (int(game.event_id) % 997) / 997  # spread the ticks
        while True:
            await asyncio.sleep(max(0.0, due - loop.time()))
            due = max(due + interval, loop.time())
            try:
                changed = self.market.step(game, move_prices=rate > 0)
            except Exception:
                logger.exception("game tick failed", extra={"event_id": game.event_id})
                continue
            if game.is_open:
                await self.publish(game, changed)

    async def publish(self, game: Game, changed: list[str], *, force: bool = False) -> None:
        """Tell every book of a game's changes; one failing book does not starve the rest."""
        for book in self.books.values():
            try:
                await book.publish(game, changed, force=force)
            except Exception:
                logger.exception(
                    "publish failed", extra={"book": book.name, "event_id": game.event_id}
                )


class SimHandle:
    """A simulator running in a background thread with its own event loop."""

    def __init__(
        self, simulator: Simulator, loop: asyncio.AbstractEventLoop, thread: threading.Thread
    ) -> None:
        self.simulator = simulator
        self._loop = loop
        self._thread = thread

    @property
    def url(self) -> str:
        return self.simulator.url

    @property
    def port(self) -> int:
        return self.simulator.port

    def stop(self, timeout_s: float = 10.0) -> None:
        if not self._thread.is_alive():
            return
        future = asyncio.run_coroutine_threadsafe(self.simulator.stop(), self._loop)
        with contextlib.suppress(concurrent.futures.TimeoutError):
            future.result(timeout_s)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout_s)

    def __enter__(self) -> SimHandle:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.stop()


def run_in_thread(config: SimConfig | None = None, start_timeout_s: float = 10.0) -> SimHandle:
    """Start a simulator in a daemon thread; returns once it is listening."""
    simulator = Simulator(config)
    loop = asyncio.new_event_loop()
    started: concurrent.futures.Future[None] = concurrent.futures.Future()

    def main() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(simulator.start())
        except BaseException as exc:
            started.set_exception(exc)
            loop.close()
            return
        started.set_result(None)
        loop.run_forever()
        loop.close()

    thread = threading.Thread(target=main, name="simulator", daemon=True)
    thread.start()
    started.result(start_timeout_s)
    return SimHandle(simulator, loop, thread)


def run(config: SimConfig | None = None) -> None:
    """Serve until SIGINT or SIGTERM (the `oddswatch simulate` command)."""
    asyncio.run(_serve_until_signal(config or SimConfig()))


async def _serve_until_signal(config: SimConfig) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    async with Simulator(config):
        await stop.wait()
    logger.info("simulator stopped")
