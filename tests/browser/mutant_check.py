import pytest

from tests.factories import UserFactory


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_csp_violation_is_caught(live_server, page, log_in, browser_errors):
    UserFactory(username="p", role="planner")
    log_in("p")
    page.add_script_tag(content="window.x = 1")
    page.wait_for_timeout(300)
    assert not browser_errors, browser_errors


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_nav_mismatch(live_server, page, log_in):
    UserFactory(username="p", role="planner")
    log_in("p")
    assert page.locator("nav.mainnav a").all_inner_texts() == ["Home", "Import"]
