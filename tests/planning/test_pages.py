"""The cycle's pages through the test client: edits in scope only, reasons required, stale
edits refused with the newer value, nobody approving their own submission, read-only
versions, exports of a version in scope."""

import csv
import io

import pytest
from django.urls import reverse

from planning.models import Override, PlanLine, Submission, SubmissionStatus, VersionKind
from planning.services import plan_submit, working_version
from tests.planning.conftest import WEEKS, scope_of


def _grid_url(cycle, number, **query):
    url = reverse("planning:grid", kwargs={"pk": cycle.pk, "number": number})
    return url, query


def _cell_url(cycle, number):
    return reverse("planning:cell_edit", kwargs={"pk": cycle.pk, "number": number})


def _line_post(world, *, side="in", quantity="14", reason="new_listing", seen=1, **extra):
    region = world["north" if side == "in" else "south"]
    return {
        "category": world["drinks" if side == "in" else "snacks"].pk,
        "region": region.pk,
        "store": world[f"store_{side}"].pk,
        "level": "line",
        "row": world[f"sku_{side}"].pk,
        "week": WEEKS[0].isoformat(),
        "seen_edit_version": seen,
        "quantity": quantity,
        "reason": reason,
        **extra,
    }


def _line(version, world, side="in"):
    return PlanLine.objects.get(
        plan_version=version, store=world[f"store_{side}"], sku=world[f"sku_{side}"], week=WEEKS[0]
    )


@pytest.mark.django_db
def test_a_line_edit_saves_an_override_and_answers_htmx_with_the_grid(
    client, cycle_in_review, forecast_world, people
):
    client.force_login(people["planner"])
    version = working_version(cycle_in_review)
    response = client.post(
        _cell_url(cycle_in_review, version.number),
        _line_post(forecast_world, comment="Listed in N1"),
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    body = response.content.decode()
    assert "<html" not in body and 'id="plan-grid"' in body
    assert "10 → 14 units" in body and "+4 units" in body
    assert _line(version, forecast_world).quantity == 14
    override = Override.objects.get()
    assert (override.reason, override.comment, override.created_by) == (
        "new_listing",
        "Listed in N1",
        people["planner"],
    )


@pytest.mark.django_db
def test_an_edit_without_a_reason_is_refused_and_changes_nothing(
    client, cycle_in_review, forecast_world, people
):
    client.force_login(people["planner"])
    version = working_version(cycle_in_review)
    response = client.post(
        _cell_url(cycle_in_review, version.number), _line_post(forecast_world, reason="")
    )
    assert response.status_code == 200
    assert "Choose a reason for the change." in response.content.decode()
    assert _line(version, forecast_world).quantity == 10
    assert not Override.objects.exists()


@pytest.mark.django_db
def test_a_stale_edit_shows_the_newer_value_and_keeps_it(
    client, cycle_in_review, forecast_world, people
):
    version = working_version(cycle_in_review)
    url = _cell_url(cycle_in_review, version.number)
    client.force_login(people["planner"])
    client.post(url, _line_post(forecast_world, quantity="15"))
    client.force_login(people["other_planner"])
    response = client.post(
        url,
        _line_post(forecast_world, quantity="12", reason="promotion"),
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert "changed by ann since you opened it: it is now 15 units" in body
    assert 'class="num cell refreshed changed"' in body
    assert _line(version, forecast_world).quantity == 15


@pytest.mark.django_db
def test_a_category_edit_on_the_page_spreads_exactly(
    client, cycle_in_review, forecast_world, people
):
    client.force_login(people["planner"])
    version = working_version(cycle_in_review)
    drinks = forecast_world["drinks"]
    response = client.post(
        _cell_url(cycle_in_review, version.number),
        {
            "level": "category",
            "row": drinks.pk,
            "week": WEEKS[1].isoformat(),
            "seen_total": "30",
            "quantity": "101",
            "reason": "event",
        },
    )
    assert response.status_code == 302
    lines = PlanLine.objects.filter(plan_version=version, week=WEEKS[1], sku__category=drinks)
    assert sorted(lines.values_list("quantity", flat=True)) == [34.0, 67.0]


@pytest.mark.django_db
def test_a_scoped_planner_cannot_edit_or_drill_outside_their_scope(
    client, cycle_in_review, forecast_world, people
):
    client.force_login(people["scoped"])
    version = working_version(cycle_in_review)
    url, query = _grid_url(cycle_in_review, version.number, category=forecast_world["snacks"].pk)
    assert client.get(url, query).status_code == 404
    response = client.post(
        _cell_url(cycle_in_review, version.number), _line_post(forecast_world, side="out")
    )
    assert response.status_code == 404
    # A line in their region but of a category outside it: the SKU is not theirs.
    inside_store_outside_sku = {
        **_line_post(forecast_world),
        "category": forecast_world["drinks"].pk,
        "row": forecast_world["sku_out"].pk,
    }
    response = client.post(_cell_url(cycle_in_review, version.number), inside_store_outside_sku)
    assert response.status_code == 404
    assert not Override.objects.exists()
    # Their category edit touches only their region's lines.
    client.post(
        _cell_url(cycle_in_review, version.number),
        {
            "level": "category",
            "row": forecast_world["drinks"].pk,
            "week": WEEKS[0].isoformat(),
            "seen_total": "10",
            "quantity": "25",
            "reason": "promotion",
        },
    )
    assert _line(version, forecast_world).quantity == 25
    south_drinks = PlanLine.objects.get(
        plan_version=version,
        store=forecast_world["store_out"],
        sku=forecast_world["sku_in"],
        week=WEEKS[0],
    )
    assert south_drinks.quantity == 20


@pytest.mark.django_db
def test_the_grid_of_a_scoped_planner_shows_only_their_lines(
    client, cycle_in_review, forecast_world, people
):
    client.force_login(people["scoped"])
    version = working_version(cycle_in_review)
    body = client.get(*_grid_url(cycle_in_review, version.number)).content.decode()
    assert forecast_world["drinks"].code in body
    assert forecast_world["snacks"].code not in body


@pytest.mark.django_db
def test_nobody_approves_their_own_submission_through_the_pages(
    client, cycle_in_review, forecast_world, people
):
    admin = people["admin"]
    submission = plan_submit(cycle=cycle_in_review, actor=admin, scope=scope_of(admin))
    client.force_login(admin)
    page = client.get(reverse("planning:cycle", kwargs={"pk": cycle_in_review.pk}))
    assert "Approve demand review" not in page.content.decode()
    assert "nobody approves their own submission" in page.content.decode()
    response = client.post(
        reverse("planning:review", kwargs={"pk": submission.pk}),
        {"decision": "approve"},
        follow=True,
    )
    assert "Nobody approves their own submission." in response.content.decode()
    submission.refresh_from_db()
    assert submission.status == SubmissionStatus.SUBMITTED
    # A planner may not review at all.
    client.force_login(people["planner"])
    denied = client.post(
        reverse("planning:review", kwargs={"pk": submission.pk}), {"decision": "approve"}
    )
    assert denied.status_code == 403
    assert Submission.objects.get(pk=submission.pk).status == SubmissionStatus.SUBMITTED


@pytest.mark.django_db
def test_a_read_only_version_has_no_edit_controls_and_refuses_edits(
    client, cycle_in_review, forecast_world, people
):
    client.force_login(people["planner"])
    statistical = cycle_in_review.versions.get(kind=VersionKind.STATISTICAL)
    body = client.get(*_grid_url(cycle_in_review, statistical.number)).content.decode()
    assert "cell-link" not in body and "read-only: a change needs a new version" in body
    response = client.post(
        _cell_url(cycle_in_review, statistical.number), _line_post(forecast_world)
    )
    assert response.status_code == 302
    assert _line(statistical, forecast_world).quantity == 10


@pytest.mark.django_db
def test_a_version_exports_its_lines_in_scope_with_names_and_units(
    client, cycle_in_review, forecast_world, people
):
    client.force_login(people["scoped"])
    version = working_version(cycle_in_review)
    url = reverse(
        "planning:export", kwargs={"pk": cycle_in_review.pk, "number": version.number, "fmt": "csv"}
    )
    rows = list(csv.reader(io.StringIO(client.get(url).content.decode("utf-8-sig"))))
    assert rows[0][-3:] == ["Statistical forecast (units)", "Last year (units)", "Plan (units)"]
    assert {row[0] for row in rows[1:]} == {"N1"} and {row[3] for row in rows[1:]} == {"COLA"}
    assert len(rows) == 1 + len(WEEKS)
    xlsx = client.get(url.replace("export.csv", "export.xlsx"))
    assert xlsx.status_code == 200 and xlsx.content[:2] == b"PK"


@pytest.mark.django_db
def test_every_page_of_the_cycle_opens_for_every_role(client, cycle_in_review, people):
    pages = [
        reverse("planning:cycles"),
        reverse("planning:approvals"),
        reverse("planning:cycle", kwargs={"pk": cycle_in_review.pk}),
        reverse("planning:meeting", kwargs={"pk": cycle_in_review.pk}),
        reverse("planning:grid", kwargs={"pk": cycle_in_review.pk, "number": 2}),
    ]
    for role in ("planner", "admin", "executive", "scoped"):
        client.force_login(people[role])
        for url in pages:
            assert client.get(url).status_code == 200, (role, url)


@pytest.mark.django_db
def test_a_submitted_plan_shows_no_edit_controls_to_its_planner(
    client, cycle_in_review, forecast_world, people
):
    planner = people["planner"]
    plan_submit(cycle=cycle_in_review, actor=planner, scope=scope_of(planner))
    client.force_login(planner)
    version = working_version(cycle_in_review)
    body = client.get(*_grid_url(cycle_in_review, version.number)).content.decode()
    assert "cell-link" not in body and "it cannot change meanwhile" in body
    client.force_login(people["other_planner"])
    body = client.get(*_grid_url(cycle_in_review, version.number)).content.decode()
    assert "cell-link" in body
