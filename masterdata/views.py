"""Data overview, store and SKU pages, the weekly sales JSON for charts, and admin edits.

Every read goes through ``request.scope``; stores and SKUs are routed by id, so any stored
code works in a URL. Edits are refused when the row changed since the form was shown.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from accounts.roles import ADMIN_ROLES, READ_ROLES, role_required
from accounts.scoping import Scope
from accounts.versions import StaleEdit
from history.selectors import top_skus_at_store
from masterdata import selectors, services
from masterdata.forms import SKUForm, StoreForm
from masterdata.models import SKU, Store


def _chart_options(request, scope: Scope, default_group: str = "region") -> dict:
    """The chart's grouping and measure from the query string, falling back to defaults."""
    group_by = request.GET.get("by")
    measure = request.GET.get("measure")
    return {
        "group_by": group_by if group_by in selectors.GROUP_BY_CHOICES else default_group,
        "measure": measure
        if measure in selectors.MEASURE_CHOICES
        else selectors.default_measure(scope),
    }


def _chart_context(
    request, *, store: Store | None = None, sku: SKU | None = None, default_group: str = "region"
) -> dict:
    options = _chart_options(request, request.scope, default_group)
    context = selectors.weekly_chart(request.scope, store=store, sku=sku, **options)
    narrowed = {"store": store.code} if store else {"sku": sku.code} if sku else {}
    return {**context, "chart_query": urlencode(narrowed)}


@role_required(*READ_ROLES)
def overview(request):
    sku_counts = selectors.sku_counts_by_category(request.scope)
    stores = selectors.stores_with_coverage(request.scope)
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
        store = get_object_or_404(selectors.store_list(request.scope), code=request.GET["store"])
    if request.GET.get("sku"):
        sku = get_object_or_404(selectors.sku_list(request.scope), code=request.GET["sku"])
    options = _chart_options(request, request.scope)
    return JsonResponse(selectors.weekly_sales(request.scope, store=store, sku=sku, **options))


@role_required(*READ_ROLES)
def store_detail(request, pk: int):
    store = get_object_or_404(selectors.store_list(request.scope), pk=pk)
    context = {
        "store": store,
        "coverage": selectors.history_coverage(request.scope, store=store).get(store.pk, {}),
        "top_skus": top_skus_at_store(request.scope, store=store),
        **_chart_context(request, store=store, default_group="category"),
    }
    return render(request, "masterdata/store.html", context)


@role_required(*READ_ROLES)
def sku_detail(request, pk: int):
    sku = get_object_or_404(selectors.sku_list(request.scope), pk=pk)
    coverage = selectors.history_coverage(request.scope, sku=sku)
    stores = [s for s in selectors.store_list(request.scope) if s.pk in coverage]
    for store in stores:
        store.coverage = coverage[store.pk]
    context = {"sku": sku, "stores": stores, **_chart_context(request, sku=sku)}
    return render(request, "masterdata/sku.html", context)


def _edit(request, *, queryset, pk: int, form_class, update, kind: str, detail: str):
    """The edit page of a store or SKU: save, or refuse a stale form showing the newer values.

    On a stale save (409) the form is shown again with the current values and their version,
    next to the values the admin had entered, so they can re-apply what still holds.
    """
    instance = get_object_or_404(queryset, pk=pk)
    form = form_class(request.POST or None, instance=instance)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            update(
                instance,
                actor=request.user,
                changes=form.changes(),
                request=request,
                expected_version=form.cleaned_data["version"],
            )
        except StaleEdit:
            instance = queryset.get(pk=pk)
            stale = _stale_rows(form, instance)
            form = form_class(instance=instance)
        else:
            messages.success(request, f"{kind[0].upper()}{kind[1:]} {instance.code} saved.")
            return redirect(detail, pk=pk)
    context = {"form": form, "object": instance, "kind": kind, "stale": stale}
    return render(request, "masterdata/edit.html", context, status=409 if stale else 200)


def _stale_rows(form, current) -> list[dict]:
    """Each field whose stored value now differs from what the admin submitted."""
    rows = []
    for name, value in form.changes().items():
        stored = getattr(current, form.instance._meta.get_field(name).attname)
        if stored != getattr(value, "pk", value):
            rows.append(
                {
                    "label": form.fields[name].label,
                    "current": getattr(current, name),
                    "yours": value,
                }
            )
    return rows


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def store_edit(request, pk: int):
    return _edit(
        request,
        queryset=selectors.store_list(request.scope),
        pk=pk,
        form_class=StoreForm,
        update=lambda store, **kwargs: services.store_update(store=store, **kwargs),
        kind="store",
        detail="masterdata:store",
    )


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def sku_edit(request, pk: int):
    return _edit(
        request,
        queryset=selectors.sku_list(request.scope),
        pk=pk,
        form_class=SKUForm,
        update=lambda sku, **kwargs: services.sku_update(sku=sku, **kwargs),
        kind="SKU",
        detail="masterdata:sku",
    )
