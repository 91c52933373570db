"""The board pack downloads of a pilot: a PDF rendered on the server and an XLSX workbook.

Whoever reads the pilot pages reads the pack: admins and executives, company-wide.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.views.decorators.http import require_GET

from accounts.roles import role_required
from pilots.board_pack import board_pack_build, board_pack_pdf, board_pack_xlsx
from pilots.models import PILOT_READER_ROLES
from pilots.selectors import pilot_get

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _pack(request, pk: int):
    pilot = pilot_get(pk=pk, scope=request.scope)
    if pilot is None:
        raise Http404("No such pilot.")
    return board_pack_build(pilot=pilot)


def _download(body: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
@role_required(*PILOT_READER_ROLES)
def board_pack_pdf_view(request, pk: int) -> HttpResponse:
    pack = _pack(request, pk)
    return _download(board_pack_pdf(pack), "application/pdf", f"{pack.filename}.pdf")


@require_GET
@role_required(*PILOT_READER_ROLES)
def board_pack_xlsx_view(request, pk: int) -> HttpResponse:
    pack = _pack(request, pk)
    return _download(board_pack_xlsx(pack), XLSX, f"{pack.filename}.xlsx")
