"""The shared CSV/XLSX export: exactly the rows given, labels with units, no live formulas."""

import csv
import io

import pytest
from openpyxl import load_workbook

from exports.tables import Column, table_export

COLUMNS = [Column("code", "SKU"), Column("name", "Name"), Column("qty", "Forecast (units)")]
ROWS = [
    {"code": "SKU1", "name": '=HYPERLINK("http://x")', "qty": 12.5},
    {"code": "SKU2", "name": "Milk 1 l", "qty": None},
]


def test_csv_has_header_rows_and_neutralised_formulas():
    response = table_export(filename="skus", columns=COLUMNS, rows=ROWS, fmt="csv")
    assert response["Content-Disposition"] == 'attachment; filename="skus.csv"'
    text = response.content.decode("utf-8-sig")
    table = list(csv.reader(io.StringIO(text)))
    assert table[0] == ["SKU", "Name", "Forecast (units)"]
    assert table[1] == ["SKU1", '\'=HYPERLINK("http://x")', "12.5"]
    assert table[2] == ["SKU2", "Milk 1 l", ""]


def test_xlsx_keeps_numbers_as_numbers():
    response = table_export(filename="sku list", columns=COLUMNS, rows=ROWS, fmt="xlsx")
    assert response["Content-Disposition"] == 'attachment; filename="sku-list.xlsx"'
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values == [
        ["SKU", "Name", "Forecast (units)"],
        ["SKU1", '\'=HYPERLINK("http://x")', 12.5],
        ["SKU2", "Milk 1 l", None],
    ]


def test_unknown_format_is_refused():
    with pytest.raises(ValueError, match="Unknown export format 'pdf'"):
        table_export(filename="x", columns=COLUMNS, rows=ROWS, fmt="pdf")


def test_missing_figures_are_empty_cells():
    rows = [{"code": "SKU3", "name": "Tea", "qty": float("nan")}]
    response = table_export(filename="x", columns=COLUMNS, rows=rows, fmt="xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert [cell.value for cell in sheet[2]] == ["SKU3", "Tea", None]
    text = table_export(filename="x", columns=COLUMNS, rows=rows, fmt="csv").content
    assert text.decode("utf-8-sig").splitlines()[1] == "SKU3,Tea,"
