"""What of the assistant a user may read: their own conversations; admins read everyone's."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db.models import Count, QuerySet

from accounts.roles import ADMIN_ROLES, has_role
from assistant.job_params import SUMMARY_KIND
from assistant.models import Conversation, Message
from jobs.models import JobRun

RECENT_SUMMARIES = 20


def conversations_visible(*, user: User) -> QuerySet[Conversation]:
    """The conversations ``user`` may read, newest first, with their question count."""
    conversations = Conversation.objects.select_related("user").annotate(
        questions=Count("messages")
    )
    if has_role(user, *ADMIN_ROLES):
        return conversations
    return conversations.filter(user=user)


def messages_visible(*, user: User) -> QuerySet[Message]:
    messages = Message.objects.select_related("conversation__user")
    if has_role(user, *ADMIN_ROLES):
        return messages
    return messages.filter(conversation__user=user)


def conversation_messages(*, conversation: Conversation) -> QuerySet[Message]:
    return conversation.messages.all()


def summaries_of(*, user: User, limit: int = RECENT_SUMMARIES) -> list[JobRun]:
    """The summary jobs ``user`` started, newest first (a summary is its job's result)."""
    return list(JobRun.objects.filter(kind=SUMMARY_KIND, created_by=user).order_by("-pk")[:limit])


def summary_of(*, user: User, pk: int) -> JobRun | None:
    """A summary its author may read, and admins (who see every job) too."""
    summaries = JobRun.objects.filter(kind=SUMMARY_KIND, pk=pk)
    if not has_role(user, *ADMIN_ROLES):
        summaries = summaries.filter(created_by=user)
    return summaries.first()


def summary_exists(*, pk: int) -> bool:
    return JobRun.objects.filter(kind=SUMMARY_KIND, pk=pk).exists()


def conversation_exists(*, pk: int) -> bool:
    """Whether a conversation exists at all (someone else's answers 403, none 404)."""
    return Conversation.objects.filter(pk=pk).exists()


def message_exists(*, pk: int) -> bool:
    return Message.objects.filter(pk=pk).exists()
