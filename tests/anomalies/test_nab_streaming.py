"""The streaming detector: causal, quiet on repeating or noisy series, quick on real changes."""

import numpy as np
import pytest

from anomalies.engine.streaming import (
    StreamingSettings,
    detect_stream,
    refractory_alarms,
    subsequence_novelty,
)

ROWS = 3000
DAY = 144


def daily(rows: int = ROWS, noise: float = 1.0, seed: int = 1) -> np.ndarray:
    rng = np.random.default_rng(seed)
    t = np.arange(rows)
    return 50 + 30 * np.sin(2 * np.pi * t / DAY) + rng.normal(0, noise, rows)


def test_decisions_use_only_the_past():
    series = daily()
    series[2000:] += 25
    whole = detect_stream(series, learning_rows=450)
    prefix = detect_stream(series[:2100], learning_rows=450)
    np.testing.assert_allclose(prefix.scores, whole.scores[:2100])
    np.testing.assert_array_equal(prefix.alarms, whole.alarms[:2100])


@pytest.mark.parametrize(
    "series",
    [
        np.full(ROWS, 20.0),
        daily(noise=0.0),
        np.where((np.arange(ROWS) // 72) % 2 == 0, 80.0, 20.0),
        daily(noise=1.0),
        np.random.default_rng(3).normal(50, 10, ROWS),
    ],
    ids=["flatline", "clean-daily", "square-wave", "noisy-daily", "white-noise"],
)
def test_no_alarm_on_series_without_anomaly(series):
    assert not detect_stream(series, learning_rows=450).alarms.any()


def test_level_shift_alarms_at_once():
    series = daily()
    series[2000:] += 40
    alarms = np.flatnonzero(detect_stream(series, learning_rows=450).alarms)
    assert 2000 <= alarms[0] <= 2005


def test_stuck_sensor_alarms_soon_after_it_stops_moving():
    series = daily()
    series[2000:2300] = series[2000]
    alarms = np.flatnonzero(detect_stream(series, learning_rows=450).alarms)
    assert 2000 <= alarms[0] <= 2000 + StreamingSettings().subsequence


def test_no_alarm_during_learning_rows():
    series = daily()
    series[300] += 200
    assert not detect_stream(series, learning_rows=450).alarms[:450].any()
    assert detect_stream(series, learning_rows=200).alarms[300]


def test_refractory_period_keeps_one_alarm_per_incident():
    scores = np.zeros(1000)
    scores[[100, 150, 300, 301, 350]] = 10.0
    alarms = refractory_alarms(scores, threshold=5.0, refractory=200, learning_rows=50)
    assert np.flatnonzero(alarms).tolist() == [100, 301]


def test_novelty_of_a_repeated_shape_is_zero():
    pattern = np.tile(np.arange(8.0), 20)
    novelty = subsequence_novelty(pattern, 8)
    assert np.allclose(novelty[15:], 0.0, atol=1e-6)
    spiked = pattern.copy()
    spiked[100] = 50.0
    assert subsequence_novelty(spiked, 8)[100] > 40


def test_missing_values_are_refused():
    series = daily()
    series[10] = np.nan
    with pytest.raises(ValueError, match="missing"):
        detect_stream(series, learning_rows=450)
