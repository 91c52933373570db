"""Set-up of the real-browser tests: Debian's Chromium driven by Playwright's sync API.

One browser per package run, a fresh context and page per test (no cookies leak between
tests), a full-page screenshot in ``test-artifacts/`` when a test fails, and a log-in helper.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.conftest import PASSWORD

# Playwright's sync API runs an asyncio loop in the test thread; without this Django refuses
# every ORM call the test makes while the browser is open.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
DEFAULT_TIMEOUT_MS = 15_000


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test so the page fixture knows whether it failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="package")
def browser() -> Iterator[Browser]:
    """Package-scoped rather than session-scoped on purpose: while a sync Playwright is open
    its event loop runs in the main thread, which would break any later test in the same
    process that starts Playwright itself (tests/masterdata) or uses ``async_to_sync``."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"{CHROMIUM} is missing. The browser tests use Debian's Chromium and never "
            "download one: run `apt-get install chromium` (CI and `make test` provide it).",
            pytrace=False,
        )
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    context.set_default_timeout(DEFAULT_TIMEOUT_MS)
    tab = context.new_page()
    yield tab
    failed = any(
        getattr(request.node, f"report_{when}", None) is not None
        and getattr(request.node, f"report_{when}").failed
        for when in ("setup", "call")
    )
    if failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = re.sub(r"[^\w.-]+", "_", request.node.nodeid.split("::", 1)[-1])
        tab.screenshot(path=ARTIFACTS / f"browser-{name}.png", full_page=True)
    context.close()


@pytest.fixture
def browser_errors(page: Page) -> list[str]:
    """Every console error and uncaught page error; CSP violations arrive as console errors."""
    errors: list[str] = []
    page.on(
        "console",
        lambda message: (
            errors.append(f"console: {message.text}") if message.type == "error" else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(f"pageerror: {error}"))
    return errors


@pytest.fixture
def log_in(page: Page, live_server) -> Callable[[str], None]:
    """Log ``username`` in through the real login form and wait for the page behind it."""

    def submit(username: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", username)
        page.fill("#id_password", PASSWORD)
        with page.expect_navigation():
            page.get_by_role("button", name="Log in").click()
        assert "/login/" not in page.url, f"log-in as {username} failed: {page.url}"

    return submit
