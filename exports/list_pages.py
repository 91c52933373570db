"""A list page: a django-filter form over a django-tables2 table, sorted and paginated, whose
export links download exactly the filtered rows in the order shown.

The page and its downloads are one view answering the same URL (``?export=csv`` or
``?export=xlsx`` added to the filters and sort on screen), so the download is built from the
very table that fills the page: same scoped rows, same filters, same order. It holds every
filtered row, not just the current page of them, and the buttons say so.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import django_tables2 as tables
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render

from exports.tables import FORMATS, Column, table_export

PER_PAGE = 50

# A spreadsheet past this many rows is no longer read by a person; narrowing the filters is.
EXPORT_MAX_ROWS = 100_000


@dataclass(frozen=True)
class ListExport:
    """How a list page's rows become a download: its file name, its columns and either a
    ``row`` builder applied to each record of the table, or, for long lists of a queryset,
    the ``values`` to read straight from the table's filtered and ordered queryset (one dict
    per row, keyed as the columns are: no model objects built for tens of thousands of rows).
    """

    filename: str
    columns: Sequence[Column]
    row: Callable[[Any], Mapping[str, object]] | None = None
    values: tuple[str, ...] = ()

    def rows(self, table: tables.Table) -> Iterable[Mapping[str, object]]:
        if self.values:
            return table.data.data.values(*self.values).iterator(chunk_size=5000)
        return (self.row(record) for record in table.data)


def _row_count(table: tables.Table) -> int:
    """Rows of an unpaginated table, counted by the database for a queryset (django-tables2
    would load every row to count them)."""
    data = table.data.data
    return data.count() if isinstance(data, QuerySet) else len(data)


def list_page(
    request: HttpRequest,
    *,
    filterset: Any,
    table: tables.Table,
    export: ListExport,
    template: str,
    context: Mapping[str, object] | None = None,
    per_page: int = PER_PAGE,
) -> HttpResponse:
    """The page of ``table`` (built on ``filterset``'s rows), or its download when the query
    asks for ``export``; an unknown format or an oversized download is refused with a reason."""
    fmt = request.GET.get("export")
    paginate = False if fmt is not None else {"per_page": per_page}
    tables.RequestConfig(request, paginate=paginate).configure(table)
    if fmt is not None:
        if fmt not in FORMATS:
            return HttpResponseBadRequest(f"Unknown export format {fmt!r}: use csv or xlsx.")
        count = _row_count(table)
        if count > EXPORT_MAX_ROWS:
            return HttpResponseBadRequest(
                f"{count:,} rows match: a download holds at most "
                f"{EXPORT_MAX_ROWS:,}. Narrow the filters and export again."
            )
        rows = export.rows(table)
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
