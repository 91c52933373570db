"""The approved plan for the ERP: only once signed off, by month, in the token's scope."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from planning.models import PlanningCycle
from planning.services import (
    consensus_agree,
    demand_review_close,
    plan_submit,
    submission_review,
)
from tests.planning.conftest import scope_of


def _sign_off(cycle, people):
    planner, admin = people["planner"], people["admin"]
    submission = plan_submit(cycle=cycle, actor=planner, scope=scope_of(planner))
    submission_review(submission=submission, actor=admin, approve=True)
    demand_review_close(cycle=cycle, actor=admin)
    cycle = PlanningCycle.objects.get(pk=cycle.pk)
    submission_review(
        submission=cycle.submissions.get(stage="supply_review"), actor=admin, approve=True
    )
    consensus_agree(cycle=cycle, actor=admin)
    cycle = PlanningCycle.objects.get(pk=cycle.pk)
    submission_review(
        submission=cycle.submissions.get(stage="sign_off"), actor=people["executive"], approve=True
    )


@pytest.mark.django_db
def test_the_approved_plan_is_served_once_signed_off_and_in_scope(cycle_in_review, people):
    api = APIClient()
    url = reverse("approved-plan-list")
    api.force_authenticate(people["admin"])
    assert api.get(url).json()["count"] == 0
    _sign_off(cycle_in_review, people)
    rows = api.get(url, {"month": "2026-12"}).json()
    assert rows["count"] == 16
    first = rows["results"][0]
    assert (first["month"], first["version"], first["store"]) == ("2026-12", 4, "N1")
    api.force_authenticate(people["scoped"])
    scoped = api.get(url).json()
    assert scoped["count"] == 4 and {r["sku"] for r in scoped["results"]} == {"COLA"}
    assert api.get(url, {"month": "2026-11"}).json()["count"] == 0
    bad = api.get(url, {"month": "December"})
    assert bad.status_code == 400 and "YYYY-MM" in str(bad.json())
