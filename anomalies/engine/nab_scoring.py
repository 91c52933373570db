"""The Numenta Anomaly Benchmark's score, computed by NAB's own rules (pure, no I/O).

Follows ``nab/sweeper.py`` and ``nab/runner.py`` (``normalize``) of numenta/NAB v1.1:

* the first ``min(floor(0.15 * rows), 0.15 * 5000)`` rows of a file are probationary: a
  detection there counts for nothing (the detector is still learning);
* a detection at row ``i`` inside a window ``[left, right]`` of width ``w = right - left + 1``
  is worth ``A_TP * S(-(right - i + 1) / w) / S(-1)`` with ``S(x) = 2 * sigmoid(-5x) - 1``,
  so a detection on the window's first row earns exactly ``A_TP`` and later ones less;
  only the best (earliest) detection of a window counts, a window without one costs ``A_FN``;
* a detection outside every window costs ``A_FP * S(d / (w_prev - 1))`` where ``d`` is its
  distance in rows after the end of the preceding window of width ``w_prev`` (``S`` is -1
  beyond 3 widths and when no window precedes it), so an alarm just after an anomaly is
  nearly free and one far from any anomaly costs the full ``A_FP``;
* over a set of files, ``100 * (raw - null) / (perfect - null)`` where the null detector never
  fires (every window a miss) and the perfect one fires on every window's first row.

Detections are booleans: NAB turns anomaly scores into detections with ``score >= threshold``
before the same rules apply.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

PROBATION_PERCENT = 0.15
# NAB caps the probationary period at 15 % of 5000 rows.
PROBATION_CAP_ROWS = 5000


@dataclass(frozen=True)
class CostProfile:
    """A NAB application profile's cost matrix (``config/profiles.json``)."""

    tp_weight: float
    fp_weight: float
    fn_weight: float


STANDARD_PROFILE = CostProfile(tp_weight=1.0, fp_weight=0.11, fn_weight=1.0)


@dataclass(frozen=True)
class FileScore:
    """One file's NAB score and the counts behind it.

    ``raw`` is the file's unnormalised score, ``null`` what a detector that never fires scores
    on it and ``perfect`` what a detector firing on every window's first row scores.
    """

    raw: float
    null: float
    perfect: float
    windows: int
    windows_found: int
    detections: int
    detections_in_windows: int
    probationary_rows: int


def probationary_length(rows: int, percent: float = PROBATION_PERCENT) -> int:
    """Rows at the start of a file that NAB does not score (``Sweeper._getProbationaryLength``)."""
    return math.ceil(min(math.floor(percent * rows), percent * PROBATION_CAP_ROWS))


def scaled_sigmoid(relative_position: float) -> float:
    """NAB's ``scaledSigmoid``: +0.987 at a window's left edge, 0 at its right, -1 far after."""
    if relative_position > 3.0:
        return -1.0
    return 2.0 / (1.0 + math.exp(5.0 * relative_position)) - 1.0


def window_rows(
    timestamps: Sequence[pd.Timestamp] | pd.DatetimeIndex, windows: Iterable[tuple[str, str]]
) -> list[tuple[int, int]]:
    """Row ranges ``(left, right)`` (inclusive) of label windows given as timestamp pairs.

    NAB's window limits are timestamps of rows, and NAB finds them by equality with the first
    row carrying that timestamp (NAB files repeat hours at daylight-saving changes, so rows are
    not always in time order).  A limit that is no row's timestamp falls back to the rows
    between the limits, which needs rows in time order.  Raises ``ValueError`` for a window
    that holds no row or overlaps the previous one: NAB's rules are undefined for those.
    """
    index = pd.DatetimeIndex(timestamps)
    rows: list[tuple[int, int]] = []
    limits = sorted((pd.Timestamp(start), pd.Timestamp(end)) for start, end in windows)
    for start, end in limits:
        left = _row_of(index, start, side="left")
        right = _row_of(index, end, side="right")
        if right < left:
            raise ValueError(f"label window {start} .. {end} holds no row of the file")
        if rows and left <= rows[-1][1]:
            raise ValueError(f"label window {start} .. {end} overlaps the previous window")
        rows.append((left, right))
    return rows


def _row_of(index: pd.DatetimeIndex, limit: pd.Timestamp, *, side: str) -> int:
    """The first row stamped ``limit``, else the first row after (left) / last before (right)."""
    exact = np.flatnonzero(index == limit)
    if len(exact):
        return int(exact[0])
    if not index.is_monotonic_increasing:
        raise ValueError(
            f"label window limit {limit} is no row's timestamp and the rows are not in time order"
        )
    if side == "left":
        return int(index.searchsorted(limit, side="left"))
    return int(index.searchsorted(limit, side="right")) - 1


def score_file(
    detections: Sequence[bool] | np.ndarray,
    windows: Sequence[tuple[int, int]],
    profile: CostProfile = STANDARD_PROFILE,
) -> FileScore:
    """Score one file's boolean detections (one per row) against its windows (row ranges)."""
    flags = np.asarray(detections, dtype=bool)
    rows = len(flags)
    probation = probationary_length(rows)
    max_tp = scaled_sigmoid(-1.0)
    window_of_row = np.full(rows, -1, dtype=int)
    for number, (left, right) in enumerate(windows):
        window_of_row[left : right + 1] = number

    best = [None] * len(windows)  # best true-positive score per window, None = missed
    false_positive_total = 0.0
    detections_in_windows = 0
    scored = np.flatnonzero(flags[probation:]) + probation
    preceding = _preceding_window(windows, rows)
    for row in scored:
        number = window_of_row[row]
        if number >= 0:
            left, right = windows[number]
            width = right - left + 1
            value = scaled_sigmoid(-(right - row + 1) / width) * profile.tp_weight / max_tp
            if best[number] is None or value > best[number]:
                best[number] = value
            detections_in_windows += 1
            continue
        previous = preceding[row]
        if previous < 0:
            unweighted = -1.0
        else:
            left, right = windows[previous]
            # NAB divides by (width - 1); a one-row window would divide by zero there.
            unweighted = scaled_sigmoid((row - right) / max(right - left, 1))
        false_positive_total += unweighted * profile.fp_weight

    scorable = [right >= probation for _, right in windows]
    window_total = sum(
        -profile.fn_weight if value is None else value
        for value, counted in zip(best, scorable, strict=True)
        if counted
    )
    return FileScore(
        raw=window_total + false_positive_total,
        null=-profile.fn_weight * sum(scorable),
        perfect=profile.tp_weight * len(windows),
        windows=len(windows),
        windows_found=sum(value is not None for value in best),
        detections=len(scored),
        detections_in_windows=detections_in_windows,
        probationary_rows=probation,
    )


def _preceding_window(windows: Sequence[tuple[int, int]], rows: int) -> np.ndarray:
    """For every row, the number of the last window that ended before it (-1: none)."""
    preceding = np.full(rows, -1, dtype=int)
    for number, (_, right) in enumerate(windows):
        preceding[right + 1 :] = number
    return preceding


def normalised_score(files: Iterable[FileScore]) -> float | None:
    """NAB's final score over a set of files: 0 = never fires, 100 = every window at its start.

    ``None`` when no file has a window: NAB's scale is then undefined (it would divide by zero).
    """
    scores = list(files)
    raw = sum(score.raw for score in scores)
    null = sum(score.null for score in scores)
    perfect = sum(score.perfect for score in scores)
    if perfect == null:
        return None
    return 100.0 * (raw - null) / (perfect - null)
