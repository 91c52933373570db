"""Data overview, store and SKU pages, the weekly sales JSON for charts, and admin edits."""

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import ADMIN_ROLES, READ_ROLES, role_required
from masterdata import selectors, services
from masterdata.forms import SKUForm, StoreForm
from masterdata.models import SKU, Store


def _chart_options(request, user, default_group: str = "region") -> dict:
    """The chart's grouping and measure from the query string, falling back to defaults."""
    group_by = request.GET.get("by")
    measure = request.GET.get("measure")
    return {
        "group_by": group_by if group_by in selectors.GROUP_BY_CHOICES else default_group,
        "measure": measure
        if measure in selectors.MEASURE_CHOICES
        else selectors.default_measure(user),
    }


def _chart_context(
    request, *, store: Store | None = None, sku: SKU | None = None, default_group: str = "region"
) -> dict:
    options = _chart_options(request, request.user, default_group)
    return selectors.weekly_chart(request.user, store=store, sku=sku, **options)


@role_required(*READ_ROLES)
def overview(request):
    sku_counts = selectors.sku_counts_by_category(request.user)
    stores = selectors.stores_with_coverage(request.user)
    context = {
        "stores": stores,
        "history": selectors.coverage_span(stores),
        "sku_counts": sku_counts,
        "sku_total": sum(row["skus"] for row in sku_counts),
        **_chart_context(request),
    }
    return render(request, "masterdata/overview.html", context)


@role_required(*READ_ROLES)
def weekly_sales(request):
    """JSON for the weekly sales chart; ``store``/``sku`` codes narrow it within scope."""
    store = sku = None
    if request.GET.get("store"):
        store = get_object_or_404(selectors.store_list(request.user), code=request.GET["store"])
    if request.GET.get("sku"):
        sku = get_object_or_404(selectors.sku_list(request.user), code=request.GET["sku"])
    options = _chart_options(request, request.user)
    return JsonResponse(selectors.weekly_sales(request.user, store=store, sku=sku, **options))


@role_required(*READ_ROLES)
def store_detail(request, code: str):
    store = get_object_or_404(selectors.store_list(request.user), code=code)
    context = {
        "store": store,
        "coverage": selectors.history_coverage(request.user, store=store).get(store.pk, {}),
        "top_skus": selectors.top_skus_at_store(request.user, store=store),
        **_chart_context(request, store=store, default_group="category"),
    }
    return render(request, "masterdata/store.html", context)


@role_required(*READ_ROLES)
def sku_detail(request, code: str):
    sku = get_object_or_404(selectors.sku_list(request.user), code=code)
    coverage = selectors.history_coverage(request.user, sku=sku)
    stores = [s for s in selectors.store_list(request.user) if s.pk in coverage]
    for store in stores:
        store.coverage = coverage[store.pk]
    context = {"sku": sku, "stores": stores, **_chart_context(request, sku=sku)}
    return render(request, "masterdata/sku.html", context)


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def store_edit(request, code: str):
    store = get_object_or_404(selectors.store_list(request.user), code=code)
    form = StoreForm(request.POST or None, instance=store)
    if request.method == "POST" and form.is_valid():
        services.store_update(store=store, changes=form.cleaned_data)
        messages.success(request, f"Store {store.code} saved.")
        return redirect("masterdata:store", code=store.code)
    return render(request, "masterdata/edit.html", {"form": form, "object": store, "kind": "store"})


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def sku_edit(request, code: str):
    sku = get_object_or_404(selectors.sku_list(request.user), code=code)
    form = SKUForm(request.POST or None, instance=sku)
    if request.method == "POST" and form.is_valid():
        services.sku_update(sku=sku, changes=form.cleaned_data)
        messages.success(request, f"SKU {sku.code} saved.")
        return redirect("masterdata:sku", code=sku.code)
    return render(request, "masterdata/edit.html", {"form": form, "object": sku, "kind": "SKU"})
