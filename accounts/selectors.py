"""What the home pages and the users page show, read in a few aggregate queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db.models import Count, Max, Q, QuerySet, Sum

from accounts.models import PlanningScope, Role
from accounts.scoping import fact_scope_q, is_scoped, visible_skus, visible_stores
from history.models import SalesFact
from jobs.models import JobRun
from masterdata.models import SKU, Category, Region, Store, Warehouse

KPI_WINDOW_DAYS = 28
# 52 weeks back, so the same weekdays are compared (a weekend-heavy retail pattern lines up).
YEAR_AGO_DAYS = 364


def user_list() -> QuerySet[User]:
    return User.objects.order_by("username").prefetch_related(
        "groups", "planning_scope__regions", "planning_scope__categories"
    )


def scope_summary(user: User) -> dict[str, list[str]]:
    """The names of the regions and categories a planner is narrowed to (empty: all)."""
    try:
        scope = user.planning_scope
    except PlanningScope.DoesNotExist:
        return {"regions": [], "categories": []}
    return {
        "regions": [r.name for r in scope.regions.all()],
        "categories": [c.name for c in scope.categories.all()],
    }


def last_sales_date(user: User) -> dt.date | None:
    """The latest day with sales the user can see: how fresh the data is."""
    return SalesFact.objects.filter(fact_scope_q(user)).aggregate(last=Max("date"))["last"]


def planner_home(user: User) -> dict:
    return {
        "scoped": is_scoped(user),
        "scope": scope_summary(user),
        "store_count": visible_stores(user).count(),
        "sku_count": visible_skus(user).count(),
        "last_sales_date": last_sales_date(user),
        "jobs": JobRun.objects.filter(created_by=user)[:6],
    }


def admin_home() -> dict:
    counts = {
        "Regions": Region.objects.count(),
        "Warehouses": Warehouse.objects.count(),
        "Stores": Store.objects.count(),
        "Categories": Category.objects.count(),
        "SKUs": SKU.objects.count(),
    }
    users_by_role = dict(
        User.objects.filter(is_active=True, groups__name__in=Role.values)
        .values_list("groups__name")
        .annotate(n=Count("id", distinct=True))
    )
    return {
        "counts": counts,
        "sales_rows": SalesFact.objects.count(),
        "last_sales_date": SalesFact.objects.aggregate(last=Max("date"))["last"],
        "imports": JobRun.objects.filter(kind__startswith="import").select_related("created_by")[
            :5
        ],
        "jobs": JobRun.objects.select_related("created_by")[:8],
        "users_by_role": [(label, users_by_role.get(value, 0)) for value, label in Role.choices],
        "inactive_users": User.objects.filter(is_active=False).count(),
    }


@dataclass(frozen=True)
class RegionSales:
    """Sales of one region over the last four weeks and the same weeks a year earlier."""

    region: str
    value: float | None
    value_last_year: float | None
    units: float | None
    units_last_year: float | None

    @staticmethod
    def _change(now: float | None, before: float | None) -> float | None:
        if now is None or not before:
            return None
        return (now - before) / abs(before) * 100

    @property
    def value_change_pct(self) -> float | None:
        return self._change(self.value, self.value_last_year)

    @property
    def units_change_pct(self) -> float | None:
        return self._change(self.units, self.units_last_year)


def executive_home(user: User) -> dict:
    """Headline KPIs: the last four weeks of data against the same four weeks a year earlier.

    The window ends at the latest sales date rather than today, so a history loaded in bulk
    still shows meaningful numbers. One aggregate query groups both periods by region.
    """
    end = last_sales_date(user)
    if end is None:
        return {"end": None, "regions": [], "total": None}
    start = end - dt.timedelta(days=KPI_WINDOW_DAYS - 1)
    ly_start, ly_end = (
        start - dt.timedelta(days=YEAR_AGO_DAYS),
        end - dt.timedelta(days=YEAR_AGO_DAYS),
    )
    now, year_ago = Q(date__gte=start, date__lte=end), Q(date__gte=ly_start, date__lte=ly_end)
    rows = (
        SalesFact.objects.filter(fact_scope_q(user))
        .filter(now | year_ago)
        .values("store__region__name")
        .annotate(
            value=Sum("revenue", filter=now),
            value_ly=Sum("revenue", filter=year_ago),
            units=Sum("quantity", filter=now),
            units_ly=Sum("quantity", filter=year_ago),
        )
        .order_by("store__region__name")
    )
    regions = [
        RegionSales(r["store__region__name"], r["value"], r["value_ly"], r["units"], r["units_ly"])
        for r in rows
    ]

    def total(attr: str) -> float | None:
        values = [getattr(r, attr) for r in regions if getattr(r, attr) is not None]
        return sum(values) if values else None

    return {
        "end": end,
        "start": start,
        "ly_start": ly_start,
        "ly_end": ly_end,
        "regions": regions,
        "total": RegionSales(
            "All regions",
            total("value"),
            total("value_last_year"),
            total("units"),
            total("units_last_year"),
        ),
    }
