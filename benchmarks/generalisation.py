"""Generalisation check: a history the project has never seen, through the product's own path.

A company is generated with a seed and size used nowhere else (``GENERALISATION_SEED``),
its daily sales up to a cut-off are written as a plain ``sop`` CSV (``date,store,sku,
quantity``) and imported with ``--create-missing``; ``forecast`` and ``export_forecasts``
run as a user would run them; the exported forecast is then scored on the 28 days after the
cut-off against seasonal naive and a plain ETS (statsforecast's AutoETS) fitted to the same
CSV. Runs in a throwaway database on the server of ``DATABASE_URL``.

``GENERALISATION_SEED`` may list several seeds (``2718,11,31415``): each company is scored
in a fresh database and a summary counts the companies where the product wins.
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd

from benchmarks._throwaway import django_setup, throwaway_database

HORIZON = 28


def _scores(points: pd.DataFrame, column: str, scale: pd.Series) -> tuple[float, float]:
    error = points[column] - points["actual"]
    wape = float(error.abs().sum() / points["actual"].abs().sum())
    mae = error.abs().groupby(points["series"]).mean()
    return wape, float((mae / scale.reindex(mae.index)).mean())


def main() -> int:
    django_setup()
    seeds = [int(s) for s in os.environ.get("GENERALISATION_SEED", "2718").split(",")]
    results = {}
    for seed in seeds:
        print(f"unseen company, seed {seed}")
        with throwaway_database("generalisation"):
            results[seed] = _one_company(seed)
    if len(results) > 1:
        _summary(results)
    return 0


def _summary(results: dict[int, dict[str, tuple[float, float]]]) -> None:
    print(f"{len(results)} unseen companies: the product's export beats …")
    for baseline in ("seasonal naive", "plain ETS"):
        for k, metric in enumerate(("WAPE", "MASE")):
            wins = [seed for seed, r in results.items() if r["product"][k] < r[baseline][k]]
            print(f"  {baseline:<15} on {metric}: {len(wins)} of {len(results)}")


def _one_company(seed: int) -> dict[str, tuple[float, float]]:
    """Import, forecast and export one generated company; score the export and baselines."""
    from django.core.management import call_command
    from statsforecast import StatsForecast
    from statsforecast.models import AutoETS

    from demo.engine import generate_company
    from imports.services import import_files

    company = generate_company(seed=seed, stores=5, skus=40, years=2)
    sales = company.sales[["date", "store_code", "sku_code", "quantity"]].rename(
        columns={"store_code": "store", "sku_code": "sku"}
    )
    sales["store"] = "X" + sales["store"].astype(str)
    sales["sku"] = "Y" + sales["sku"].astype(str)
    cutoff = sales["date"].max() - pd.Timedelta(days=HORIZON)
    train, future = sales[sales["date"] <= cutoff], sales[sales["date"] > cutoff]
    with tempfile.TemporaryDirectory() as folder:
        csv = Path(folder) / "sales.csv"
        train.assign(date=train["date"].dt.strftime("%Y-%m-%d")).to_csv(csv, index=False)
        start = time.perf_counter()
        report = import_files(fmt="sop", paths=[csv], create_missing=True)
        print(f"imported {report.rows_read:,} rows in {time.perf_counter() - start:.1f} s")
        call_command("forecast", granularity="daily", horizon=HORIZON)
        export = Path(folder) / "forecasts.csv"
        call_command("export_forecasts", out=str(export), granularity="daily")
        product = pd.read_csv(export, parse_dates=["date"])

    product["series"] = product["store"] + "|" + product["sku"]
    actual = future.assign(series=future["store"] + "|" + future["sku"])
    points = actual.rename(columns={"quantity": "actual"}).merge(
        product[["series", "date", "forecast"]], on=["series", "date"]
    )
    history = train.assign(unique_id=train["store"] + "|" + train["sku"])
    history = history.rename(columns={"date": "ds", "quantity": "y"})[["unique_id", "ds", "y"]]
    history = history[history["unique_id"].isin(points["series"])]
    ets = StatsForecast(models=[AutoETS(season_length=7)], freq="D", n_jobs=1)
    baseline = ets.forecast(df=history, h=HORIZON).rename(
        columns={"unique_id": "series", "ds": "date", "AutoETS": "ets"}
    )
    last = history.sort_values("ds").groupby("unique_id").tail(7)
    last = last.assign(dow=last["ds"].dt.day_of_week)[["unique_id", "dow", "y"]]
    points = points.merge(baseline, on=["series", "date"], how="left")
    points["dow"] = points["date"].dt.day_of_week
    points = points.merge(
        last.rename(columns={"unique_id": "series", "y": "seasonal_naive"}),
        on=["series", "dow"],
        how="left",
    )
    points["ets"] = points["ets"].clip(lower=0)
    points = points.dropna(subset=["ets", "seasonal_naive"])
    y = history.sort_values(["unique_id", "ds"])
    scale = (y.groupby("unique_id")["y"].diff(7).abs()).groupby(y["unique_id"]).mean()
    scale = scale.replace(0, np.nan)
    print(f"{points['series'].nunique()} series, {len(points):,} points after {cutoff:%Y-%m-%d}")
    print(f"{'forecast':<18}{'WAPE':>8}{'MASE':>8}")
    scores = {}
    for name, column in (
        ("product (export)", "forecast"),
        ("seasonal naive", "seasonal_naive"),
        ("plain ETS", "ets"),
    ):
        wape, mase = _scores(points, column, scale)
        scores[name.split(" (")[0]] = (wape, mase)
        print(f"{name:<18}{wape:>8.4f}{mase:>8.3f}")
    return scores
