"""The home pages in a real browser, on a small demo company: each role's page renders
without script or CSP errors (the executive's chart is drawn), with a screenshot of each
in ``test-artifacts/`` to look at."""

import datetime as dt
from pathlib import Path

import pytest

from demo.engine import generate_company
from demo.services import demo_company_load
from tests.conftest import PASSWORD
from tests.factories import UserFactory

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]
ROLES = ("planner", "admin", "executive")


@pytest.fixture
def demo_world(transactional_db):
    """Loaded before the browser starts: Playwright's event loop forbids sync DB calls."""
    demo_company_load(
        company=generate_company(seed=5, stores=3, skus=9, years=2, end_date=dt.date(2025, 6, 29))
    )
    for role in ROLES:
        UserFactory(username=f"{role}-home", role=role)


def test_each_role_home_renders(demo_world, live_server, monkeypatch):
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the teardown's flush is sync.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            for role in ROLES:
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                errors: list[str] = []
                page.on("pageerror", lambda error, errors=errors: errors.append(str(error)))
                page.on(
                    "console",
                    lambda m, errors=errors: errors.append(m.text) if m.type == "error" else None,
                )
                page.goto(f"{live_server.url}/login/")
                page.fill("#id_username", f"{role}-home")
                page.fill("#id_password", PASSWORD)
                with page.expect_navigation():
                    page.get_by_role("button", name="Log in").click()
                page.wait_for_load_state("networkidle")
                if role == "executive":
                    page.wait_for_selector("#weekly-chart .main-svg")
                    assert "Sales at a glance" in page.content()
                page.screenshot(path=ARTIFACTS / f"dashboards-home-{role}.png", full_page=True)
                assert errors == [], f"{role}: {errors}"
                page.close()
        finally:
            browser.close()
