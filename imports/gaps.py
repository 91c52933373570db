"""Store-periods an import has no sales rows for, and how they are read: missing or zero.

Sources write no row for a SKU that sold nothing, so a SKU without a row in a store that did
report the period is zero sales. A store with no row at all for a period is another matter:
more often the period was not recorded (a till export that failed, a store whose file came
late) than a store that sold nothing. So by default (``missing``) such a store-period is
recorded as a ``history.MissingPeriod``, and forecasts and accuracy leave it out instead of
reading zero demand. An import that knows its source writes nothing for a store without
sales says ``zero``: its store-periods without rows are zero sales, and any earlier record
of them as missing goes.

Recorded at import time rather than derived when reading, because the reading (missing or
zero) is the import's to say and must be kept, and because every reader (a forecast chunk,
the accuracy refresh, a scoped run over a few SKUs) then asks one small table instead of
scanning the sales facts for which stores reported when.

What an import examines: the periods it has sales for (per grain; weekly dates grouped
into weeks, so stores dating weeks by other weekdays match), for the stores it has sales
for, from each store's first sale on (its first stored sale when it has earlier ones), and
for the stores still selling before it (a stored sale within the periods after which the
forecast counts a series as discontinued, 8 weeks or 56 days), which a weekly file without
one store's rows would otherwise never show. A period no store reported is not a gap of
any store here (that is a late or partial import, a matter of data completeness). Sales
arriving for a recorded store-period, by any import or the API, remove its record.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd
from django.db.models import Exists, OuterRef

from forecasting.engine.granularity import granularity_of
from history.models import Grain, MissingPeriod, SalesFact
from masterdata.models import Store
from masterdata.selectors import company

READ_AS_MISSING, READ_AS_ZERO = "missing", "zero"
GAP_READINGS = (READ_AS_MISSING, READ_AS_ZERO)
UNITS = {Grain.DAY.value: "store-days", Grain.WEEK.value: "store-weeks"}


@dataclass(frozen=True)
class GapsFound:
    """Store-periods without rows per grain (``D``/``W``) and how they are read."""

    read_as: str
    counts: dict[str, int]

    def as_dict(self) -> dict:
        return {"read_as": self.read_as, **{UNITS[g]: n for g, n in self.counts.items() if n}}

    def notes(self) -> list[str]:
        """What the import report says about them, one sentence per grain."""
        reading = "missing" if self.read_as == READ_AS_MISSING else "zero sales"
        return [
            f"1 {UNITS[grain][:-1]} had no rows and is read as {reading}"
            if n == 1
            else f"{n:,} {UNITS[grain]} had no rows and are read as {reading}"
            for grain, n in sorted(self.counts.items())
            if n
        ]


def sales_gaps_record(sales: pd.DataFrame, *, read_as: str) -> GapsFound:
    """Find the store-periods ``sales`` (``store_id``, ``date``, ``grain``: rows just written)
    leaves without rows, record them as ``read_as`` says, and drop the records of
    store-periods that now have rows."""
    if read_as not in GAP_READINGS:
        raise ValueError(f"gaps must be one of {', '.join(GAP_READINGS)}")
    counts = {}
    sales = sales[["store_id", "date", "grain"]].astype({"store_id": "int64"})
    for grain, rows in sales.groupby("grain", sort=True):
        present = _periods(rows.drop_duplicates(["store_id", "date"]), grain)
        gaps = _gaps(present, grain)
        _records_update(present, gaps, grain, read_as)
        counts[str(grain)] = len(gaps)
    return GapsFound(read_as, counts)


def _period_key(dates: pd.Series, grain: str) -> pd.Series:
    """The period a date falls in: the day, or the end of its week as the company counts."""
    if grain != Grain.WEEK:
        return dates
    ends_on = company().week_ends_on
    return dates + pd.to_timedelta((ends_on - dates.dt.day_of_week) % 7, unit="D")


def _periods(rows: pd.DataFrame, grain: str) -> pd.DataFrame:
    """store_id, period (key), date: one row per store-period present."""
    rows = rows.assign(period=_period_key(rows["date"], grain))
    return rows.drop_duplicates(["store_id", "period"])[["store_id", "period", "date"]]


def _gaps(present: pd.DataFrame, grain: str) -> pd.DataFrame:
    """store_id, date of every store-period the batch and the stored sales leave empty; the
    date of a gap is the date the batch gives that period (its earliest)."""
    periods = present.groupby("period")["date"].min().sort_index()
    first = present.groupby("store_id")["period"].min()
    earlier = _stores_with_sales_before(first.index.tolist(), grain, periods.min())
    first[first.index.isin(earlier)] = periods.index[0]
    still_selling = _stores_selling_before(grain, periods.min()) - set(first.index)
    if still_selling:
        first = pd.concat([first, pd.Series(periods.index[0], index=sorted(still_selling))])
    grid = pd.MultiIndex.from_product([first.index, periods.index], names=["store_id", "period"])
    candidates = grid.to_frame(index=False)
    candidates = candidates[candidates["period"] >= candidates["store_id"].map(first)]
    seen = pd.MultiIndex.from_frame(present[["store_id", "period"]])
    candidates = candidates[~pd.MultiIndex.from_frame(candidates).isin(seen)]
    if candidates.empty:
        return candidates.assign(date=pd.Series(dtype="datetime64[ns]"))
    stored = _stored_periods(candidates, grain)
    candidates = candidates[~pd.MultiIndex.from_frame(candidates).isin(stored)]
    return candidates.assign(date=candidates["period"].map(periods)).reset_index(drop=True)


def _stores_with_sales_before(store_ids: list[int], grain: str, day: pd.Timestamp) -> set[int]:
    """Stores with stored sales of ``grain`` dated before ``day``: they reported before the
    batch, so the batch's first periods are theirs too."""
    earlier = SalesFact.objects.filter(store=OuterRef("pk"), grain=grain, date__lt=day.date())
    return set(
        Store.objects.filter(id__in=store_ids).filter(Exists(earlier)).values_list("id", flat=True)
    )


def _stores_selling_before(grain: str, day: pd.Timestamp) -> set[int]:
    """Stores with stored sales of ``grain`` in the periods just before ``day``: the periods
    within which a series that stops selling still counts as active."""
    granularity = granularity_of(grain)
    since = day - granularity.inactive_after * granularity.period
    recent = SalesFact.objects.filter(grain=grain, date__gte=since.date(), date__lt=day.date())
    return set(recent.values_list("store_id", flat=True).distinct())


def _stored_periods(candidates: pd.DataFrame, grain: str) -> pd.MultiIndex:
    """The candidate store-periods that already have stored sales (an earlier import)."""
    start = candidates["period"].min() - pd.Timedelta(days=6 if grain == Grain.WEEK else 0)
    rows = pd.DataFrame(
        SalesFact.objects.filter(
            store_id__in=candidates["store_id"].unique().tolist(),
            grain=grain,
            date__range=(start.date(), candidates["period"].max().date()),
        )
        .values_list("store_id", "date")
        .distinct(),
        columns=["store_id", "date"],
    )
    if rows.empty:
        return pd.MultiIndex.from_arrays([[], []], names=["store_id", "period"])
    rows["period"] = _period_key(pd.to_datetime(rows["date"]), grain)
    return pd.MultiIndex.from_frame(rows[["store_id", "period"]])


def _records_update(present: pd.DataFrame, gaps: pd.DataFrame, grain: str, read_as: str) -> None:
    """Delete the records of store-periods that have rows now (and, read as zero, of the
    gaps); insert the gaps not yet recorded when they are read as missing."""
    stores = set(present["store_id"].tolist()) | set(gaps["store_id"].tolist())
    start = present["period"].min() - pd.Timedelta(days=6 if grain == Grain.WEEK else 0)
    recorded = pd.DataFrame(
        MissingPeriod.objects.filter(
            store_id__in=stores,
            grain=grain,
            date__range=(start.date(), present["period"].max().date()),
        ).values_list("id", "store_id", "date"),
        columns=["id", "store_id", "date"],
    )
    recorded["period"] = _period_key(pd.to_datetime(recorded["date"]), grain)
    keys = pd.MultiIndex.from_frame(recorded[["store_id", "period"]])
    filled = keys.isin(pd.MultiIndex.from_frame(present[["store_id", "period"]]))
    is_gap = keys.isin(pd.MultiIndex.from_frame(gaps[["store_id", "period"]]))
    drop = filled | (is_gap if read_as == READ_AS_ZERO else False)
    if drop.any():
        MissingPeriod.objects.filter(id__in=recorded.loc[drop, "id"].tolist()).delete()
    if read_as == READ_AS_ZERO or gaps.empty:
        return
    known = pd.MultiIndex.from_frame(recorded.loc[~drop, ["store_id", "period"]])
    new = gaps[~pd.MultiIndex.from_frame(gaps[["store_id", "period"]]).isin(known)]
    MissingPeriod.objects.bulk_create(
        (
            MissingPeriod(store_id=int(store), date=day.date(), grain=grain)
            for store, day in zip(new["store_id"], new["date"], strict=True)
        ),
        batch_size=5_000,
    )
