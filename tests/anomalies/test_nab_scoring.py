"""NAB's standard-profile score against cases worked out by hand from NAB's rules.

A 100-row file has a probationary period of 15 rows; its one window covers rows 40..49
(width 10), so a detection on row ``i`` of it is worth S(-(50 - i) / 10) / S(-1) with
S(x) = 2 / (1 + exp(5x)) - 1, and a false positive ``d`` rows after it costs 0.11 * S(d / 9).
"""

import numpy as np
import pandas as pd
import pytest

from anomalies.engine.nab_scoring import (
    STANDARD_PROFILE,
    normalised_score,
    probationary_length,
    scaled_sigmoid,
    score_file,
    window_rows,
)

ROWS = 100
WINDOW = [(40, 49)]


def flags(*rows: int, length: int = ROWS) -> np.ndarray:
    out = np.zeros(length, dtype=bool)
    out[list(rows)] = True
    return out


def test_probationary_period_is_15_percent_capped_at_750_rows():
    assert probationary_length(100) == 15
    assert probationary_length(1001) == 150
    assert probationary_length(4033) == 604
    assert probationary_length(22695) == 750


def test_scaled_sigmoid_matches_nab_landmarks():
    assert scaled_sigmoid(-1.0) == pytest.approx(0.98661, abs=1e-5)
    assert scaled_sigmoid(-0.5) == pytest.approx(0.84828, abs=1e-5)
    assert scaled_sigmoid(0.0) == 0.0
    assert scaled_sigmoid(1.0) == pytest.approx(-0.98661, abs=1e-5)
    assert scaled_sigmoid(3.5) == -1.0


def test_detection_on_first_row_of_window_earns_full_true_positive():
    score = score_file(flags(40), WINDOW)
    assert score.raw == pytest.approx(1.0)
    assert (score.null, score.perfect) == (-1.0, 1.0)
    assert normalised_score([score]) == pytest.approx(100.0)


def test_late_detection_earns_less_and_only_the_earliest_counts():
    halfway = score_file(flags(45), WINDOW)
    assert halfway.raw == pytest.approx(0.859793, abs=1e-6)
    early_and_late = score_file(flags(42, 45, 49), WINDOW)
    # Row 42 is at -0.8 of the window: S(-0.8) / S(-1) = 0.977107; the later rows add nothing.
    assert early_and_late.raw == pytest.approx(0.977107, abs=1e-6)
    assert early_and_late.detections_in_windows == 3
    last_row = score_file(flags(49), WINDOW)
    assert last_row.raw == pytest.approx(0.248242, abs=1e-6)


def test_false_positive_just_after_window_costs_less_than_one_far_away():
    near = score_file(flags(40, 50), WINDOW)
    assert near.raw == pytest.approx(1.0 - 0.029793, abs=1e-6)
    far = score_file(flags(40, 90), WINDOW)
    assert far.raw == pytest.approx(1.0 - 0.11)
    before_any_window = score_file(flags(20), WINDOW)
    assert before_any_window.raw == pytest.approx(-1.0 - 0.11)
    assert before_any_window.windows_found == 0


def test_every_false_positive_counts():
    score = score_file(flags(20, 21, 22), WINDOW)
    assert score.raw == pytest.approx(-1.0 - 3 * 0.11)
    assert score.detections == 3


def test_detections_in_probationary_period_are_ignored():
    score = score_file(flags(0, 5, 14), WINDOW)
    assert score.raw == -1.0
    assert score.detections == 0
    assert normalised_score([score]) == 0.0


def test_window_inside_probationary_period_is_not_a_miss():
    score = score_file(flags(), [(2, 5), (40, 49)])
    assert score.null == -1.0
    assert score.raw == -1.0
    assert score.perfect == 2.0


def test_file_without_windows_only_loses_points_for_false_positives():
    quiet = score_file(flags(50), [])
    assert quiet.raw == pytest.approx(-0.11)
    assert (quiet.null, quiet.perfect, quiet.windows) == (0.0, 0.0, 0)
    assert normalised_score([quiet]) is None
    found = score_file(flags(40), WINDOW)
    # Over both files: raw 0.89, null -1, perfect 1.
    assert normalised_score([found, quiet]) == pytest.approx(100 * 1.89 / 2)


def test_normalised_score_over_files_sums_raw_null_and_perfect():
    two_windows = score_file(flags(40), [(40, 49), (70, 79)])
    assert two_windows.raw == pytest.approx(0.0)
    assert normalised_score([two_windows]) == pytest.approx(50.0)


def test_window_rows_from_timestamps():
    stamps = pd.date_range("2024-01-01", periods=10, freq="h")
    rows = window_rows(stamps, [("2024-01-01 05:00:00.000000", "2024-01-01 07:00:00")])
    assert rows == [(5, 7)]
    with pytest.raises(ValueError, match="holds no row"):
        window_rows(stamps, [("2024-02-01", "2024-02-02")])


def test_profile_weights_are_nab_standard():
    assert (STANDARD_PROFILE.tp_weight, STANDARD_PROFILE.fp_weight) == (1.0, 0.11)
    assert STANDARD_PROFILE.fn_weight == 1.0
