"""Benchmark the forecasting engine on real and synthetic data.

Usage (from the repository root)::

    python benchmarks/forecast_engine_walmart.py walmart   # weekly, h=13, 4 windows
    python benchmarks/forecast_engine_walmart.py aisop     # daily, h=28, 3 windows
    python benchmarks/forecast_engine_walmart.py synthetic 30000

For the real sets the last ``horizon`` periods are held out: the pipeline runs on the rest and
the selection plus every single candidate (applied to all series, benchmark fallback where a
candidate does not cover a series) are scored on the holdout.  Prints series/s, peak RSS and a
WAPE / mean MASE / bias table.  Data is read in place from ../shared/data.
"""

from __future__ import annotations

import resource
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from forecasting.engine import (
    DAILY,
    WEEKLY,
    Granularity,
    PipelineConfig,
    naive_scales,
    run_forecast_pipeline,
)
from forecasting.engine.backtest import default_candidates, make_task
from forecasting.engine.frames import drop_last_periods
from forecasting.engine.guardrails import run_candidates

FRIDAY = 4

DATA = Path(__file__).resolve().parents[2] / "shared" / "data"


def load_walmart() -> pd.DataFrame:
    df = pd.read_csv(DATA / "walmart" / "train.csv.gz", parse_dates=["Date"])
    return pd.DataFrame(
        {
            "series_id": df["Store"].astype(str) + "_" + df["Dept"].astype(str),
            "ds": df["Date"].astype("datetime64[ns]"),
            "y": df["Weekly_Sales"].astype(float),
            "event": df["IsHoliday"].astype(float),
        }
    )


def fill_weekly(df: pd.DataFrame) -> pd.DataFrame:
    """Regular weekly grid per series from its first to the global last date, gaps = 0."""
    end = df["ds"].max()
    start = df.groupby("series_id")["ds"].min()
    parts = [
        pd.DataFrame({"series_id": sid, "ds": pd.date_range(s, end, freq="W-FRI")})
        for sid, s in start.items()
    ]
    grid = pd.concat(parts, ignore_index=True)
    out = grid.merge(df, on=["series_id", "ds"], how="left")
    out["y"] = out["y"].fillna(0.0)
    holiday = df.groupby("ds")["event"].max()
    out["event"] = out["ds"].map(holiday).fillna(0.0)
    return out


def load_aisop() -> pd.DataFrame:
    root = DATA / "ai-sop"
    sales = pd.read_csv(root / "shop_sales.csv.gz")
    dates = pd.read_csv(root / "shop_sales_dates.csv", parse_dates=["date"])
    prices = pd.read_csv(root / "shop_sales_prices.csv")
    df = sales.merge(dates, on="date_id", how="left")
    df = df.merge(prices, on=["store_id", "item_id", "wm_yr_wk"], how="left")
    promo = np.select(
        [df["store_id"] == f"STORE_{i}" for i in (1, 2, 3)],
        [df[f"CASHBACK_STORE_{i}"] for i in (1, 2, 3)],
        0,
    )
    out = pd.DataFrame(
        {
            "series_id": df["item_id"].astype(str),
            "ds": df["date"].astype("datetime64[ns]"),
            "y": df["cnt"].astype(float),
            "price": df["sell_price"].astype(float),
            "on_promotion": promo.astype(float),
            "event": df["event_name_1"].notna().astype(float),
        }
    )
    out["price"] = out.groupby("series_id")["price"].transform(lambda p: p.ffill().bfill())
    return out.sort_values(["series_id", "ds"]).reset_index(drop=True)


def synthetic(n_series: int, days: int = 1095, seed: int = 0) -> pd.DataFrame:
    """Negative binomial daily demand with weekly seasonality, trend and promotions."""
    rng = np.random.default_rng(seed)
    level = rng.lognormal(0.5, 1.2, n_series)[:, None]
    dow = np.array([0.8, 0.85, 0.9, 1.0, 1.15, 1.4, 1.2])
    t = np.arange(days)
    promo = (rng.random((n_series, days)) < 0.05).astype(float)
    mu = level * dow[t % 7][None, :] * (1 + 0.3 * promo) * (1 + 0.0003 * t)[None, :]
    y = rng.negative_binomial(2, 2 / (2 + mu)).astype(np.float32)
    ds = pd.date_range("2021-01-01", periods=days, freq="D")
    return pd.DataFrame(
        {
            "series_id": np.repeat([f"s{i:05d}" for i in range(n_series)], days),
            "ds": np.tile(ds.to_numpy(), n_series),
            "y": y.ravel().astype(float),
            "on_promotion": promo.ravel(),
        }
    )


def score(frame: pd.DataFrame, scales: pd.DataFrame) -> dict[str, float]:
    err = frame["forecast"] - frame["actual"]
    sid = frame["series_id"]
    mae = err.abs().groupby(sid).mean()
    return {
        "wape": float(err.abs().sum() / frame["actual"].abs().sum()),
        "mean_mase": float((mae / scales["mase_scale"].reindex(mae.index)).mean()),
        "bias": float(err.sum() / frame["actual"].abs().sum()),
    }


def evaluate(history: pd.DataFrame, horizon: int, granularity: Granularity, windows: int) -> None:
    train = drop_last_periods(history, horizon)
    actual = history.merge(train[["series_id", "ds"]], how="left", indicator=True)
    actual = actual[actual["_merge"] == "left_only"][["series_id", "ds", "y"]]
    actual = actual.rename(columns={"y": "actual"})
    n = train["series_id"].nunique()
    start = time.perf_counter()
    config = PipelineConfig(granularity=granularity, horizon=horizon, windows=windows)
    res = run_forecast_pipeline(train, config, future_exog=history.drop(columns="y"))
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"series={n} pipeline {elapsed:.1f}s = {n / elapsed:.1f} series/s, peak RSS {rss:.0f} MB")
    print("timings:", {k: round(v, 1) for k, v in res.timings.items()})
    print("strategy:", res.selection["strategy"].value_counts().to_dict())
    print(
        "selected models:",
        res.selection["model"]
        .str.replace(r"combo:.*", "combo", regex=True)
        .value_counts()
        .to_dict(),
    )
    print("fallbacks:", (res.selection["fallback_reason"] != "").sum())
    scales = naive_scales(train, granularity.season)
    rows = {"selection": score(res.forecasts.merge(actual, on=["series_id", "ds"]), scales)}
    task = make_task(train, horizon, granularity, history.drop(columns="y"))
    cands = default_candidates(prophet_max_series=0, arima_max_series=config.arima_max_series)
    run = run_candidates(task, cands)
    snaive = run.forecasts[run.forecasts["model"] == "seasonal_naive"].set_index(
        ["series_id", "ds"]
    )["forecast"]
    for model, part in run.forecasts.groupby("model"):
        full = (
            snaive.rename("fallback")
            .reset_index()
            .merge(part[["series_id", "ds", "forecast"]], on=["series_id", "ds"], how="left")
        )
        full["forecast"] = full["forecast"].fillna(full["fallback"])
        cover = part["series_id"].nunique()
        rows[f"{model} ({cover} series)"] = score(
            full.merge(actual, on=["series_id", "ds"]), scales
        )
    table = pd.DataFrame(rows).T.sort_values("wape")
    print(
        f"holdout = last {horizon} periods; candidates not covering a series use "
        "seasonal naive there"
    )
    print(table.round(4).to_string())


def main() -> None:
    which = sys.argv[1] if len(sys.argv) > 1 else "walmart"
    if which == "walmart":
        evaluate(fill_weekly(load_walmart()), 13, WEEKLY.ending_on(FRIDAY), 4)
    elif which == "aisop":
        evaluate(load_aisop(), 28, DAILY, 3)
    else:
        n = int(sys.argv[2]) if len(sys.argv) > 2 else 30000
        hist = synthetic(n)
        start = time.perf_counter()
        config = PipelineConfig(granularity=DAILY, horizon=28, windows=3, prophet_max_series=0)
        res = run_forecast_pipeline(hist, config)
        elapsed = time.perf_counter() - start
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"synthetic series={n} {elapsed:.1f}s = {n / elapsed:.1f} series/s, "
            f"peak RSS {rss:.0f} MB"
        )
        print("timings:", {k: round(v, 1) for k, v in res.timings.items()})


if __name__ == "__main__":
    main()
