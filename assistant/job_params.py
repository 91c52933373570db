"""The typed parameters of the assistant's job kinds (answers and summaries)."""

from __future__ import annotations

from dataclasses import dataclass

from jobs.registry import JobParams

ANSWER_KIND = "assistant_answer"
SUMMARY_KIND = "assistant_summary"

SUMMARY_SUBJECTS = {
    "forecast": "What drives a forecast series",
    "alert": "An alert explained",
    "pilot": "A pilot's KPIs",
    "briefing": "Briefing for the S&OP meeting",
}
# Subjects that name one object (a series is a store and a SKU; the others an id).
SUBJECTS_WITH_OBJECT = {"forecast", "alert", "pilot"}


@dataclass(frozen=True)
class AnswerParams(JobParams):
    """Which stored question to answer."""

    message_id: int

    def __post_init__(self) -> None:
        if not isinstance(self.message_id, int) or self.message_id < 1:
            raise ValueError("message_id must be a positive id")


@dataclass(frozen=True)
class SummaryParams(JobParams):
    """What to summarise: a subject and, except for the briefing, the object(s) it names."""

    subject: str
    object_id: int | None = None
    sku_id: int | None = None

    def __post_init__(self) -> None:
        if self.subject not in SUMMARY_SUBJECTS:
            raise ValueError(f"unknown summary subject {self.subject!r}")
        if self.subject in SUBJECTS_WITH_OBJECT and not self.object_id:
            raise ValueError(f"a {self.subject} summary needs the object it is about")
        if self.subject == "forecast" and not self.sku_id:
            raise ValueError("a forecast summary needs a store and a SKU")
