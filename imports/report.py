"""The report of one import: what was read, what was written, and every bad row."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

STORED_ERRORS_LIMIT = 5_000


@dataclass
class ImportReport:
    """Collects file-level and row-level problems while files are read and checked.

    Row numbers are as a spreadsheet shows them (header = row 1) for files, and the 1-based
    position in the posted list for the API. ``row`` is None for a problem with a whole file.
    ``gaps`` counts the store-periods the sales left without rows and how they are read
    (``imports.gaps``); ``notes`` say it in words.
    """

    files: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows_written: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what the import decided, e.g. the week end
    written: dict[str, int] = field(default_factory=dict)
    gaps: dict[str, Any] = field(default_factory=dict)

    @property
    def is_valid(self) -> bool:
        return not self.errors

    def file_error(self, file: str, reason: str, column: str = "") -> None:
        self.errors.append({"file": file, "row": None, "column": column, "reason": reason})

    def row_errors(self, rows: pd.DataFrame, column: str, reasons: list[str] | str) -> None:
        """One error per row of ``rows`` (a frame with ``_file`` and ``_row``)."""
        if rows.empty:
            return
        if isinstance(reasons, str):
            reasons = [reasons] * len(rows)
        self.errors.extend(
            {"file": f, "row": int(r), "column": column, "reason": reason}
            for f, r, reason in zip(rows["_file"], rows["_row"], reasons, strict=True)
        )

    def bad_rows(self) -> set[tuple[str, int]]:
        return {(e["file"], e["row"]) for e in self.errors if e["row"] is not None}

    def bad_files(self) -> set[str]:
        return {e["file"] for e in self.errors if e["row"] is None}

    def sorted_errors(self) -> list[dict[str, Any]]:
        order = {name: i for i, name in enumerate(self.files)}
        return sorted(
            self.errors,
            key=lambda e: (order.get(e["file"], len(order)), e["file"], e["row"] or 0),
        )

    def as_dict(self) -> dict[str, Any]:
        """The report as stored in ``JobRun.result`` (errors capped, with the total)."""
        errors = self.sorted_errors()
        return {
            "files": self.files,
            "rows_read": self.rows_read,
            "rows_written": self.rows_written,
            "rows_rejected": len(self.bad_rows()),
            "errors": errors[:STORED_ERRORS_LIMIT],
            "errors_total": len(errors),
            "warnings": self.warnings,
            "notes": self.notes,
            "written": self.written,
            "gaps": self.gaps,
        }
