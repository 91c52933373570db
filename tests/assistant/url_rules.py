"""Who may open the assistant's pages.

Every role asks questions and writes summaries. A conversation (its messages and charts) is
read by its owner and by admins, continued and deleted by its owner only; anyone else gets
403. Summaries are read by their author and admins. Import help and the Ollama health check
are for admins.
"""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from assistant.import_help import import_help_upload
from assistant.job_params import SUMMARY_KIND
from assistant.models import Conversation, Message, MessageStatus
from jobs.models import JobRun, JobStatus
from tests.permissions import ADMIN_ONLY, ALL_ROLES, PLANNER, PLANNING_ROLES, UrlRule

OWNER = frozenset({PLANNER})
CHART = {
    "spec": {"measure": "sales_units", "dimensions": ["week", "region"], "period": "last_4_weeks"},
    "data": {"labels": [], "series": []},
}
CSV = b"Day,Shop,Item,Units\n2025-01-06,N1,COLA,4\n"


def _conversation(user, title: str) -> Conversation:
    conversation = Conversation.objects.create(user=user, title=title)
    Message.objects.create(
        conversation=conversation,
        question="weekly sales by region",
        answer="Sales by region.",
        status=MessageStatus.DONE,
        mode="fallback",
        chart=CHART,
        finished_at=timezone.now(),
    )
    return conversation


def _summary(user) -> JobRun:
    return JobRun.objects.create(
        kind=SUMMARY_KIND,
        created_by=user,
        status=JobStatus.SUCCEEDED,
        params={"subject": "briefing"},
        result={"title": "Briefing", "text": "Nothing yet.", "mode": "fallback"},
    )


def extend_world(world) -> None:
    world["conversation_planner"] = _conversation(world["planner"], "planner's")
    world["conversation_admin"] = _conversation(world["admin"], "admin's")
    world["message_planner"] = world["conversation_planner"].messages.get()
    world["message_admin"] = world["conversation_admin"].messages.get()
    world["summary_planner"] = _summary(world["planner"])
    world["summary_admin"] = _summary(world["admin"])
    upload = SimpleUploadedFile("pos_export.csv", CSV, content_type="text/csv")
    world["import_token"] = import_help_upload(user=world["admin"], upload=upload)


def _pk(key):
    return lambda world: {"pk": world[key].pk}


MAPPING = {
    "confirm": "1",
    "kind": "sales",
    "date_format": "iso",
    "map_date": "Day",
    "map_store": "Shop",
    "map_sku": "Item",
    "map_quantity": "Units",
}

URL_RULES = [
    UrlRule("assistant:index", ALL_ROLES),
    UrlRule(
        "assistant:ask",
        ALL_ROLES,
        method="POST",
        data={"question": "How many alerts are open?"},
        status=302,
    ),
    UrlRule(
        "assistant:conversation",
        PLANNING_ROLES,
        kwargs=_pk("conversation_planner"),
        out_of_scope_kwargs=_pk("conversation_admin"),
        out_of_scope_status=403,
    ),
    UrlRule(
        "assistant:ask_more",
        OWNER,
        method="POST",
        kwargs=_pk("conversation_planner"),
        out_of_scope_kwargs=_pk("conversation_admin"),
        out_of_scope_status=403,
        data={"question": "And last year?"},
        status=302,
    ),
    UrlRule(
        "assistant:delete",
        OWNER,
        kwargs=_pk("conversation_planner"),
        out_of_scope_kwargs=_pk("conversation_admin"),
        out_of_scope_status=403,
    ),
    UrlRule(
        "assistant:delete",
        OWNER,
        method="POST",
        kwargs=_pk("conversation_planner"),
        out_of_scope_kwargs=_pk("conversation_admin"),
        out_of_scope_status=403,
        status=302,
    ),
    UrlRule(
        "assistant:message",
        PLANNING_ROLES,
        kwargs=_pk("message_planner"),
        out_of_scope_kwargs=_pk("message_admin"),
        out_of_scope_status=403,
        status=302,
    ),
    UrlRule(
        "assistant:chart",
        PLANNING_ROLES,
        kwargs=_pk("message_planner"),
        out_of_scope_kwargs=_pk("message_admin"),
        out_of_scope_status=403,
    ),
    UrlRule("assistant:summaries", ALL_ROLES),
    UrlRule(
        "assistant:summaries",
        ALL_ROLES,
        method="POST",
        data={"subject": "briefing"},
        status=302,
    ),
    UrlRule(
        "assistant:summary",
        PLANNING_ROLES,
        kwargs=_pk("summary_planner"),
        out_of_scope_kwargs=_pk("summary_admin"),
        out_of_scope_status=403,
    ),
    UrlRule("assistant:health", ADMIN_ONLY),
    UrlRule("assistant:import_help", ADMIN_ONLY),
    UrlRule(
        "assistant:import_help",
        ADMIN_ONLY,
        method="POST",
        data=lambda world: {"file": SimpleUploadedFile("pos.csv", CSV, content_type="text/csv")},
        status=302,
    ),
    UrlRule(
        "assistant:import_mapping",
        ADMIN_ONLY,
        kwargs=lambda world: {"token": world["import_token"]},
    ),
    UrlRule(
        "assistant:import_mapping",
        ADMIN_ONLY,
        method="POST",
        kwargs=lambda world: {"token": world["import_token"]},
        data=MAPPING,
        status=302,
    ),
]
