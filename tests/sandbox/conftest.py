"""The sandbox as a newcomer starts it (``python -m sandbox``), and Debian's chromium to look.

One sandbox per test worker and a browser per test; each test resets the sandbox to the demo state
and opens the page in a fresh browser context (no cookies, no saved phones).
``SANDBOX_SCREENSHOT=docs/sandbox.png`` makes the story test save the README's screenshot.
"""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ADDRESS_PREFIX = "Sandbox: open "
START_SECONDS = 30.0
ROOT = Path(__file__).resolve().parents[2]

DESKTOP = {"width": 1440, "height": 900}
PHONE = {"width": 390, "height": 844}


def _read_address(process: subprocess.Popen[str], deadline: float) -> str:
    """Read the sandbox's output until its address line; fail at the deadline."""
    assert process.stdout is not None
    seen: list[str] = []
    while time.monotonic() < deadline:
        ready, _, _ = select.select([process.stdout], [], [], 0.2)
        if not ready:
            if process.poll() is not None:
                break
            continue
        line = process.stdout.readline()
        if not line:
            break
        seen.append(line)
        if line.startswith(ADDRESS_PREFIX):
            return line.removeprefix(ADDRESS_PREFIX).split()[0]
    raise AssertionError(f"no address line within {START_SECONDS} s; printed: {seen}")


@pytest.fixture(scope="session")
def sandbox_process(tmp_path_factory: pytest.TempPathFactory) -> Iterator[subprocess.Popen[str]]:
    """Start ``python -m sandbox`` on a free port; stop it with SIGTERM at the end."""
    folder = tmp_path_factory.mktemp("sandbox")
    env = {k: v for k, v in os.environ.items() if k != "TELEGRAM_BOT_TOKEN"}
    process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
        [sys.executable, "-m", "sandbox", "--port", "0", "--folder", str(folder)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    try:
        yield process
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        assert process.stdout is not None
        process.stdout.close()


@pytest.fixture(scope="session")
def sandbox_url(sandbox_process: subprocess.Popen[str]) -> str:
    """The address the sandbox prints once it is ready (within 30 s)."""
    return _read_address(sandbox_process, time.monotonic() + START_SECONDS)


@pytest.fixture
def playwright(sandbox_process: subprocess.Popen[str]) -> Iterator[Playwright]:
    """Playwright's driver (it downloads nothing: the browser is Debian's).

    Started after the sandbox's process, so both start at once. One per test: the sync
    driver holds an event loop while it runs, which the async tests beside need free.
    """
    with sync_playwright() as driver:
        yield driver


@pytest.fixture
def browser(playwright: Playwright) -> Iterator[Browser]:
    """Headless Debian chromium; a missing browser fails the test, never skips it."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium (scripts/test.sh does)")
    launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield launched
    launched.close()


_used: set[str] = set()


def reset(url: str) -> None:
    """Put the sandbox back to the demo state (a sandbox just started is in it)."""
    if url not in _used:
        _used.add(url)
        return
    response = httpx.post(f"{url}/api/reset", timeout=30, trust_env=False)
    response.raise_for_status()


def open_page(browser: Browser, url: str, viewport: dict[str, int]) -> Iterator[Page]:
    """Reset the sandbox and open the page in a fresh context of this size."""
    reset(url)
    context = browser.new_context(viewport=viewport)  # type: ignore[arg-type]
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.goto(url)
    try:
        yield page
    finally:
        context.close()
    assert problems == [], problems


@pytest.fixture
def desktop(browser: Browser, sandbox_url: str) -> Iterator[Page]:
    """The page on a desktop screen."""
    yield from open_page(browser, sandbox_url, DESKTOP)


@pytest.fixture
def phone_screen(browser: Browser, sandbox_url: str) -> Iterator[Page]:
    """The page on a phone-sized screen."""
    yield from open_page(browser, sandbox_url, PHONE)
