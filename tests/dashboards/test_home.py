"""The role home pages: what each role sees, within the planner's scope."""

import datetime as dt

import pytest
from django.urls import reverse

from jobs.models import JobRun
from tests.factories import SalesFactFactory, StoreFactory, UserFactory


def test_planner_home_shows_scope_freshness_and_own_jobs(client, scoped_world):
    planner = scoped_world["scoped_planner"]
    SalesFactFactory(
        store=scoped_world["store_in"], sku=scoped_world["sku_in"], date=dt.date(2025, 3, 9)
    )
    SalesFactFactory(
        store=scoped_world["store_out"], sku=scoped_world["sku_out"], date=dt.date(2025, 4, 1)
    )
    JobRun.objects.create(kind="forecast", created_by=planner)
    JobRun.objects.create(kind="secret-other-job", created_by=UserFactory(username="other"))
    client.force_login(planner)
    page = client.get(reverse("home")).content.decode()
    assert "Region NORTH" in page and "Category DRINKS" in page
    assert "9 Mar 2025" in page  # the latest sale in scope, not the later one outside it
    assert "forecast #" in page
    assert "secret-other-job" not in page


def test_admin_home_counts_master_data(client, admin_user, scoped_world):
    client.force_login(admin_user)
    response = client.get(reverse("home"))
    assert response.templates[0].name == "dashboards/home_admin.html"
    stores = dict(response.context["counts"])["Stores"]
    assert stores == 2


def test_executive_home_compares_with_last_year(client, executive, scoped_world):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    SalesFactFactory(store=store, sku=sku, date=dt.date(2025, 6, 30), quantity=30, revenue=300)
    SalesFactFactory(store=store, sku=sku, date=dt.date(2024, 7, 1), quantity=20, revenue=200)
    SalesFactFactory(store=store, sku=sku, date=dt.date(2024, 1, 1), quantity=99, revenue=999)
    client.force_login(executive)
    response = client.get(reverse("home"))
    total = response.context["total"]
    assert (total.value, total.value_last_year) == (300, 200)
    assert total.value_change_pct == pytest.approx(50.0)
    assert "+50.0%" in response.content.decode()


def test_store_outside_any_scope_does_not_leak_on_planner_home(client, scoped_world):
    StoreFactory(code="S2", region=scoped_world["south"])
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("home"))
    assert response.context["store_count"] == 1
