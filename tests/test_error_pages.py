"""Error pages for people: the site's look with a way home, no debug details, and a refused
request logged as one line. Tests run with DEBUG off, as ``make run`` serves."""

import logging

import pytest
from django.db import OperationalError, connections
from django.test import Client
from django.urls import reverse

DEBUG_MARKERS = ("Traceback", "URLconf", "urlpatterns", "settings.py", "DEBUG = True")


def _assert_site_page(page: str) -> None:
    assert 'class="topbar"' in page and "css/app" in page
    assert 'href="/"' in page  # the way home
    for marker in DEBUG_MARKERS:
        assert marker not in page


def test_a_wrong_url_shows_the_styled_404_with_navigation(client, planner):
    client.force_login(planner)
    response = client.get("/no-such-page/")
    page = response.content.decode()
    assert response.status_code == 404
    assert "There is no page at this address" in page
    assert 'class="mainnav"' in page  # the signed-in user keeps the site's navigation
    _assert_site_page(page)


def test_a_refused_page_shows_the_styled_403(client, executive):
    client.force_login(executive)
    response = client.get(reverse("accounts:users"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "Your role does not open this page" in page
    assert "<strong>executive</strong> role" in page
    _assert_site_page(page)


def test_a_403_is_logged_as_one_line_without_traceback(client, executive, caplog):
    client.force_login(executive)
    path = reverse("accounts:users")
    with caplog.at_level(logging.INFO):
        client.get(path)
    records = [r for r in caplog.records if path in r.getMessage()]
    assert len(records) == 1, [r.getMessage() for r in records]
    (record,) = records
    assert (record.name, record.levelname, record.status_code) == ("django.request", "WARNING", 403)
    assert record.exc_info is None
    assert "\n" not in logging.Formatter("%(levelname)s %(name)s: %(message)s").format(record)


def test_django_loggers_print_through_the_root_handler_only():
    """Django's own console handler on the ``django`` logger printed every django.* record a
    second time when DEBUG was on."""
    assert logging.getLogger("django").handlers == []
    assert logging.getLogger("django.request").handlers == []
    assert len(logging.getLogger().handlers) >= 1


def test_a_500_renders_even_when_the_database_is_down(planner, monkeypatch):
    """Every query fails, from the session look-up on: the page needs no database and no
    request context (Django renders it without the context processors)."""
    client = Client(raise_request_exception=False)
    client.force_login(planner)

    def broken(*args, **kwargs):
        raise OperationalError("connection to server failed: the database is down")

    with monkeypatch.context() as patch:
        patch.setattr(type(connections["default"]), "cursor", broken)
        response = client.get(reverse("home"))
    page = response.content.decode()
    assert response.status_code == 500
    assert "Something went wrong on our side" in page
    assert "database is down" not in page and "OperationalError" not in page
    _assert_site_page(page)


def test_a_malformed_request_shows_the_styled_400(client):
    response = client.get("/", HTTP_HOST="bad host name")
    page = response.content.decode()
    assert response.status_code == 400
    assert "This request could not be understood" in page
    _assert_site_page(page)


@pytest.mark.parametrize("with_cookie", [True, False])
def test_a_form_without_a_valid_token_shows_the_styled_csrf_page(planner, with_cookie):
    client = Client(enforce_csrf_checks=True)
    client.force_login(planner)
    if with_cookie:
        client.get(reverse("home"))  # the page sets the CSRF cookie; the form omits the token
    response = client.post(reverse("logout"))
    page = response.content.decode()
    assert response.status_code == 403
    assert "This form could not be accepted" in page
    assert "Nothing was changed" in page
    _assert_site_page(page)
