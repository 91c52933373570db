"""One LightGBM model trained across all series of a chunk (a "global" model).

Strategy: direct forecasting with lags of at least ``horizon`` periods.  Every feature of a
target at date t uses demand up to t - horizon only, so a model forecasts the whole horizon
from data at or before the forecast origin without recursion (no error feedback and no
leakage); a second model with short lags serves the first steps.  The target and every
demand feature are divided by the series' mean absolute demand so one model serves series
of very different scale.  Exogenous columns (price, relative price, promotion, event, any
extra numeric indicator) and calendar features enter as-is; the calendar includes the
distance to the year's big holidays and yearly Fourier terms (:mod:`.yearly`), and the demand
of the same periods one year back wherever the history reaches it.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .frames import exog_columns
from .missing import unfilled
from .models import Candidate, ForecastTask, periods_per_year
from .yearly import holiday_distances, yearly_fourier

FEATURE_PREFIXES = ("lag_", "roll_", "cal_", "x_", "rel_price", "log_scale")


def _lags(horizon: int, season: int) -> list[int]:
    seasonal = [k * season for k in range(1, 5) if k * season >= horizon]
    if season > 24:
        seasonal = [season]
    direct = [horizon + i for i in range(4)]
    return sorted(set(direct + seasonal[:4]))


def _series_grid(sid: np.ndarray) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Row (series) and column (position in series) of every row of a series-sorted frame.

    Lets per-series shifts and cumulative sums run as column operations on a left-aligned
    (series × position) matrix instead of pandas groupby calls, which dominated feature time.
    """
    if len(sid) == 0:
        return np.zeros(0, int), np.zeros(0, int), (0, 0)
    starts = np.r_[0, np.flatnonzero(sid[1:] != sid[:-1]) + 1]
    lengths = np.diff(np.r_[starts, len(sid)])
    row = np.repeat(np.arange(len(starts)), lengths)
    col = np.arange(len(sid)) - np.repeat(starts, lengths)
    return row, col, (len(starts), int(lengths.max()))


def _shift(mat: np.ndarray, k: int, fill: float = np.nan) -> np.ndarray:
    """Shift every row ``k`` columns to the right (per-series lag), padding with ``fill``."""
    out = np.full_like(mat, fill)
    if k < mat.shape[1]:
        out[:, k:] = mat[:, : mat.shape[1] - k]
    return out


def _cumsum(mat: np.ndarray) -> np.ndarray:
    """Compensated (Kahan) cumulative sum along each row, as pandas' groupby cumsum does.

    Matching pandas bit for bit keeps the rolling features, hence the trained trees and the
    forecasts, identical to the groupby implementation this replaced.
    """
    out = np.empty_like(mat)
    accum = np.zeros(mat.shape[0])
    comp = np.zeros(mat.shape[0])
    for j in range(mat.shape[1]):
        y = mat[:, j] - comp
        t = accum + y
        comp = t - accum - y
        accum = t
        out[:, j] = t
    return out


def build_features(
    frame: pd.DataFrame, horizon: int, season: int, rows: np.ndarray | None = None
) -> pd.DataFrame:
    """Model features of a sorted ``series_id, ds, y`` frame (future rows have y = NaN).

    Expects ``scale`` and ``y_scaled`` per row.  Returns the rows at positions ``rows`` (all
    rows by default) with feature columns added; all demand features are shifted by
    ≥ ``horizon`` rows within each series.  Features are computed on the whole frame but
    materialised only for the rows asked for: a model trains on a sample of a few hundred
    thousand rows, and building every column for millions of history rows cost more memory
    than the model itself.
    """
    row, col, shape = _series_grid(frame["series_id"].to_numpy())
    y = np.full(shape, np.nan)
    y[row, col] = frame["y_scaled"].to_numpy(float)
    if rows is not None:
        row, col = row[rows], col[rows]
        out = frame.iloc[rows].copy()
    else:
        out = frame.copy()
    for lag in _lags(horizon, season):
        out[f"lag_{lag}"] = _shift(y, lag)[row, col].astype("float32")
    seasonal_lags = [c for c in out.columns if c.startswith("lag_") and int(c[4:]) % season == 0]
    if seasonal_lags:
        out["roll_seasonal_mean"] = out[seasonal_lags].mean(axis=1)
    base = _shift(y, horizon)
    filled = np.nan_to_num(base, nan=0.0)
    cs = _cumsum(filled)
    cs2 = _cumsum(filled**2)
    cn = np.cumsum(~np.isnan(base), axis=1, dtype=float)
    windows = (7, 28, 91) if season <= 24 else (4, 13, 52)

    def window_sums(end: int, width: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Count, sum and sum of squares of y over (t − end − width, t − end] per row."""
        k = end - horizon
        return tuple(
            (_shift(c, k, 0.0) - _shift(c, k + width, 0.0))[row, col] for c in (cn, cs, cs2)
        )

    with np.errstate(invalid="ignore", divide="ignore"):
        for w in windows:
            n, s1, s2 = window_sums(horizon, w)
            denom = np.where(n > 0, n, np.nan)
            mean = s1 / denom
            out[f"roll_mean_{w}"] = mean.astype("float32")
            out[f"roll_std_{w}"] = np.sqrt(np.maximum(s2 / denom - mean**2, 0.0)).astype("float32")
        year = periods_per_year(season)
        # The same week one year back (daily: its mean around the same weekday), so the model
        # sees last year's peak at the lead it forecasts, not only its month's average.
        if season <= 24 and year - 3 >= horizon:
            n, s1, _ = window_sums(year - 3, 7)
            out["roll_ly_week"] = (s1 / np.where(n > 0, n, np.nan)).astype("float32")
        width = windows[1]
        if year - width // 2 >= horizon:
            n, s1, _ = window_sums(year - width // 2, width)
            around = s1 / np.where(n > 0, n, np.nan)
            n, s1, _ = window_sums(year + horizon, width)
            before = s1 / np.where(n > 0, n, np.nan)
            out["roll_ly_around"] = around.astype("float32")
            out["roll_ly_before"] = before.astype("float32")
            out["roll_ly_ratio"] = (around / np.where(before > 0, before, np.nan)).astype("float32")
    ds = out["ds"].dt
    out["cal_month"] = ds.month.astype("int8")
    out["cal_week"] = ds.isocalendar().week.astype("int8").to_numpy()
    if season <= 24:
        out["cal_dow"] = ds.day_of_week.astype("int8")
        out["cal_dom"] = ds.day.astype("int8")
    dates = out["ds"]
    out = pd.concat([out, holiday_distances(dates), yearly_fourier(dates)], axis=1)
    out["log_scale"] = np.log1p(out["scale"]).astype("float32")
    return out


def default_train_periods(season: int) -> int:
    """A year of daily targets, three years of weekly ones."""
    return 364 if season <= 24 else 156


def periods_needed(horizon: int, season: int, train_periods: int | None = None) -> int:
    """History the model reads per series: its training targets plus the features' reach."""
    if train_periods is None:
        train_periods = default_train_periods(season)
    reach = max(*_lags(horizon, season), 91, periods_per_year(season) + horizon + 91)
    return train_periods + horizon + reach


def _feature_names(frame: pd.DataFrame) -> list[str]:
    """Feature columns, drivers first (LightGBM's column sampling depends on the order)."""
    names = [c for c in frame.columns if c.startswith(FEATURE_PREFIXES)]
    drivers = [c for c in names if c.startswith(("x_", "rel_price"))]
    return drivers + [c for c in names if c not in drivers]


def near_bucket(horizon: int, season: int) -> int | None:
    """Steps served by a second, short-lag model: the first week of daily data, the first
    four weeks of weekly data; None when the horizon is no longer than that."""
    near = 7 if season <= 24 else 4
    return near if horizon > near else None


def lightgbm_predict(task: ForecastTask, **params: object) -> pd.DataFrame:
    """Train the global model on the task history and forecast the task horizon.

    A model whose lags are at least the whole horizon cannot see the last weeks of demand,
    which matter most for the first steps; those steps (:func:`near_bucket`) come from a
    second model trained with short lags, as the M5 winners split their horizon. Keyword
    arguments go to :func:`direct_forecast`.
    """
    forecast = direct_forecast(task, **params)
    near = near_bucket(task.horizon, task.season)
    if near is None:
        return forecast
    near_task = ForecastTask(
        task.history,
        task.future[task.future["step"] <= near],
        near,
        task.granularity,
        task.demand,
    )
    first = direct_forecast(near_task, **params).rename(columns={"forecast": "near"})
    forecast = forecast.merge(first, on=["series_id", "ds"], how="left")
    forecast["forecast"] = forecast["near"].fillna(forecast["forecast"])
    return forecast.drop(columns="near")


def direct_forecast(
    task: ForecastTask,
    num_boost_round: int = 150,
    train_periods: int | None = None,
    max_train_rows: int = 250_000,
    num_threads: int = 1,
    seed: int = 0,
) -> pd.DataFrame:
    """One direct model: every feature lags the target by at least the task's horizon.

    ``num_threads`` defaults to 1: the service parallelises across chunks (one worker per
    core), and LightGBM's OpenMP threads slow down by an order of magnitude when the cores are
    oversubscribed (measured 3 s vs 41 s on a loaded 2-core machine).
    """
    import lightgbm as lgb

    season, horizon = task.season, task.horizon
    if train_periods is None:
        train_periods = default_train_periods(season)
    lookback = periods_needed(horizon, season, train_periods)
    # Missing periods are no target and no lag value (see .missing).
    history, future = unfilled(task.history), task.future
    exog = [c for c in exog_columns(history) if c in future.columns]
    pos = history.groupby("series_id", sort=False).cumcount(ascending=False).to_numpy()
    in_reach = pos < lookback
    past_ids = history["series_id"].to_numpy()[in_reach]
    # Past rows (sorted by series and date) then each series' future rows, series by series:
    # a stable sort of the ids alone, so the frame is built once instead of concatenated,
    # copied and sorted whole.
    order = np.argsort(np.concatenate([past_ids, future["series_id"].to_numpy()]), kind="stable")
    frame = pd.DataFrame(
        {
            c: np.concatenate(
                [
                    history[c].to_numpy()[in_reach],
                    future[c].to_numpy() if c != "y" else np.full(len(future), np.nan),
                ]
            )[order]
            for c in ["series_id", "ds", "y", *exog]
        }
    )
    frame["_pos"] = np.concatenate([pos[in_reach], np.full(len(future), -1)])[order]
    past = frame["_pos"].to_numpy() >= 0
    scale = frame.loc[past, "y"].abs().groupby(frame.loc[past, "series_id"]).mean()
    scale = scale.where(scale > 0, 1.0)
    if "price" in exog:
        mean_price = frame.loc[past, "price"].groupby(frame.loc[past, "series_id"]).mean()
    frame["scale"] = frame["series_id"].map(scale).astype(float)
    frame["y_scaled"] = frame["y"] / frame["scale"]
    hist_pos = frame["_pos"].to_numpy()
    train_mask = (hist_pos >= 0) & (hist_pos < train_periods) & frame["y"].notna().to_numpy()
    train_idx = np.flatnonzero(train_mask)
    if len(train_idx) > max_train_rows:
        rng = np.random.default_rng(seed)
        train_idx = np.sort(rng.choice(train_idx, max_train_rows, replace=False))
    future_idx = np.flatnonzero(hist_pos < 0)
    rows = build_features(frame, horizon, season, np.concatenate([train_idx, future_idx]))
    del frame
    for c in exog:
        rows[f"x_{c}"] = rows[c].astype("float32")
    if "price" in exog:
        ref = rows["series_id"].map(mean_price)
        rows["rel_price"] = (rows["price"] / ref.where(ref > 0)).astype("float32")
    names = _feature_names(rows)
    x_train = rows[names].iloc[: len(train_idx)]
    target = rows["y_scaled"].iloc[: len(train_idx)]
    # Tweedie (log link, variance growing with the mean) suits non-negative, zero-inflated
    # demand, as in the M5 winners; sources with negative values (returns) need least squares.
    objective = "tweedie" if target.min() >= 0 else "regression"
    params = {
        "objective": objective,
        "learning_rate": 0.05,
        "num_leaves": 63,
        "min_data_in_leaf": 50,
        "feature_fraction": 0.8,
        "bagging_fraction": 0.8,
        "bagging_freq": 1,
        "lambda_l2": 1.0,
        "max_bin": 127,
        "num_threads": num_threads,
        "verbosity": -1,
        "seed": seed,
    }
    data = lgb.Dataset(x_train, target, free_raw_data=True)
    booster = lgb.train(params, data, num_boost_round=num_boost_round)
    pred_rows = rows.iloc[len(train_idx) :]
    pred = booster.predict(pred_rows[names], num_threads=num_threads) * pred_rows["scale"]
    return pd.DataFrame(
        {
            "series_id": pred_rows["series_id"].to_numpy(),
            "ds": pred_rows["ds"].to_numpy(),
            "forecast": np.asarray(pred),
        }
    )


def global_candidates(**params: object) -> list[Candidate]:
    """The global LightGBM candidate; keyword args go to :func:`lightgbm_predict`."""
    return [Candidate("lightgbm", lambda task: lightgbm_predict(task, **params))]
