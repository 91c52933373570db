"""Pages of the jobs app: the job list, a job's live page, notifications and limits."""

from django.contrib import messages
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.template import TemplateDoesNotExist
from django.template.loader import select_template
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django.views.decorators.vary import vary_on_headers

from accounts.roles import ADMIN_ROLES, PLANNING_ROLES, READ_ROLES, role_required
from jobs.forms import JobLimitForm, JobPurgeForm, NotificationReadForm
from jobs.models import JobLimit, JobRun, JobStatus
from jobs.purge import PURGE_KIND, PurgeParams
from jobs.selectors import (
    job_kinds_known,
    job_limit_initial,
    job_limits_overview,
    jobs_visible_to,
    notifications_for,
)
from jobs.services import job_limit_reset, job_limit_set, job_start, notification_mark_read

JOBS_PER_PAGE = 50
# Kinds whose result has a page of its own, shown instead of the generic key/value list.
RESULT_TEMPLATES = {"import": "imports/_report.html"}


@role_required(*ADMIN_ROLES)
@vary_on_headers("HX-Request")
@require_GET
def job_list(request):
    runs = jobs_visible_to(request.user)
    kind, status = request.GET.get("kind", ""), request.GET.get("status", "")
    if kind:
        runs = runs.filter(kind=kind)
    if status in JobStatus.values:
        runs = runs.filter(status=status)
    page = Paginator(runs, JOBS_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "any_unfinished": any(not run.is_finished for run in page),
        "kinds": job_kinds_known(),
        "statuses": JobStatus.choices,
        "kind": kind,
        "status": status,
        "purge_form": JobPurgeForm(),
    }
    template = "jobs/list.html#job-table" if request.htmx else "jobs/list.html"
    return render(request, template, context)


def _result_template(job: JobRun) -> str | None:
    name = RESULT_TEMPLATES.get(job.kind)
    if name is None:
        return None
    try:
        select_template([name])
    except TemplateDoesNotExist:
        return None
    return name


@role_required(*PLANNING_ROLES)
@vary_on_headers("HX-Request")
@require_GET
def job_detail(request, pk: int):
    job = get_object_or_404(jobs_visible_to(request.user), pk=pk)
    context = {"job": job, "result_template": _result_template(job)}
    template = "jobs/detail.html#job-status" if request.htmx else "jobs/detail.html"
    return render(request, template, context)


@role_required(*ADMIN_ROLES)
@require_POST
def job_purge(request):
    form = JobPurgeForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Enter a number of days between 1 and 3650.")
        return redirect("jobs:list")
    params = PurgeParams(older_than_days=form.cleaned_data["older_than_days"])
    job = job_start(kind=PURGE_KIND, params=params, actor=request.user)
    return redirect("jobs:detail", pk=job.pk)


@role_required(*READ_ROLES)
@require_http_methods(["GET", "POST"])
def notifications(request):
    if request.method == "POST":
        form = NotificationReadForm(request.POST)
        if form.is_valid():
            notification = None
            if form.cleaned_data["notification"]:
                notification = get_object_or_404(
                    notifications_for(request.user), pk=form.cleaned_data["notification"]
                )
            notification_mark_read(user=request.user, notification=notification)
        return redirect("jobs:notifications")
    items = notifications_for(request.user)[:200]
    visible_jobs = set(
        jobs_visible_to(request.user)
        .filter(pk__in=[n.job_id for n in items if n.job_id])
        .values_list("pk", flat=True)
    )
    return render(
        request,
        "jobs/notifications.html",
        {
            "items": items,
            "visible_jobs": visible_jobs,
            "any_unread": any(n.read_at is None for n in items),
        },
    )


@role_required(*ADMIN_ROLES)
@require_http_methods(["GET", "POST"])
def job_limits(request):
    if request.method == "POST" and "reset" in request.POST:
        limit = get_object_or_404(JobLimit, kind=request.POST["reset"])
        job_limit_reset(limit=limit)
        messages.success(request, f"Limits for {limit.kind} are back to the defaults.")
        return redirect("jobs:limits")
    if request.method == "POST":
        form = JobLimitForm(request.POST)
        if form.is_valid():
            limit = job_limit_set(**form.cleaned_data)
            messages.success(
                request,
                f"Limits for {limit.kind} saved: {limit.time_limit_s} s and "
                f"{limit.memory_limit_mb} MB for runs started from now on.",
            )
            return redirect("jobs:limits")
    else:
        form = JobLimitForm(initial=job_limit_initial(request.GET.get("kind", "")))
    return render(
        request,
        "jobs/limits.html",
        {"form": form, "overview": job_limits_overview(), "kinds": job_kinds_known()},
    )
