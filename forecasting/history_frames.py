"""Reading the sales history and its drivers from the database into engine-ready frames.

The forecasting engine takes a long frame ``series_id, ds, y`` plus numeric drivers on a
regular grid; this module builds it in a handful of queries per chunk of stores:

* the measure ``y`` is units sold, or the net sales value for sources that only have value
  (Walmart's ``Weekly_Sales``);
* daily facts are summed to the retailer's weeks (ending on ``Company.week_ends_on``) for
  weekly forecasts; weekly sources are used as they are and cannot be forecast daily;
* the origin is the end of the last complete period (``history.completeness``): a day only
  a few series have reported yet is neither history nor zero sales;
* inside a series' life, a period without a row is no sales (0), unless its store did not
  report that period (``history.MissingPeriod``) or was closed for most of it
  (``history.StoreClosure``): then ``y`` is NaN, a missing value the engine neither learns
  from nor scores (``forecasting.engine.missing``); a series whose last sale is long
  before the origin is treated as discontinued and not forecast;
* drivers: shelf price (carried forward), promotion flag, calendar event flag (company-wide,
  region or store scoped) and store/region external indicators, for history and horizon.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from forecasting.engine.granularity import Granularity, granularity_of
from history.bulk import frame_from_copy, frame_from_query
from history.completeness import data_completeness
from history.models import (
    CalendarEvent,
    Grain,
    Indicator,
    MissingPeriod,
    Promotion,
    SalesFact,
    StoreClosure,
)
from masterdata.models import Store
from masterdata.selectors import company


@dataclass(frozen=True)
class SeriesFrames:
    """Engine inputs for one chunk: history, future drivers, and the id ↔ (store, sku) map."""

    history: pd.DataFrame
    future_exog: pd.DataFrame
    series: pd.DataFrame  # series_id, store_id, sku_id
    granularity: Granularity
    origin: pd.Timestamp


def series_id(store_id: pd.Series, sku_id: pd.Series) -> pd.Series:
    return store_id.astype(str) + ":" + sku_id.astype(str)


def source_grain() -> str | None:
    """The grain of the stored sales (daily if any daily facts exist)."""
    if SalesFact.objects.filter(grain=Grain.DAY).exists():
        return Grain.DAY
    if SalesFact.objects.exists():
        return Grain.WEEK
    return None


def company_granularity(code: str) -> Granularity:
    """The granularity stored as ``code`` with the company's weeks (``week_ends_on``)."""
    granularity = granularity_of(code)
    return granularity.ending_on(company().week_ends_on) if granularity.is_weekly else granularity


def last_actual_date(granularity: str) -> pd.Timestamp | None:
    """The origin of a forecast: the last complete period with actuals (the last full week,
    for weekly forecasts of daily sales); later partial periods wait for their other series."""
    completeness = data_completeness()
    grain = completeness.grain
    if completeness.last_complete is None:
        return None
    last = pd.Timestamp(completeness.last_complete)
    target = company_granularity(granularity)
    if grain == Grain.DAY:
        # Only complete weeks count: a week ending after the last actual is partial.
        return target.last_complete_period(last)
    # A weekly fact covers its whole week, whichever weekday dates it (Walmart: Friday).
    return target.period_end(pd.Series([last])).iloc[0]


def origin_at(granularity: str, date: pd.Timestamp) -> pd.Timestamp:
    """The origin as if the last actual were ``date`` (``backtest --until``, ``--origin``).

    Daily sources: the end of the last period that days up to ``date`` fully cover; weekly
    sources: the period holding ``date`` (a weekly fact covers its whole week). Raises
    ``ValueError`` for a date outside the sales history.
    """
    grain = source_grain()
    if grain is None:
        raise ValueError("There is no sales history. Import sales first.")
    first = pd.Timestamp(SalesFact.objects.filter(grain=grain).earliest("date").date)
    last = last_actual_date(granularity)
    target = company_granularity(granularity)
    if grain == Grain.DAY:
        origin = target.last_complete_period(date)
    else:
        origin = target.period_end(pd.Series([date])).iloc[0]
    if origin < first:
        raise ValueError(
            f"{date:%Y-%m-%d} is before the sales history, which starts on {first:%Y-%m-%d}."
        )
    if origin > last:
        raise ValueError(
            f"{date:%Y-%m-%d} is after the last actual period ({last:%Y-%m-%d}); "
            "choose a date inside the sales history."
        )
    return origin


def store_ids_with_sales() -> list[int]:
    return list(
        Store.objects.filter(id__in=SalesFact.objects.values("store_id"))
        .order_by("id")
        .values_list("id", flat=True)
    )


def series_counts_by_store() -> dict[int, int]:
    frame = frame_from_query(
        "SELECT store_id, COUNT(DISTINCT sku_id) FROM history_salesfact GROUP BY store_id",
        columns=["store_id", "series"],
    )
    return dict(zip(frame["store_id"], frame["series"], strict=True))


def load_series_frames(
    *,
    granularity: str,
    store_ids: list[int],
    horizon: int,
    origin: pd.Timestamp,
    sku_ids: list[int] | None = None,
    max_periods: int | None = None,
) -> SeriesFrames:
    """Build the engine inputs for the given stores (optionally only some SKUs).

    ``max_periods`` reads only that many periods up to the origin (the engine's own reach,
    see ``history_periods``): a company with years of daily facts need not read them all.
    """
    grain = source_grain()
    target = company_granularity(granularity)
    if not target.is_weekly and grain == Grain.WEEK:
        raise ValueError("The sales history is weekly; daily forecasts need daily sales.")
    since = None
    if max_periods:
        since = origin - max_periods * target.period
    facts = _sales_facts(store_ids, sku_ids, origin, since)
    if facts.empty:
        empty = pd.DataFrame(columns=["series_id", "ds", "y"])
        return SeriesFrames(
            empty, empty, pd.DataFrame(columns=["series_id", "store_id", "sku_id"]), target, origin
        )
    if target.is_weekly and grain == Grain.DAY:
        facts = _to_weeks(facts, target)
    elif target.is_weekly:
        # Weekly sources date weeks by any weekday (Walmart: Friday); align to the week's end.
        facts["date"] = target.period_end(facts["date"])
    unavailable = unavailable_periods(store_ids, target, origin, since)
    history = _regular_grid(facts, target, origin, unavailable)
    history = _drop_inactive(history, target, origin)
    series = (
        history[["series_id", "store_id", "sku_id"]]
        .drop_duplicates("series_id")
        .reset_index(drop=True)
    )
    future = _future_grid(series, target, origin, horizon)
    history, future = _add_drivers(history, future, target)
    columns = ["series_id", "ds", "y", "price", "on_promotion", "event"]
    extra = [c for c in history.columns if c.startswith("ind_")]
    return SeriesFrames(
        history=history[columns + extra].reset_index(drop=True),
        future_exog=future[[c for c in columns if c != "y"] + extra].reset_index(drop=True),
        series=series,
        granularity=target,
        origin=origin,
    )


def _sales_facts(
    store_ids: list[int],
    sku_ids: list[int] | None,
    origin: pd.Timestamp,
    since: pd.Timestamp | None = None,
) -> pd.DataFrame:
    placeholders = ", ".join(["%s"] * len(store_ids))
    # Only placeholders are formatted in; every value is a bound parameter.
    sql = (
        "SELECT store_id, sku_id, CAST(date AS TEXT) AS date, quantity, revenue, price, "  # noqa: S608
        "on_promotion FROM history_salesfact "
        f"WHERE store_id IN ({placeholders}) AND date <= %s"
    )
    params: list = [*store_ids, origin.date()]
    if since is not None:
        sql += " AND date > %s"
        params.append(since.date())
    if sku_ids:
        sql += f" AND sku_id IN ({', '.join(['%s'] * len(sku_ids))})"
        params += list(sku_ids)
    columns = ["store_id", "sku_id", "date", "quantity", "revenue", "price", "on_promotion"]
    facts = frame_from_copy(sql, params, columns)
    if facts.empty:
        return facts
    facts["date"] = pd.to_datetime(facts["date"], format="%Y-%m-%d")
    for column in ("quantity", "revenue", "price"):
        facts[column] = pd.to_numeric(facts[column], errors="coerce").astype(float)
    # COPY's CSV writes booleans as t/f; a plain query returns Python booleans.
    facts["on_promotion"] = facts["on_promotion"].isin([True, 1, "t"]).astype(float)
    # Units where the series has them everywhere, otherwise the sales value.
    has_units = (
        facts["quantity"].notna().groupby([facts["store_id"], facts["sku_id"]]).transform("all")
    )
    facts["y"] = np.where(has_units, facts["quantity"], facts["revenue"])
    facts["series_id"] = series_id(facts["store_id"], facts["sku_id"])
    return facts[["series_id", "store_id", "sku_id", "date", "y", "price", "on_promotion"]]


def _to_weeks(facts: pd.DataFrame, granularity: Granularity) -> pd.DataFrame:
    facts["date"] = granularity.period_end(facts["date"])
    return facts.groupby(
        ["series_id", "store_id", "sku_id", "date"], as_index=False, observed=True
    ).agg(y=("y", "sum"), price=("price", "mean"), on_promotion=("on_promotion", "max"))


def _regular_grid(
    facts: pd.DataFrame,
    granularity: Granularity,
    origin: pd.Timestamp,
    unavailable: pd.DataFrame,
) -> pd.DataFrame:
    """Every period from a series' first sale to the origin; periods without a row are zero
    sales, except the store-periods of ``unavailable`` (store_id, ds), which are NaN."""
    facts = facts.sort_values(["series_id", "date"])
    firsts = facts.groupby("series_id", sort=False)["date"].min()
    step = granularity.period
    lengths = ((origin - firsts) // step + 1).astype(int)
    ids = np.repeat(firsts.index.to_numpy(), lengths.to_numpy())
    offsets = np.concatenate([np.arange(n) for n in lengths.to_numpy()])
    starts = np.repeat(firsts.to_numpy(), lengths.to_numpy())
    grid = pd.DataFrame({"series_id": ids, "date": starts + offsets * step})
    merged = grid.merge(facts, on=["series_id", "date"], how="left")
    keys = facts.drop_duplicates("series_id").set_index("series_id")[["store_id", "sku_id"]]
    merged["store_id"] = merged["series_id"].map(keys["store_id"]).astype(int)
    merged["sku_id"] = merged["series_id"].map(keys["sku_id"]).astype(int)
    merged["has_row"] = merged["y"].notna()
    merged["y"] = merged["y"].fillna(0.0)
    if not unavailable.empty:
        keys = pd.MultiIndex.from_frame(merged[["store_id", "date"]])
        unavailable = unavailable.astype({"store_id": "int64", "ds": merged["date"].dtype})
        gone = keys.isin(pd.MultiIndex.from_frame(unavailable[["store_id", "ds"]]))
        merged.loc[gone, "y"] = np.nan
    merged["on_promotion"] = merged["on_promotion"].fillna(0.0)
    merged["price"] = _fill_within(merged, "price")
    return merged.rename(columns={"date": "ds"})


def unavailable_periods(
    store_ids: list[int],
    granularity: Granularity,
    origin: pd.Timestamp,
    since: pd.Timestamp | None,
) -> pd.DataFrame:
    """store_id, ds of the periods whose sales are no demand: a store that did not report
    (a missing weekly period, or missing or closed days covering most of the period)."""
    start = since.date() if since is not None else dt.date.min
    recorded = pd.DataFrame(
        MissingPeriod.objects.filter(
            store_id__in=store_ids, date__gt=start, date__lte=origin.date()
        ).values_list("store_id", "date", "grain"),
        columns=["store_id", "date", "grain"],
    )
    closures = pd.DataFrame(
        StoreClosure.objects.filter(
            store_id__in=store_ids, end_date__gt=start, start_date__lte=origin.date()
        ).values_list("store_id", "start_date", "end_date"),
        columns=["store_id", "start_date", "end_date"],
    )
    empty = pd.DataFrame({"store_id": pd.Series(dtype=int), "ds": pd.Series(dtype="M8[ns]")})
    if recorded.empty and closures.empty:
        return empty
    recorded["date"] = pd.to_datetime(recorded["date"])
    weeks = recorded[recorded["grain"] == Grain.WEEK]
    days = [recorded.loc[recorded["grain"] == Grain.DAY, ["store_id", "date"]]]
    if not closures.empty:
        # Only the days inside the frames' reach: a closure may span years.
        after = since + pd.Timedelta(days=1) if since is not None else None
        first = pd.to_datetime(closures["start_date"]).clip(lower=after)
        last = pd.to_datetime(closures["end_date"]).clip(upper=origin)
        lengths = (last - first).dt.days.to_numpy() + 1
        offsets = np.concatenate([np.arange(n) for n in lengths])
        days.append(
            pd.DataFrame(
                {
                    "store_id": np.repeat(closures["store_id"].to_numpy(), lengths),
                    "date": np.repeat(first.to_numpy(), lengths)
                    + pd.to_timedelta(offsets, unit="D"),
                }
            )
        )
    days = pd.concat(days, ignore_index=True).drop_duplicates()
    days["ds"] = granularity.period_end(days["date"])
    counts = days.groupby(["store_id", "ds"]).size()
    # A period is unavailable when most of its days are (a day: that day; a week: 4 of 7).
    mostly = counts[counts * 2 > granularity.period_days].index.to_frame(index=False)
    weeks = weeks.assign(ds=granularity.period_end(weeks["date"]))[["store_id", "ds"]]
    found = pd.concat([mostly, weeks], ignore_index=True).drop_duplicates()
    return found if not found.empty else empty


def _fill_within(frame: pd.DataFrame, column: str) -> pd.Series:
    """Carry a driver forward within each series, and back before its first known value."""
    grouped = frame.groupby("series_id", sort=False)[column]
    filled = grouped.ffill()
    return filled.fillna(filled.groupby(frame["series_id"], sort=False).bfill())


def _drop_inactive(
    history: pd.DataFrame, granularity: Granularity, origin: pd.Timestamp
) -> pd.DataFrame:
    """Drop series whose last sale is ``inactive_after`` periods or more before the origin."""
    cutoff = origin - granularity.inactive_after * granularity.period
    last_row = history[history["has_row"]].groupby("series_id")["ds"].max()
    active = last_row[last_row > cutoff].index
    return history[history["series_id"].isin(active)].drop(columns="has_row")


def _future_grid(
    series: pd.DataFrame, granularity: Granularity, origin: pd.Timestamp, horizon: int
) -> pd.DataFrame:
    dates = origin + granularity.period * np.arange(1, horizon + 1)
    future = series.loc[series.index.repeat(horizon)].reset_index(drop=True)
    future["ds"] = np.tile(dates, len(series))
    return future


def _add_drivers(
    history: pd.DataFrame, future: pd.DataFrame, granularity: Granularity
) -> tuple[pd.DataFrame, pd.DataFrame]:
    stores = pd.DataFrame(Store.objects.values("id", "region_id")).rename(
        columns={"id": "store_id"}
    )
    last_price = history.groupby("series_id")["price"].last()
    future["price"] = future["series_id"].map(last_price)
    future["on_promotion"] = _planned_promotions(future, granularity)
    both = pd.concat([history.assign(_part="h"), future.assign(_part="f")], ignore_index=True)
    both = both.merge(stores, on="store_id", how="left")
    both["event"] = _event_flags(both, granularity)
    both = _indicator_columns(both, granularity)
    both = both.drop(columns="region_id")
    history = both[both["_part"] == "h"].drop(columns="_part")
    future = both[both["_part"] == "f"].drop(columns=["_part", "y"])
    return history, future


def _planned_promotions(future: pd.DataFrame, granularity: Granularity) -> np.ndarray:
    """1 where a promotion already planned in the database covers the period."""
    start, end = future["ds"].min(), future["ds"].max()
    promos = pd.DataFrame(
        Promotion.objects.filter(
            start_date__lte=end.date(), end_date__gte=(start - pd.Timedelta(days=6)).date()
        ).values("store_id", "sku_id", "start_date", "end_date")
    )
    flags = np.zeros(len(future))
    if promos.empty:
        return flags
    period_start = future["ds"] - (granularity.period - pd.Timedelta(days=1))
    for promo in promos.itertuples(index=False):
        mask = (period_start <= pd.Timestamp(promo.end_date)) & (
            future["ds"] >= pd.Timestamp(promo.start_date)
        )
        if promo.store_id is not None and not pd.isna(promo.store_id):
            mask &= future["store_id"] == promo.store_id
        if promo.sku_id is not None and not pd.isna(promo.sku_id):
            mask &= future["sku_id"] == promo.sku_id
        flags[mask.to_numpy()] = 1.0
    return flags


def _event_flags(frame: pd.DataFrame, granularity: Granularity) -> np.ndarray:
    events = pd.DataFrame(CalendarEvent.objects.values("date", "region_id", "store_id"))
    if events.empty:
        return np.zeros(len(frame))
    events["date"] = granularity.period_end(pd.to_datetime(events["date"]))
    flags = np.zeros(len(frame))
    company = set(events.loc[events["region_id"].isna() & events["store_id"].isna(), "date"])
    flags[frame["ds"].isin(company).to_numpy()] = 1.0
    regional = events.dropna(subset=["region_id"])[["date", "region_id"]].drop_duplicates()
    if not regional.empty:
        hit = frame[["ds", "region_id"]].merge(
            regional.rename(columns={"date": "ds"}).assign(_hit=1.0),
            on=["ds", "region_id"],
            how="left",
        )["_hit"]
        flags = np.maximum(flags, hit.fillna(0).to_numpy())
    local = events.dropna(subset=["store_id"])[["date", "store_id"]].drop_duplicates()
    if not local.empty:
        hit = frame[["ds", "store_id"]].merge(
            local.rename(columns={"date": "ds"}).assign(_hit=1.0), on=["ds", "store_id"], how="left"
        )["_hit"]
        flags = np.maximum(flags, hit.fillna(0).to_numpy())
    return flags


def _indicator_columns(frame: pd.DataFrame, granularity: Granularity) -> pd.DataFrame:
    """External indicators as ``ind_<name>`` columns, store-level first, else region-level,
    carried forward into the horizon (the latest known value)."""
    values = pd.DataFrame(
        Indicator.objects.values("name", "store_id", "region_id", "date", "value")
    )
    if values.empty:
        return frame
    values["date"] = granularity.period_end(pd.to_datetime(values["date"]))
    for name, group in values.groupby("name"):
        column = f"ind_{name}"[:40]
        filled = np.full(len(frame), np.nan)
        for key in ("store_id", "region_id"):
            part = group.dropna(subset=[key]).groupby([key, "date"], as_index=False)["value"].mean()
            if part.empty:
                continue
            part[key] = part[key].astype(int)
            joined = frame[[key, "ds"]].merge(
                part.rename(columns={"date": "ds"}), on=[key, "ds"], how="left"
            )
            filled = np.where(np.isnan(filled), joined["value"].to_numpy(dtype=float), filled)
        frame[column] = filled
        frame[column] = _fill_within(frame, column)
        frame[column] = frame[column].fillna(0.0)
    return frame
