"""Forecasting pages: the forecast explorer, model pins, starting a run, accuracy, and the
lists of stored forecasts and accuracy exceptions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.roles import PLANNING_ROLES, READ_ROLES, has_role, role_required
from exports.list_pages import list_page
from exports.tables import FORMATS as EXPORT_FORMATS
from exports.tables import Column, table_export
from forecasting import lists, selectors
from forecasting.accuracy_pages import (
    ACCURACY_TARGET,
    AccuracyFilter,
    accuracy_defaults,
    accuracy_exceptions,
    accuracy_overview,
    series_accuracy,
)
from forecasting.explanation import series_explanation
from forecasting.explorer import (
    SeriesFilter,
    aggregate_breakdown,
    explorer_chart,
    forecast_table,
    measure_unit,
)
from forecasting.forms import AccuracyForm, ExplorerForm, PinForm, RunForm
from forecasting.models import Granularity
from forecasting.pins import model_pin_clear, model_pin_set
from forecasting.services import forecast_job_start
from history.weekly_sales import default_measure
from masterdata.lists import no_match_text
from masterdata.selectors import company

# The store and SKU boxes suggest members from a list; past this many they are typed without.
SUGGESTIONS = 2000


def _default_granularity() -> str:
    """Daily, unless only weekly forecasts exist."""
    if selectors.latest_origin(Granularity.DAILY) is None and selectors.latest_origin(
        Granularity.WEEKLY
    ):
        return Granularity.WEEKLY
    return Granularity.DAILY


def _selection_title(selection: SeriesFilter) -> str:
    parts = [
        f"{label} {member.code} · {member.name}"
        for label, member in (
            ("Store", selection.store),
            ("SKU", selection.sku),
            ("Category", selection.category),
            ("Region", selection.region),
        )
        if member is not None
    ]
    return " × ".join(parts) if parts else "All series in your scope"


def _explorer_url(selection: SeriesFilter) -> str:
    return f"{reverse('forecasting:explorer')}?{selection.query_string()}"


def _explorer_form(request) -> ExplorerForm:
    """The bound explorer form; a region or category outside the scope is a 404, any other
    invalid value shows the whole scope."""
    form = ExplorerForm(request.scope, request.GET, default_granularity=_default_granularity())
    if not form.is_valid():
        if form.out_of_scope():
            raise Http404("No such category or region in your planning scope.")
        form = ExplorerForm(request.scope, {}, default_granularity=_default_granularity())
        form.is_valid()
    return form


def _suggestions(queryset) -> list[tuple[str, str]]:
    return list(queryset.values_list("code", "name")[: SUGGESTIONS + 1])


@role_required(*PLANNING_ROLES)
@vary_on_headers("HX-Request")
@require_GET
def explorer(request):
    form = _explorer_form(request)
    selection = form.selection()
    origin = selectors.latest_origin(selection.granularity)
    context = {
        "form": form,
        "selection": selection,
        "searches": form.searches,
        "title": _selection_title(selection),
        "granularity_label": Granularity(selection.granularity).label,
        "origin": origin,
        "run_form": RunForm(initial={"granularity": selection.granularity}),
        "may_pin_categories": selectors.may_pin_categories(request.scope),
        "explorer_query": selection.query_string(),
    }
    if not form.searches:
        chart = explorer_chart(scope=request.scope, selection=selection)
        context.update(chart=chart, table=forecast_table(chart))
        if selection.is_single_series:
            context["explanation"] = series_explanation(
                scope=request.scope,
                store=selection.store,
                sku=selection.sku,
                granularity=selection.granularity,
            )
        else:
            context["breakdown"] = aggregate_breakdown(scope=request.scope, selection=selection)
    if request.htmx:
        return render(request, "forecasting/explorer.html#result", context)
    for name, members in form.members.items():
        codes = _suggestions(members)
        context[f"{name}_codes"] = codes if len(codes) <= SUGGESTIONS else []
    return render(request, "forecasting/explorer.html", context)


def _export_filename(selection: SeriesFilter, origin) -> str:
    members = [m.code for m in (selection.region, selection.store, selection.category) if m]
    members += [selection.sku.code] if selection.sku else []
    grain = Granularity(selection.granularity).label.lower()
    return "-".join(["forecast", *(members or ["all"]), grain, f"{origin or 'none'}"])


@role_required(*PLANNING_ROLES)
@require_GET
def explorer_export(request, fmt: str):
    """The explorer's forecast table as CSV or XLSX: the rows the page shows for the same
    query, read through the same scoped selectors."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("Exports are CSV or XLSX.")
    form = _explorer_form(request)
    if form.searches:
        raise Http404("Choose one store and one SKU before exporting.")
    selection = form.selection()
    chart = explorer_chart(scope=request.scope, selection=selection)
    unit = measure_unit(chart["measure"], company().currency)
    columns = [
        Column("date", "Period ending" if selection.granularity == "W" else "Date"),
        *(
            Column(key, f"{label} ({unit})")
            for key, label in (
                ("forecast", "Forecast"),
                ("p10", "Low (p10)"),
                ("p90", "High (p90)"),
                ("last_year", "Last year"),
                ("actual", "Actual"),
            )
        ),
    ]
    return table_export(
        filename=_export_filename(selection, chart["origin"]),
        columns=columns,
        rows=forecast_table(chart)["rows"],
        fmt=fmt,
    )


@role_required(*PLANNING_ROLES)
@require_POST
def pin_set(request):
    form = PinForm(request.scope, request.POST)
    if not form.is_valid():
        if form.out_of_scope():
            raise Http404("No such series in your planning scope.")
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect("forecasting:explorer")
    data = form.cleaned_data
    store, sku = data["store"], data["sku"]
    target = (
        {"category": sku.category} if data["target"] == "category" else {"store": store, "sku": sku}
    )
    selection = SeriesFilter(granularity=data["granularity"], store=store, sku=sku)
    try:
        pin = model_pin_set(
            actor=request.user,
            scope=request.scope,
            granularity=data["granularity"],
            model=data["model"],
            **target,
        )
    except (ValueError, PermissionDenied) as exc:
        messages.error(request, str(exc))
    else:
        whom = (
            f"category {sku.category.code} · {sku.category.name}"
            if pin.category_id
            else f"{store.code} · {store.name} × {sku.code} · {sku.name}"
        )
        messages.success(
            request,
            f"{pin.model} is pinned for {whom}; it applies from the next forecast run.",
        )
    return HttpResponseRedirect(_explorer_url(selection))


@role_required(*PLANNING_ROLES)
@require_POST
def pin_clear(request, pk: int):
    pin = get_object_or_404(selectors.pins_in_scope(request.scope), pk=pk)
    back = request.POST.get("next", "")
    model_pin_clear(scope=request.scope, pin=pin)
    messages.success(
        request, f"Pin of {pin.model} removed; the next forecast run selects the model again."
    )
    if back.startswith(reverse("forecasting:explorer")):
        return HttpResponseRedirect(back)
    return redirect("forecasting:explorer")


@role_required(*PLANNING_ROLES)
@require_POST
def run(request):
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose daily or weekly, and a horizon of at least one period.")
        return redirect("forecasting:explorer")
    try:
        job = forecast_job_start(
            actor=request.user,
            scope=request.scope,
            granularity=form.cleaned_data["granularity"],
            horizon=form.cleaned_data["horizon"],
        )
    except ValueError as exc:
        messages.error(request, f"The forecast was not started: {exc}.")
        return redirect("forecasting:explorer")
    return redirect("jobs:detail", pk=job.pk)


@role_required(*READ_ROLES)
@require_GET
def accuracy(request):
    defaults = accuracy_defaults(scope=request.scope)
    data = {
        "source": request.GET.get("source") or defaults.source,
        "granularity": request.GET.get("granularity") or defaults.granularity,
    }
    form = AccuracyForm(data)
    if not form.is_valid():
        form = AccuracyForm({"source": defaults.source, "granularity": defaults.granularity})
        form.is_valid()
    chosen = AccuracyFilter(**form.cleaned_data)
    context = {
        "form": form,
        "accuracy": chosen,
        "overview": accuracy_overview(scope=request.scope, accuracy=chosen),
        "exceptions": accuracy_exceptions(scope=request.scope, accuracy=chosen),
        "target": ACCURACY_TARGET,
        "may_plan": has_role(request.user, *PLANNING_ROLES),
        "run_form": RunForm(initial={"granularity": chosen.granularity}),
    }
    return render(request, "forecasting/accuracy.html", context)


def _measure(scope) -> lists.Measure:
    return lists.Measure(default_measure(scope), company().currency)


@role_required(*READ_ROLES)
@require_GET
def forecast_list(request):
    """The newest stored forecasts in scope, per store × SKU and period; downloadable."""
    filterset = lists.ForecastFilter(
        request.GET,
        queryset=selectors.forecast_rows_in_scope(scope=request.scope).select_related(
            "store__region", "sku__category"
        ),
        scope=request.scope,
        default_granularity=_default_granularity(),
    )
    measure = _measure(request.scope)
    table = lists.ForecastTable(filterset.qs, measure=measure, granularity=filterset.granularity)
    table.empty_text = no_match_text("forecast", filterset)
    return list_page(
        request,
        filterset=filterset,
        table=table,
        export=lists.forecast_export(measure, filterset.granularity),
        template="forecasting/forecast_list.html",
        context={"origin": filterset.origin, "measure": measure},
    )


@role_required(*READ_ROLES)
@require_GET
def accuracy_exception_list(request):
    """Every series in scope with its error and bias, worst first; downloadable."""
    filterset = lists.AccuracyExceptionFilter(
        request.GET, scope=request.scope, defaults=accuracy_defaults(scope=request.scope)
    )
    rows = series_accuracy(
        scope=request.scope, accuracy=filterset.accuracy, narrow=filterset.narrow
    )
    measure = _measure(request.scope)
    table = lists.AccuracyExceptionTable(
        filterset.ranked(rows), measure=measure, accuracy=filterset.accuracy
    )
    table.empty_text = filterset.empty_text()
    return list_page(
        request,
        filterset=filterset,
        table=table,
        export=lists.accuracy_exception_export(measure, filterset.accuracy),
        template="forecasting/accuracy_exception_list.html",
        context={"accuracy": filterset.accuracy},
    )
