"""Every request runs in an audit context: its user and a request id for every change it makes."""

from __future__ import annotations

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from audit.context import audit_context, new_request_id

REQUEST_ID_HEADERS = ("HTTP_X_REQUEST_ID", "HTTP_X_CORRELATION_ID")
RESPONSE_HEADER = "X-Request-ID"
# A caller's id is echoed back in a header and stored: only plain tokens are taken as given.
ACCEPTED_REQUEST_ID = re.compile(r"[A-Za-z0-9._:@/+=-]{1,64}")


def request_id_of(request: HttpRequest) -> str:
    """The caller's request or correlation id when it sent a usable one, else a new id."""
    for header in REQUEST_ID_HEADERS:
        given = request.META.get(header, "").strip()
        if ACCEPTED_REQUEST_ID.fullmatch(given):
            return given
    return new_request_id()


class AuditContextMiddleware:
    """Sets the audit context for the view and echoes the request id in the response, so a
    caller (or a proxy's log) can find the audit entries of its request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_of(request)
        with audit_context(actor=lambda: getattr(request, "user", None), request_id=request_id):
            response = self.get_response(request)
        response[RESPONSE_HEADER] = request_id
        return response
