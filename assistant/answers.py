"""What an answer is, whoever wrote it: the model through tools, or the template fallback.

Every number an answer states comes from a tool result; ``sources`` say which page shows it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class AnswerMode:
    """How an answer was written, shown to the user beside it."""

    MODEL = "model"
    FALLBACK = "fallback"


@dataclass(frozen=True)
class Source:
    """A page that shows numbers an answer used."""

    label: str
    url: str


@dataclass(frozen=True)
class ToolRun:
    """One read-only tool the answer ran, with the arguments it was given."""

    tool: str
    arguments: dict[str, Any]
    ok: bool
    summary: str = ""


@dataclass(frozen=True)
class Answer:
    """The answer to one question, ready to store and render (escaped)."""

    text: str
    mode: str
    sources: tuple[Source, ...] = ()
    tool_runs: tuple[ToolRun, ...] = ()
    chart: dict[str, Any] | None = None
    notice: str = field(default="")

    def as_dict(self) -> dict[str, Any]:
        """Plain JSON, as ``Message`` stores it (``sources``, ``tool_runs``, ``chart``)."""
        return {
            "text": self.text,
            "mode": self.mode,
            "notice": self.notice,
            "sources": [{"label": s.label, "url": s.url} for s in self.sources],
            "tool_runs": [
                {"tool": r.tool, "arguments": r.arguments, "ok": r.ok, "summary": r.summary}
                for r in self.tool_runs
            ],
            "chart": self.chart,
        }
