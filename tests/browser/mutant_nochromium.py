from pathlib import Path

import pytest

import tests.browser.conftest as browser_conftest

browser_conftest.CHROMIUM = Path("/nonexistent/chromium")


@pytest.mark.browser
def test_needs_browser(page):
    pass
