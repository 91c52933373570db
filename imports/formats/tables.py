"""Reading one table file of any format: read, check its columns, validate its cells."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from imports.columns import TableSpec, check_columns, validate_table
from imports.readers import SUPPORTED_SUFFIXES, ImportFileError, read_table
from imports.report import ImportReport


def expand_paths(paths: list[Path]) -> list[tuple[Path, str]]:
    """Files to read as (path, name shown in the report); a directory means its files."""
    files = []
    for path in paths:
        if path.is_dir():
            files.extend(
                (child, child.name)
                for child in sorted(path.iterdir())
                if child.is_file() and child.name.lower().endswith(SUPPORTED_SUFFIXES)
            )
        else:
            files.append((path, path.name))
    return files


def read_raw(
    path: Path, name: str, spec: TableSpec, report: ImportReport, *, lower: bool = False
) -> pd.DataFrame | None:
    """The text rows of one file, or None (with a file error reported) if it is unusable."""
    report.files.append(name)
    try:
        raw = read_table(path, name)
    except ImportFileError as exc:
        report.file_error(name, str(exc))
        return None
    except FileNotFoundError:
        report.file_error(name, f"file '{name}' does not exist")
        return None
    if lower:
        raw.columns = [c if c.startswith("_") else c.lower() for c in raw.columns]
    report.rows_read += len(raw)
    if not check_columns(spec, raw, name, report):
        return None
    return raw


def load_table(
    path: Path, name: str, spec: TableSpec, report: ImportReport, *, lower: bool = False
) -> pd.DataFrame | None:
    """One file read and validated; rows with bad cells are flagged ``_bad``."""
    raw = read_raw(path, name, spec, report, lower=lower)
    return None if raw is None else validate_table(spec, raw, report)


def good_rows(frame: pd.DataFrame) -> pd.DataFrame:
    return frame[~frame["_bad"]].drop(columns="_bad")
