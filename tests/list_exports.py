"""Reading a list page's table and its CSV/XLSX downloads back, to compare them."""

from __future__ import annotations

import csv
import io

from openpyxl import load_workbook


def downloaded(client, url: str, params: dict, fmt: str) -> list[list[str]]:
    """The rows (header first) of the ``fmt`` download of the list at ``url`` with
    ``params``, every cell as text ("" for empty)."""
    response = client.get(url, {**params, "export": fmt})
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Disposition"].endswith(f'.{fmt}"')
    if fmt == "csv":
        text = response.content.decode("utf-8-sig")
        return [row for row in csv.reader(io.StringIO(text))]
    sheet = load_workbook(io.BytesIO(response.content), read_only=True).active
    return [["" if v is None else str(v) for v in row] for row in sheet.iter_rows(values_only=True)]


def on_screen(response) -> list:
    """The records of the table rows shown on the page."""
    return [row.record for row in response.context["table"].paginated_rows]
