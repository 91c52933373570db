"""The weekly sales chart in a real browser: drawn under CSP, redrawn when the grouping changes."""

import datetime as dt
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.factories import SalesFactFactory

CHROMIUM = Path("/usr/bin/chromium")
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium is not installed"),
]


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser.new_page(viewport={"width": 1366, "height": 768})
        browser.close()


@pytest.fixture
def two_weeks_of_sales(scoped_world):
    """Created before the browser starts: Playwright's event loop forbids sync DB calls."""
    for store in (scoped_world["store_in"], scoped_world["store_out"]):
        for sku in (scoped_world["sku_in"], scoped_world["sku_out"]):
            for day in range(14):
                SalesFactFactory(
                    store=store, sku=sku, date=dt.date(2025, 3, 3) + dt.timedelta(days=day)
                )


def test_chart_switches_from_region_to_category(
    live_server, two_weeks_of_sales, admin_user, browser_page
):
    from playwright.sync_api import expect

    username = admin_user.username
    page = browser_page
    errors: list[str] = []
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.goto(f"{live_server.url}/login/?next=/data/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#weekly-chart .legendtext")
    assert page.locator(".legendtext").all_text_contents() == ["Region NORTH", "Region SOUTH"]

    with page.expect_response(lambda response: "weekly-sales.json" in response.url):
        page.select_option("#chart-by", "category")
    # A locator assertion polls from Playwright's side; wait_for_function would eval a
    # string inside the page, which the page's CSP (rightly) forbids.
    expect(page.locator(".legendtext")).to_have_text(["Category DRINKS", "Category SNACKS"])
    assert not errors, errors  # a CSP violation would show up here
