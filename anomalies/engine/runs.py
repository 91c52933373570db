"""Runs of consecutive flagged periods: how points become events."""

from __future__ import annotations

import numpy as np


def runs(flags: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(column, first row, last row) of every run of True down the rows of ``flags``."""
    flags = np.asarray(flags, dtype=bool)
    if flags.ndim == 1:
        flags = flags[:, None]
    padded = np.zeros((flags.shape[0] + 2, flags.shape[1]), dtype=np.int8)
    padded[1:-1] = flags
    step = np.diff(padded, axis=0)
    start_col, start_row = np.nonzero(step.T == 1)
    _, end_row = np.nonzero(step.T == -1)
    return start_col, start_row, end_row - 1


def run_sums(values: np.ndarray, col: np.ndarray, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sum of ``values`` over each run (NaN counted as 0)."""
    cumulative = np.zeros((values.shape[0] + 1, values.shape[1]))
    np.cumsum(np.nan_to_num(values), axis=0, out=cumulative[1:])
    return cumulative[b + 1, col] - cumulative[a, col]
