"""Each role logs in through the real form, sees exactly its top navigation, and every link
in it opens a working page (HTTP 200, no script or CSP errors)."""

import pytest

from tests.factories import UserFactory

# Written out rather than derived from accounts.navigation.NAV_ITEMS: this is the spec the
# navigation must meet, so a link granted to the wrong role fails here.
EXPECTED_NAV = {
    "planner": [
        "Home",
        "Data overview",
        "Stores",
        "SKUs",
        "Forecasts",
        "Forecast table",
        "Accuracy",
        "Exceptions",
        "S&OP cycle",
        "Approvals",
        "Replenishment",
        "Inventory",
        "Alerts",
    ],
    "admin": [
        "Home",
        "Data overview",
        "Stores",
        "SKUs",
        "Forecasts",
        "Forecast table",
        "Accuracy",
        "Exceptions",
        "S&OP cycle",
        "Approvals",
        "Replenishment",
        "Inventory",
        "Alerts",
        "Pilots",
        "Import",
        "Jobs",
        "Users",
        "Audit log",
    ],
    "executive": [
        "Home",
        "Data overview",
        "Stores",
        "SKUs",
        "Forecast table",
        "Accuracy",
        "Exceptions",
        "S&OP cycle",
        "Approvals",
        "Replenishment",
        "Inventory",
        "Alerts",
        "Pilots",
    ],
}


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("role", sorted(EXPECTED_NAV))
def test_role_sees_its_navigation_and_every_link_opens(
    role, live_server, page, log_in, browser_errors
):
    UserFactory(username=f"{role}-user", role=role)
    log_in(f"{role}-user")

    links = page.locator("nav.mainnav a")
    assert links.all_inner_texts() == EXPECTED_NAV[role]

    for label in EXPECTED_NAV[role]:
        link = links.get_by_text(label, exact=True)
        href = link.get_attribute("href")
        target = f"{live_server.url}{href}"
        with page.expect_response(
            lambda response, target=target: (
                response.url == target and response.request.is_navigation_request()
            )
        ) as opened:
            link.click()
        page.wait_for_load_state("load")
        assert opened.value.status == 200, f"{label} ({href}) answered {opened.value.status}"
        assert page.url == target, f"{label} ended on {page.url}, not {target}"
        current = page.locator("nav.mainnav a[aria-current=page]")
        assert current.all_inner_texts() == [label], f"{label} is not marked as the current page"
        assert page.locator("main h1").count() >= 1, f"{label} ({href}) shows no heading"
        assert links.all_inner_texts() == EXPECTED_NAV[role], f"navigation changed on {href}"
    assert not browser_errors, browser_errors
