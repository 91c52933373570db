"""Conversations with the assistant, kept per user (question, tools run, answer).

A conversation is visible to its owner and to admins, and deletable by its owner.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Conversation(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assistant_conversations"
    )
    title = models.CharField(max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-updated_at"]

    def __str__(self) -> str:
        return self.title


class MessageStatus(models.TextChoices):
    PENDING = "pending", "Waiting"
    STREAMING = "streaming", "Being written"
    DONE = "done", "Done"
    FAILED = "failed", "Failed"


class Message(models.Model):
    """One question and its answer. ``answer`` grows while the answer streams."""

    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    question = models.TextField()
    answer = models.TextField(blank=True)
    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    mode = models.CharField(
        max_length=12, blank=True, help_text="'model' (the LLM through tools) or 'fallback'."
    )
    notice = models.CharField(
        max_length=300, blank=True, help_text="Why the fallback answered, shown to the user."
    )
    tool_runs = models.JSONField(default=list, blank=True)
    sources = models.JSONField(default=list, blank=True)
    chart = models.JSONField(null=True, blank=True, help_text="A validated chart specification.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self) -> str:
        return self.question[:80]
