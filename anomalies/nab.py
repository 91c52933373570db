"""The Numenta Anomaly Benchmark: run the streaming detector over NAB files and score it.

``nab_evaluate`` reads every NAB-format CSV (``timestamp,value``) under a folder, runs
:func:`anomalies.engine.streaming.detect_stream` with settings fixed in advance, and scores the
alarms against NAB's label windows with NAB's own rules (:mod:`anomalies.engine.nab_scoring`),
besides event recall, precision and F1.  ``nab_report`` prints the result as a table.  The
``evaluate_anomalies --dataset nab`` command is a thin shell around these two functions.

A file's key is its path relative to the corpus root (``realKnownCause/nyc_taxi.csv``), as in
NAB's ``labels/combined_windows.json``; the labels are read from ``labels/`` beside the data
folder (or inside it, when the folder is the corpus root) unless a labels file is given.
"""

from __future__ import annotations

import csv
import json
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from anomalies.engine.nab_scoring import (
    STANDARD_PROFILE,
    FileScore,
    normalised_score,
    probationary_length,
    score_file,
    window_rows,
)
from anomalies.engine.streaming import StreamingSettings, detect_stream

NAB_SETTINGS = StreamingSettings()
LABELS_FILE = Path("labels") / "combined_windows.json"
OUT_HEADER = ("file", "timestamp", "score")


class NabInputError(ValueError):
    """The benchmark's files or labels cannot be used as given."""


@dataclass(frozen=True)
class _NabFile:
    key: str
    stamps: list[str]
    times: pd.DatetimeIndex
    values: np.ndarray


def nab_evaluate(path: Path, *, labels: Path | None = None, out: Path | None = None) -> dict:
    """Detect and score every NAB file under ``path``; write flagged points to ``out``.

    Returns a JSON-serialisable dict: ``files`` (per-file figures), ``overall`` (event recall,
    precision, F1, NAB standard score, windows, detections) and ``settings``.
    """
    path = Path(path).resolve()
    if not path.is_dir():
        raise NabInputError(f"{path} is not a folder of NAB files")
    labels_path = Path(labels) if labels is not None else _default_labels(path)
    windows_by_key = _read_labels(labels_path)
    started = time.perf_counter()
    files: dict[str, dict] = {}
    scores: list[FileScore] = []
    flagged_rows: list[tuple[str, str, float]] = []
    for nab_file in _read_corpus(path, windows_by_key):
        windows = _windows_of(nab_file, windows_by_key[nab_file.key])
        detections = detect_stream(
            nab_file.values,
            learning_rows=probationary_length(len(nab_file.values)),
            settings=NAB_SETTINGS,
        )
        # A flagged timestamp flags every row stamped with it (NAB files repeat an hour at
        # daylight-saving changes), so the written CSV re-scores to exactly this score.
        alarms = nab_file.times.isin(nab_file.times[detections.alarms])
        score = score_file(alarms, windows, STANDARD_PROFILE)
        scores.append(score)
        files[nab_file.key] = _figures(score, rows=len(nab_file.values))
        flagged_rows.extend(
            (nab_file.key, nab_file.stamps[row], round(float(detections.scores[row]), 4))
            for row in np.flatnonzero(alarms)
        )
    if out is not None:
        _write_flags(Path(out), flagged_rows)
    overall = _figures_over(scores)
    overall["files"] = len(files)
    overall["seconds"] = round(time.perf_counter() - started, 2)
    return {
        "files": files,
        "overall": overall,
        "settings": {**NAB_SETTINGS.as_dict(), "learning_rows": "NAB probationary period"},
        "profile": "standard",
    }


def nab_report(result: dict) -> str:
    """The evaluation as a fixed-width table: one line per file, then the overall line."""
    header = (
        f"{'file':<58} {'rows':>6} {'windows':>7} {'found':>5} {'alarms':>6} "
        f"{'recall':>6} {'precision':>9} {'F1':>5} {'NAB':>6}"
    )
    lines = [header, "-" * len(header)]
    for key, figures in result["files"].items():
        lines.append(_report_line(key, figures))
    lines.append("-" * len(header))
    lines.append(_report_line(f"overall ({result['overall']['files']} files)", result["overall"]))
    settings = ", ".join(f"{name}={value}" for name, value in result["settings"].items())
    lines.append(f"NAB standard profile (0 = no detections, 100 = perfect). Settings: {settings}.")
    return "\n".join(lines)


def _report_line(name: str, figures: dict) -> str:
    return (
        f"{name:<58} {figures.get('rows', ''):>6} {figures['windows']:>7} "
        f"{figures['windows_found']:>5} {figures['detections']:>6} "
        f"{_fmt(figures['event_recall'], 2):>6} {_fmt(figures['precision'], 2):>9} "
        f"{_fmt(figures['f1'], 2):>5} {_fmt(figures['nab_score'], 1):>6}"
    )


def _fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def _figures(score: FileScore, *, rows: int) -> dict:
    figures = _figures_over([score])
    figures["rows"] = rows
    figures["probationary_rows"] = score.probationary_rows
    return figures


def _figures_over(scores: list[FileScore]) -> dict:
    windows = sum(score.windows for score in scores)
    found = sum(score.windows_found for score in scores)
    detections = sum(score.detections for score in scores)
    inside = sum(score.detections_in_windows for score in scores)
    recall = found / windows if windows else None
    precision = inside / detections if detections else None
    if recall is None or precision is None or recall + precision == 0:
        f1 = None if recall is None or precision is None else 0.0
    else:
        f1 = 2 * recall * precision / (recall + precision)
    nab = normalised_score(scores)
    return {
        "event_recall": recall,
        "precision": precision,
        "f1": f1,
        "nab_score": None if nab is None else round(nab, 2),
        "raw_score": round(sum(score.raw for score in scores), 4),
        "windows": windows,
        "windows_found": found,
        "detections": detections,
        "detections_in_windows": inside,
    }


def _default_labels(path: Path) -> Path:
    for root in (path, path.parent):
        candidate = root / LABELS_FILE
        if candidate.is_file():
            return candidate
    raise NabInputError(
        f"no {LABELS_FILE} in {path} or beside it in {path.parent}; give the labels file"
    )


def _read_labels(path: Path) -> dict[str, list[tuple[str, str]]]:
    if not path.is_file():
        raise NabInputError(f"labels file {path} does not exist")
    try:
        raw = json.loads(path.read_text())
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise NabInputError(f"labels file {path} is not readable JSON: {error}") from error
    if not isinstance(raw, dict):
        raise NabInputError(f"labels file {path} must map file keys to lists of windows")
    windows: dict[str, list[tuple[str, str]]] = {}
    for key, limits in raw.items():
        if not isinstance(limits, list) or not all(
            isinstance(pair, list) and len(pair) == 2 for pair in limits
        ):
            raise NabInputError(f"labels for {key} must be a list of [start, end] pairs")
        windows[key] = [(str(start), str(end)) for start, end in limits]
    return windows


def _read_corpus(path: Path, windows_by_key: dict) -> list[_NabFile]:
    csv_paths = sorted(
        found for found in path.rglob("*.csv") if "labels" not in found.relative_to(path).parts
    )
    if not csv_paths:
        raise NabInputError(f"{path} holds no CSV file")
    return [_read_file(csv_path, _key_of(csv_path, path, windows_by_key)) for csv_path in csv_paths]


def _key_of(csv_path: Path, path: Path, windows_by_key: dict) -> str:
    """The labels key: the path from the corpus root, which is ``path`` or its parent."""
    candidates = [
        csv_path.relative_to(path.parent).as_posix(),
        csv_path.relative_to(path).as_posix(),
    ]
    for key in candidates:
        if key in windows_by_key:
            return key
    raise NabInputError(f"{csv_path} is not in the labels (looked for {' or '.join(candidates)})")


def _read_file(csv_path: Path, key: str) -> _NabFile:
    try:
        frame = pd.read_csv(csv_path, dtype=str, keep_default_na=False)
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise NabInputError(f"{csv_path} is not a readable CSV: {error}") from error
    if list(frame.columns[:2]) != ["timestamp", "value"]:
        raise NabInputError(f"{csv_path} must start with the columns timestamp,value")
    if frame.empty:
        raise NabInputError(f"{csv_path} has no rows")
    times = pd.to_datetime(frame["timestamp"], errors="coerce", format="mixed")
    values = pd.to_numeric(frame["value"], errors="coerce")
    bad_time = times.isna().to_numpy()
    bad_value = ~np.isfinite(values.to_numpy(dtype=float))
    if bad_time.any() or bad_value.any():
        row = int(np.flatnonzero(bad_time | bad_value)[0])
        what = "timestamp" if bad_time[row] else "value"
        raise NabInputError(
            f"{csv_path} row {row + 2}: {what} {frame.iloc[row][what]!r} is not a valid {what}"
        )
    return _NabFile(
        key=key,
        stamps=frame["timestamp"].tolist(),
        times=pd.DatetimeIndex(times),
        values=values.to_numpy(dtype=float),
    )


def _windows_of(nab_file: _NabFile, limits: list[tuple[str, str]]) -> list[tuple[int, int]]:
    try:
        return window_rows(nab_file.times, limits)
    except ValueError as error:
        raise NabInputError(f"{nab_file.key}: {error}") from error


def _write_flags(out: Path, rows: list[tuple[str, str, float]]) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with out.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(OUT_HEADER)
        writer.writerows(rows)
