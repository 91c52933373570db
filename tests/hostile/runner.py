"""Running one corpus case through its channel and judging the outcome."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.test import override_settings
from django.urls import reverse

from imports.services import import_files
from jobs.models import JobRun, JobStatus
from tests.hostile.cases import REFUSED, Case, json_body

API_URLS = {
    "sales": "import-sales-list",
    "inventory": "import-inventory-list",
    "supply_orders": "import-supply-orders-list",
    "closures": "import-closures-list",
}
COUNTED_APPS = ("masterdata", "history", "forecasting")
# Markup the corpus sends; a page that shows it unescaped is an XSS hole.
RAW_MARKUP = (b"<script>alert(1)</script>", b"<img src=x onerror=alert(1)>")


@dataclass
class Outcome:
    refused: bool
    text: str
    server_error: bool = False
    unsafe: str = ""


def row_counts() -> dict[str, int]:
    """Rows of every table an import could write to."""
    return {
        model._meta.label: model.objects.count()
        for app in COUNTED_APPS
        for model in apps.get_app_config(app).get_models()
    }


def run_case(case: Case, channel: str, context: dict) -> tuple[Outcome, bool]:
    """Run ``case`` in a transaction rolled back afterwards; return its outcome (with the
    safe-result check's complaint, if any) and whether a refusal left any table changed (a
    partial write)."""
    with transaction.atomic(), override_settings(**case.settings):
        before = row_counts()
        try:
            outcome = RUNNERS[channel.split("-")[0]](case, channel, context)
        except Exception as exc:  # anything escaping is what a user would see as a 500
            outcome = Outcome(True, f"{type(exc).__name__}: {exc}", server_error=True)
        partial = outcome.refused and row_counts() != before
        if not outcome.refused and case.check is not None:
            try:
                case.check(context)
            except AssertionError as exc:
                outcome.unsafe = str(exc) or "check failed"
        transaction.set_rollback(True)
    return outcome, partial


def _write_files(case: Case, context: dict) -> Path:
    folder = Path(tempfile.mkdtemp(prefix="case-", dir=context["files"]))
    for name, data in case.files.items():
        (folder / Path(name).name).write_bytes(data)
    return folder


def _run_file(case: Case, channel: str, context: dict) -> Outcome:
    report = import_files(fmt=case.fmt, paths=[_write_files(case, context)])
    return Outcome(not report.is_valid, " | ".join(e["reason"] for e in report.errors))


def _run_command(case: Case, channel: str, context: dict) -> Outcome:
    out = io.StringIO()
    try:
        call_command(
            "import_data", str(_write_files(case, context)), "--format", case.fmt, stdout=out
        )
    except SystemExit as exit_code:
        return Outcome(exit_code.code != 0, out.getvalue())
    except CommandError as exc:
        return Outcome(True, str(exc))
    return Outcome(False, out.getvalue())


def _run_upload(case: Case, channel: str, context: dict) -> Outcome:
    client = context["planner_client" if channel == "upload-planner" else "admin_client"]
    uploads = [SimpleUploadedFile(name, data) for name, data in case.files.items()]
    response = client.post(reverse("imports:upload"), {"format": case.fmt, "files": uploads})
    if response.status_code >= 500:
        return Outcome(True, f"HTTP {response.status_code}", server_error=True)
    if response.status_code != 302:
        return _escaped(
            Outcome(True, f"{response.status_code} {response.content.decode()}"), response
        )
    job = JobRun.objects.filter(kind="import").latest("pk")
    page = client.get(response["Location"])
    if page.status_code >= 500:
        return Outcome(True, f"job page HTTP {page.status_code}", server_error=True)
    if job.status == JobStatus.SUCCEEDED:
        return _escaped(Outcome(False, page.content.decode()), page)
    expected_failure = job.error.startswith("ImportRejected")
    reasons = " | ".join(e["reason"] for e in (job.result or {}).get("errors", []))
    outcome = Outcome(True, f"{job.error} {reasons}", server_error=not expected_failure)
    return _escaped(outcome, page)


def _escaped(outcome: Outcome, page) -> Outcome:
    """``outcome``, marked unsafe if ``page`` shows corpus markup unescaped."""
    shown = [markup.decode() for markup in RAW_MARKUP if markup in page.content]
    if shown:
        outcome.unsafe = f"page shows {shown} unescaped"
    return outcome


def _run_api(case: Case, channel: str, context: dict) -> Outcome:
    client = context["api_planner" if channel == "api-planner" else "api_admin"]
    response = client.post(
        reverse(API_URLS[case.kind]), json_body(case), content_type=case.content_type
    )
    if response.status_code >= 500:
        return Outcome(True, f"HTTP {response.status_code}", server_error=True)
    answer = response.json()
    said = [answer.get("detail", "")] + [e["reason"] for e in answer.get("errors", [])]
    return Outcome(response.status_code >= 400, f"{response.status_code} " + " | ".join(said))


RUNNERS = {"file": _run_file, "command": _run_command, "upload": _run_upload, "api": _run_api}


def judge(case: Case, outcome: Outcome, context: dict) -> str:
    """'' when the outcome is what the case expects, else what went wrong."""
    if outcome.server_error:
        return f"server error: {outcome.text[:300]}"
    if outcome.unsafe and outcome.refused:
        return f"unsafe refusal: {outcome.unsafe}"
    if case.expect == REFUSED:
        if not outcome.refused:
            return "accepted, expected a refusal"
        if case.reason and case.reason not in outcome.text:
            return f"refused without naming '{case.reason}': {outcome.text[:300]}"
        return ""
    if outcome.refused:
        return f"refused, expected a safe result: {outcome.text[:300]}"
    return f"unsafe result: {outcome.unsafe}" if outcome.unsafe else ""
