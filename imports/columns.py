"""Column rules of import tables and their validation, vectorised over whole columns.

A table arrives as text (see ``readers``). ``validate_table`` parses every column in bulk
(``pd.to_datetime``/``pd.to_numeric`` over the column, never a Python loop over rows),
reports every bad cell with its row, and returns the typed frame with a ``_bad`` flag per row.
Only the bad cells are turned into messages one by one.

Input is held to what is plausible, not only to what parses (see ``bounds``): numbers are
ASCII decimal notation (``١٢``, ``５``, ``1_000``, ``inf`` and ``nan`` are not numbers, though
Python's ``float`` reads them), finite and within a configured maximum; dates are ASCII
``YYYY-MM-DD`` within a configured window; codes use a safe character set; no text holds
control characters or the bulk writer's NULL marker ``\\N``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from pandas.arrays import ArrowStringArray

from imports.bounds import InputBounds, input_bounds
from imports.report import ImportReport

TRUE_WORDS = frozenset({"1", "true", "yes", "y", "t"})
FALSE_WORDS = frozenset({"0", "false", "no", "n", "f"})
SHOWN_VALUE_CHARS = 60
# ASCII decimal notation only: Python's float() also reads other scripts' digits, full-width
# digits, underscores, "inf" and "nan", none of which a file or an ERP means as a number.
NUMBER_PATTERN = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?"
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}"
CODE_PATTERN = r"[A-Za-z0-9._-]+"
CONTROL_CHARACTER = r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
# The bulk writer's NULL marker in COPY: a cell holding exactly this would be stored as NULL.
NULL_MARKER = "\\N"
# A column is checked by its distinct texts when they are at most a quarter of its rows.
DISTINCT_AT_MOST = 4
DISTINCT_SAMPLE = 2_000


@dataclass(frozen=True)
class Column:
    """One column of an import table.

    ``kind`` is text, code (text from a safe character set: letters, digits, ``-``, ``_``,
    ``.``), date, number, integer or bool. A ``required`` column must be present and (unless
    ``allow_empty``) filled in every row. ``minimum``/``maximum`` bound numbers; ``positive``
    demands > 0; ``scale`` (quantity, money or measure) picks the configured maximum size of a
    number. ``window`` (history or plan) picks how far into the future a date may lie.
    ``missing`` lists the texts that mean "no value".
    """

    name: str
    kind: str = "text"
    required: bool = False
    allow_empty: bool = False
    max_length: int = 120
    minimum: float | None = None
    maximum: float | None = None
    positive: bool = False
    missing: tuple[str, ...] = ("",)
    scale: str = "measure"
    window: str = "plan"


@dataclass(frozen=True)
class TableSpec:
    """The columns of one kind of table, its unique key and the columns it may ignore."""

    kind: str
    columns: tuple[Column, ...]
    key: tuple[str, ...] = ()
    ignored: tuple[str, ...] = ()
    ignored_prefixes: tuple[str, ...] = ()

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def shown(value: str) -> str:
    """A cell value quoted for a message, cut short so hostile input cannot flood a report."""
    text = str(value)
    return text if len(text) <= SHOWN_VALUE_CHARS else text[: SHOWN_VALUE_CHARS - 1] + "…"


def check_columns(spec: TableSpec, frame: pd.DataFrame, name: str, report: ImportReport) -> bool:
    """Report missing required columns (a file error) and unknown ones (a warning)."""
    present = [c for c in frame.columns if not c.startswith("_")]
    known = {c.name for c in spec.columns} | set(spec.ignored)
    ok = True
    for column in spec.columns:
        if column.required and column.name not in present:
            report.file_error(name, f"required column '{column.name}' is missing", column.name)
            ok = False
    for column in present:
        if column not in known and not column.startswith(spec.ignored_prefixes):
            report.warnings.append(f"{name}: unknown column '{shown(column)}' was ignored")
    return ok


def validate_table(spec: TableSpec, frame: pd.DataFrame, report: ImportReport) -> pd.DataFrame:
    """Parse the columns of ``frame`` that ``spec`` knows; report every bad cell.

    Returns a frame with ``_file``, ``_row``, the typed columns present in the input (text
    as str, dates as datetime64, numbers as float, integers as Int64, bools as bool) and
    ``_bad``: whether the row had any error.
    """
    out = frame[["_file", "_row"]].copy()
    bad = pd.Series(False, index=frame.index)
    bounds = input_bounds()
    for column in spec.columns:
        if column.name not in frame.columns:
            continue
        raw = frame[column.name].astype(str)
        distinct, spread = distinct_texts(raw)
        empty = distinct.isin(column.missing)
        if column.required and not column.allow_empty:
            _flag(report, frame, spread(empty), column.name, f"{column.name} is empty", bad)
        values, errors = _parse(column, distinct, empty, bounds)
        for mask, reason in errors:
            _flag(report, frame, spread(mask), column.name, reason, bad, raw)
        out[column.name] = spread(values)
    _flag_duplicates(spec, out, bad, report)
    out["_bad"] = bad
    return out


def distinct_texts(raw: pd.Series) -> tuple[pd.Series, Callable[[pd.Series], pd.Series]]:
    """The texts of ``raw`` to check, and how to spread a result over them back over its rows.

    A column of stores, SKUs, dates or flags repeats a few hundred texts over its rows, and
    every check is a function of the cell's text alone: each distinct text is checked once.
    A column of mostly different texts (amounts), as a sample of its rows tells (hashing
    them all would cost more than checking them), is checked as it is.
    """
    sample = raw.iloc[:: max(len(raw) // DISTINCT_SAMPLE, 1)]
    if sample.nunique(dropna=False) * DISTINCT_AT_MOST > len(sample):
        return raw, lambda result: result
    positions, texts = raw.factorize(use_na_sentinel=False)
    index = raw.index

    def spread(result: pd.Series) -> pd.Series:
        return pd.Series(result.array.take(positions), index=index)

    return pd.Series(texts), spread


def _flag(
    report: ImportReport,
    frame: pd.DataFrame,
    mask: pd.Series,
    column: str,
    reason: str,
    bad: pd.Series,
    raw: pd.Series | None = None,
) -> None:
    """Report the rows of ``mask``; ``reason`` may quote the cell as ``{v}``."""
    if not mask.any():
        return
    rows = frame.loc[mask, ["_file", "_row"]]
    reasons = [reason.format(v=shown(v)) for v in raw[mask]] if raw is not None else reason
    report.row_errors(rows, column, reasons)
    bad |= mask


def _parse(column: Column, raw: pd.Series, empty: pd.Series, bounds: InputBounds):
    """Typed values of one column and a list of (bad mask, reason template) for bad cells."""
    name = column.name
    if column.kind in ("text", "code"):
        return raw.where(~empty, ""), _text_errors(column, raw, empty)
    if column.kind == "date":
        return _parse_dates(column, raw, empty, bounds)
    if column.kind == "bool":
        lower = raw.str.lower()
        invalid = ~empty & ~lower.isin(TRUE_WORDS | FALSE_WORDS)
        values = pd.Series(lower.isin(TRUE_WORDS), dtype="boolean").mask(empty)
        return values, [(invalid, name + " '{v}' is not true/false (use 1/0)")]
    numbers = _to_float(raw, empty)
    not_number = ~empty & (numbers.isna() | ~np.isfinite(numbers.fillna(0)))
    not_number |= ~empty & ~_ascii_numbers(raw)
    numbers = numbers.where(~not_number)
    valid = numbers.notna()
    errors = [(not_number, name + " '{v}' is not a number")]
    largest = bounds.largest(column.scale)
    too_large = valid & (numbers.abs() > largest)
    errors.append((too_large, f"{name} {{v}} is larger than the {largest:,.0f} allowed"))
    if column.kind == "integer":
        errors.append((valid & (numbers % 1 != 0), name + " '{v}' is not a whole number"))
    if column.minimum is not None:
        word = "is negative" if column.minimum == 0 else f"is below {column.minimum:g}"
        errors.append((valid & (numbers < column.minimum), name + " {v} " + word))
    if column.positive:
        errors.append((valid & (numbers <= 0), name + " {v} must be greater than 0"))
    if column.maximum is not None:
        high = valid & (numbers > column.maximum)
        errors.append((high, f"{name} {{v}} is above {column.maximum:g}"))
    if column.kind == "integer":
        numbers = numbers.where(valid & (numbers % 1 == 0)).round().astype("Int64")
    return numbers, errors


def _text_errors(column: Column, raw: pd.Series, empty: pd.Series) -> list:
    name = column.name
    too_long = raw.str.len() > column.max_length
    errors = [(too_long, f"{name} is longer than {column.max_length} characters")]
    control = ~empty & raw.str.contains(CONTROL_CHARACTER, regex=True)
    errors.append((control, f"{name} contains a control character (such as NUL)"))
    errors.append((raw == NULL_MARKER, f"{name} '\\N' is not allowed (it means 'no value')"))
    if column.kind == "code":
        unsafe = ~empty & ~too_long & ~control & ~raw.str.fullmatch(CODE_PATTERN)
        errors.append((unsafe, name + " '{v}' may hold only letters, digits, '-', '_' and '.'"))
    return errors


def _parse_dates(column: Column, raw: pd.Series, empty: pd.Series, bounds: InputBounds):
    """Dates in ASCII ``YYYY-MM-DD`` (pandas alone also reads other scripts' digits) within
    the configured window, so that no engine meets a date it cannot represent.

    A column repeats a few hundred dates over its rows, so each distinct text is checked and
    parsed once and the results are spread back over the rows."""
    name = column.name
    positions, texts = pd.factorize(raw)
    texts = pd.Series(texts)
    shaped = texts.str.fullmatch(DATE_PATTERN).fillna(False).astype(bool)
    parsed = pd.to_datetime(texts.where(shaped), format="%Y-%m-%d", errors="coerce")
    # A missing cell's position is -1: the NaT appended last.
    spread = np.append(parsed.to_numpy(), np.array(["NaT"], dtype=parsed.dtype))[positions]
    values = pd.Series(spread, index=raw.index)
    invalid = ~empty & values.isna()
    earliest, latest = bounds.date_window(column.window)
    outside = values.notna() & ((values < earliest) | (values > latest))
    values = values.where(~outside)
    return values, [
        (invalid, name + " '{v}' is not a valid date (YYYY-MM-DD)"),
        (
            outside,
            name + " {v} is outside the dates accepted " + f"({earliest:%Y-%m-%d} to "
            f"{latest:%Y-%m-%d})",
        ),
    ]


def _ascii_numbers(values: pd.Series) -> pd.Series:
    """Whether each cell is written in ASCII decimal notation (one vectorised regex match;
    pandas runs it in Arrow for text columns)."""
    return values.str.fullmatch(NUMBER_PATTERN).fillna(False).astype(bool)


def _to_float(values: pd.Series, empty: pd.Series) -> pd.Series:
    """Numbers of a text column; NaN where a cell is ``empty`` or not a number.

    Arrow's cast (of the Arrow-backed text the readers produce), then NumPy's, are several
    times faster than ``pd.to_numeric`` and succeed for the usual all-valid column; only a
    column with a bad cell takes the slower, forgiving path. Which cells are numbers at all
    is decided by ``_ascii_numbers`` and the finiteness check, not here.
    """
    array = values.array
    if isinstance(array, ArrowStringArray):
        try:
            cast = pc.cast(array._pa_array, pa.float64())
            numbers = pd.Series(cast.to_numpy(zero_copy_only=False), index=values.index)
            return numbers.where(~empty)
        except pa.ArrowInvalid:
            pass
    values = values.where(~empty)
    try:
        return values.astype(float)
    except (ValueError, TypeError):
        return pd.to_numeric(values, errors="coerce").astype(float)


def _flag_duplicates(
    spec: TableSpec, typed: pd.DataFrame, bad: pd.Series, report: ImportReport
) -> None:
    """Rows repeating an earlier row's key are errors naming the earlier row."""
    key = [c for c in spec.key if c in typed.columns]
    if not key or len(key) < len([c for c in spec.key if spec.column(c).required]):
        return
    keyed = typed[[*key, "_file", "_row"]]
    duplicate = keyed.duplicated(key, keep="first")
    if not duplicate.any():
        return
    groups = keyed.groupby(key, sort=False, dropna=False)
    first_row = groups["_row"].transform("first")
    first_file = groups["_file"].transform("first")
    described = ", ".join(key)
    reasons = [
        f"duplicate of row {row} (same {described})"
        if first == file
        else f"duplicate of {first} row {row} (same {described})"
        for row, first, file in zip(
            first_row[duplicate], first_file[duplicate], keyed["_file"][duplicate], strict=True
        )
    ]
    report.row_errors(keyed.loc[duplicate], described, reasons)
    bad |= duplicate
