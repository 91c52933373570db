"""A wrong URL under ``make run``'s settings: the site's styled 404, never Django's debug page.

The server is the one ``make run`` starts (``manage.py runserver`` with
``sop_site.settings.run``: DEBUG off, static files collected and served by WhiteNoise under
hashed names), in a process of its own on the test database.
"""

from __future__ import annotations

import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.db import connection

from sop_site.database_url import database_url
from tests.conftest import PASSWORD
from tests.factories import UserFactory

STARTUP_TIMEOUT_S = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_serving(url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"The server exited ({process.returncode}):\n{log.read_text()[-4000:]}")
        try:
            urllib.request.urlopen(url, timeout=5)
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.5)
    pytest.fail(f"The server did not answer within {STARTUP_TIMEOUT_S} s")


@pytest.fixture
def run_server(transactional_db, tmp_path) -> Iterator[str]:
    """``make run``'s web server on the test database; yields its base URL."""
    if connection.vendor != "postgresql":
        pytest.skip("A server process can only share the test database on PostgreSQL.")
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_SETTINGS_MODULE": "sop_site.settings.run",
        "DATABASE_URL": database_url(connection.settings_dict),
        "DJANGO_STATIC_ROOT": str(tmp_path / "staticfiles"),
        "DJANGO_SECRET_KEY": secrets.token_urlsafe(50),
    }
    manage = [sys.executable, "manage.py"]
    subprocess.run(
        [*manage, "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=settings.BASE_DIR,
        env=env,
        check=True,
        timeout=STARTUP_TIMEOUT_S,
    )
    port, log = _free_port(), tmp_path / "server.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*manage, "runserver", f"127.0.0.1:{port}", "--noreload"],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(f"{url}/login/", process, log)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=20)


@pytest.mark.browser
def test_a_wrong_url_shows_the_styled_404_under_make_run(run_server, page, browser_errors):
    user = UserFactory(username="lost-planner", role="planner")
    # The test settings hash with MD5, which the served settings do not accept.
    hasher = Argon2PasswordHasher()
    user.password = hasher.encode(PASSWORD, hasher.salt())
    user.save(update_fields=["password"])
    page.goto(f"{run_server}/login/")
    page.fill("#id_username", "lost-planner")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()
    assert "/login/" not in page.url, "the log-in failed"

    response = page.goto(f"{run_server}/no-such-page/")

    assert response is not None and response.status == 404
    assert page.title() == "Page not found · S&OP Platform"
    assert page.get_by_role("heading", name="There is no page at this address").is_visible()
    content = page.content()
    assert "URLconf" not in content and "Traceback" not in content
    # The stylesheet arrived (WhiteNoise, hashed name): the top bar is drawn, not bare HTML.
    stylesheet = page.locator("link[rel=stylesheet]").get_attribute("href")
    assert stylesheet.startswith("/static/css/app.") and stylesheet != "/static/css/app.css"
    topbar = page.locator("header.topbar").evaluate("e => getComputedStyle(e).display")
    assert topbar == "flex"
    assert page.locator("nav.mainnav a").all_inner_texts()[0] == "Home"
    page.get_by_role("link", name="Go to your home page").click()
    page.wait_for_url(f"{run_server}/")
    # The only console error is the document's own 404 status: no missing file, no CSP error.
    assert browser_errors == [
        "console: Failed to load resource: the server responded with a status of 404 (Not Found)"
    ]
