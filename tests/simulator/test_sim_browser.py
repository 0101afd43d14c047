"""Headless Chromium (as the scraper drives it) loads a league page and sees the event links."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path

import pytest
from playwright.async_api import async_playwright
from sim_helpers import TOKEN_PATH

from simulator.server import SimHandle

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

pytestmark = [
    pytest.mark.timeout(60),
    pytest.mark.skipif(not Path(CHROMIUM).exists(), reason=f"no Chromium at {CHROMIUM}"),
]


async def league_links(url: str) -> tuple[list[str], bool]:
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = await browser.new_page()
            async with page.expect_response(lambda r: TOKEN_PATH in r.url) as token:
                await page.goto(f"{url}/leagues/basketball/nba", wait_until="domcontentloaded")
            token_ok = (await token.value).ok
            hrefs = await page.eval_on_selector_all("a[href]", "els => els.map(a => a.href)")
            return hrefs, token_ok
        finally:
            await browser.close()


def test_chromium_sees_event_links(sim: SimHandle) -> None:
    hrefs, token_ok = asyncio.run(league_links(sim.url))
    pattern = re.compile(rf"^{re.escape(sim.url)}/event/[a-z0-9\-@%]+/\d+$", re.IGNORECASE)
    events = sorted(h.rsplit("/", 1)[1] for h in hrefs if pattern.match(h))
    games = sim.simulator.market.league_games("nba")
    assert events == sorted(g.event_id for g in games)
    assert token_ok
