"""Benchmark the forecasting engine on real and synthetic data.

Usage (from the repository root)::

    python benchmarks/forecast_engine_walmart.py walmart   # weekly, h=13, 4 windows
    python benchmarks/forecast_engine_walmart.py walmart --until 2011-12-30
    python benchmarks/forecast_engine_walmart.py aisop     # daily, h=28, 3 windows
    python benchmarks/forecast_engine_walmart.py demo --until 2025-12-31   # daily, h=28, 3 windows
    python benchmarks/forecast_engine_walmart.py synthetic 30000

For the real sets and the demo company the last ``horizon`` periods (ending at ``--until``
when given: nothing later is read) are held out and scored by
:func:`forecasting.engine.evaluation.holdout_evaluation`, the table ``manage.py backtest``
prints: the selection plus every single candidate (seasonal naive where a candidate does not
cover a series).  The demo company is generated in memory (``demo.engine``) and shaped as the
forecast reads it from the database.  Data is read in place from ../shared/data.
"""

from __future__ import annotations

import argparse
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
    run_forecast_pipeline,
)
from forecasting.engine.evaluation import holdout_evaluation

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
    """Regular weekly grid per series from its first to the global last date, gaps = 0;
    ``has_row`` marks weeks with a sale row, so series inactive by the cut-off are dropped as
    the forecast's history read drops them."""
    end = df["ds"].max()
    start = df.groupby("series_id")["ds"].min()
    parts = [
        pd.DataFrame({"series_id": sid, "ds": pd.date_range(s, end, freq="W-FRI")})
        for sid, s in start.items()
    ]
    grid = pd.concat(parts, ignore_index=True)
    out = grid.merge(df, on=["series_id", "ds"], how="left")
    out["has_row"] = out["y"].notna()
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


def demo_history() -> pd.DataFrame:
    """The default demo company's store × SKU daily history with its drivers, as
    ``forecasting.history_frames.load_series_frames`` reads it: units, every day from a
    series' first sale (no row = no sale), shelf price carried forward, promotion flag,
    company- or region-wide event flag and the regions' temperature carried forward."""
    from demo.engine.company import generate_company

    company = generate_company()
    sales = company.sales
    facts = pd.DataFrame(
        {
            "series_id": sales["store_code"].astype(str) + ":" + sales["sku_code"].astype(str),
            "store": sales["store_code"].astype(str),
            "ds": pd.to_datetime(sales["date"]).astype("datetime64[ns]"),
            "y": sales["quantity"].astype(float),
            "price": sales["price"].astype(float),
            "on_promotion": sales["on_promotion"].astype(float),
        }
    )
    end = facts["ds"].max()
    first = facts.groupby("series_id")["ds"].min()
    grid = pd.concat(
        [pd.DataFrame({"series_id": sid, "ds": pd.date_range(s, end)}) for sid, s in first.items()],
        ignore_index=True,
    )
    out = grid.merge(facts, on=["series_id", "ds"], how="left")
    out["has_row"] = out["y"].notna()
    out["store"] = out["series_id"].str.split(":").str[0]
    out["y"] = out["y"].fillna(0.0)
    out["on_promotion"] = out["on_promotion"].fillna(0.0)
    out["price"] = out.groupby("series_id")["price"].transform(lambda p: p.ffill().bfill())
    region = company.stores.set_index("code")["region_code"]
    out["region"] = out["store"].map(region)
    events = company.events.assign(ds=pd.to_datetime(company.events["date"]))
    company_wide = events.loc[events["region_code"].isna(), "ds"]
    regional = events.dropna(subset=["region_code"])[["region_code", "ds"]].drop_duplicates()
    hit = out[["region", "ds"]].merge(
        regional.rename(columns={"region_code": "region"}).assign(_hit=True),
        on=["region", "ds"],
        how="left",
    )["_hit"]
    out["event"] = (out["ds"].isin(company_wide).to_numpy() | hit.notna().to_numpy()).astype(float)
    temps = company.indicators[company.indicators["name"] == "temperature"]
    temps = temps.assign(ds=pd.to_datetime(temps["date"]).astype("datetime64[ns]"))
    out = out.merge(
        temps[["region_code", "ds", "value"]].rename(
            columns={"region_code": "region", "value": "ind_temperature"}
        ),
        on=["region", "ds"],
        how="left",
    ).sort_values(["series_id", "ds"])
    out["ind_temperature"] = (
        out.groupby("series_id")["ind_temperature"].transform(lambda v: v.ffill()).fillna(0.0)
    )
    return out.drop(columns=["store", "region"]).reset_index(drop=True)


def cut_at(history: pd.DataFrame, until: pd.Timestamp, granularity: Granularity) -> pd.DataFrame:
    """History up to ``until``, without series inactive by then (as the forecast reads it)."""
    history = history[history["ds"] <= until]
    if "has_row" in history:
        cutoff = until - granularity.inactive_after * granularity.period
        last = history[history["has_row"]].groupby("series_id")["ds"].max()
        history = history[history["series_id"].isin(last[last > cutoff].index)]
        history = history.drop(columns="has_row")
    return history.reset_index(drop=True)


def evaluate(history: pd.DataFrame, horizon: int, granularity: Granularity, windows: int) -> None:
    """Print ``holdout_evaluation``'s table, as ``manage.py backtest`` does."""
    start = time.perf_counter()
    result = holdout_evaluation(history, horizon, granularity, windows)
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"series={result.series} {elapsed:.1f}s, peak RSS {rss:.0f} MB")
    print(f"holdout {result.holdout_start.date()} to {result.holdout_end.date()}")
    print("strategy:", result.strategies)
    print(f"selection beats seasonal naive on {result.beats_seasonal_naive:.1%} of series")
    print(result.table.round(4).to_string())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data", choices=["walmart", "aisop", "demo", "synthetic"])
    parser.add_argument("series", nargs="?", type=int, default=30000)
    parser.add_argument("--until", type=pd.Timestamp, default=None)
    args = parser.parse_args()
    if args.data == "synthetic":
        synthetic_speed(args.series)
        return
    runs = {
        "walmart": (lambda: fill_weekly(load_walmart()), 13, WEEKLY.ending_on(FRIDAY), 4),
        "aisop": (load_aisop, 28, DAILY, 3),
        "demo": (demo_history, 28, DAILY, 3),
    }
    load, horizon, granularity, windows = runs[args.data]
    history = load()
    until = args.until if args.until is not None else history["ds"].max()
    evaluate(cut_at(history, until, granularity), horizon, granularity, windows)


def synthetic_speed(n: int) -> None:
    hist = synthetic(n)
    start = time.perf_counter()
    config = PipelineConfig(granularity=DAILY, horizon=28, windows=3, prophet_max_series=0)
    res = run_forecast_pipeline(hist, config)
    elapsed = time.perf_counter() - start
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"synthetic series={n} {elapsed:.1f}s = {n / elapsed:.1f} series/s, RSS {rss:.0f} MB")
    print("timings:", {k: round(v, 1) for k, v in res.timings.items()})


if __name__ == "__main__":
    main()
