"""Reading files safely: content sniffing, XLSX, zip bombs, limits, formula neutralising."""

import gzip

import pytest

from exports.formula_safety import neutralise_formula
from imports.readers import ImportFileError, check_upload_size, read_table, sniff_file
from imports.services import import_files
from tests.factories import SKUFactory, StoreFactory
from tests.imports.helpers import xlsx_bytes, zip_bomb_xlsx


def test_csv_rows_are_text_with_spreadsheet_numbers(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_bytes("\ufeffdate, store \n2024-01-01, S1 \n\n2024-01-02,S2\n".encode())
    frame = read_table(path, "sales.csv")
    assert list(frame.columns) == ["_file", "date", "store", "_row"]
    assert frame["store"].tolist() == ["S1", "S2"]
    assert frame["_row"].tolist() == [2, 4]


def test_gzipped_csv_is_read(tmp_path):
    path = tmp_path / "train.csv.gz"
    path.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    assert read_table(path, "train.csv.gz")["a"].tolist() == ["1"]


def test_xlsx_is_read_with_dates_and_numbers_as_text(tmp_path):
    import datetime as dt

    path = tmp_path / "sales.xlsx"
    path.write_bytes(xlsx_bytes([["date", "store", "quantity"], [dt.date(2024, 1, 1), 7, 3.0]]))
    frame = read_table(path, "sales.xlsx")
    assert frame.iloc[0][["date", "store", "quantity"]].tolist() == ["2024-01-01", "7", "3"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.csv", b"PK\x03\x04binary", "file 'x.csv' is not a CSV text file"),
        ("x.csv", b"a,b\n1,\x00\n", "file 'x.csv' is not a CSV text file"),
        ("x.csv", b"a,b\n\xff\xfe,1\n", "file 'x.csv' is not UTF-8 text"),
        ("x.xlsx", b"date,store\n2024-01-01,S1\n", "file 'x.xlsx' is not an Excel (.xlsx)"),
        ("x.csv.gz", b"a,b\n", "file 'x.csv.gz' is not a gzip-compressed CSV file"),
        ("x.json", b"[]", "file 'x.json' is not a .csv, .csv.gz or .xlsx file"),
    ],
)
def test_content_must_match_the_extension(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(ImportFileError, match=message.replace("(", r"\(").replace(")", r"\)")):
        sniff_file(path, name)


def test_zip_without_spreadsheet_content_type_is_not_xlsx(tmp_path):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
    path = tmp_path / "x.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ImportFileError, match="is not an Excel"):
        sniff_file(path, "x.xlsx")


def test_xlsx_zip_bomb_is_refused(tmp_path, settings):
    """Refused by ratio: the file unpacks to more than 100 times its size (beyond a small
    allowance, lowered here so that the test file stays small)."""
    settings.IMPORT_EXPANSION_ALLOWANCE_BYTES = 100_000
    path = tmp_path / "sales.xlsx"
    path.write_bytes(zip_bomb_xlsx(300_000))
    assert path.stat().st_size < 10_000
    with pytest.raises(ImportFileError, match="possible zip bomb"):
        sniff_file(path, "sales.xlsx")


def test_xlsx_with_xml_entity_bomb_is_refused(tmp_path):
    """A workbook whose sheet XML declares entities (billion laughs) must not be expanded."""
    import io
    import zipfile

    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["date"], ["2024-01-01"]])))
    buffer = io.BytesIO()
    bomb = (
        '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
        '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>&lol2;</t></is></c></row>'
        "</sheetData></worksheet>"
    )
    with zipfile.ZipFile(buffer, "w") as archive:
        for item in good.infolist():
            data = bomb if item.filename == "xl/worksheets/sheet1.xml" else good.read(item)
            archive.writestr(item.filename, data)
    path = tmp_path / "sales.xlsx"
    path.write_bytes(buffer.getvalue())
    with pytest.raises(ImportFileError, match="not a readable Excel"):
        read_table(path, "sales.xlsx")


def test_row_limit(tmp_path, settings):
    settings.IMPORT_MAX_ROWS = 2
    path = tmp_path / "sales.csv"
    path.write_text("a\n1\n2\n3\n")
    with pytest.raises(ImportFileError, match="more than 2 rows"):
        read_table(path, "sales.csv")


def test_upload_size_limit(settings):
    settings.IMPORT_MAX_UPLOAD_BYTES = 1024
    with pytest.raises(ImportFileError, match="upload limit"):
        check_upload_size("big.csv", 4096)
    check_upload_size("small.csv", 1024)


@pytest.mark.django_db
def test_xlsx_sales_import_end_to_end(tmp_path):
    StoreFactory(code="S1"), SKUFactory(code="A1")
    rows = [
        ["date", "store", "sku", "quantity"],
        ["2024-01-01", "S1", "A1", 2],
        ["2024-01-02", "S1", "A1", -2],
    ]
    (tmp_path / "sales.xlsx").write_bytes(xlsx_bytes(rows))
    report = import_files(fmt="sop", paths=[tmp_path])
    assert [(e["row"], e["reason"]) for e in report.errors] == [(3, "quantity -2 is negative")]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=SUM(A1:A2)", "'=SUM(A1:A2)"),
        ("+1", "'+1"),
        ("-cmd", "'-cmd"),
        ("@x", "'@x"),
        ("\t=1", "'\t=1"),
        ("plain", "plain"),
        (-3.5, -3.5),
        (None, None),
    ],
)
def test_neutralise_formula(value, expected):
    assert neutralise_formula(value) == expected


def test_plain_csv_reads_as_the_same_quoted_csv(tmp_path):
    """Plain comma-separated text takes the fast parser, quoted text pandas': same rows."""
    plain, quoted = tmp_path / "plain.csv", tmp_path / "quoted.csv"
    plain.write_bytes("\ufeffdate,store\n2024-01-01, S1 \n\n,\n2024-01-02,Café\n".encode())
    quoted.write_bytes('\ufeffdate,"store"\n2024-01-01, S1 \n\n,\n2024-01-02,Café\n'.encode())
    read_plain, read_quoted = read_table(plain, "x.csv"), read_table(quoted, "x.csv")
    assert read_plain.to_dict("list") == read_quoted.to_dict("list")
    assert read_plain["_row"].tolist() == [2, 5]
    assert read_plain["store"].dtype == read_quoted["store"].dtype


def test_plain_csv_with_a_short_row_reads_it_with_empty_cells(tmp_path):
    path = tmp_path / "sales.csv"
    path.write_bytes(b"date,store,sku\n2024-01-01,S1\n")
    assert read_table(path, "sales.csv").iloc[0][["store", "sku"]].tolist() == ["S1", ""]
