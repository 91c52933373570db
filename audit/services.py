"""Writing the audit log. Entries are written inside the transaction of the change, so an
entry exists exactly when the change was committed.

Changes of audited models are recorded by ``audit.receivers`` without any call; services
call ``audit_record`` only for what is not one model change (an import batch, a rejected
import). Who acted and the request id come from the audit context (``audit.context``).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from audit.context import current_actor, current_request_id
from audit.models import AuditEntry
from audit.registry import json_safe


def audit_record(
    *,
    action: str,
    obj_type: str,
    obj_id: str | int = "",
    obj_repr: str = "",
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    user: AbstractBaseUser | None = None,
) -> AuditEntry:
    """Append one entry: who did ``action`` to which object, and its state before and after.

    ``user`` defaults to the actor of the audit context; the request id always comes from it.
    """
    actor = user if user is not None else current_actor()
    if actor is not None and not actor.is_authenticated:
        actor = None
    return AuditEntry.objects.create(
        user=actor,
        username=actor.get_username() if actor else "",
        action=action[:40],
        object_type=obj_type[:80],
        object_id=str(obj_id)[:64],
        object_repr=str(obj_repr)[:200],
        before=json_safe(before),
        after=json_safe(after),
        request_id=current_request_id()[:64],
    )
