"""Jobs pages: who sees which job, the live progress partial, results, notifications and
the limits form."""

import pytest
from django.urls import reverse

from jobs.models import JobLimit, JobRun, JobStatus, Notification
from tests.factories import UserFactory
from tests.jobs.factories import FinishedJobRunFactory, JobRunFactory, NotificationFactory

HTMX = {"HTTP_HX_REQUEST": "true"}


def test_admin_sees_every_job_in_the_list(client, admin_user, planner):
    FinishedJobRunFactory(kind="import", created_by=admin_user, error="")
    JobRunFactory(kind="forecast", created_by=planner, status=JobStatus.RUNNING, progress=42)
    client.force_login(admin_user)

    response = client.get(reverse("jobs:list"))

    assert response.status_code == 200
    page = response.content.decode()
    assert "import" in page and "forecast" in page
    assert 'aria-valuenow="42"' in page
    assert 'hx-trigger="every 2s"' in page


def test_list_filters_by_kind_and_status(client, admin_user):
    FinishedJobRunFactory(kind="import")
    JobRunFactory(kind="forecast")
    client.force_login(admin_user)

    response = client.get(reverse("jobs:list"), {"kind": "forecast", "status": "queued"})

    jobs = list(response.context["page"])
    assert [job.kind for job in jobs] == ["forecast"]


@pytest.mark.parametrize("who", ["planner", "executive"])
def test_list_is_for_admins_only(client, request, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("jobs:list")).status_code == 403


def test_planner_sees_own_job_but_not_anothers(client, planner, admin_user):
    own = JobRunFactory(created_by=planner)
    other = JobRunFactory(created_by=admin_user)
    client.force_login(planner)

    assert client.get(reverse("jobs:detail", args=[own.pk])).status_code == 200
    assert client.get(reverse("jobs:detail", args=[other.pk])).status_code == 404


def test_executive_sees_no_job(client, executive):
    job = JobRunFactory(created_by=executive)
    client.force_login(executive)
    assert client.get(reverse("jobs:detail", args=[job.pk])).status_code == 403


def test_running_job_partial_keeps_polling(client, admin_user):
    job = JobRunFactory(status=JobStatus.RUNNING, progress=37.6, message="Fitting 3 of 8 models")
    client.force_login(admin_user)

    response = client.get(reverse("jobs:detail", args=[job.pk]), **HTMX)

    body = response.content.decode()
    assert "<html" not in body
    assert 'hx-trigger="every 1s"' in body
    assert f'hx-get="{reverse("jobs:detail", args=[job.pk])}"' in body
    assert 'style="width: 38%"' in body
    assert "Fitting 3 of 8 models" in body
    assert response["Vary"] and "HX-Request" in response["Vary"]


def test_finished_job_partial_stops_polling_and_shows_the_result(client, admin_user):
    job = FinishedJobRunFactory(kind="forecast", result={"series": 12, "models": {"ets": 8}})
    client.force_login(admin_user)

    body = client.get(reverse("jobs:detail", args=[job.pk]), **HTMX).content.decode()

    assert "hx-trigger" not in body
    assert "series" in body and "12" in body
    assert "&quot;ets&quot;: 8" in body


def test_full_page_wraps_the_partial(client, admin_user):
    job = JobRunFactory(status=JobStatus.QUEUED)
    client.force_login(admin_user)
    body = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "<html" in body
    assert 'id="job-status"' in body
    assert "Waiting for a worker" in body


def test_stopped_job_shows_its_error(client, admin_user):
    job = FinishedJobRunFactory(
        status=JobStatus.FAILED, progress=40, error="Stopped: time limit of 2 s reached."
    )
    client.force_login(admin_user)
    body = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()
    assert "Stopped: time limit of 2 s reached." in body


def test_import_job_shows_the_import_report(client, admin_user, settings, tmp_path):
    (tmp_path / "imports").mkdir()
    (tmp_path / "imports" / "_report.html").write_text(
        "<p id='import-report'>{{ report.rows_written }} rows written</p>"
    )
    settings.TEMPLATES = [
        {**settings.TEMPLATES[0], "DIRS": [tmp_path, *settings.TEMPLATES[0]["DIRS"]]}
    ]
    job = FinishedJobRunFactory(kind="import", result={"rows_written": 1500})
    client.force_login(admin_user)

    body = client.get(reverse("jobs:detail", args=[job.pk])).content.decode()

    assert "<p id='import-report'>1500 rows written</p>" in body


def test_purge_from_the_list_starts_a_purge_job(client, admin_user, settings):
    settings.SOP_JOBS_MODE = "eager"
    client.force_login(admin_user)

    response = client.post(reverse("jobs:purge"), {"older_than_days": "30"})

    job = JobRun.objects.get(kind="purge_old_jobs")
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED
    assert job.created_by == admin_user
    assert job.params == {"older_than_days": 30}


def test_notifications_page_lists_only_the_users_own(client, planner, admin_user):
    NotificationFactory(user=planner, message="Your forecast run stopped.")
    NotificationFactory(user=admin_user, message="Someone else's message.")
    client.force_login(planner)

    body = client.get(reverse("jobs:notifications")).content.decode()

    assert "Your forecast run stopped." in body
    assert "Someone else" not in body


def test_mark_one_and_then_all_notifications_read(client, planner):
    first, second = NotificationFactory(user=planner), NotificationFactory(user=planner)
    client.force_login(planner)

    client.post(reverse("jobs:notifications"), {"notification": first.pk})
    assert Notification.objects.filter(user=planner, read_at__isnull=True).get() == second

    client.post(reverse("jobs:notifications"))
    assert not Notification.objects.filter(user=planner, read_at__isnull=True).exists()


def test_cannot_mark_anothers_notification(client, planner, admin_user):
    theirs = NotificationFactory(user=admin_user)
    client.force_login(planner)
    response = client.post(reverse("jobs:notifications"), {"notification": theirs.pk})
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_unread_badge_counts_unread_notifications(client, admin_user):
    NotificationFactory.create_batch(3, user=admin_user)
    client.force_login(admin_user)
    body = client.get(reverse("jobs:list")).content.decode()
    assert 'title="Unread notifications">3</a>' in body


def test_admin_sets_and_resets_limits(client, admin_user):
    client.force_login(admin_user)

    response = client.post(
        reverse("jobs:limits"),
        {"kind": "forecast", "time_limit_s": "900", "memory_limit_mb": "3072"},
    )
    assert response.status_code == 302
    limit = JobLimit.objects.get(kind="forecast")
    assert (limit.time_limit_s, limit.memory_limit_mb) == (900, 3072)

    page = client.get(reverse("jobs:limits"), {"kind": "forecast"}).content.decode()
    assert 'value="900"' in page

    client.post(reverse("jobs:limits"), {"reset": "forecast"})
    assert not JobLimit.objects.exists()


def test_limits_form_explains_bad_input(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("jobs:limits"),
        {"kind": "Forecast Run", "time_limit_s": "0", "memory_limit_mb": "8"},
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "lower-case letters" in errors["kind"][0]
    assert "time_limit_s" in errors and "memory_limit_mb" in errors
    assert not JobLimit.objects.exists()


def test_planner_cannot_set_limits(client, planner):
    client.force_login(planner)
    response = client.post(
        reverse("jobs:limits"), {"kind": "forecast", "time_limit_s": "1", "memory_limit_mb": "16"}
    )
    assert response.status_code == 403
    assert not JobLimit.objects.exists()


def test_anonymous_user_goes_to_log_in(client, db):
    response = client.get(reverse("jobs:list"))
    assert response.status_code == 302
    assert reverse("login") in response["Location"]


def test_user_without_role_has_no_notifications_page(client, db):
    client.force_login(UserFactory(username="nobody"))
    assert client.get(reverse("jobs:notifications")).status_code == 403
