"""Pages of the store pilots: the overview, the design page where an admin creates a pilot,
draws its groups, checks what it can detect and starts it, and the KPI page executives read.

Admins design and act; executives read (the whole company); planners have no pilot pages: a
pilot is a company-wide experiment, and its groups are not theirs to change. Views stay thin:
reads through ``pilots.selectors``, changes through ``pilots.services``, and a refusal
(``PilotRefused``) comes back as a message saying why. The design page's assignment and the
KPI page's per-store table are HTMX partials (``#assignment``, ``#drilldown``); the balance
table and minimum detectable effects load after the page (``pilots:design_check``), as they
read half a year of the stores' history.
"""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.models import Role
from accounts.roles import ADMIN_ROLES, role_required, user_roles
from exports.tables import FORMATS as EXPORT_FORMATS
from exports.tables import Column, table_export
from masterdata.selectors import company
from pilots import selectors
from pilots.forms import STRATA_LABELS, CancelForm, DrawForm, ManualForm, PilotCreateForm
from pilots.models import PILOT_READER_ROLES, Design, Group, Kpi, Pilot, PilotStatus
from pilots.services import (
    PilotRefused,
    pilot_assign,
    pilot_cancel,
    pilot_create,
    pilot_start,
)


def _pilot(request, pk: int) -> Pilot:
    pilot = selectors.pilot_get(pk=pk, scope=request.scope)
    if pilot is None:
        raise Http404("No such pilot.")
    return pilot


def _board_pack_links(pilot: Pilot) -> dict[str, str]:
    """The board pack's downloads (PDF for the board, XLSX for the numbers)."""
    return {
        "PDF": reverse("pilots:board_pack_pdf", kwargs={"pk": pilot.pk}),
        "XLSX": reverse("pilots:board_pack_xlsx", kwargs={"pk": pilot.pk}),
    }


@role_required(*PILOT_READER_ROLES)
@require_GET
def pilot_list(request):
    """Every pilot with its status, period, groups, primary KPI and verdict so far."""
    return render(
        request,
        "pilots/list.html",
        {
            "rows": selectors.pilot_overview(scope=request.scope),
            "may_design": Role.ADMIN in user_roles(request.user),
        },
    )


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def pilot_new(request):
    today = timezone.localdate()
    form = PilotCreateForm(request.POST or None, today=today)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pilot = pilot_create(
                name=data["name"],
                description=data["description"],
                start_date=data["start_date"],
                end_date=data["end_date"],
                thresholds=data["thresholds"],
                primary_kpi=data["primary_kpi"],
                actor=request.user,
            )
        except PilotRefused as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, f"{pilot.name} created: now choose its stores and groups.")
            return redirect("pilots:design", pk=pilot.pk)
    status = 400 if form.errors else 200
    return render(request, "pilots/new.html", {"form": form}, status=status)


def _assignment_context(request, pilot: Pilot, *, draw_form=None, manual_form=None) -> dict:
    stores = selectors.stores_for_design(request.scope)
    members = selectors.pilot_members(pilot=pilot, scope=request.scope)
    current = {m.store_id: m.group for m in members}
    control = [m for m in members if m.group == Group.CONTROL]
    experimental = [m for m in members if m.group == Group.EXPERIMENTAL]
    if draw_form is None:
        initial = {}
        if members and pilot.design != Design.MANUAL:
            initial = {"design": pilot.design, "strata": pilot.strata or ["region"]}
            initial["stores"] = list(current)
        draw_form = DrawForm(initial=initial, stores=stores)
    return {
        "pilot": pilot,
        "members": members,
        "control": control,
        "experimental": experimental,
        "draw_form": draw_form,
        "manual_form": manual_form or ManualForm(stores=stores, current=current),
        "busy": selectors.busy_stores(pilot),
        "strata_labels": [STRATA_LABELS.get(s, s) for s in pilot.strata],
        "ready": len(control) >= 2 and len(experimental) >= 2,
        "cancel_form": CancelForm(),
    }


@role_required(*ADMIN_ROLES)
@require_GET
def pilot_design(request, pk: int):
    """The design page: the pilot's KPIs, the assignment forms, the groups and, once drawn,
    the balance and power check; start and cancel."""
    pilot = _pilot(request, pk)
    context = _assignment_context(request, pilot)
    context["kpis"] = selectors.pilot_kpis(pilot)
    return render(request, "pilots/design.html", context)


@role_required(*ADMIN_ROLES)
@vary_on_headers("HX-Request")
@require_POST
def pilot_assign_view(request, pk: int):
    """Draw the groups (or take them by hand); to HTMX the assignment partial comes back."""
    pilot = _pilot(request, pk)
    stores = selectors.stores_for_design(request.scope)
    manual = request.POST.get("design") == Design.MANUAL
    draw_form = manual_form = None
    if manual:
        manual_form = ManualForm(request.POST, stores=stores, current={})
        form = manual_form
    else:
        draw_form = DrawForm(request.POST, stores=stores)
        form = draw_form
    invalid = not form.is_valid()
    if not invalid:
        data = form.cleaned_data
        try:
            if manual:
                pilot_assign(
                    pilot=pilot,
                    store_ids=list(data["groups"]),
                    design=Design.MANUAL,
                    groups=data["groups"],
                    actor=request.user,
                )
            else:
                pilot_assign(
                    pilot=pilot,
                    store_ids=data["stores"],
                    design=data["design"],
                    strata=tuple(data["strata"]),
                    seed=data["seed"],
                    actor=request.user,
                )
        except PilotRefused as exc:
            messages.error(request, str(exc))
        else:
            pilot.refresh_from_db()
            messages.success(
                request,
                f"Groups drawn: {pilot.get_design_display().lower()}"
                + (f", seed {pilot.seed}." if pilot.design != Design.MANUAL else "."),
            )
            draw_form = manual_form = None
    context = _assignment_context(request, pilot, draw_form=draw_form, manual_form=manual_form)
    if request.htmx:
        # 200 even for errors: htmx swaps only successful answers, and the partial says
        # what went wrong beside the fields.
        return render(request, "pilots/design.html#assignment", context)
    if invalid:
        context["kpis"] = selectors.pilot_kpis(pilot)
        return render(request, "pilots/design.html", context, status=400)
    return redirect("pilots:design", pk=pilot.pk)


def _form_errors(form) -> list[str]:
    return [str(error) for errors in form.errors.values() for error in errors]


@role_required(*ADMIN_ROLES)
@require_GET
def pilot_design_check_view(request, pk: int):
    """The balance table and minimum detectable effects (a partial the design page loads)."""
    pilot = _pilot(request, pk)
    members = selectors.pilot_members(pilot=pilot, scope=request.scope)
    groups = [m.group for m in members]
    smaller_group = min(groups.count(Group.CONTROL), groups.count(Group.EXPERIMENTAL))
    check = None
    if min(groups.count(Group.CONTROL), groups.count(Group.EXPERIMENTAL)) >= 2:
        check = selectors.design_check(pilot)
    kpis = {k.kpi: k for k in selectors.pilot_kpis(pilot)}
    balance, detectable = [], []
    if check is not None:
        for row in check.balance.to_dict("records"):
            balance.append({**row, "label": Kpi(row["kpi"]).label, "unit": _unit(row["kpi"])})
        for row in check.detectable.to_dict("records"):
            detectable.append(
                {
                    **row,
                    "label": Kpi(row["kpi"]).label,
                    "unit": _unit(row["kpi"]),
                    "primary": kpis[row["kpi"]].primary if row["kpi"] in kpis else False,
                    "absolute": row["kpi"] == Kpi.ALERTS_CONFIRMED,
                    **_needed(row, smaller_group),
                }
            )
    missing = sorted(set(kpis) - {row["kpi"] for row in detectable})
    context = {
        "pilot": pilot,
        "check": check,
        "balance": balance,
        "detectable": detectable,
        "missing": [Kpi(k).label for k in missing],
        "pre_from": pilot.start_date - timedelta(weeks=pilot.pre_period_weeks),
        "stores": len(members),
        "currency": company().currency,
    }
    return render(request, "pilots/_design_check.html", context)


def _unit(kpi: str) -> str:
    return selectors.kpi_unit(kpi)


def _needed(row: dict, smaller_group: int) -> dict:
    """The stores per group the threshold needs and whether the pilot has them; the
    confirmed-alerts KPI has no relative threshold, and a threshold too small for any
    number of stores says so."""
    if row["kpi"] == Kpi.ALERTS_CONFIRMED:
        return {"needed": None, "enough": None}
    needed = row.get("stores_needed")
    if needed is None or needed != needed:  # NaN in the frame: no number of stores would do
        return {"needed": None, "enough": False}
    return {
        "needed": int(needed),
        "needed_total": 2 * int(needed),
        "enough": smaller_group >= needed,
    }


@role_required(*ADMIN_ROLES)
@require_POST
def pilot_start_view(request, pk: int):
    pilot = _pilot(request, pk)
    try:
        pilot_start(pilot=pilot, actor=request.user)
    except PilotRefused as exc:
        messages.error(request, str(exc))
        return redirect("pilots:design", pk=pilot.pk)
    messages.success(request, f"{pilot.name} started: its groups are locked.")
    return redirect("pilots:kpis", pk=pilot.pk)


@role_required(*ADMIN_ROLES)
@require_POST
def pilot_cancel_view(request, pk: int):
    pilot = _pilot(request, pk)
    form = CancelForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(_form_errors(form)))
        return redirect("pilots:design", pk=pilot.pk)
    try:
        pilot_cancel(pilot=pilot, actor=request.user, reason=form.cleaned_data["reason"])
    except PilotRefused as exc:
        messages.error(request, str(exc))
        return redirect("pilots:design", pk=pilot.pk)
    messages.success(request, f"{pilot.name} cancelled: its stores are free for another pilot.")
    return redirect("pilots:list")


def _drill_kpi(request, kpis: list) -> str:
    chosen = request.GET.get("kpi")
    names = [k.kpi for k in kpis]
    if chosen in names:
        return chosen
    return next((k.kpi for k in kpis if k.primary), names[0] if names else Kpi.MAPE)


def _as_of(pilot: Pilot):
    return min(timezone.localdate() - timedelta(days=1), pilot.end_date)


def _drilldown_context(request, pilot: Pilot, kpis: list) -> dict:
    kpi = _drill_kpi(request, kpis)
    return {
        "pilot": pilot,
        "kpis": kpis,
        "drill_kpi": kpi,
        "drill_label": Kpi(kpi).label,
        "drill_unit": _unit(kpi),
        "store_rows": selectors.pilot_store_figures(
            pilot=pilot, scope=request.scope, kpi=kpi, as_of=_as_of(pilot)
        ),
        "currency": company().currency,
    }


@role_required(*PILOT_READER_ROLES)
@vary_on_headers("HX-Request")
@require_GET
def pilot_kpis_view(request, pk: int):
    """The KPI page: scorecard, verdict, weekly trends of both groups and the stores."""
    pilot = _pilot(request, pk)
    kpis = selectors.pilot_kpis(pilot)
    context = _drilldown_context(request, pilot, kpis)
    if request.htmx:
        return render(request, "pilots/kpis.html#drilldown", context)
    measured = pilot.status != PilotStatus.DRAFT and selectors.pilot_has_values(pilot)
    analysis = selectors.pilot_scorecard(pilot=pilot) if measured else None
    members = selectors.pilot_members(pilot=pilot, scope=request.scope)
    context.update(
        {
            "analysis": analysis,
            "scorecard": [
                {
                    "result": r,
                    "unit": _unit(r.kpi),
                    "better": selectors.better_when(r.kpi),
                    "absolute": r.kpi == Kpi.ALERTS_CONFIRMED,
                }
                for r in (analysis.results if analysis else [])
            ],
            "trends": selectors.pilot_trends(pilot=pilot, as_of=_as_of(pilot))
            if measured
            else None,
            "control_count": sum(m.group == Group.CONTROL for m in members),
            "experimental_count": sum(m.group == Group.EXPERIMENTAL for m in members),
            "board_pack": _board_pack_links(pilot),
            "may_design": Role.ADMIN in user_roles(request.user),
            "export_formats": list(EXPORT_FORMATS),
        }
    )
    return render(request, "pilots/kpis.html", context)


@role_required(*PILOT_READER_ROLES)
@require_GET
def pilot_stores_export(request, pk: int, fmt: str):
    """The per-store table of one KPI as CSV or XLSX."""
    if fmt not in EXPORT_FORMATS:
        raise Http404("Export as csv or xlsx.")
    pilot = _pilot(request, pk)
    context = _drilldown_context(request, pilot, selectors.pilot_kpis(pilot))
    columns = [
        Column("store", "Store code"),
        Column("name", "Store name"),
        Column("region", "Region"),
        Column("group", "Group"),
        Column("block", "Stratum or pair"),
        Column("kpi", "KPI"),
        Column("before", "Pre-period value"),
        Column("during", "Pilot value so far"),
    ]
    rows = [
        {
            "store": row.member.store.code,
            "name": row.member.store.name,
            "region": row.member.store.region.name,
            "group": row.member.get_group_display(),
            "block": row.member.block,
            "kpi": context["drill_label"],
            "before": row.before,
            "during": row.during,
        }
        for row in context["store_rows"]
    ]
    return table_export(
        filename=f"pilot-{pilot.pk}-{context['drill_kpi']}-stores",
        columns=columns,
        rows=rows,
        fmt=fmt,
    )
