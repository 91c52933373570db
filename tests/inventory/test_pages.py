"""The replenishment pages as people use them: names beside codes, units and currency,
inline decisions over HTMX, bulk decisions, downloads, "no match", and the scope."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from inventory.models import Recommendation
from tests.forecasting.factories import ORIGIN, ForecastFactory, ForecastRunFactory
from tests.inventory.recommendation_factories import (
    InventoryPlanRunFactory,
    InventoryPolicyFactory,
    RecommendationFactory,
)


@pytest.fixture
def recs(scoped_world):
    for sku in (scoped_world["sku_in"], scoped_world["sku_out"]):
        sku.case_pack, sku.min_order_qty = 12, 24
        sku.save()
    run = InventoryPlanRunFactory()
    inside = RecommendationFactory(
        run=run, store=scoped_world["store_in"], sku=scoped_world["sku_in"]
    )
    outside = RecommendationFactory(
        run=run, store=scoped_world["store_out"], sku=scoped_world["sku_out"]
    )
    return {"in": inside, "out": outside, "run": run}


def test_worklist_names_units_cases_and_currency(client, admin_user, recs):
    client.force_login(admin_user)
    body = client.get(reverse("inventory:worklist")).content.decode()
    rec = recs["in"]
    assert rec.store.code in body and rec.store.name in body
    assert rec.sku.code in body and rec.sku.name in body
    assert "48 units" in body and "4 cases of 12" in body
    assert "€72" in body
    assert "Plan now" in body and "Accept ticked" in body
    assert reverse("inventory:policy", args=[rec.store_id, rec.sku_id]) in body


def test_scoped_planner_sees_only_their_recommendations(client, scoped_world, recs):
    client.force_login(scoped_world["scoped_planner"])
    body = client.get(reverse("inventory:worklist")).content.decode()
    assert recs["in"].sku.name in body
    assert recs["out"].sku.code not in body and recs["out"].store.name not in body


def test_search_that_finds_nothing_says_so(client, admin_user, recs):
    client.force_login(admin_user)
    body = client.get(reverse("inventory:worklist"), {"sku": "zzz-nothing"}).content.decode()
    assert "No recommendation matches “zzz-nothing”." in body


def test_inline_edit_over_htmx_rounds_and_returns_the_cell(client, admin_user, recs):
    client.force_login(admin_user)
    rec = recs["in"]
    response = client.post(
        reverse("inventory:decide", args=[rec.pk]),
        {"action": "edit", "quantity": "50", "version": rec.version},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200
    assert "Accepted with changes" in body and "60 units" in body
    assert "rounded up to 5 whole cases of 12" in body
    rec.refresh_from_db()
    assert (rec.status, rec.final_quantity, rec.version) == ("edited", 60.0, 2)


def test_inline_edit_below_the_moq_is_refused_in_the_cell(client, admin_user, recs):
    client.force_login(admin_user)
    rec = recs["in"]
    response = client.post(
        reverse("inventory:decide", args=[rec.pk]),
        {"action": "edit", "quantity": "3", "version": rec.version},
        headers={"HX-Request": "true"},
    )
    assert "below the minimum order of 24 units" in response.content.decode()
    rec.refresh_from_db()
    assert rec.status == "proposed"


def test_stale_decision_is_refused(client, admin_user, recs):
    client.force_login(admin_user)
    rec = recs["in"]
    url = reverse("inventory:decide", args=[rec.pk])
    client.post(url, {"action": "reject", "version": 1})
    response = client.post(url, {"action": "accept", "version": 1}, follow=True)
    assert "Someone changed" in response.content.decode()
    assert Recommendation.objects.get(pk=rec.pk).status == "rejected"


def test_bulk_accept(client, admin_user, recs):
    client.force_login(admin_user)
    ticked = [f"{r.pk}:{r.version}" for r in (recs["in"], recs["out"])]
    response = client.post(
        reverse("inventory:decide_bulk"), {"action": "accept", "select": ticked}, follow=True
    )
    assert "2 recommendations accepted." in response.content.decode()
    assert set(Recommendation.objects.values_list("status", flat=True)) == {"accepted"}


def test_executive_reads_but_cannot_decide(client, executive, recs):
    client.force_login(executive)
    body = client.get(reverse("inventory:worklist")).content.decode()
    assert recs["in"].sku.code in body
    assert "Plan now" not in body and 'name="action"' not in body


def test_export_holds_every_filtered_row_with_units_and_currency(client, admin_user, recs):
    client.force_login(admin_user)
    response = client.get(reverse("inventory:worklist"), {"export": "csv"})
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert len(rows) == 2
    assert {"Recommended (units)", "Recommended (cases)", "Cost (EUR)"} <= set(rows[0])
    assert {row["SKU code"] for row in rows} == {recs["in"].sku.code, recs["out"].sku.code}
    xlsx = client.get(reverse("inventory:worklist"), {"export": "xlsx"})
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


def test_policy_page_shows_the_working_and_the_projection(client, admin_user, scoped_world):
    policy = InventoryPolicyFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    client.force_login(admin_user)
    response = client.get(reverse("inventory:policy", args=[policy.store_id, policy.sku_id]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Safety stock" in body and "19.7" in body and "Reorder point" in body
    assert "z = Φ⁻¹(0.95)" in body
    chart = response.context["projection"]
    assert len(chart["x"]) == 28
    # 60 on hand, 10 a day from the policy's mean (no stored forecast): empty on day 6.
    assert chart["projected"][:6] == [50.0, 40.0, 30.0, 20.0, 10.0, 0.0]
    assert not chart["forecast_found"]


def test_policy_page_out_of_scope_is_404(client, scoped_world):
    policy = InventoryPolicyFactory(store=scoped_world["store_out"], sku=scoped_world["sku_out"])
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("inventory:policy", args=[policy.store_id, policy.sku_id]))
    assert response.status_code == 404


def test_health_dashboard_totals(client, admin_user, scoped_world):
    # 60 on hand at €1.50, 10 a day: 6 days of supply; no excess within 28 days.
    InventoryPolicyFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    # 1,000 on hand: 1,000 − (10 × 28 + 19.7) = 700.3 units excess = €1,050.
    InventoryPolicyFactory(
        store=scoped_world["store_out"], sku=scoped_world["sku_out"], on_hand=1000.0
    )
    client.force_login(admin_user)
    response = client.get(reverse("inventory:health"))
    overview = response.context["overview"]
    assert overview["series"] == 2
    assert overview["stock_value"] == pytest.approx(1060 * 1.5)
    assert overview["excess_value"] == pytest.approx(700.3 * 1.5)
    assert overview["days_of_supply"] == pytest.approx(1060 / 20)
    assert {row["name"] for row in overview["by_category"]} == {
        scoped_world["sku_in"].category.name,
        scoped_world["sku_out"].category.name,
    }
    body = response.content.decode()
    assert "€1,590" in body and "€1,050" in body


def test_tradeoff_curve_costs_more_stock_for_more_service(client, admin_user, scoped_world):
    run = ForecastRunFactory(origin=ORIGIN)
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    for day in range(1, 29):
        ForecastFactory(
            run=run, store=store, sku=sku, origin=ORIGIN, date=ORIGIN + dt.timedelta(days=day)
        )
    client.force_login(admin_user)
    response = client.get(reverse("inventory:health"), {"category": sku.category.code})
    tradeoff = response.context["tradeoff"]
    assert tradeoff["series"] >= 1
    points = tradeoff["points"]
    assert [p["target"] for p in points] == sorted(p["target"] for p in points)
    safety = [p["safety_stock_value"] for p in points]
    assert safety == sorted(safety) and safety[-1] > safety[0]
    assert points[0]["cost_per_point"] is None
    step = points[1]["safety_stock_value"] - points[0]["safety_stock_value"]
    assert points[1]["cost_per_point"] == pytest.approx(step / 5)  # 80 % → 85 %
    assert all(p["average_stock_value"] > p["safety_stock_value"] for p in points)
    assert "Extra safety stock per point of service (EUR)" in response.content.decode()


def test_tradeoff_of_a_category_outside_the_scope_is_404(client, scoped_world):
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("inventory:health"), {"category": "SNACKS"})
    assert response.status_code == 404


def test_the_worklist_summarises_the_newest_company_wide_plan(client, admin_user, db):
    InventoryPlanRunFactory(objective=7623.0, summary={"scope": "system"})
    InventoryPlanRunFactory(objective=626.0, summary={"scope": "scoped"})
    client.force_login(admin_user)
    body = client.get(reverse("inventory:worklist")).content.decode()
    assert "plan cost €7,623" in body and "€626" not in body
