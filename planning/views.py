"""Pages of the S&OP cycle: the cycle overview, the plan grid with inline edits, the approval
queue, the meeting view, and exports of any version.

Views stay thin: they resolve what the URL names inside the actor's scope (404 outside),
call one service or selector and render. The grid view serves the whole page or, to HTMX,
only the grid (``planning/grid.html#grid``), so links carry both ``href`` and ``hx-get``.
A refused action (``PlanningRefused``) comes back as a message saying why.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.models import Role
from accounts.roles import ADMIN_ROLES, PLANNING_ROLES, READ_ROLES, role_required, user_roles
from exports.tables import FORMATS as EXPORT_FORMATS
from exports.tables import Column, table_export
from masterdata.models import SKU, Category, Region, Store
from masterdata.selectors import category_list, company, region_list
from planning import selectors
from planning.forms import CellEditForm, ConsensusForm, ReopenForm, ReviewForm, ScenarioForm
from planning.models import (
    PlanningCycle,
    PlanVersion,
    ReviewStage,
    Scenario,
    Stage,
    SubmissionStatus,
)
from planning.scenarios import (
    scenario_choose,
    scenario_comparison,
    scenario_create,
    scenario_job_start,
)
from planning.services import (
    OverrideTarget,
    PlanningRefused,
    StaleLine,
    check_may_review,
    consensus_agree,
    cycle_open_demand_review,
    cycle_reopen,
    demand_review_close,
    plan_override,
    plan_statistical_build,
    plan_submit,
    submission_review,
)
from planning.value_added import cycle_value_added

REVIEW_ROLES = (Role.ADMIN, Role.EXECUTIVE)


def _cycle(pk: int) -> PlanningCycle:
    return get_object_or_404(PlanningCycle, pk=pk)


def _version(cycle: PlanningCycle, number: int) -> PlanVersion:
    version = selectors.version_of(cycle, number)
    if version is None:
        raise Http404("This cycle has no such version.")
    return version


def _reviewable(submissions, user) -> set[int]:
    """The submissions ``user`` may approve or reject now."""
    allowed = set()
    for submission in submissions:
        try:
            check_may_review(submission=submission, actor=user)
        except PlanningRefused:
            continue
        allowed.add(submission.pk)
    return allowed


def _actions(cycle: PlanningCycle, user, overview: dict) -> dict[str, bool]:
    """The buttons the user's role allows at the cycle's stage."""
    roles = user_roles(user)
    admin = Role.ADMIN in roles
    working = overview["working"]
    submitted = any(
        s.submitted_by_id == user.pk
        and s.plan_version_id == (working.pk if working else None)
        and s.stage == ReviewStage.DEMAND
        and s.status != SubmissionStatus.REJECTED
        for s in overview["submissions"]
    )
    stage = cycle.stage
    return {
        "build": admin and stage == Stage.DATA_GATHERING,
        "open_review": admin and stage == Stage.STATISTICAL_FORECAST,
        "submit": bool(roles & {Role.PLANNER, Role.ADMIN})
        and stage == Stage.DEMAND_REVIEW
        and not submitted,
        "close_review": admin and stage == Stage.DEMAND_REVIEW and not overview["blockers"],
        "consensus": admin and stage == Stage.CONSENSUS,
        "reopen": admin
        and stage in (Stage.SUPPLY_REVIEW, Stage.CONSENSUS, Stage.SIGN_OFF, Stage.LOCKED),
    }


@role_required(*READ_ROLES)
@require_GET
def cycle_list(request):
    """Every month's cycle, newest first, with the current one first in line."""
    cycles = list(selectors.cycles_in_order())
    current = selectors.cycle_current(timezone.localdate())
    return render(
        request,
        "planning/cycle_list.html",
        {
            "cycles": cycles,
            "current": current,
            "may_create": Role.ADMIN in user_roles(request.user),
        },
    )


@role_required(*READ_ROLES)
@require_GET
def cycle_detail(request, pk: int):
    cycle = _cycle(pk)
    overview = selectors.cycle_overview(cycle, timezone.localdate())
    context = {
        "cycle": cycle,
        "overview": overview,
        "actions": _actions(cycle, request.user, overview),
        "reviewable": _reviewable(overview["submissions"], request.user),
        "reopen_form": ReopenForm(),
        "consensus_form": ConsensusForm(),
        "value_added": cycle_value_added(cycle=cycle, scope=request.scope),
    }
    return render(request, "planning/cycle.html", context)


def _refusal(request, cycle: PlanningCycle, exc: PlanningRefused):
    messages.error(request, str(exc))
    return redirect("planning:cycle", pk=cycle.pk)


@role_required(*ADMIN_ROLES)
@require_POST
def statistical_build(request, pk: int):
    cycle = _cycle(pk)
    try:
        version = plan_statistical_build(cycle=cycle, actor=request.user)
    except PlanningRefused as exc:
        return _refusal(request, cycle, exc)
    messages.success(request, f"The statistical forecast is {version}; planners edit a copy of it.")
    return redirect("planning:cycle", pk=cycle.pk)


@role_required(*ADMIN_ROLES)
@require_POST
def open_demand_review(request, pk: int):
    cycle = _cycle(pk)
    try:
        cycle_open_demand_review(cycle=cycle, actor=request.user)
    except PlanningRefused as exc:
        return _refusal(request, cycle, exc)
    messages.success(request, "The demand review is open: planners may change their plans.")
    return redirect("planning:cycle", pk=cycle.pk)


@role_required(*PLANNING_ROLES)
@require_POST
def submit(request, pk: int):
    cycle = _cycle(pk)
    try:
        submission = plan_submit(cycle=cycle, actor=request.user, scope=request.scope)
    except PlanningRefused as exc:
        return _refusal(request, cycle, exc)
    messages.success(
        request,
        f"Your plan ({submission.scope_label}, {submission.plan_version}) is submitted for "
        "the demand review; it cannot change while it waits.",
    )
    return redirect("planning:cycle", pk=cycle.pk)


@role_required(*REVIEW_ROLES)
@require_POST
def review(request, pk: int):
    submission = selectors.submission_with_cycle(pk)
    if submission is None:
        raise Http404("No such submission.")
    cycle = submission.cycle
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            submission_review(
                submission=submission,
                actor=request.user,
                approve=approve,
                comment=form.cleaned_data["comment"],
            )
        except PlanningRefused as exc:
            messages.error(request, str(exc))
        else:
            done = "approved" if approve else "rejected"
            messages.success(
                request, f"The {submission.get_stage_display().lower()} of {cycle} is {done}."
            )
    back = request.POST.get("next", "")
    if back == reverse("planning:approvals"):
        return HttpResponseRedirect(back)
    return redirect("planning:cycle", pk=cycle.pk)


@role_required(*ADMIN_ROLES)
@require_POST
def close_demand_review(request, pk: int):
    """Every submission reviewed: the demand plan goes to the supply review."""
    cycle = _cycle(pk)
    form = ConsensusForm(request.POST)
    comment = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        demand_review_close(cycle=cycle, actor=request.user, comment=comment)
    except PlanningRefused as exc:
        return _refusal(request, cycle, exc)
    messages.success(request, "The demand review is closed: the plan waits for the supply review.")
    return redirect("planning:cycle", pk=cycle.pk)


@role_required(*ADMIN_ROLES)
@require_POST
def consensus(request, pk: int):
    cycle = _cycle(pk)
    form = ConsensusForm(request.POST)
    note = form.cleaned_data["note"] if form.is_valid() else ""
    try:
        version = consensus_agree(cycle=cycle, actor=request.user, note=note)
    except PlanningRefused as exc:
        return _refusal(request, cycle, exc)
    messages.success(
        request, f"Consensus agreed as {version}; it waits for an executive's sign-off."
    )
    return redirect("planning:cycle", pk=cycle.pk)


@role_required(*ADMIN_ROLES)
@require_POST
def reopen(request, pk: int):
    cycle = _cycle(pk)
    form = ReopenForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Say why the plan must change.")
        return redirect("planning:cycle", pk=cycle.pk)
    try:
        version = cycle_reopen(cycle=cycle, actor=request.user, reason=form.cleaned_data["reason"])
    except PlanningRefused as exc:
        return _refusal(request, cycle, exc)
    messages.success(request, f"The cycle is back in the demand review; changes go into {version}.")
    return redirect("planning:cycle", pk=cycle.pk)


def _focus(request, source) -> selectors.GridFocus:
    """The grid's drill-down from the query: members outside the scope answer 404, and a
    store outside the chosen region is no such place."""
    scope = request.scope

    def member(model, name):
        raw = source.get(name, "")
        if not raw:
            return None
        if not raw.isdigit():
            raise Http404(f"No such {name}.")
        return _member_or_404(model, scope, int(raw))

    category = member(Category, "category")
    region = member(Region, "region")
    store = member(Store, "store")
    if store is not None and (region is None or store.region_id != region.pk):
        raise Http404("No such store in this region.")
    if region is not None and category is None:
        raise Http404("Choose a category first.")
    return selectors.GridFocus(category=category, region=region, store=store)


def _may_edit(request, version: PlanVersion) -> bool:
    cycle = version.cycle
    return (
        bool(user_roles(request.user) & {Role.PLANNER, Role.ADMIN})
        and cycle.stage == Stage.DEMAND_REVIEW
        and not version.read_only
        and version == selectors.working_version(cycle)
        and not _submitted(request.user, version)
    )


def _submitted(user, version: PlanVersion) -> bool:
    return selectors.has_frozen_submission(user, version)


def _member_or_404(model, scope, pk: int):
    found = selectors.visible_member(model, scope, pk)
    if found is None:
        raise Http404(f"No such {model._meta.verbose_name}.")
    return found


def _mark_cells(grid: selectors.PlanGrid, editing=None, refreshed=None) -> None:
    """Give each editable cell the query of its editor, and flag the cell being edited and
    the one just refreshed (saved, or replaced by someone else's newer value)."""
    for row in grid.rows:
        for cell in row.cells:
            spot = (row.id, cell["week"])
            cell["editing"] = spot == editing
            cell["refreshed"] = spot == refreshed
            if not grid.editable or row.edit_level is None or cell["quantity"] is None:
                continue
            seen = (
                {"seen_edit_version": cell["edit_version"]}
                if row.edit_level == "line"
                else {"seen_total": f"{cell['quantity']:g}"}
            )
            cell["edit_query"] = urlencode(
                grid.focus.query(
                    level=row.edit_level, row=row.id, week=cell["week"].isoformat(), **seen
                )
            )


def _grid_context(
    request,
    version: PlanVersion,
    focus: selectors.GridFocus,
    *,
    editing=None,
    refreshed=None,
    **extra,
) -> dict:
    grid = selectors.plan_grid(version=version, scope=request.scope, focus=focus)
    grid.editable = _may_edit(request, version)
    _mark_cells(grid, editing=editing, refreshed=refreshed)
    cycle = version.cycle
    return {
        "cycle": cycle,
        "version": version,
        "versions": list(cycle.versions.order_by("number")),
        "grid": grid,
        "focus": focus,
        "query": urlencode(focus.query()),
        "working": selectors.working_version(cycle),
        "submitted": _submitted(request.user, version),
        **extra,
    }


def _render_grid(request, context: dict, status: int = 200):
    template = "planning/grid.html#grid" if request.htmx else "planning/grid.html"
    return render(request, template, context, status=status)


@role_required(*READ_ROLES)
@vary_on_headers("HX-Request")
@require_GET
def grid(request, pk: int, number: int):
    cycle = _cycle(pk)
    version = _version(cycle, number)
    focus = _focus(request, request.GET)
    return _render_grid(request, _grid_context(request, version, focus))


def _edit_target(focus: selectors.GridFocus, data: dict, scope) -> OverrideTarget:
    """The override a cell edit is: the row's member must be in scope (404 otherwise) and
    the level must match where the grid is drilled."""
    level, row, week = data["level"], data["row"], data["week"]
    if level == "category" and focus.level == "category":
        _member_or_404(Category, scope, row)
        return OverrideTarget(level=level, week=week, category_id=row)
    if level == "category_region" and focus.level == "region":
        _member_or_404(Region, scope, row)
        return OverrideTarget(level=level, week=week, category_id=focus.category.pk, region_id=row)
    if level == "line" and focus.level == "sku":
        _member_or_404(SKU, scope, row)
        return OverrideTarget(level=level, week=week, store_id=focus.store.pk, sku_id=row)
    raise Http404("This cell cannot be edited here.")


@role_required(*PLANNING_ROLES)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def cell_edit(request, pk: int, number: int):
    """GET opens a cell's editor in the grid; POST saves it as an override and answers the
    grid with its totals recomputed, or the editor with what is wrong."""
    cycle = _cycle(pk)
    version = _version(cycle, number)
    source = request.POST if request.method == "POST" else request.GET
    focus = _focus(request, source)
    if not _may_edit(request, version):
        messages.error(request, f"{version} is read-only: changes go into a new version.")
        if request.htmx:
            return _render_grid(request, _grid_context(request, version, focus))
        return redirect(_grid_url(version, focus))
    if request.method == "GET":
        form = CellEditForm(initial=request.GET.dict())
        probe = CellEditForm({**request.GET.dict(), "quantity": "0", "reason": "other"})
        if not probe.is_valid():
            raise Http404("No such cell.")
        _edit_target(focus, probe.cleaned_data, request.scope)
        editing = (probe.cleaned_data["row"], probe.cleaned_data["week"])
        return _render_grid(
            request, _grid_context(request, version, focus, form=form, editing=editing)
        )
    form = CellEditForm(request.POST)
    if not form.is_valid():
        hidden = {"level", "row", "week"}
        if hidden & set(form.errors):
            raise Http404("No such cell.")
        editing = (form.cleaned_data["row"], form.cleaned_data["week"])
        return _render_grid(
            request, _grid_context(request, version, focus, form=form, editing=editing)
        )
    data = form.cleaned_data
    target = _edit_target(focus, data, request.scope)
    try:
        override = plan_override(
            version=version,
            target=target,
            new_total=data["quantity"],
            reason=data["reason"],
            comment=data["comment"],
            actor=request.user,
            scope=request.scope,
            seen_total=data["seen_total"] if data["level"] != "line" else None,
            seen_edit_version=data["seen_edit_version"] if data["level"] == "line" else None,
        )
    except StaleLine as exc:
        context = _grid_context(
            request, version, focus, stale=str(exc), refreshed=(data["row"], data["week"])
        )
        return _render_grid(request, context)
    except PlanningRefused as exc:
        editing = (data["row"], data["week"])
        context = _grid_context(
            request, version, focus, form=form, editing=editing, refused=str(exc)
        )
        return _render_grid(request, context)
    saved = (
        f"Saved: {override.before:,.0f} → {override.after:,.0f} units "
        f"({override.get_reason_display().lower()}, {override.lines_changed} line(s) changed)."
    )
    if request.htmx:
        context = _grid_context(
            request, version, focus, saved=saved, refreshed=(data["row"], data["week"])
        )
        return _render_grid(request, context)
    messages.success(request, saved)
    return redirect(_grid_url(version, focus))


def _grid_url(version: PlanVersion, focus: selectors.GridFocus) -> str:
    url = reverse("planning:grid", kwargs={"pk": version.cycle_id, "number": version.number})
    query = urlencode(focus.query())
    return f"{url}?{query}" if query else url


@role_required(*READ_ROLES)
@require_GET
def version_export(request, pk: int, number: int, fmt: str):
    """Every line of a version in the actor's scope, with names and units, as CSV or XLSX."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("Exports are CSV or XLSX.")
    cycle = _cycle(pk)
    version = _version(cycle, number)
    columns = [
        Column("store__code", "Store"),
        Column("store__name", "Store name"),
        Column("store__region__name", "Region"),
        Column("sku__code", "SKU"),
        Column("sku__name", "SKU name"),
        Column("sku__category__name", "Category"),
        Column("week", "Week ending"),
        Column("statistical", "Statistical forecast (units)"),
        Column("last_year", "Last year (units)"),
        Column("quantity", "Plan (units)"),
    ]
    return table_export(
        filename=f"plan-{cycle.month:%Y-%m}-v{version.number}-{version.kind}",
        columns=columns,
        rows=selectors.version_lines_export(version=version, scope=request.scope).iterator(5000),
        fmt=fmt,
    )


@role_required(*READ_ROLES)
@require_GET
def approvals(request):
    queue = selectors.approval_queue(user=request.user, roles=user_roles(request.user))
    waiting = [s for key in ("reviews", "sign_offs") for s in queue.get(key, [])]
    return render(
        request,
        "planning/approvals.html",
        {"queue": queue, "reviewable": _reviewable(waiting, request.user)},
    )


@role_required(*READ_ROLES)
@require_GET
def meeting(request, pk: int):
    cycle = _cycle(pk)
    version = selectors.version_for_meeting(cycle)
    overview = selectors.cycle_overview(cycle, timezone.localdate())
    context = {
        "cycle": cycle,
        "version": version,
        "overview": overview,
        "actions": _actions(cycle, request.user, overview),
        "reviewable": _reviewable(overview["submissions"], request.user),
        "currency": company().currency,
        "consensus_form": ConsensusForm(),
        "value_added": cycle_value_added(cycle=cycle, scope=request.scope),
    }
    if version is not None:
        context["numbers"] = selectors.meeting_numbers(version=version, scope=request.scope)
        context["exceptions"] = selectors.meeting_exceptions(version=version, scope=request.scope)
    return render(request, "planning/meeting.html", context)


def _scenario_form(request, data=None) -> ScenarioForm:
    return ScenarioForm(
        data,
        categories=[(c.pk, f"{c.code} · {c.name}") for c in category_list(request.scope)],
        regions=[(r.pk, f"{r.code} · {r.name}") for r in region_list(request.scope)],
    )


@role_required(*READ_ROLES)
@vary_on_headers("HX-Request")
@require_http_methods(["GET", "POST"])
def scenarios(request, pk: int):
    """The cycle's what-if scenarios beside the baseline; planners and admins add them."""
    cycle = _cycle(pk)
    form = _scenario_form(request)
    if request.method == "POST":
        if not user_roles(request.user) & {Role.PLANNER, Role.ADMIN}:
            raise PermissionDenied
        form = _scenario_form(request, request.POST)
        if form.is_valid():
            try:
                scenario = scenario_create(
                    cycle=cycle,
                    name=form.cleaned_data["name"],
                    changes=form.changes(),
                    actor=request.user,
                )
                scenario_job_start(scenario=scenario, actor=request.user)
            except PlanningRefused as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, f"{scenario.name}: computing its consequences.")
                return redirect("planning:scenarios", pk=cycle.pk)
    context = {
        "cycle": cycle,
        "comparison": scenario_comparison(cycle),
        "form": form,
        "may_edit": bool(user_roles(request.user) & {Role.PLANNER, Role.ADMIN}),
        "may_choose": Role.ADMIN in user_roles(request.user) and cycle.stage == Stage.CONSENSUS,
        "currency": company().currency,
    }
    template = "planning/scenarios.html#comparison" if request.htmx else "planning/scenarios.html"
    return render(request, template, context, status=400 if form.errors else 200)


@role_required(*ADMIN_ROLES)
@require_POST
def scenario_choose_view(request, pk: int):
    scenario = get_object_or_404(Scenario, pk=pk)
    try:
        scenario_choose(scenario=scenario, actor=request.user)
    except PlanningRefused as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, f"The meeting chose {scenario.name}.")
    return redirect("planning:scenarios", pk=scenario.cycle_id)
