"""SKU pages and the store and SKU admin edits (the data overview and store pages are
dashboards, read from summary tables)."""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import ADMIN_ROLES, READ_ROLES, role_required
from masterdata import selectors, services
from masterdata.forms import SKUForm, StoreForm
from masterdata.models import SKU, Store


def _chart_context(
    request, *, store: Store | None = None, sku: SKU | None = None, default_group: str = "region"
) -> dict:
    options = selectors.chart_options(
        request.GET,
        default_measure=lambda: selectors.default_measure(request.user),
        default_group=default_group,
    )
    return selectors.weekly_chart(request.user, store=store, sku=sku, **options)


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
