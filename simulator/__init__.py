"""Local fake sportsbooks on loopback, driven by one market model.

    from simulator import SimConfig, run_in_thread

    with run_in_thread(SimConfig(port=0, frozen=True)) as sim:
        ...  # point the client at sim.url

`Simulator` runs in the caller's event loop (`await start()` / `await stop()`),
`run_in_thread` in a background thread, `run` until SIGINT/SIGTERM (the CLI).
"""

from simulator.config import SimConfig
from simulator.market import Market
from simulator.server import SimHandle, Simulator, run, run_in_thread

__all__ = ["Market", "SimConfig", "SimHandle", "Simulator", "run", "run_in_thread"]
