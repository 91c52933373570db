"""The role home pages, the data overview and the weekly sales JSON behind their charts."""

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, render

from accounts.models import Role
from accounts.roles import READ_ROLES, primary_role, role_required
from dashboards import selectors
from dashboards.forecast_outlook import next_month_outlook
from history import weekly_sales as live_sales
from masterdata import selectors as masterdata_selectors

HOME_TEMPLATES = {
    Role.PLANNER: "dashboards/home_planner.html",
    Role.ADMIN: "dashboards/home_admin.html",
    Role.EXECUTIVE: "dashboards/home_executive.html",
}


@login_required
def home(request):
    role = primary_role(request.user)
    if role == Role.ADMIN:
        context = selectors.admin_home()
    elif role == Role.PLANNER:
        context = selectors.planner_home(request.user, request.scope)
    elif role == Role.EXECUTIVE:
        context = {
            **selectors.executive_home(request.scope),
            **next_month_outlook(request.scope),
            **selectors.weekly_chart(request.scope, group_by="region", measure="value"),
        }
    else:
        context = {}
    return render(request, HOME_TEMPLATES.get(role, "dashboards/home.html"), context)


def _chart_options(request, *, live: bool = False, default_group: str = "region") -> dict:
    """The chart's grouping and measure from the query string; the default measure is read
    from the summaries, or from the facts (``live``) for charts of one SKU."""
    default_measure = live_sales.default_measure if live else selectors.default_measure
    return live_sales.chart_options(
        request.GET,
        default_measure=lambda: default_measure(request.scope),
        default_group=default_group,
    )


@role_required(*READ_ROLES)
def data_overview(request):
    sku_counts = masterdata_selectors.sku_counts_by_category(request.scope)
    stores = selectors.stores_with_coverage(request.scope)
    context = {
        "stores": stores,
        "history": selectors.coverage_span(stores),
        "sku_counts": sku_counts,
        "sku_total": sum(row["skus"] for row in sku_counts),
        **selectors.data_freshness(request.scope),
        **selectors.weekly_chart(request.scope, **_chart_options(request)),
    }
    return render(request, "dashboards/data_overview.html", context)


@role_required(*READ_ROLES)
def weekly_sales(request):
    """JSON for the weekly sales charts: the scope's or one store's (``store``) from the
    summaries; one SKU's (``sku``, with or without ``store``) from its facts."""
    store = sku = None
    if request.GET.get("store"):
        stores = masterdata_selectors.store_list(request.scope)
        store = get_object_or_404(stores, code=request.GET["store"])
    if request.GET.get("sku"):
        skus = masterdata_selectors.sku_list(request.scope)
        sku = get_object_or_404(skus, code=request.GET["sku"])
    if sku is None:
        chart = selectors.weekly_sales(request.scope, store=store, **_chart_options(request))
        return JsonResponse(chart)
    options = _chart_options(request, live=True)
    chart = live_sales.weekly_sales(request.scope, store=store, sku=sku, **options)
    return JsonResponse(chart)


@role_required(*READ_ROLES)
def store_detail(request, pk: int):
    store = get_object_or_404(masterdata_selectors.store_list(request.scope), pk=pk)
    options = _chart_options(request, default_group="category")
    context = {
        **selectors.store_page(request.scope, store=store),
        **selectors.weekly_chart(request.scope, store=store, **options),
        "chart_query": urlencode({"store": store.code}),
    }
    return render(request, "dashboards/store.html", context)


@role_required(*READ_ROLES)
def sku_detail(request, pk: int):
    """A SKU's stores with their sales coverage and its weekly chart, from its own facts."""
    sku = get_object_or_404(masterdata_selectors.sku_list(request.scope), pk=pk)
    options = _chart_options(request, live=True)
    context = {
        "sku": sku,
        "stores": selectors.stores_selling(request.scope, sku=sku),
        **live_sales.weekly_chart(request.scope, sku=sku, **options),
        "chart_query": urlencode({"sku": sku.code}),
    }
    return render(request, "dashboards/sku.html", context)
