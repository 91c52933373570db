"""One way to hand a table to a person's spreadsheet: CSV or XLSX of exactly the rows shown.

Every page that exports (lists, the explorer, accuracy) builds its rows from the same scoped
selector that fills the page and passes them here, so an export can hold neither more rows
than the page nor a live formula: every text cell goes through ``neutralise_formula``.
Column labels carry the unit or currency (``Forecast (units)``, ``Revenue (EUR)``), because a
spreadsheet has nowhere else to say it.
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.http import HttpResponse

from exports.formula_safety import neutralise_formula

FORMATS = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@dataclass(frozen=True)
class Column:
    """A column of an export: the row key it reads and the header a person sees."""

    key: str
    label: str


def _cell(value: object) -> object:
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.replace(tzinfo=None)
    if isinstance(value, float) and not math.isfinite(value):
        return None  # a missing figure is an empty cell, never "nan"
    if value is None or isinstance(value, int | float | date | bool):
        return value
    return neutralise_formula(str(value))


def _values(row: Mapping[str, object] | Sequence[object], columns: Sequence[Column]) -> list:
    if isinstance(row, Mapping):
        return [_cell(row.get(column.key)) for column in columns]
    return [_cell(value) for value in row]


def _csv_bytes(columns: Sequence[Column], rows: Iterable) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise_formula(column.label) for column in columns])
    for row in rows:
        writer.writerow(["" if v is None else v for v in _values(row, columns)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")  # BOM: Excel reads UTF-8 names right


def _xlsx_bytes(columns: Sequence[Column], rows: Iterable, sheet: str) -> bytes:
    """XlsxWriter, not openpyxl: it writes a 100,000-row sheet in seconds where openpyxl
    without lxml takes most of a minute. Text is never read as a formula or a link."""
    out = io.BytesIO()
    workbook = xlsxwriter.Workbook(
        out,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "default_date_format": "yyyy-mm-dd",
            "remove_timezone": True,
        },
    )
    worksheet = workbook.add_worksheet(re.sub(r"[\[\]:*?/\\]", " ", sheet)[:31] or "Sheet")
    header = workbook.add_format({"bold": True})
    worksheet.write_row(0, 0, [neutralise_formula(column.label) for column in columns], header)
    worksheet.freeze_panes(1, 0)
    for index, row in enumerate(rows, start=1):
        worksheet.write_row(index, 0, _values(row, columns))
    workbook.close()
    return out.getvalue()


def table_export(
    *,
    filename: str,
    columns: Sequence[Column],
    rows: Iterable[Mapping[str, object] | Sequence[object]],
    fmt: str,
) -> HttpResponse:
    """A download of ``rows`` (mappings keyed by ``Column.key``, or sequences in column
    order) as ``fmt`` ("csv" or "xlsx"), named ``filename`` plus the extension."""
    if fmt not in FORMATS:
        raise ValueError(f"Unknown export format {fmt!r}: use csv or xlsx.")
    safe_name = re.sub(r"[^A-Za-z0-9_.-]+", "-", filename).strip("-") or "export"
    if fmt == "csv":
        body = _csv_bytes(columns, rows)
    else:
        body = _xlsx_bytes(columns, rows, sheet=safe_name)
    response = HttpResponse(body, content_type=FORMATS[fmt])
    response["Content-Disposition"] = f'attachment; filename="{safe_name}.{fmt}"'
    return response
