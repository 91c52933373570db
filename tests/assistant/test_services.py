"""Asking, answering as a job, the hourly limit, and who may continue or delete what."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.utils import timezone

from assistant import services
from assistant.answers import Answer, AnswerMode
from assistant.job_params import ANSWER_KIND
from assistant.models import Conversation, Message, MessageStatus
from assistant.selectors import conversations_visible, messages_visible
from assistant.services import (
    MAX_QUESTION_CHARS,
    AssistantRefused,
    conversation_ask,
    conversation_delete,
)
from jobs.models import JobRun, JobStatus

pytestmark = pytest.mark.django_db


def test_a_question_is_stored_and_answered_by_a_job(planner, answerer):
    message = conversation_ask(user=planner, question="  Which SKUs run out next week?  ")

    message.refresh_from_db()
    assert message.question == "Which SKUs run out next week?"
    assert message.conversation.user == planner
    assert message.conversation.title == "Which SKUs run out next week?"
    assert message.status == MessageStatus.DONE
    assert message.answer == "12 SKUs will run out next week."
    assert message.mode == AnswerMode.FALLBACK
    assert message.notice == "No model server answered."
    assert message.sources == [{"label": "Replenishment", "url": "/inventory/"}]
    assert message.tool_runs == [
        {"tool": "stockouts", "arguments": {"weeks": 1}, "ok": True, "summary": ""}
    ]
    assert message.finished_at is not None
    assert answerer.calls == [{"user": planner, "question": "Which SKUs run out next week?"}]
    job = JobRun.objects.get(kind=ANSWER_KIND)
    assert job.status == JobStatus.SUCCEEDED
    assert job.created_by == planner
    assert job.params == {"message_id": message.pk}


def test_the_answer_is_saved_while_it_streams(planner, answerer, monkeypatch):
    monkeypatch.setattr(services, "STREAM_SAVE_INTERVAL_S", 0)
    answerer.chunks = ["Twelve ", "SKUs ", "run out."]
    seen: list[tuple[str, str]] = []
    answerer.during = [lambda: seen.append(Message.objects.values_list("status", "answer").get())]

    conversation_ask(user=planner, question="Which SKUs run out?")

    assert seen == [
        (MessageStatus.STREAMING, "Twelve "),
        (MessageStatus.STREAMING, "Twelve SKUs "),
        (MessageStatus.STREAMING, "Twelve SKUs run out."),
    ]


def test_saves_while_streaming_are_throttled(planner, answerer, monkeypatch):
    monkeypatch.setattr(services, "STREAM_SAVE_INTERVAL_S", 3600)
    answerer.chunks = ["a", "b", "c"]
    seen: list[str] = []
    answerer.during = [lambda: seen.append(Message.objects.values_list("answer", flat=True).get())]

    conversation_ask(user=planner, question="q")

    assert seen == ["a", "a", "a"]  # the first chunk is saved at once, then not for an hour


def test_a_chart_answer_keeps_its_spec(planner, answerer):
    chart = {"measure": "sales_units", "group_by": "region"}
    answerer.answer = Answer(text="The chart.", mode=AnswerMode.MODEL, chart=chart)

    message = conversation_ask(user=planner, question="weekly sales by region")

    message.refresh_from_db()
    assert message.chart == chart
    assert message.mode == AnswerMode.MODEL


def test_a_failing_answer_marks_the_message_failed(planner, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "answer_question", broken)

    message = conversation_ask(user=planner, question="q")

    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED
    assert "could not be finished" in message.notice
    assert JobRun.objects.get(kind=ANSWER_KIND).status == JobStatus.FAILED


def test_a_second_question_continues_the_conversation(planner, answerer):
    first = conversation_ask(user=planner, question="first")
    second = conversation_ask(user=planner, question="second", conversation=first.conversation)

    assert second.conversation == first.conversation
    assert list(first.conversation.messages.values_list("question", flat=True)) == [
        "first",
        "second",
    ]


def test_only_the_owner_continues_a_conversation(planner, admin_user, answerer):
    message = conversation_ask(user=planner, question="mine")

    with pytest.raises(AssistantRefused, match="Only the person"):
        conversation_ask(user=admin_user, question="theirs", conversation=message.conversation)
    assert Message.objects.count() == 1


@pytest.mark.parametrize("question", ["", "   "])
def test_an_empty_question_is_refused(planner, answerer, question):
    with pytest.raises(AssistantRefused, match="Write a question"):
        conversation_ask(user=planner, question=question)
    assert not Conversation.objects.exists()


def test_a_long_question_is_refused(planner, answerer):
    with pytest.raises(AssistantRefused, match="the limit is 2,000"):
        conversation_ask(user=planner, question="x" * (MAX_QUESTION_CHARS + 1))
    assert not Message.objects.exists()
    assert answerer.calls == []


def test_the_hourly_limit_refuses_the_next_question(planner, executive, answerer, settings):
    settings.ASSISTANT_QUESTIONS_PER_HOUR = 2
    conversation_ask(user=planner, question="one")
    conversation_ask(user=planner, question="two")

    with pytest.raises(AssistantRefused, match=r"as allowed \(2\)"):
        conversation_ask(user=planner, question="three")
    assert Message.objects.filter(conversation__user=planner).count() == 2
    # The limit is per user.
    conversation_ask(user=executive, question="mine")


def test_questions_older_than_an_hour_do_not_count(planner, answerer, settings):
    settings.ASSISTANT_QUESTIONS_PER_HOUR = 1
    old = conversation_ask(user=planner, question="yesterday")
    Message.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=61))

    conversation_ask(user=planner, question="today")

    assert Message.objects.count() == 2


def test_the_owner_deletes_a_conversation_with_its_messages(planner, answerer):
    message = conversation_ask(user=planner, question="q")

    conversation_delete(user=planner, conversation=message.conversation)

    assert not Conversation.objects.exists()
    assert not Message.objects.exists()


def test_an_admin_cannot_delete_anothers_conversation(planner, admin_user, answerer):
    message = conversation_ask(user=planner, question="q")

    with pytest.raises(AssistantRefused):
        conversation_delete(user=admin_user, conversation=message.conversation)
    assert Conversation.objects.count() == 1


def test_users_see_their_own_conversations_and_admins_all(planner, executive, admin_user, answerer):
    mine = conversation_ask(user=planner, question="mine").conversation
    theirs = conversation_ask(user=executive, question="theirs").conversation

    assert list(conversations_visible(user=planner)) == [mine]
    assert list(conversations_visible(user=executive)) == [theirs]
    assert set(conversations_visible(user=admin_user)) == {mine, theirs}
    assert list(messages_visible(user=planner).values_list("question", flat=True)) == ["mine"]


def test_a_limit_of_zero_switches_asking_off(planner, answerer, settings):
    settings.ASSISTANT_QUESTIONS_PER_HOUR = 0

    with pytest.raises(AssistantRefused, match="switched off"):
        conversation_ask(user=planner, question="q")
