"""A whole S&OP cycle in a real browser: a planner overrides a line with a reason, a second
planner's stale edit of the same line is refused with the newer value, the planner submits,
an admin approves the demand and supply reviews and records the consensus, an executive
signs off, and the plan is read-only until a new version is opened."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from planning.models import PlanLine, PlanningCycle, Stage, VersionKind
from tests.conftest import PASSWORD
from tests.planning.conftest import (  # noqa: F401  (fixtures)
    WEEKS,
    cycle_in_review,
    forecast_world,
    people,
)


def _log_in(page: Page, base: str, username: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def _open_line(page: Page, base: str, cycle, world) -> None:
    """Drill the working version's grid down to the COLA line of store N1, by clicking."""
    page.goto(f"{base}/planning/{cycle.pk}/")
    page.get_by_role("link", name=re.compile(r"Plan grid")).click()
    grid = page.locator("#plan-grid")
    grid.get_by_role("link", name=re.compile(world["drinks"].code)).click()
    expect(grid.locator(".trail")).to_contain_text(world["drinks"].code)
    grid.get_by_role("link", name=re.compile(world["north"].code)).click()
    expect(grid.locator(".trail")).to_contain_text(world["north"].code)
    grid.get_by_role("link", name=re.compile(world["store_in"].code)).click()
    expect(grid.locator(".trail")).to_contain_text(world["store_in"].code)


def _first_week_cell(page: Page, world):
    return page.locator(f"#row-{world['sku_in'].pk} a.cell-link").first


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_whole_cycle_from_override_to_sign_off(
    live_server,
    page: Page,
    browser: Browser,
    browser_errors,
    cycle_in_review,  # noqa: F811
    forecast_world,  # noqa: F811
):
    base, cycle, world = live_server.url, cycle_in_review, forecast_world

    # Two planners open the same line's first week.
    _log_in(page, base, "ann")
    _open_line(page, base, cycle, world)
    other_context = browser.new_context(viewport={"width": 1366, "height": 900})
    other = other_context.new_page()
    _log_in(other, base, "bob")
    _open_line(other, base, cycle, world)
    _first_week_cell(other, world).click()
    expect(other.locator("td.editing")).to_be_visible()

    # Ann overrides it with a reason; the totals come back with the grid.
    _first_week_cell(page, world).click()
    editor = page.locator("td.editing")
    editor.get_by_label("New plan (units)").fill("14")
    expect(editor.get_by_label("Reason")).to_have_attribute("required", "")
    page.locator("td.editing").get_by_label("Reason").select_option(label="New listing")
    page.locator("td.editing").get_by_label("Comment (optional)").fill("Listed in N1")
    page.locator("td.editing").get_by_role("button", name="Save").click()
    expect(page.locator("#plan-grid .msg-success")).to_contain_text("10 → 14 units")
    expect(_first_week_cell(page, world)).to_have_text("14")
    expect(page.locator(f"#row-{world['sku_in'].pk} td.override")).to_contain_text("+4 units")
    # Totals recomputed: the plan over four weeks (14 + 3 × 10) and week 1's column.
    expect(page.locator("tfoot td").nth(0)).to_have_text("44")
    expect(page.locator("tfoot td").nth(5)).to_have_text("14")

    # Bob's edit was made on what he saw before: refused, with Ann's value shown.
    bob_editor = other.locator("td.editing")
    bob_editor.get_by_label("New plan (units)").fill("12")
    bob_editor.get_by_label("Reason").select_option(label="Promotion")
    bob_editor.get_by_role("button", name="Save").click()
    expect(other.locator("#plan-grid .msg-error")).to_contain_text(
        "changed by ann since you opened it: it is now 14 units"
    )
    expect(_first_week_cell(other, world)).to_have_text("14")
    other_context.close()

    # Ann submits her plan.
    page.goto(f"{base}/planning/{cycle.pk}/")
    page.get_by_role("button", name="Submit my plan for review").click()
    expect(page.locator(".messages")).to_contain_text("submitted for the demand review")
    expect(page.get_by_role("button", name="Submit my plan for review")).to_have_count(0)

    # An admin approves the demand review, then the supply review, then records consensus.
    page.context.clear_cookies()
    _log_in(page, base, "admin")
    page.goto(f"{base}/planning/approvals/")
    page.get_by_role("button", name="Approve demand review").click()
    expect(page.locator(".messages")).to_contain_text(
        "demand review of S&OP December 2026 is approved"
    )
    page.goto(f"{base}/planning/{cycle.pk}/")
    page.get_by_label("Demand review comment").fill("North listing accepted")
    page.get_by_role("button", name="Close the demand review").click()
    expect(page.locator(".messages")).to_contain_text("waits for the supply review")
    page.goto(f"{base}/planning/approvals/")
    page.get_by_role("button", name="Approve supply review").click()
    expect(page.locator(".messages")).to_contain_text(
        "supply review of S&OP December 2026 is approved"
    )
    page.goto(f"{base}/planning/{cycle.pk}/")
    page.get_by_label("Consensus note").fill("Baseline with the N1 listing")
    page.get_by_role("button", name="Record the consensus").click()
    expect(page.locator(".messages")).to_contain_text("waits for an executive's sign-off")

    # An executive signs it off.
    page.context.clear_cookies()
    _log_in(page, base, "executive")
    page.goto(f"{base}/planning/approvals/")
    page.get_by_label("Comment").fill("Signed for December")
    page.get_by_role("button", name="Approve executive sign-off").click()
    expect(page.locator(".messages")).to_contain_text("is approved")
    cycle = PlanningCycle.objects.get(pk=cycle.pk)
    assert cycle.stage == Stage.LOCKED
    approved = cycle.versions.get(kind=VersionKind.APPROVED)

    # The approved plan is read-only: no cell can be edited, and it says a new version is needed.
    page.context.clear_cookies()
    _log_in(page, base, "ann")
    page.goto(f"{base}/planning/{cycle.pk}/v{approved.number}/?category={world['drinks'].pk}")
    expect(page.locator(".readonly-note")).to_contain_text(
        "read-only: a change needs a new version"
    )
    expect(page.locator("a.cell-link")).to_have_count(0)
    page.goto(f"{base}/planning/{cycle.pk}/")
    expect(page.locator(".stepper [aria-current=step]")).to_contain_text("Locked")
    line = PlanLine.objects.get(
        plan_version=approved, store=world["store_in"], sku=world["sku_in"], week=WEEKS[0]
    )
    assert line.quantity == 14

    # A change needs a new version: an admin reopens with a reason, and planners edit that.
    page.context.clear_cookies()
    _log_in(page, base, "admin")
    page.goto(f"{base}/planning/{cycle.pk}/")
    page.get_by_label("Reason to reopen").fill("Competitor opened next door")
    page.get_by_role("button", name="Reopen with a new version").click()
    expect(page.locator(".messages")).to_contain_text("changes go into v5 Planner-adjusted")
    expect(page.locator(".history")).to_contain_text("Competitor opened next door")
    page.goto(f"{base}/planning/{cycle.pk}/v5/?category={world['drinks'].pk}")
    expect(page.locator("a.cell-link").first).to_be_visible()
    assert not browser_errors, browser_errors
