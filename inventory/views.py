"""Pages of the inventory app: the replenishment worklist (decisions inline and in bulk,
downloads, "Plan now" with live progress), a store × SKU's policy page and the inventory
health dashboard with the service-versus-stock trade-off of a category."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.roles import PLANNING_ROLES, READ_ROLES, has_role, role_required
from exports.list_pages import list_page
from inventory import selectors
from inventory.filters import RecommendationFilter
from inventory.forms import BulkDecisionForm, DecisionForm, TradeoffForm
from inventory.models import InventorySettings, Recommendation
from inventory.services import (
    PLAN_KIND,
    DecisionRefused,
    inventory_plan_job_start,
    recommendation_accept,
    recommendation_edit,
    recommendation_reject,
    recommendations_decide,
)
from inventory.tables import RecommendationTable, recommendation_export
from inventory.tradeoff import service_tradeoff
from jobs.selectors import jobs_visible_to
from masterdata.lists import no_match_text
from masterdata.selectors import company, sku_list, store_list

# Every row carries its decision form (quantity, accept, reject): 25 of them keep the page
# quick to render and the decisions within a screen or two.
WORKLIST_PER_PAGE = 25


def _back(request) -> str:
    """Where a decision without JavaScript returns: the worklist as it was filtered."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("inventory:worklist")


@role_required(*READ_ROLES)
@require_GET
def worklist(request):
    """Recommendations in scope, soonest order first; planners decide, everyone reads."""
    filterset = RecommendationFilter(
        request.GET,
        queryset=selectors.recommendations_in_scope(scope=request.scope).order_by(
            "order_date", "store__code", "warehouse__code", "sku__code", "pk"
        ),
        scope=request.scope,
    )
    currency = company().currency
    table = RecommendationTable(filterset.qs, currency=currency, request=request)
    table.empty_text = no_match_text("recommendation", filterset)
    may_plan = has_role(request.user, *PLANNING_ROLES)
    if not may_plan:
        table.exclude = ("select",)
    job = None
    job_id = request.GET.get("job", "")
    if may_plan and job_id.isdigit():
        job = jobs_visible_to(request.user).filter(pk=int(job_id), kind=PLAN_KIND).first()
    return list_page(
        request,
        filterset=filterset,
        table=table,
        export=recommendation_export(currency),
        template="inventory/worklist.html",
        per_page=WORKLIST_PER_PAGE,
        context={
            "may_plan": may_plan,
            "plan_run": selectors.latest_plan_run(),
            "job": job,
            "next": request.get_full_path(),
        },
    )


@role_required(*PLANNING_ROLES)
@require_POST
def plan(request):
    """Start an inventory plan for the planner's scope and follow it on the worklist."""
    try:
        job = inventory_plan_job_start(actor=request.user, scope=request.scope)
    except ValueError as exc:
        messages.error(request, f"The plan was not started: {exc}.")
        return redirect("inventory:worklist")
    return redirect(f"{reverse('inventory:worklist')}?job={job.pk}")


@role_required(*PLANNING_ROLES)
@require_GET
def plan_progress(request, pk: int):
    """The live progress of a plan job (polled by the worklist while it runs)."""
    job = get_object_or_404(jobs_visible_to(request.user).filter(kind=PLAN_KIND), pk=pk)
    return render(request, "inventory/_plan_progress.html", {"job": job})


def _decision_response(request, rec: Recommendation, *, note: str = "", error: str = ""):
    if request.htmx:
        context = {"rec": rec, "currency": company().currency, "note": note, "error": error}
        return render(request, "inventory/_decision.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, f"{rec.sku.code}: {rec.get_status_display().lower()}. {note}")
    return HttpResponseRedirect(_back(request))


@role_required(*PLANNING_ROLES)
@vary_on_headers("HX-Request")
@require_POST
def decide(request, pk: int):
    """Accept, edit or reject one recommendation (the decision cell of the worklist)."""
    scope = request.scope
    rec = get_object_or_404(selectors.recommendations_in_scope(scope=scope), pk=pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        errors = " ".join(e for errs in form.errors.values() for e in errs)
        return _decision_response(request, rec, error=errors)
    data = form.cleaned_data
    note = ""
    try:
        if data["action"] == "accept":
            recommendation_accept(scope=scope, actor=request.user, pk=pk, version=data["version"])
        elif data["action"] == "reject":
            recommendation_reject(scope=scope, actor=request.user, pk=pk, version=data["version"])
        else:
            _, note = recommendation_edit(
                scope=scope,
                actor=request.user,
                pk=pk,
                version=data["version"],
                quantity=data["quantity"],
            )
    except Recommendation.DoesNotExist:
        raise Http404("No such recommendation in your planning scope.") from None
    except DecisionRefused as exc:
        rec.refresh_from_db()
        return _decision_response(request, rec, error=str(exc))
    rec = selectors.recommendations_in_scope(scope=scope).get(pk=pk)
    return _decision_response(request, rec, note=note)


@role_required(*PLANNING_ROLES)
@require_POST
def decide_bulk(request):
    """Accept or reject every ticked recommendation, all or none."""
    form = BulkDecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(form.non_field_errors()) or "Choose accept or reject.")
        return HttpResponseRedirect(_back(request))
    accept = form.cleaned_data["action"] == "accept"
    try:
        changed = recommendations_decide(
            scope=request.scope,
            actor=request.user,
            versions=form.cleaned_data["versions"],
            accept=accept,
        )
    except Recommendation.DoesNotExist:
        raise Http404("No such recommendation in your planning scope.") from None
    except DecisionRefused as exc:
        messages.error(request, f"Nothing was changed: {exc}")
    else:
        verb = "accepted" if accept else "rejected"
        messages.success(request, f"{changed} recommendation{'s' if changed != 1 else ''} {verb}.")
    return HttpResponseRedirect(_back(request))


@role_required(*READ_ROLES)
@require_GET
def policy(request, store_pk: int, sku_pk: int):
    """A store × SKU's policy: projected stock, safety stock, reorder point, incoming orders,
    the forecast band, and how the numbers were derived."""
    store = get_object_or_404(store_list(request.scope), pk=store_pk)
    sku = get_object_or_404(sku_list(request.scope).select_related("category"), pk=sku_pk)
    found = selectors.store_policy(scope=request.scope, store=store, sku=sku)
    context = {"store": store, "sku": sku, "policy": found, "currency": company().currency}
    if found is not None:
        horizon = found.run.horizon_days or InventorySettings.current().horizon_days
        context["projection"] = selectors.projected_stock(policy=found, horizon_days=horizon)
        context["working"] = selectors.working_steps(found)
        context["recommendations"] = selectors.recommendations_in_scope(scope=request.scope).filter(
            store=store, sku=sku, run=found.run
        )
    return render(request, "inventory/policy.html", context)


@role_required(*READ_ROLES)
@require_GET
def health(request):
    """Excess stock, stock-out risk, days of supply and turnover by category and region,
    and what each point of service costs in stock for one category."""
    overview = selectors.health_overview(scope=request.scope)
    form = TradeoffForm(request.scope, request.GET or None)
    category = None
    if form.is_bound and form.is_valid():
        category = form.cleaned_data["category"]
    elif form.is_bound and "category" in form.errors:
        raise Http404("No such category in your planning scope.")
    if category is None:
        category = form.fields["category"].queryset.filter(parent__isnull=True).first()
        form = TradeoffForm(request.scope, initial={"category": category})
    tradeoff = (
        service_tradeoff(scope=request.scope, category=category) if category is not None else None
    )
    context = {
        "overview": overview,
        "tables": [
            ("category", overview.get("by_category", [])),
            ("region", overview.get("by_region", [])),
        ],
        "form": form,
        "category": category,
        "tradeoff": tradeoff,
        "currency": company().currency,
        "plan_run": selectors.latest_plan_run(),
    }
    return render(request, "inventory/health.html", context)
