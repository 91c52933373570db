"""Asking the assistant and keeping the conversation: rate limit, persistence, the answer job.

A question is stored first and answered by a job (``assistant_answer``), so a slow model never
holds a web request: the job writes ``Message.answer`` as the text streams (throttled saves)
and the mode, notice, tools run, sources and chart at the end. The page polls the message.
"""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from accounts.roles import ADMIN_ROLES, has_role
from assistant.answering import answer_question
from assistant.answers import Answer
from assistant.job_params import ANSWER_KIND, SUMMARY_KIND, AnswerParams, SummaryParams
from assistant.models import Conversation, Message, MessageStatus
from jobs.models import JobRun
from jobs.services import job_start

MAX_QUESTION_CHARS = 2000
TITLE_CHARS = 80
# The streamed answer is saved at most this often; the page polls about as often.
STREAM_SAVE_INTERVAL_S = 0.5


class AssistantRefused(Exception):
    """A request the assistant turns down; the message says why and what to do."""


def check_may_ask(*, user: User, question: str) -> str:
    """The question, stripped, if ``user`` may ask it now; else ``AssistantRefused``."""
    question = (question or "").strip()
    if not question:
        raise AssistantRefused("Write a question first.")
    if len(question) > MAX_QUESTION_CHARS:
        raise AssistantRefused(
            f"The question is {len(question):,} characters long; the limit is "
            f"{MAX_QUESTION_CHARS:,}. Ask about one thing at a time."
        )
    limit = settings.ASSISTANT_QUESTIONS_PER_HOUR
    if limit <= 0:
        raise AssistantRefused("Questions to the assistant are switched off on this server.")
    since = timezone.now() - timedelta(hours=1)
    recent = Message.objects.filter(conversation__user=user, created_at__gte=since)
    if recent.count() >= limit:
        oldest = recent.order_by("created_at").values_list("created_at", flat=True).first()
        again = timezone.localtime(oldest + timedelta(hours=1)).strftime("%H:%M")
        raise AssistantRefused(
            f"You have asked as many questions in the last hour as allowed ({limit}); "
            f"ask again after {again}."
        )
    return question


@transaction.atomic
def conversation_ask(
    *, user: User, question: str, conversation: Conversation | None = None
) -> Message:
    """Store ``question`` (in ``conversation``, or a new one) and start its answer as a job.

    The user's row is locked while counting, so two questions sent at once cannot both slip
    under the hourly limit. Only the owner may add to a conversation.
    """
    User.objects.select_for_update().filter(pk=user.pk).first()
    question = check_may_ask(user=user, question=question)
    if conversation is None:
        conversation = Conversation.objects.create(user=user, title=_title(question))
    elif conversation.user_id != user.pk:
        raise AssistantRefused("Only the person who started a conversation can continue it.")
    else:
        conversation.save(update_fields=["updated_at"])
    message = Message.objects.create(conversation=conversation, question=question)
    job_start(kind=ANSWER_KIND, params=AnswerParams(message_id=message.pk), actor=user)
    message.refresh_from_db()
    return message


def _title(question: str) -> str:
    line = " ".join(question.split())
    return line if len(line) <= TITLE_CHARS else line[: TITLE_CHARS - 1] + "…"


@transaction.atomic
def conversation_delete(*, user: User, conversation: Conversation) -> None:
    """Delete a conversation and its messages; only its owner may (admins read, not delete)."""
    if conversation.user_id != user.pk:
        raise AssistantRefused("Only the person who started a conversation can delete it.")
    conversation.delete()


def may_see_conversation(*, user: User, conversation: Conversation) -> bool:
    return conversation.user_id == user.pk or has_role(user, *ADMIN_ROLES)


class _StreamedAnswer:
    """Collects streamed chunks and saves the text so far, at most every interval."""

    def __init__(self, message_id: int) -> None:
        self.message_id = message_id
        self.parts: list[str] = []
        self._saved_at: float | None = None  # the first chunk is saved at once

    def __call__(self, chunk: str) -> None:
        self.parts.append(chunk)
        now = time.monotonic()
        if self._saved_at is None or now - self._saved_at >= STREAM_SAVE_INTERVAL_S:
            self._saved_at = now
            Message.objects.filter(pk=self.message_id).update(
                answer="".join(self.parts), status=MessageStatus.STREAMING
            )


def message_answer_record(*, message_id: int, answer: Answer) -> None:
    """Store a finished answer on its message."""
    stored = answer.as_dict()
    Message.objects.filter(pk=message_id).update(
        answer=stored["text"],
        status=MessageStatus.DONE,
        mode=stored["mode"],
        notice=stored["notice"][:300],
        tool_runs=stored["tool_runs"],
        sources=stored["sources"],
        chart=stored["chart"],
        finished_at=timezone.now(),
    )


def message_answer_work(job: JobRun, params: AnswerParams, progress) -> dict[str, Any]:
    """The work of an answer job: answer as the asking user (their scope), streaming."""
    message = Message.objects.select_related("conversation__user").get(pk=params.message_id)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.STREAMING)
    streamed = _StreamedAnswer(message.pk)
    try:
        answer = answer_question(
            user=message.conversation.user, question=message.question, on_text=streamed
        )
    except BaseException:
        Message.objects.filter(pk=message.pk).update(
            answer="".join(streamed.parts),
            status=MessageStatus.FAILED,
            notice="The answer could not be finished; the job's page has the error.",
            finished_at=timezone.now(),
        )
        raise
    message_answer_record(message_id=message.pk, answer=answer)
    progress(100, "answered")
    return {"message": message.pk, "mode": answer.mode, "sources": len(answer.sources)}


def summary_start(*, user: User, params: SummaryParams) -> JobRun:
    """Start a summary job; it reads in the scope of ``user``, who started it."""
    return job_start(kind=SUMMARY_KIND, params=params, actor=user)
