"""A pilot in a real browser: an admin creates it, stratifies the demo company's stores into
two groups, reads the balance table and the minimum detectable effects and starts it; once
the KPIs are computed an executive reads the scorecard and the weekly trend charts; a
planner cannot reach the assignment at all."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from playwright.sync_api import Page, expect

from demo.engine.company import generate_company
from demo.services import demo_company_load
from pilots.models import Pilot, PilotStatus, PilotStore
from pilots.services import pilot_kpis_compute

DATA_END = dt.date(2026, 6, 28)
START = dt.date(2026, 5, 4)  # a Monday, eight weeks before the history ends


@pytest.fixture
def demo_company(transactional_db):
    """A small demo company: a year of history for eight stores in three regions."""
    company = generate_company(seed=7, stores=8, skus=5, years=1, end_date=DATA_END)
    demo_company_load(company=company)
    return company


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_admin_designs_and_starts_a_pilot_an_executive_reads_it_a_planner_cannot_touch_it(
    live_server,
    page: Page,
    log_in,
    browser_errors,
    demo_company,
    admin_user,
    executive,
    planner,
):
    base = live_server.url

    # The admin creates the pilot with the seed's KPIs and thresholds.
    log_in("admin")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pilots").click()
    page.locator(".page-head").get_by_role("link", name="New pilot").click()
    page.fill("#id_name", "Summer replenishment pilot")
    page.fill("#id_start_date", START.isoformat())
    expect(page.locator("#id_threshold_mape")).to_have_value("-10.0")
    page.get_by_role("button", name="Create pilot").click()
    expect(page.locator(".messages")).to_contain_text("Summer replenishment pilot created")

    # ... stratifies the demo company's stores by region into two groups ...
    page.get_by_label("Stratified", exact=True).check()
    page.get_by_label("Region", exact=True).check()
    page.get_by_role("button", name="Draw the groups").click()
    groups = page.locator("#groups")
    expect(groups).to_contain_text("Stratified by region")
    expect(groups).to_contain_text("4 control, 4 experimental")
    seed = page.locator("[data-seed]").inner_text()
    pilot = Pilot.objects.get(name="Summer replenishment pilot")
    assert str(pilot.seed) == seed
    assert sorted(PilotStore.objects.filter(pilot=pilot).values_list("group", flat=True)) == [
        0,
        0,
        0,
        0,
        1,
        1,
        1,
        1,
    ]

    # ... reads the balance table and what each KPI can detect ...
    balance = page.locator("#balance-table")
    expect(balance).to_contain_text("Forecast error (MAPE, non-zero days)")
    detectable = page.locator("#mde-table")
    expect(detectable).to_contain_text("Forecast error (MAPE, non-zero days)")
    expect(detectable.locator("tbody tr").first).to_contain_text(re.compile(r"± \d"))
    expect(detectable).to_contain_text("per group")

    # ... and starts it: the groups lock.
    page.get_by_role("button", name="Start the pilot").click()
    expect(page.locator(".messages")).to_contain_text("its groups are locked")
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.RUNNING

    # The daily KPI job computes both groups' KPIs from the same data.
    assert pilot_kpis_compute(pilot=pilot) > 0

    # An executive opens the KPI page: the scorecard, the verdict and the charts.
    page.context.clear_cookies()
    log_in("executive")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Pilots").click()
    page.get_by_role("link", name="Summer replenishment pilot").click()
    scorecard = page.locator("#scorecard")
    expect(scorecard).to_contain_text("Forecast error (MAPE, non-zero days)")
    expect(scorecard).to_contain_text("p (Holm)")
    expect(scorecard.locator("tbody tr")).to_have_count(pilot.kpis.count())
    expect(page.locator("#verdict .verdict")).to_contain_text("primary KPI")
    charts = page.locator("#trends .js-plotly-plot")
    expect(charts.first).to_be_visible()
    assert charts.count() >= 3
    expect(page.locator("#drilldown tbody tr")).to_have_count(8)
    expect(page.get_by_role("link", name="Design and start")).to_have_count(0)

    # A planner has no pilot pages: the assignment is refused, not merely hidden.
    before = dict(PilotStore.objects.filter(pilot=pilot).values_list("store_id", "group"))
    page.context.clear_cookies()
    log_in("planner")
    expect(
        page.get_by_role("navigation", name="Main").get_by_role("link", name="Pilots")
    ).to_have_count(0)
    response = page.goto(f"{base}/pilots/{pilot.pk}/design/")
    assert response is not None and response.status == 403
    response = page.goto(f"{base}/pilots/")
    assert response is not None and response.status == 403
    assert dict(PilotStore.objects.filter(pilot=pilot).values_list("store_id", "group")) == before

    assert not [e for e in browser_errors if "403" not in e], browser_errors
