"""A univariate streaming anomaly detector: how unlike anything seen before is the latest shape.

At every row the last ``subsequence`` values form a shape; its *novelty* is the Euclidean
distance to the nearest shape that ended at least ``subsequence`` rows earlier (the left
matrix profile, or a 1-nearest-neighbour discord).  A spike, a level shift, a flat line where
the series used to move, or a daily cycle that breaks all make a shape nothing in the past
resembles, while repeating patterns (seasonality) find close neighbours and stay quiet.

Novelty is put on its own scale by the median and MAD of the novelty seen so far, and a row
alarms when that robust z-score exceeds ``threshold``; after an alarm the detector stays
silent for ``refractory`` rows, because one alarm per incident is what an operator (and NAB,
which credits only the first detection in a window) needs.  Every decision at row ``t`` uses
only rows ``<= t``: the detector can run on a live feed.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

# Queries are compared with the past in blocks of this many rows (memory ~ block x rows floats).
_BLOCK_ROWS = 256
# Robust statistics of the novelty history are refreshed every this many rows.
_REFRESH_ROWS = 25
# Numbers below this share of the data's own magnitude are rounding noise, not novelty.
_RELATIVE_RESOLUTION = 1e-6


@dataclass(frozen=True)
class StreamingSettings:
    """Fixed settings of the streaming detector (chosen in advance, see the README)."""

    subsequence: int = 32
    threshold: float = 5.0
    refractory: int = 200

    def as_dict(self) -> dict[str, int | float]:
        return asdict(self)


@dataclass(frozen=True)
class StreamingDetections:
    """Per-row novelty z-scores and the rows that alarmed."""

    scores: np.ndarray
    alarms: np.ndarray


def subsequence_novelty(values: np.ndarray, subsequence: int) -> np.ndarray:
    """Distance from the shape ending at each row to its nearest earlier, non-overlapping shape.

    Rows before the first comparable shape (``2 * subsequence - 1`` rows) get 0.
    """
    series = np.asarray(values, dtype=float)
    rows = len(series)
    novelty = np.zeros(rows)
    if rows < 2 * subsequence:
        return novelty
    # Centring leaves distances unchanged and keeps the dot-product form free of cancellation;
    # the first shape's median is known before any novelty is computed.
    centred = series - np.median(series[:subsequence])
    shapes = sliding_window_view(centred, subsequence)
    norms = np.einsum("ij,ij->i", shapes, shapes)
    for start in range(subsequence, len(shapes), _BLOCK_ROWS):
        stop = min(len(shapes), start + _BLOCK_ROWS)
        # Shape q may be compared with shapes 0 .. q - subsequence (they end before q starts).
        past = stop - subsequence
        squared = (
            norms[start:stop, None]
            + norms[None, :past]
            - 2.0 * shapes[start:stop] @ shapes[:past].T
        )
        query = np.arange(start, stop)[:, None]
        # Only the last block's worth of columns can be too recent for some query.
        tail = max(start - subsequence, 0)
        squared[:, tail:][np.arange(tail, past)[None, :] > query - subsequence] = np.inf
        novelty[start + subsequence - 1 : stop + subsequence - 1] = np.sqrt(
            np.maximum(squared.min(axis=1), 0.0)
        )
    return novelty


def causal_robust_z(novelty: np.ndarray, *, start: int, resolution: np.ndarray) -> np.ndarray:
    """Robust z-score of each row against the median and MAD of the rows before it.

    The statistics come from rows ``start .. t - 1`` (refreshed every few rows, never looking
    ahead); ``resolution`` (per row, known at that row) floors the scale so that a perfectly
    repetitive series, whose novelty is all zeros, does not turn rounding noise into alarms.
    """
    rows = len(novelty)
    scores = np.zeros(rows)
    for first in range(start + _REFRESH_ROWS, rows, _REFRESH_ROWS):
        history = novelty[start:first]
        centre = float(np.median(history))
        scale = max(1.4826 * float(np.median(np.abs(history - centre))), resolution[first - 1])
        block = slice(first, min(rows, first + _REFRESH_ROWS))
        scores[block] = (novelty[block] - centre) / scale
    return scores


def refractory_alarms(
    scores: np.ndarray, *, threshold: float, refractory: int, learning_rows: int
) -> np.ndarray:
    """Rows scoring above the threshold: one per ``refractory`` rows at most, none in learning."""
    alarms = np.zeros(len(scores), dtype=bool)
    last = -refractory - 1
    for row in np.flatnonzero(scores > threshold):
        if row >= learning_rows and row - last > refractory:
            alarms[row] = True
            last = row
    return alarms


def detect_stream(
    values: np.ndarray, *, learning_rows: int, settings: StreamingSettings = StreamingSettings()
) -> StreamingDetections:
    """Run the detector over a series; no alarm in the first ``learning_rows`` rows."""
    series = np.asarray(values, dtype=float)
    if not np.isfinite(series).all():
        raise ValueError("the series has missing or infinite values")
    novelty = subsequence_novelty(series, settings.subsequence)
    # The data's magnitude so far (running maximum: no look-ahead) sets the rounding floor.
    magnitude = np.maximum.accumulate(np.abs(series - series[0])) if len(series) else series
    resolution = _RELATIVE_RESOLUTION * np.sqrt(settings.subsequence) * np.maximum(magnitude, 1e-12)
    scores = causal_robust_z(novelty, start=2 * settings.subsequence - 1, resolution=resolution)
    alarms = refractory_alarms(
        scores,
        threshold=settings.threshold,
        refractory=settings.refractory,
        learning_rows=learning_rows,
    )
    return StreamingDetections(scores=scores, alarms=alarms)
