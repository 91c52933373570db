"""The operators' pages: the alert inbox (with bulk actions and downloads), one alert's
page (its story, chart, verdict, comments and history), the anomalies dashboard and the
user's alert notifications.

Everyone with a role reads alerts in their scope (executives too, read-only); planners and
admins act on them. An alert outside the actor's scope answers 404. The alert page's
actions post with htmx and get the work panel back; without JavaScript the same forms post
normally and redirect to the alert page.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from accounts.roles import PLANNING_ROLES, READ_ROLES, has_role, role_required
from anomalies import selectors, verdicts
from anomalies.detector_rows import detector_rows
from anomalies.filters import AlertFilter
from anomalies.forms import (
    ASSIGN_TO_ME,
    AlertAction,
    BulkVerdictForm,
    CommentForm,
    NotificationReadForm,
    VerdictForm,
)
from anomalies.models import Alert, AlertStatus, DismissReason, Metric
from anomalies.tables import (
    FIGURE_NAMES,
    AlertTable,
    alert_export,
    figure_unit,
    period_text,
    place_of,
)
from exports.list_pages import list_page
from masterdata.lists import no_match_text
from masterdata.selectors import company


def _may_act(request) -> bool:
    return has_role(request.user, *PLANNING_ROLES)


def _alert_or_404(request, pk: int) -> Alert:
    try:
        return selectors.alert_detail(request.scope, pk)
    except Alert.DoesNotExist:
        raise Http404("No such alert in your scope.") from None


@role_required(*READ_ROLES)
@require_GET
def alert_list(request):
    """The inbox: alerts in scope, filtered and sorted; ``?held_back=1`` lists the alerts
    the alert policy kept out of it, which the inbox counts."""
    held_back = request.GET.get("held_back") == "1"
    users = selectors.assignable_users()
    options = {"scope": request.scope, "user": request.user, "users": users}
    filterset = AlertFilter(
        request.GET, queryset=selectors.inbox_alerts(request.scope, held_back=held_back), **options
    )
    other = AlertFilter(
        request.GET,
        queryset=selectors.inbox_alerts(request.scope, held_back=not held_back),
        **options,
    )
    currency = company().currency
    may_act = _may_act(request) and not held_back
    table = AlertTable(filterset.qs, currency=currency, selectable=may_act)
    table.empty_text = no_match_text("alert", filterset)
    query = request.GET.copy()
    query.pop("page", None)
    query.pop("held_back", None)
    if not held_back:
        query["held_back"] = "1"
    return list_page(
        request,
        filterset=filterset,
        table=table,
        export=alert_export(currency, held_back=held_back),
        template="anomalies/alert_list.html",
        context={
            "held_back": held_back,
            "other_count": other.qs.count(),
            "other_url": f"?{query.urlencode()}",
            "may_act": may_act,
            "bulk_form": BulkVerdictForm(users=users),
            "users": users,
            "reasons": DismissReason.choices,
            "next_query": request.GET.urlencode(),
        },
    )


@role_required(*PLANNING_ROLES)
@require_POST
def alert_bulk(request):
    """Acknowledge, assign, confirm or dismiss every ticked alert; back to the same inbox."""
    form = BulkVerdictForm(request.POST, users=selectors.assignable_users())
    back = reverse("anomalies:inbox")
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(back + form.safe_next())
    data = form.cleaned_data
    owner = data.get("owner_user")
    if owner == ASSIGN_TO_ME:
        owner = request.user
    try:
        result = verdicts.alerts_bulk_verdict(
            scope=request.scope,
            alert_ids=data["alerts"],
            action=data["action"],
            user=request.user,
            owner=owner,
            reason=data.get("reason") or "",
        )
    except Alert.DoesNotExist:
        raise Http404("Some of the chosen alerts are not in your scope.") from None
    except verdicts.VerdictRefused as refused:
        messages.error(request, str(refused))
        return redirect(back + form.safe_next())
    done = dict(verdicts.BulkAction.CHOICES)[data["action"]].lower()
    text = f"{done.capitalize()}: {result.changed} alert{'s' if result.changed != 1 else ''}."
    if result.skipped:
        text += f" {result.skipped} already closed by someone else were left as they were."
    messages.success(request, text)
    return redirect(back + form.safe_next())


def _stale_notice(alert: Alert) -> dict:
    """What changed under the operator: the alert's state now and who changed it last."""
    history = selectors.alert_history(alert)
    last = history[-1] if history else None
    return {
        "status": alert.get_status_display(),
        "owner": alert.owner.username if alert.owner_id else "nobody",
        "who": last["who"] if last else "someone",
        "when": last["when"] if last else alert.updated_at,
        "changes": last["changes"] if last else [],
    }


def _figures(alert: Alert) -> dict:
    difference = None
    if alert.expected is not None and alert.actual is not None:
        difference = alert.actual - alert.expected
    ratio = None
    if alert.expected and alert.actual is not None:
        ratio = alert.actual / alert.expected
    return {"difference": difference, "ratio": ratio}


def _alert_context(request, alert: Alert, *, whole_page: bool = True, **extra) -> dict:
    """The alert page's context; the work panel alone (``whole_page=False``, an htmx
    swap) needs no chart, which is most of the page's reading."""
    users = selectors.assignable_users()
    code, name = place_of(alert)
    context = {
        "alert": alert,
        "place_code": code,
        "place_name": name,
        "period": period_text(alert),
        "figures": _figures(alert),
        "detectors": detector_rows(alert.detectors),
        "unit": figure_unit(alert),
        "figure_name": FIGURE_NAMES.get(figure_unit(alert), ""),
        "chart": selectors.alert_chart(alert) if whole_page else None,
        "is_stock": alert.metric in (Metric.STOCK, Metric.SUPPLY),
        "history": selectors.alert_history(alert),
        "may_act": _may_act(request),
        "is_closed": alert.status in (AlertStatus.CONFIRMED, AlertStatus.DISMISSED),
        "users": users,
        "reasons": DismissReason.choices,
        "comment_form": CommentForm(),
        "verdict_errors": [],
        "stale": None,
        **extra,
    }
    return context


@role_required(*READ_ROLES)
@require_GET
def alert_detail(request, pk: int):
    alert = _alert_or_404(request, pk)
    return render(request, "anomalies/alert.html", _alert_context(request, alert))


def _apply(request, alert: Alert, data: dict) -> Alert:
    common = {"scope": request.scope, "alert_id": alert.pk, "version": data["version"]}
    action = data["action"]
    if action == AlertAction.ACKNOWLEDGE:
        return verdicts.alert_acknowledge(**common, user=request.user)
    if action == AlertAction.ASSIGN:
        return verdicts.alert_assign(**common, owner=data.get("owner"))
    if action == AlertAction.CONFIRM:
        return verdicts.alert_confirm(**common, user=request.user)
    if action == AlertAction.DISMISS:
        return verdicts.alert_dismiss(**common, user=request.user, reason=data["reason"])
    return verdicts.alert_reopen(**common, user=request.user)


def _work_response(request, alert: Alert, *, status: int, **extra):
    """The work panel alone for htmx (200, so htmx swaps it in: the panel itself says what
    went wrong), or the whole page with ``status`` without JavaScript."""
    context = _alert_context(request, alert, whole_page=not request.htmx, **extra)
    if request.htmx:
        return render(request, "anomalies/alert.html#work", context)
    return render(request, "anomalies/alert.html", context, status=status)


@role_required(*PLANNING_ROLES)
@require_POST
def alert_action(request, pk: int):
    """Acknowledge, assign, confirm, dismiss or reopen one alert, from the version shown."""
    alert = _alert_or_404(request, pk)
    form = VerdictForm(request.POST, users=selectors.assignable_users())
    if not form.is_valid():
        errors = [error for errors in form.errors.values() for error in errors]
        return _work_response(request, alert, status=400, verdict_errors=errors)
    try:
        _apply(request, alert, form.cleaned_data)
    except Alert.DoesNotExist:
        raise Http404("No such alert in your scope.") from None
    except verdicts.StaleAlert as stale:
        current = selectors.alert_detail(request.scope, stale.alert.pk)
        return _work_response(request, current, status=409, stale=_stale_notice(current))
    except verdicts.VerdictRefused as refused:
        return _work_response(request, alert, status=400, verdict_errors=[str(refused)])
    alert = selectors.alert_detail(request.scope, pk)
    if request.htmx:
        return _work_response(request, alert, status=200, saved=True)
    messages.success(request, f"Alert {alert.get_status_display().lower()}.")
    return redirect("anomalies:alert", pk=pk)


@role_required(*PLANNING_ROLES)
@require_POST
def alert_comment(request, pk: int):
    alert = _alert_or_404(request, pk)
    form = CommentForm(request.POST)
    errors = []
    if form.is_valid():
        try:
            verdicts.alert_comment(
                scope=request.scope,
                alert_id=alert.pk,
                user=request.user,
                text=form.cleaned_data["text"],
            )
        except Alert.DoesNotExist:
            raise Http404("No such alert in your scope.") from None
        except verdicts.VerdictRefused as refused:
            errors = [str(refused)]
    else:
        errors = [error for errors in form.errors.values() for error in errors]
    if errors:
        return _work_response(request, alert, status=400, verdict_errors=errors)
    if request.htmx:
        return _work_response(request, alert, status=200)
    return redirect("anomalies:alert", pk=pk)


@role_required(*READ_ROLES)
@require_GET
def dashboard(request):
    """Alerts by kind and severity over time, verdict precision against the target, time to
    verdict."""
    figures = selectors.dashboard_figures(request.scope)
    return render(
        request,
        "anomalies/dashboard.html",
        {
            "figures": figures,
            "kinds": selectors.kind_breakdown(request.scope),
            "charts": {
                "by_kind": figures["by_kind"],
                "by_severity": figures["by_severity"],
                "precision": figures["precision_by_week"],
                "target": figures["target"],
            },
        },
    )


@role_required(*READ_ROLES)
@require_http_methods(["GET", "POST"])
def notifications(request):
    """The user's alert notifications; mark one or all read."""
    if request.method == "POST":
        form = NotificationReadForm(request.POST)
        if form.is_valid():
            verdicts.notifications_mark_read(
                user=request.user, notification_id=form.cleaned_data["notification"]
            )
        return redirect("anomalies:notifications")
    return render(
        request,
        "anomalies/notifications.html",
        {
            "notifications": selectors.notifications_for(request.user, request.scope)[:200],
            "now": timezone.now(),
        },
    )
