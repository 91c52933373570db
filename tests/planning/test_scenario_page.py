"""The scenario page: a planner adds a +20 % scenario and sees it cost more than the baseline."""

import datetime as dt

import pytest
from django.urls import reverse

from planning.models import Scenario, ScenarioStatus
from planning.services import cycle_create


@pytest.mark.django_db
def test_a_planner_adds_a_scenario_and_the_comparison_shows_it_costs_more(
    client,
    daily_forecast,
    admin_user,
    planner,
):
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user)
    client.force_login(planner)
    url = reverse("planning:scenarios", kwargs={"pk": cycle.pk})
    response = client.post(
        url,
        {
            "name": "Heatwave",
            "change": "demand",
            "amount": "20",
            "category": daily_forecast["drinks"].pk,
        },
    )
    assert response.status_code == 302
    scenario = Scenario.objects.get(cycle=cycle)
    assert scenario.status == ScenarioStatus.READY
    assert scenario.changes == [
        {"type": "demand", "pct": 20.0, "category_ids": [daily_forecast["drinks"].pk]}
    ]
    page = client.get(url)
    rows = {row["key"]: row for row in page.context["comparison"]["rows"]}
    cost = rows["total_cost"]
    assert cost["cells"][0]["value"] > cost["baseline"]
    assert cost["cells"][0]["better"] is False
    assert rows["average_stock_value"]["cells"][0]["delta"] > 0
    assert b"Heatwave" in page.content and b"scenario-chart-data" in page.content


@pytest.mark.django_db
def test_a_bad_scenario_is_refused_with_the_reason_and_executives_only_read(
    client,
    daily_forecast,
    admin_user,
    executive,
):
    cycle = cycle_create(month=dt.date(2026, 12, 1), actor=admin_user)
    client.force_login(admin_user)
    url = reverse("planning:scenarios", kwargs={"pk": cycle.pk})
    response = client.post(url, {"name": "Boom", "change": "demand", "amount": "900"})
    assert response.status_code == 400
    assert "between -100 and 500" in response.content.decode()
    assert not Scenario.objects.exists()
    client.force_login(executive)
    assert client.get(url).status_code == 200
    assert client.post(url, {"name": "Mine", "change": "demand", "amount": "5"}).status_code == 403
