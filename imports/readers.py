"""Reading import files into frames of text, after checking they are what they claim to be.

Every cell is read as text (validation parses it later, column by column, in bulk) and each
row keeps its number as a spreadsheet shows it: the header is row 1, the first data row 2.
A file whose content does not match its extension, that is too large, or that unpacks to far
more than it weighs (a zip bomb) is refused before it is parsed. XLSX is parsed by openpyxl in
read-only mode; with defusedxml installed openpyxl parses its XML through it, so entity
expansion attacks are refused too.

Decompression is limited by ratio and by size (``IMPORT_MAX_EXPANSION_RATIO``,
``IMPORT_MAX_UNPACKED_BYTES``): an XLSX by the sizes its zip directory declares (zipfile never
inflates a member past its declared size), a ``.csv.gz`` while it streams into the parser, so
a small file that inflates to gigabytes is stopped after reading at most the allowed amount.
Every CSV line is limited too (``IMPORT_MAX_LINE_BYTES``), so one endless line cannot fill the
memory before a row is even parsed, and every XLSX cell (``IMPORT_MAX_CELL_CHARS``).
"""

from __future__ import annotations

import codecs
import datetime as dt
import gzip
import io
import zipfile
from pathlib import Path
from typing import BinaryIO

import numpy as np
import openpyxl
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pa_csv
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from openpyxl.xml import DEFUSEDXML

from imports.bounds import setting
from imports.columns import shown

SNIFF_BYTES = 64 * 1024
READ_CHUNK_BYTES = 256 * 1024
NEWLINE = ord("\n")
MAX_COLUMNS = 100
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
XLSX_SHEET_TYPE = b"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"
SUPPORTED_SUFFIXES = (".csv", ".csv.gz", ".xlsx")
# Bytes that make a file more than plain comma-separated text: pandas parses it instead.
PLAIN_CSV_EXCLUDED = (b'"', b"\r", b"\x00")
# Arrow parses a block at a time and refuses a line longer than one (pandas then reads it).
PLAIN_CSV_BLOCK = 4 * 2**20


class ImportFileError(Exception):
    """A whole file cannot be imported; the message is meant for the user."""


def max_rows() -> int:
    return getattr(settings, "IMPORT_MAX_ROWS", 2_000_000)


def max_upload_bytes() -> int:
    return settings.IMPORT_MAX_UPLOAD_BYTES


def check_upload_size(name: str, size: int) -> None:
    limit = max_upload_bytes()
    if size > limit:
        raise ImportFileError(
            f"file '{name}' is {_mb(size)} MB; the upload limit is {_mb(limit)} MB"
        )


def sniff_file(path: Path, name: str) -> None:
    """Refuse ``path`` unless its content is what the extension of ``name`` says."""
    with path.open("rb") as handle:
        sniff_stream(handle, name)


def sniff_stream(handle: BinaryIO, name: str) -> None:
    """Like ``sniff_file`` for an open binary file (an upload before it is saved)."""
    lower = name.lower()
    handle.seek(0)
    try:
        if lower.endswith(".xlsx"):
            _check_xlsx(handle, name)
        elif lower.endswith(".csv.gz"):
            if handle.read(2) != b"\x1f\x8b":
                raise ImportFileError(f"file '{name}' is not a gzip-compressed CSV file")
            handle.seek(0)
            try:
                head = gzip.GzipFile(fileobj=handle, mode="rb").read(SNIFF_BYTES)
            except (OSError, EOFError) as exc:
                raise ImportFileError(f"file '{name}' is not a valid gzip file") from exc
            _check_text(head, name)
        elif lower.endswith(".csv"):
            _check_text(handle.read(SNIFF_BYTES), name)
        else:
            raise ImportFileError(f"file '{name}' is not a .csv, .csv.gz or .xlsx file")
    finally:
        handle.seek(0)


def _check_text(head: bytes, name: str) -> None:
    not_csv = ImportFileError(f"file '{name}' is not a CSV text file")
    if head.startswith(UTF16_BOMS):
        raise ImportFileError(f"file '{name}' is UTF-16 text; save it as 'CSV UTF-8'")
    if head.startswith(b"PK\x03\x04") or b"\x00" in head:
        raise not_csv
    try:
        codecs.getincrementaldecoder("utf-8-sig")().decode(head, final=False)
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"file '{name}' is not UTF-8 text (save it as 'CSV UTF-8')") from exc


def _check_xlsx(handle: BinaryIO, name: str) -> None:
    if not zipfile.is_zipfile(handle):
        raise ImportFileError(f"file '{name}' is not an Excel (.xlsx) workbook")
    handle.seek(0)
    with zipfile.ZipFile(handle) as archive:
        try:
            info = archive.getinfo("[Content_Types].xml")
        except KeyError as exc:
            raise ImportFileError(f"file '{name}' is not an Excel (.xlsx) workbook") from exc
        unpacked = sum(member.file_size for member in archive.infolist())
        packed = handle.seek(0, io.SEEK_END)
        ceiling = unpacked_ceiling(packed)
        if unpacked > ceiling:
            raise ImportFileError(
                f"file '{name}' unpacks to {_mb(unpacked)} MB, more than the "
                f"{_mb(ceiling)} MB allowed for a file of {_mb(packed)} MB; it is refused "
                "as a possible zip bomb"
            )
        if info.file_size > SNIFF_BYTES or XLSX_SHEET_TYPE not in archive.read(info):
            raise ImportFileError(f"file '{name}' is not an Excel (.xlsx) workbook")


def unpacked_ceiling(packed_bytes: int) -> int:
    """How much a compressed file of ``packed_bytes`` may unpack to: a ratio of its size
    (with an allowance, since small files legitimately compress well), never above the
    absolute limit."""
    by_ratio = max(
        setting("IMPORT_MAX_EXPANSION_RATIO") * packed_bytes,
        setting("IMPORT_EXPANSION_ALLOWANCE_BYTES"),
    )
    return int(min(by_ratio, setting("IMPORT_MAX_UNPACKED_BYTES")))


class GuardedStream(io.RawIOBase):
    """A binary stream that stops with an ``ImportFileError`` once it has produced more
    than ``limit`` bytes or a line longer than ``max_line`` bytes.

    The parser reads through it chunk by chunk, so a decompression bomb or an endless line
    is refused after reading at most the limit, never held in memory whole.
    """

    def __init__(self, source: BinaryIO, name: str, *, limit: int, max_line: int) -> None:
        super().__init__()
        self._source, self._name = source, name
        self._limit, self._max_line = limit, max_line
        self._produced = 0
        self._open_line = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        chunk = self._source.read(min(len(buffer), READ_CHUNK_BYTES))
        self._check(chunk)
        buffer[: len(chunk)] = chunk
        return len(chunk)

    def _check(self, chunk: bytes) -> None:
        self._produced += len(chunk)
        if self._produced > self._limit:
            raise ImportFileError(
                f"file '{self._name}' unpacks to more than the {_mb(self._limit)} MB allowed; "
                "it is refused as a possible decompression bomb"
            )
        breaks = np.flatnonzero(np.frombuffer(chunk, dtype=np.uint8) == NEWLINE)
        if len(breaks):
            # The line left open by the last chunk, then every line inside this one.
            longest = max(self._open_line + int(breaks[0]), int(np.diff(breaks).max(initial=1)) - 1)
            self._open_line = len(chunk) - int(breaks[-1]) - 1
        else:
            self._open_line += len(chunk)
            longest = 0
        if max(longest, self._open_line) > self._max_line:
            raise ImportFileError(
                f"file '{self._name}' has a line longer than {self._max_line:,} bytes"
            )


def _open_guarded(path: Path, name: str) -> io.BufferedReader:
    """``path`` as a buffered binary stream, decompressed when gzipped, with the limits of
    ``GuardedStream``."""
    raw = path.open("rb")
    if name.lower().endswith(".gz"):
        source: BinaryIO = gzip.GzipFile(fileobj=raw, mode="rb")
        limit = unpacked_ceiling(path.stat().st_size)
    else:
        source, limit = raw, setting("IMPORT_MAX_UNPACKED_BYTES")
    guarded = GuardedStream(source, name, limit=limit, max_line=setting("IMPORT_MAX_LINE_BYTES"))
    return io.BufferedReader(guarded, buffer_size=READ_CHUNK_BYTES)


def read_table(path: Path, name: str, first_row: int = 2) -> pd.DataFrame:
    """The rows of ``path`` as text columns plus ``_file`` (``name``) and ``_row``.

    Entirely empty rows are dropped but keep the numbering of the rows around them.
    """
    sniff_file(path, name)
    limit = max_rows()
    frame = (
        _read_xlsx(path, name, limit)
        if name.lower().endswith(".xlsx")
        else _read_csv(path, name, limit)
    )
    if len(frame) > limit:
        raise ImportFileError(f"file '{name}' has more than {limit:,} rows")
    if len(frame.columns) > MAX_COLUMNS:
        raise ImportFileError(f"file '{name}' has more than {MAX_COLUMNS} columns")
    frame.columns = _header(frame.columns, name)
    frame = frame.apply(lambda column: column.str.strip())
    frame["_row"] = range(first_row, first_row + len(frame))
    values = frame.drop(columns="_row")
    frame = frame[(values != "").any(axis=1)] if len(values.columns) else frame.iloc[0:0]
    frame.insert(0, "_file", name)
    return frame.reset_index(drop=True)


def _header(columns, name: str) -> list[str]:
    """Header names, stripped; two that differ only by case are one column named twice,
    which the file cannot mean (columns are matched without regard to case)."""
    names = [str(c).strip() or f"Unnamed: {i}" for i, c in enumerate(columns)]
    seen: dict[str, str] = {}
    for column in names:
        first = seen.setdefault(column.lower(), column)
        if first is not column:
            raise ImportFileError(
                f"file '{name}' has the column '{shown(first)}' twice"
                + ("" if first == column else f" (as '{shown(column)}')")
                + "; header names must differ by more than upper/lower case"
            )
    return names


def _read_csv(path: Path, name: str, limit: int) -> pd.DataFrame:
    """Read with the header as an ordinary row, so that duplicate names reach ``_header``
    as written (pandas would rename the second ``store`` to ``store.1``).

    The text is read whole through the guards first: plain comma-separated text (no quotes,
    no carriage returns, as every ERP export of numbers and codes is) is parsed by Arrow
    straight into the Arrow-backed text columns validation works on, several times faster
    than pandas' parser building a Python string per cell; anything else, or anything Arrow
    refuses, is parsed by pandas as before (whose messages the user then sees).
    """
    try:
        with _open_guarded(path, name) as handle:
            # In pieces of the guard's size: read() whole asks for 8 KB at a time.
            data = b"".join(iter(lambda: handle.read(READ_CHUNK_BYTES), b""))
        frame = _read_plain_csv(data)
        if frame is None:
            frame = pd.read_csv(
                io.BytesIO(data),
                header=None,
                dtype=str,
                keep_default_na=False,
                na_filter=False,
                encoding="utf-8-sig",
                skip_blank_lines=False,
                nrows=limit + 2,
            )
    except ImportFileError:
        raise
    except UnicodeDecodeError as exc:
        raise ImportFileError(f"file '{name}' is not UTF-8 text (save it as 'CSV UTF-8')") from exc
    except pd.errors.EmptyDataError as exc:
        raise ImportFileError(f"file '{name}' is empty") from exc
    except (pd.errors.ParserError, ValueError, OSError) as exc:
        detail = str(exc).strip().splitlines()[-1][:200] if str(exc).strip() else ""
        raise ImportFileError(f"file '{name}' could not be read as CSV: {detail}") from exc
    frame = frame.iloc[: limit + 2]
    body = frame.iloc[1:].reset_index(drop=True)
    body.columns = list(frame.iloc[0]) if len(frame) else []
    return body


def _read_plain_csv(data: bytes) -> pd.DataFrame | None:
    """The cells of ``data`` as Arrow-backed text, when it is plain comma-separated UTF-8
    with at least two columns and every row as wide as the first; None otherwise.

    Without quotes and carriage returns both parsers split the same way (lines at ``\\n``,
    cells at ``,``, an empty line a row of empty cells), so the result is what pandas would
    give; pandas takes every other case, including all the malformed ones.
    """
    data = data.removeprefix(codecs.BOM_UTF8)
    if any(marker in data for marker in PLAIN_CSV_EXCLUDED):
        return None
    header, _, _ = data.partition(b"\n")
    width = header.count(b",") + 1
    if width < 2 or not data.strip():
        return None
    names = [f"f{i}" for i in range(width)]
    try:
        table = pa_csv.read_csv(
            io.BytesIO(data),
            read_options=pa_csv.ReadOptions(column_names=names, block_size=PLAIN_CSV_BLOCK),
            parse_options=pa_csv.ParseOptions(quote_char=False, ignore_empty_lines=False),
            convert_options=pa_csv.ConvertOptions(
                column_types=dict.fromkeys(names, pa.string()), strings_can_be_null=False
            ),
        )
    except pa.ArrowException:
        return None
    frame = table.to_pandas()
    frame.columns = range(width)
    return frame


def _read_xlsx(path: Path, name: str, limit: int) -> pd.DataFrame:
    if not DEFUSEDXML:
        raise ImproperlyConfigured("defusedxml must be installed to read XLSX uploads safely")
    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged workbook
        raise ImportFileError(f"file '{name}' is not a readable Excel (.xlsx) workbook") from exc
    try:
        sheet = workbook.worksheets[0]
        rows = sheet.iter_rows(values_only=True, max_col=MAX_COLUMNS + 1)
        header = next(rows, None)
        if header is None:
            raise ImportFileError(f"file '{name}' is empty")
        max_cell = setting("IMPORT_MAX_CELL_CHARS")
        header = [_cell_text(v, name, 1, max_cell) for v in header]
        while header and not header[-1]:
            header.pop()
        if len(header) > MAX_COLUMNS:
            raise ImportFileError(f"file '{name}' has more than {MAX_COLUMNS} columns")
        width = len(header)
        body = []
        for row in rows:
            if len(body) > limit:
                break
            cells = [_cell_text(v, name, len(body) + 2, max_cell) for v in row[:width]]
            body.append(cells + [""] * (width - len(cells)))
    except ImportFileError:
        raise
    except Exception as exc:
        raise ImportFileError(f"file '{name}' is not a readable Excel (.xlsx) workbook") from exc
    finally:
        workbook.close()
    return pd.DataFrame(body, columns=header, dtype=str)


def _cell_text(value: object, name: str, row: int, max_chars: int) -> str:
    """An XLSX cell as the text a CSV export of it would hold."""
    if value is None:
        return ""
    if isinstance(value, str) and len(value) > max_chars:
        raise ImportFileError(
            f"file '{name}' row {row} has a cell of {len(value):,} characters; "
            f"at most {max_chars:,} are allowed"
        )
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _mb(size: int) -> str:
    return f"{size / 2**20:,.1f}"
