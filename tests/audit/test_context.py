"""The audit context: set by the middleware for a request, restored after it (also when the
view raises), and nested contexts keep the request id."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from audit.context import audit_context, current_actor, current_context, current_request_id
from audit.middleware import AuditContextMiddleware


def _run(request, view):
    return AuditContextMiddleware(view)(request)


def test_the_middleware_sets_the_context_for_the_view_and_clears_it(admin_user):
    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="abc-123")
    request.user = admin_user
    seen = {}

    def view(request):
        seen["actor"], seen["request_id"] = current_actor(), current_request_id()
        return HttpResponse()

    response = _run(request, view)
    assert seen == {"actor": admin_user, "request_id": "abc-123"}
    assert response["X-Request-ID"] == "abc-123"
    assert current_context() is None


def test_the_context_is_cleared_when_the_view_raises(admin_user):
    request = RequestFactory().get("/")
    request.user = admin_user

    def view(request):
        assert current_actor() == admin_user
        raise RuntimeError("the view failed")

    with pytest.raises(RuntimeError):
        _run(request, view)
    assert current_context() is None


def test_a_correlation_id_is_taken_and_an_unusable_id_replaced():
    def view(request):
        return HttpResponse(current_request_id())

    request = RequestFactory().get("/", HTTP_X_CORRELATION_ID="corr-7")
    request.user = AnonymousUser()
    assert _run(request, view)["X-Request-ID"] == "corr-7"

    request = RequestFactory().get("/", HTTP_X_REQUEST_ID="bad id <script>")
    request.user = AnonymousUser()
    response = _run(request, view)
    assert response["X-Request-ID"] != "bad id <script>"
    assert response.content.decode() == response["X-Request-ID"]
    assert len(response["X-Request-ID"]) == 32


def test_the_actor_is_read_when_a_change_is_recorded(planner):
    # The REST framework authenticates a token inside the view, after the middleware.
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    def view(request):
        assert current_actor() is None
        request.user = planner
        return HttpResponse(current_actor().username)

    assert _run(request, view).content == b"planner"


def test_every_response_carries_a_request_id(client):
    assert client.get(reverse("login"))["X-Request-ID"]


def test_a_nested_context_keeps_the_request_id_and_restores_the_outer(admin_user, planner):
    with audit_context(actor=admin_user, request_id="outer"):
        with audit_context(actor=planner):
            assert (current_actor(), current_request_id()) == (planner, "outer")
        assert current_actor() == admin_user
    assert current_context() is None and current_request_id() == ""
