"""Fixtures of the assistant's tests: a scripted answerer standing in for the model."""

from __future__ import annotations

import pytest

from assistant import services
from assistant.answers import Answer, AnswerMode, Source, ToolRun


class ScriptedAnswerer:
    """Answers every question with ``answer``, streaming ``chunks`` first; records calls."""

    def __init__(self) -> None:
        self.answer = Answer(
            text="12 SKUs will run out next week.",
            mode=AnswerMode.FALLBACK,
            notice="No model server answered.",
            sources=(Source(label="Replenishment", url="/inventory/"),),
            tool_runs=(ToolRun(tool="stockouts", arguments={"weeks": 1}, ok=True),),
        )
        self.chunks: list[str] = []
        self.calls: list[dict] = []
        self.during: list = []

    def __call__(self, *, user, question, on_text=None) -> Answer:
        self.calls.append({"user": user, "question": question})
        for chunk in self.chunks:
            if on_text is not None:
                on_text(chunk)
            for check in self.during:
                check()
        return self.answer


@pytest.fixture
def answerer(monkeypatch) -> ScriptedAnswerer:
    scripted = ScriptedAnswerer()
    monkeypatch.setattr(services, "answer_question", scripted)
    return scripted
