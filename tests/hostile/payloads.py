"""Hostile files built in memory by the tests (nothing binary is committed)."""

from __future__ import annotations

import gzip
import io
import zipfile

from tests.imports.helpers import xlsx_bytes

SHEET = "xl/worksheets/sheet1.xml"
SHEET_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
CONTENT_TYPES = (
    '<?xml version="1.0"?><Types><Override ContentType="application/'
    'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
)


def gz(data: bytes) -> bytes:
    return gzip.compress(data, compresslevel=9)


def gz_stream(header: bytes, block: bytes, repeat: int) -> bytes:
    """A gzip of ``header`` then ``block`` ``repeat`` times, never held whole in memory."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=9) as handle:
        handle.write(header)
        for _ in range(repeat):
            handle.write(block)
    return buffer.getvalue()


def xlsx(rows: list[list]) -> bytes:
    return xlsx_bytes(rows)


def xlsx_with_sheet(xml: str) -> bytes:
    """A real workbook whose first sheet's XML is replaced by ``xml``."""
    good = zipfile.ZipFile(io.BytesIO(xlsx_bytes([["date"], ["2024-01-01"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for item in good.infolist():
            archive.writestr(item.filename, xml if item.filename == SHEET else good.read(item))
    return buffer.getvalue()


def sheet_xml(cell: str, doctype: str = "") -> str:
    return (
        f'<?xml version="1.0"?>{doctype}<worksheet xmlns="{SHEET_NS}"><sheetData>'
        f'<row r="1"><c r="A1" t="inlineStr"><is><t>{cell}</t></is></c></row>'
        "</sheetData></worksheet>"
    )


def xlsx_bomb(megabytes: int) -> bytes:
    """An OOXML-looking zip with one member of ``megabytes`` MB of zeros."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        with zf.open(SHEET, "w") as sheet:
            block = b"0" * 2**20
            for _ in range(megabytes):
                sheet.write(block)
    return buffer.getvalue()


def nested_zip_xlsx() -> bytes:
    """A workbook-looking zip that holds another zip (42.zip style) instead of a sheet."""
    inner = xlsx_bomb(20)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", CONTENT_TYPES)
        zf.writestr(SHEET, inner)
    return buffer.getvalue()


BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)
XXE = '<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
XXE_REMOTE = '<!DOCTYPE x [<!ENTITY % xxe SYSTEM "http://127.0.0.1:9/evil.dtd"> %xxe;]>'
