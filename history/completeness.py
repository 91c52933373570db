"""Which sales periods are complete: the one rule the forecast origin, accuracy, KPIs and the
freshness badge share.

A source rarely delivers every store on the same day: an import may bring one day for four
series before the rest arrive. Reading the latest date as "the data" would move the forecast
origin, read every silent series as zero sales and shift the KPI window. So a period (a day,
or a week for weekly sources) is complete once at least ``Company.complete_share`` of the
active series have reported it; later periods are partial and shown as such.

Active series are those with a row in the last ``LOOKBACK_PERIODS`` periods up to the
latest date. A store has reported a period in the share its rows bear to the rows it usually
has then (the median of the same weekday in the window): a dense source sends a row per
series, a sparse one leaves zero sales out, so a store's usual count, not its series count,
says when it is done; a store without any row has not reported at all.

The rule is ``completeness_from_counts``, fed two ways: here one statement over the facts of
the lookback window (the ``date`` index keeps it to a few weeks of rows) for the forecast
origin and accuracy, and in ``dashboards.selectors`` the same counts off the summary cells
for the pages (a fifth of the time on the demo company); a scoped planner's completeness is
judged on the series in their scope.
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.db import connection
from django.db.models import Max, QuerySet

from accounts.scoping import Scope
from history.models import Grain, SalesFact
from masterdata.selectors import company

# Periods looked back from the latest date for the active series and the partial periods.
LOOKBACK_PERIODS = {Grain.DAY: 28, Grain.WEEK: 8}
# A series without a row in this many periods up to the last complete one stopped reporting.
STOPPED_AFTER_PERIODS = {Grain.DAY: 7, Grain.WEEK: 3}


@dataclass(frozen=True)
class PartialPeriod:
    """A period after the last complete one: who has reported it so far."""

    date: dt.date
    series_reported: int  # series with a row on that date
    stores_reported: int


@dataclass(frozen=True)
class Completeness:
    """The sales grain, the latest date with facts, the last complete date and the partial
    dates after it (oldest first), with the active series and stores they are judged on."""

    grain: str | None
    last_date: dt.date | None
    last_complete: dt.date | None
    active_series: int
    active_stores: int
    share: float
    partial: tuple[PartialPeriod, ...] = ()

    @property
    def period_days(self) -> int:
        return 7 if self.grain == Grain.WEEK else 1


def sales_grain() -> str | None:
    """The grain of the latest stored sales (one row read backwards along the date index)."""
    return SalesFact.objects.order_by("-date").values_list("grain", flat=True).first()


def lookback_start(grain: str, last: dt.date) -> dt.date:
    """The day before the first date of the window the rule looks at, ending at ``last``."""
    period = dt.timedelta(days=7 if grain == Grain.WEEK else 1)
    return last - LOOKBACK_PERIODS[grain] * period


def _window_counts(facts: QuerySet, grain: str, since: dt.date) -> tuple[dict, dict]:
    """Rows per date and store, and distinct series per store, of ``facts`` after ``since``:
    one statement over the window's facts, grouped twice."""
    recent, params = (
        facts.filter(grain=grain, date__gt=since)
        .values("store_id", "sku_id", "date")
        .order_by()
        .query.sql_with_params()
    )
    sql = (
        f"WITH recent (store_id, sku_id, date) AS ({recent}) "  # noqa: S608
        "SELECT date, store_id, COUNT(*) FROM recent GROUP BY date, store_id "
        "UNION ALL "
        "SELECT NULL, store_id, COUNT(DISTINCT sku_id) FROM recent GROUP BY store_id"
    )
    rows_by_date: dict[dt.date, dict[int, int]] = defaultdict(dict)
    series_by_store: dict[int, int] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        for date, store_id, count in cursor.fetchall():
            if date is None:
                series_by_store[store_id] = count
            else:
                if isinstance(date, str):  # SQLite returns dates as text
                    date = dt.date.fromisoformat(date)
                rows_by_date[date][store_id] = count
    return rows_by_date, series_by_store


def _reported_series(
    rows_by_date: dict[dt.date, dict[int, int]], series_by_store: dict[int, int], *, weekly: bool
) -> dict[dt.date, float]:
    """How many active series have reported each date.

    A store's series count as reported in the share its rows bear to the rows it usually
    has on that weekday (the median over the window; per week for weekly sources): a store
    that sent every row, or as many as a sparse source usually sends, has reported all its
    series; one that sent four rows out of its usual 27, four of them.
    """
    usual: dict[tuple[int, int], list[int]] = defaultdict(list)
    for date, stores in rows_by_date.items():
        for store, rows in stores.items():
            usual[store, 0 if weekly else date.weekday()].append(rows)
    median = {key: statistics.median(counts) for key, counts in usual.items()}
    return {
        date: sum(
            series_by_store.get(store, 0)
            * min(1.0, rows / median[store, 0 if weekly else date.weekday()])
            for store, rows in stores.items()
        )
        for date, stores in rows_by_date.items()
    }


def data_completeness(scope: Scope | None = None) -> Completeness:
    """The last complete sales period and the partial ones after it, from the facts,
    company-wide (the forecast origin's) or within ``scope``. Pages read the same rule off
    the dashboards' summary cells (``completeness_from_counts``)."""
    share = company().complete_share
    grain = sales_grain()
    facts = SalesFact.objects.all() if scope is None else SalesFact.objects.visible_to(scope)
    last = facts.filter(grain=grain).aggregate(last=Max("date"))["last"] if grain else None
    if last is None:
        return Completeness(grain, None, None, 0, 0, share)
    rows_by_date, series_by_store = _window_counts(facts, grain, lookback_start(grain, last))
    return completeness_from_counts(
        grain=grain,
        last=last,
        rows_by_date=rows_by_date,
        series_by_store=series_by_store,
        share=share,
    )


def completeness_from_counts(
    *,
    grain: str,
    last: dt.date,
    rows_by_date: dict[dt.date, dict[int, int]],
    series_by_store: dict[int, int],
    share: float,
) -> Completeness:
    """The rule itself, over the lookback window's rows per date and store and its active
    series per store (from the facts, or from summary cells that count the same)."""
    active = sum(series_by_store.values())
    reported = _reported_series(rows_by_date, series_by_store, weekly=grain == Grain.WEEK)
    dates = sorted(rows_by_date, reverse=True)
    complete = next((d for d in dates if reported[d] >= share * active), None)
    if complete is None:
        # No period reaches the share (a company whose stores take turns): the best covered.
        complete = max(dates, key=lambda d: (reported[d], d))
    partial = tuple(
        PartialPeriod(d, sum(rows_by_date[d].values()), len(rows_by_date[d]))
        for d in sorted(d for d in dates if d > complete)
    )
    return Completeness(
        grain=grain,
        last_date=last,
        last_complete=complete,
        active_series=active,
        active_stores=len(series_by_store),
        share=share,
        partial=partial,
    )
