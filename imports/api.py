"""REST API for ERP/CRM integration: post batches of sales, inventory and supply orders.

Each endpoint takes a JSON list of rows with the columns of the matching S&OP file. The
batch is all-or-nothing: 201 with the report when every row was written (or already up to
date), 400 with the report (every bad row, numbered from 1) when anything was invalid.
Admins and planners may post; a planner only for the stores and SKUs of their scope.
Sales take ``?gaps=zero`` to read a store's periods without rows as zero sales instead of
missing (``imports.gaps``).
"""

from __future__ import annotations

import io

from django.conf import settings
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import status, viewsets
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser
from rest_framework.response import Response

from accounts.roles import PLANNING_ROLES, HasRole
from imports.gaps import GAP_READINGS, READ_AS_MISSING
from imports.services import API_MAX_ROWS, import_rows

BATCH_SCHEMA = {"type": "array", "items": {"type": "object", "additionalProperties": True}}


class BoundedJSONParser(JSONParser):
    """JSON parsed only up to ``IMPORT_API_MAX_BODY_BYTES`` (DRF reads the body as a stream,
    past Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE``), and JSON whose nesting would exhaust the
    parser's recursion (``[[[[…`` 100,000 deep) is a 400 like any other malformed body."""

    def parse(self, stream, media_type=None, parser_context=None):
        limit = settings.IMPORT_API_MAX_BODY_BYTES
        body = stream.read(limit + 1) if stream is not None else b""
        if len(body) > limit:
            raise ParseError(f"The request body is larger than the {limit:,} bytes allowed.")
        try:
            return super().parse(io.BytesIO(body), media_type, parser_context)
        except RecursionError as exc:
            raise ParseError("JSON parse error - the document is nested too deeply") from exc


class BatchImportViewSet(viewsets.ViewSet):
    permission_classes = [HasRole]
    allowed_roles = PLANNING_ROLES
    parser_classes = [BoundedJSONParser]
    kind = ""

    @extend_schema(
        request={"application/json": BATCH_SCHEMA},
        responses={201: OpenApiTypes.OBJECT, 400: OpenApiTypes.OBJECT},
    )
    def create(self, request) -> Response:
        rows = request.data
        if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
            return Response(
                {"detail": "Post a JSON list of row objects."}, status=status.HTTP_400_BAD_REQUEST
            )
        if not rows:
            return Response(
                {"detail": "The list of rows is empty."}, status=status.HTTP_400_BAD_REQUEST
            )
        if len(rows) > API_MAX_ROWS:
            return Response(
                {"detail": f"Post at most {API_MAX_ROWS:,} rows per request."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        gaps = request.query_params.get("gaps", READ_AS_MISSING)
        if gaps not in GAP_READINGS:
            return Response(
                {"detail": "gaps must be missing (the default) or zero."},
                status=status.HTTP_400_BAD_REQUEST,
            )
        report = import_rows(
            kind=self.kind, rows=rows, user=request.user, scope=request.scope, gaps=gaps
        )
        code = status.HTTP_201_CREATED if report.is_valid else status.HTTP_400_BAD_REQUEST
        return Response(report.as_dict(), status=code)


class SalesImportViewSet(BatchImportViewSet):
    """Sales rows: date, store, sku, quantity[, revenue, price, on_promotion]."""

    kind = "sales"


class InventoryImportViewSet(BatchImportViewSet):
    """Inventory rows: date, store or warehouse, sku, on_hand[, on_order]."""

    kind = "inventory"


class SupplyOrderImportViewSet(BatchImportViewSet):
    """Supply order rows: order_ref, store or warehouse, sku, ordered_on, promised_on,
    [received_on], quantity_ordered[, quantity_received]."""

    kind = "supply_orders"


class ClosureImportViewSet(BatchImportViewSet):
    """Store closure rows: store, from, to[, reason] (days, inclusive)."""

    kind = "closures"
