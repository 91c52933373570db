"""Who is acting, and under which request id: carried in a context variable, not in arguments.

The entry points set it: the middleware for every request, the job runner for every job, a
management command for its run. Services and the audit receivers read it, so no service
needs the HTTP request to know who changed what. Outside any context (migrations, fixtures,
a bare shell) nothing is acting on someone's behalf, and model changes are not recorded.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

# A request's user is read when a change is recorded, not when the request starts: the REST
# framework authenticates a token inside the view, after every middleware has run.
Actor = AbstractBaseUser | AnonymousUser | Callable[[], AbstractBaseUser | AnonymousUser | None]


@dataclass(frozen=True)
class AuditContext:
    actor: Actor | None
    request_id: str


_current: ContextVar[AuditContext | None] = ContextVar("audit_context", default=None)


def new_request_id() -> str:
    return uuid.uuid4().hex


@contextmanager
def audit_context(
    *, actor: Actor | None = None, request_id: str | None = None
) -> Iterator[AuditContext]:
    """Attribute the changes made inside the block to ``actor`` under ``request_id``.

    Without a ``request_id`` an enclosing context's id is kept (one request, one id), else a
    new one is made. The previous context comes back on exit, also when the block raises.
    """
    outer = _current.get()
    if request_id is None:
        request_id = outer.request_id if outer is not None else new_request_id()
    context = AuditContext(actor=actor, request_id=request_id)
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def current_context() -> AuditContext | None:
    return _current.get()


def current_actor() -> AbstractBaseUser | None:
    """The signed-in user acting now; None for anonymous requests, system jobs and no context."""
    context = _current.get()
    actor = context.actor if context is not None else None
    if callable(actor):
        actor = actor()
    if actor is None or not actor.is_authenticated:
        return None
    return actor


def current_request_id() -> str:
    context = _current.get()
    return context.request_id if context is not None else ""
