"""Prediction intervals: ordered quantiles around the point forecast, whole units for counts,
and a p10–p90 band that holds about 80 % of actuals drawn from the process it was fit on."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from forecasting.engine import add_intervals, classify_demand
from forecasting.engine.evaluation import band_coverage

from .test_engine_basics import make_series

QUANTILES = (0.05, 0.1, 0.5, 0.9, 0.95)
COLUMNS = ["p5", "p10", "p50", "p90", "p95"]


def _random_case(seed: int) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """History, backtest rows and future rows of a mix of series with an imperfect model.

    Kinds: smooth counts, intermittent counts (mean far below one), lumpy counts, all-zero,
    continuous values with returns (negative), and a series without backtest rows. The
    backtest and future forecasts are noisy versions of the true mean, as a model's are.
    """
    rng = np.random.default_rng(seed)
    n_hist, horizon, windows = 120, 14, 3
    kinds = {
        "smooth": lambda n: rng.poisson(rng.uniform(3, 40), n).astype(float),
        "intermittent": lambda n: rng.poisson(rng.uniform(0.02, 0.2), n).astype(float),
        "lumpy": lambda n: rng.poisson(0.2, n) * rng.poisson(rng.uniform(5, 30), n).astype(float),
        "zero": lambda n: np.zeros(n),
        "value": lambda n: np.round(rng.normal(500, 200, n), 2),
        "short": lambda n: rng.poisson(2, n).astype(float),
    }
    hist, backtest, future = [], [], []
    for name, draw in kinds.items():
        y = draw(n_hist + windows * horizon)
        hist.append(make_series(name, y[:n_hist] if name != "short" else y[:10]))
        mean = max(float(y.mean()), 0.0)
        if name != "short":
            for w in range(windows):
                start = n_hist + w * horizon
                backtest.append(
                    pd.DataFrame(
                        {
                            "series_id": name,
                            "window": w,
                            "step": np.arange(1, horizon + 1),
                            "ds": pd.date_range("2023-01-01", periods=horizon)
                            + pd.Timedelta(days=w * horizon),
                            "forecast": mean * rng.uniform(0.7, 1.3, horizon),
                            "actual": y[start : start + horizon],
                        }
                    )
                )
        future.append(
            pd.DataFrame(
                {
                    "series_id": name,
                    "step": np.arange(1, horizon + 1),
                    "forecast": mean * rng.uniform(0.7, 1.3, horizon),
                }
            )
        )
    return (
        pd.concat(hist, ignore_index=True),
        pd.concat(backtest, ignore_index=True),
        pd.concat(future, ignore_index=True),
    )


@pytest.mark.parametrize("seed", range(12))
def test_quantiles_are_ordered_and_hold_the_point_forecast(seed):
    hist, backtest, future = _random_case(seed)
    out = add_intervals(future, backtest, hist, QUANTILES)
    mat = out[COLUMNS].to_numpy()
    assert not np.isnan(mat).any()
    assert np.all(np.diff(mat, axis=1) >= 0)
    point = out["forecast"].to_numpy()
    assert np.all(out["p10"].to_numpy() <= point + 1e-9)
    assert np.all(point <= out["p90"].to_numpy() + 1e-9)
    never_negative = out["series_id"] != "value"
    assert np.all(mat[never_negative.to_numpy()] >= 0)
    zero = out[out["series_id"] == "zero"]
    assert (zero[COLUMNS].to_numpy() == 0).all()


def test_a_slow_mover_is_not_forecast_above_its_own_p90():
    """Sales on about one day in twelve: the mean forecast (0.08) lies above the 90 % quantile
    of a day's demand (0), the root of forecasts shown above their own band."""
    rng = np.random.default_rng(7)
    y = (rng.random(200) < 0.08).astype(float)
    hist = make_series("slow", y[:116])
    backtest = pd.DataFrame(
        {
            "series_id": "slow",
            "window": np.repeat([0, 1, 2], 28),
            "step": np.tile(np.arange(1, 29), 3),
            "ds": pd.date_range("2022-04-27", periods=84),
            "forecast": 0.08,
            "actual": y[116:],
        }
    )
    future = pd.DataFrame({"series_id": "slow", "step": np.arange(1, 57), "forecast": 0.08})
    out = add_intervals(future, backtest, hist)
    assert (out["p10"] == 0).all()
    assert (out["p90"] >= 1).all()  # whole units, at least the point forecast


@pytest.mark.parametrize("seed", range(4))
def test_count_series_get_whole_unit_quantiles_and_values_do_not(seed):
    hist, backtest, future = _random_case(seed)
    out = add_intervals(future, backtest, hist, QUANTILES)
    counts = out[out["series_id"].isin(["smooth", "intermittent", "lumpy", "zero", "short"])]
    mat = counts[COLUMNS].to_numpy()
    assert np.array_equal(mat, np.round(mat))
    values = out.loc[out["series_id"] == "value", "p90"].to_numpy()
    assert not np.array_equal(values, np.round(values))


def _simulated(rng: np.random.Generator, n_series: int, horizon: int, windows: int, start: int):
    """Negative binomial demand of known mean per series and a forecast that is that mean with
    a per-series error; actuals drawn from ``start`` on, for ``windows`` windows."""
    means = rng.lognormal(0.0, 1.5, n_series)
    rows = []
    for i, mean in enumerate(means):
        forecast = mean * rng.uniform(0.85, 1.15)
        for w in range(windows):
            actual = rng.negative_binomial(2, 2 / (2 + mean), horizon).astype(float)
            rows.append(
                pd.DataFrame(
                    {
                        "series_id": f"s{i}",
                        "window": w,
                        "step": np.arange(1, horizon + 1),
                        "ds": pd.Timestamp("2023-01-01")
                        + pd.to_timedelta(start + w * horizon + np.arange(horizon), unit="D"),
                        "forecast": forecast,
                        "actual": actual,
                    }
                )
            )
    true_means = pd.Series(means, index=[f"s{i}" for i in range(n_series)])
    return pd.concat(rows, ignore_index=True), true_means


def test_band_holds_about_80_percent_of_new_actuals_per_demand_class():
    rng = np.random.default_rng(11)
    horizon, windows = 28, 3
    backtest, means = _simulated(rng, 300, horizon, windows, start=0)
    hist = backtest.rename(columns={"actual": "y"})[["series_id", "ds", "y"]]
    # The future: the same forecasts, new actuals from the same process.
    first = backtest.groupby("series_id", as_index=False).first()[["series_id", "forecast"]]
    future = first.loc[first.index.repeat(horizon)].reset_index(drop=True)
    future["step"] = np.tile(np.arange(1, horizon + 1), len(first))
    out = add_intervals(future, backtest, hist)
    mean = out["series_id"].map(means).to_numpy()
    out["actual"] = rng.negative_binomial(2, 2 / (2 + mean)).astype(float)
    classes = classify_demand(hist).set_index("series_id")["demand_class"]
    coverage = band_coverage(out, classes)
    assert 0.75 <= coverage.loc["all", "coverage"] <= 0.85
    assert coverage.loc["all", "points"] == len(out)
    big = coverage[(coverage.index != "all") & (coverage["points"] >= 1000)]
    assert len(big) >= 2
    assert big["coverage"].between(0.7, 0.9).all(), big


def test_band_coverage_counts_band_ends_as_inside_and_reports_width():
    points = pd.DataFrame(
        {
            "series_id": ["a", "a", "b", "b"],
            "forecast": [2.0, 2.0, 1.0, 1.0],
            "p10": [1.0, 1.0, 0.0, 0.0],
            "p90": [3.0, 3.0, 2.0, 2.0],
            "actual": [3.0, 4.0, 0.0, 1.0],
        }
    )
    table = band_coverage(points, pd.Series({"a": "smooth", "b": "intermittent"}))
    assert table.loc["all", "coverage"] == pytest.approx(0.75)
    assert table.loc["smooth", "coverage"] == pytest.approx(0.5)
    assert table.loc["intermittent", "coverage"] == pytest.approx(1.0)
    assert table.loc["all", "width"] == pytest.approx(8.0 / 6.0)
