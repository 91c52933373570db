"""A list page: a django-filter form over a django-tables2 table, sorted and paginated, whose
export links download exactly the filtered rows in the order shown.

The page and its downloads are one view answering the same URL (``?export=csv`` or
``?export=xlsx`` added to the filters and sort on screen), so the download is built from the
very table that fills the page: same scoped rows, same filters, same order. It holds every
filtered row, not just the current page of them, and the buttons say so.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from exports.tables import FORMATS, Column, table_export

PER_PAGE = 50

# A spreadsheet past this many rows is no longer read by a person; narrowing the filters is.
EXPORT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class ListExport:
    """How a list page's rows become a download: its file name, columns and row builder."""

    filename: str
    columns: Sequence[Column]
    row: Callable[[Any], Mapping[str, object]]


def list_page(
    request: HttpRequest,
    *,
    filterset: Any,
    table: tables.Table,
    export: ListExport,
    template: str,
    context: Mapping[str, object] | None = None,
) -> HttpResponse:
    """The page of ``table`` (built on ``filterset``'s rows), or its download when the query
    asks for ``export``; an unknown format or an oversized download is refused with a reason."""
    fmt = request.GET.get("export")
    paginate = False if fmt is not None else {"per_page": PER_PAGE}
    tables.RequestConfig(request, paginate=paginate).configure(table)
    if fmt is not None:
        if fmt not in FORMATS:
            return HttpResponseBadRequest(f"Unknown export format {fmt!r}: use csv or xlsx.")
        if len(table.data) > EXPORT_MAX_ROWS:
            return HttpResponseBadRequest(
                f"{len(table.data):,} rows match: a download holds at most "
                f"{EXPORT_MAX_ROWS:,}. Narrow the filters and export again."
            )
        rows = (export.row(record) for record in table.data)
        return table_export(filename=export.filename, columns=export.columns, rows=rows, fmt=fmt)
    query = request.GET.copy()
    query.pop("page", None)
    export_urls = {}
    for name in FORMATS:
        query["export"] = name
        export_urls[name] = f"?{query.urlencode()}"
    page_context = {
        "filter": filterset,
        "table": table,
        "row_count": table.paginator.count,
        "export_urls": export_urls,
        "export_max_rows": EXPORT_MAX_ROWS,
        **(context or {}),
    }
    return render(request, template, page_context)
