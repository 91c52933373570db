"""The store and SKU lists and admin edits (the data overview, store and SKU pages, which
read sales, are dashboards).

Every read goes through ``request.scope``; stores and SKUs are routed by id, so any stored
code works in a URL. Edits are refused when the row changed since the form was shown.
"""

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from accounts.roles import ADMIN_ROLES, READ_ROLES, role_required
from accounts.versions import StaleEdit
from exports.list_pages import list_page
from masterdata import lists, selectors, services
from masterdata.forms import SKUForm, StoreForm


@role_required(*READ_ROLES)
@require_GET
def store_list(request):
    """Stores in scope, found by code or name, region and format; downloadable as shown."""
    filterset = lists.StoreFilter(
        request.GET, queryset=selectors.store_list(request.scope), scope=request.scope
    )
    table = lists.StoreTable(filterset.qs)
    table.empty_text = lists.no_match_text("store", filterset)
    return list_page(
        request,
        filterset=filterset,
        table=table,
        export=lists.STORE_EXPORT,
        template="masterdata/store_list.html",
    )


@role_required(*READ_ROLES)
@require_GET
def sku_list(request):
    """SKUs in scope, found by code or name, category and status; downloadable as shown."""
    filterset = lists.SKUFilter(
        request.GET, queryset=selectors.sku_list(request.scope), scope=request.scope
    )
    currency = selectors.company().currency
    table = lists.SKUTable(filterset.qs, currency=currency)
    table.empty_text = lists.no_match_text("SKU", filterset)
    return list_page(
        request,
        filterset=filterset,
        table=table,
        export=lists.sku_export(currency),
        template="masterdata/sku_list.html",
    )


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
                changes=form.changes(),
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
