"""Must show: a user asks the assistant for a chart and sees it drawn, with its spec, and
adjusts it; through the fake Ollama server (the model fills the spec) and without any
server (the grounded fallback fills it)."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from accounts.models import Role
from assistant.fake_ollama import FakeOllama, ScriptedQuestion
from tests.factories import (
    CategoryFactory,
    RegionFactory,
    SalesFactFactory,
    SKUFactory,
    StoreFactory,
    UserFactory,
)

SPEC = {
    "measure": "sales_units",
    "dimensions": ["week", "region"],
    "period": "last_13_weeks",
    "chart_type": "line",
}


def _world() -> None:
    drinks = CategoryFactory(code="DRINKS", name="Drinks")
    for code, name, per_day in (("NORTH", "North", 10.0), ("SOUTH", "South", 6.0)):
        region = RegionFactory(code=code, name=name)
        store = StoreFactory(code=f"{code[0]}1", name=f"{name} store", region=region)
        sku = SKUFactory(code=f"COLA-{code[0]}", name="Cola 33 cl", category=drinks)
        for day in range(56):
            SalesFactFactory(
                store=store,
                sku=sku,
                date=dt.date(2025, 3, 2) - dt.timedelta(days=day),
                quantity=per_day,
            )
    UserFactory(username="planner", role=Role.PLANNER)


def _ask_for_a_chart(page, live_server, question: str) -> None:
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Ask the assistant").click()
    page.get_by_label("Question").fill(question)
    with page.expect_navigation():
        page.get_by_role("button", name="Ask").click()


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_user_asks_for_a_chart_and_sees_it_drawn(
    live_server, page, log_in, browser_errors, settings
):
    _world()
    script = [
        ScriptedQuestion("chart", rounds=[[{"name": "make_chart", "arguments": {"spec": SPEC}}]])
    ]
    with FakeOllama(script) as fake:
        settings.OLLAMA_HOST = fake.url
        log_in("planner")
        _ask_for_a_chart(page, live_server, "A chart of weekly sales by region")

    answer = page.locator("article.message").last
    expect(answer.get_by_text("Answered by the model phi3:medium-128k")).to_be_visible()
    chart = answer.locator("[data-assistant-chart]")
    expect(chart.locator(".main-svg").first).to_be_visible()
    legend = ["NORTH North (units)", "SOUTH South (units)"]
    expect(chart.locator(".legendtext")).to_have_text(legend)
    expect(answer.get_by_text("measure=sales_units")).to_be_visible()
    page.screenshot(path="test-artifacts/assistant-chart-answer.png", full_page=True)

    answer.get_by_role("link", name="Adjust it and see its numbers").click()
    page.get_by_label("Chart type").fill("bar")
    page.get_by_role("button", name="Draw").click()
    expect(page.locator("[data-assistant-chart] .main-svg").first).to_be_visible()
    expect(page.locator("[data-assistant-chart] .bars").first).to_be_attached()
    assert browser_errors == []

    # A refused spec answers 400 (the browser logs that status), with the engine's message.
    page.get_by_label("Measure").fill("margin")
    page.get_by_role("button", name="Draw").click()
    expect(page.get_by_role("alert")).to_contain_text("measure 'margin' is not allowed")
    page.screenshot(path="test-artifacts/assistant-chart-refused.png", full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_without_a_model_the_fallback_draws_the_chart_and_says_so(
    live_server, page, log_in, browser_errors, settings
):
    _world()
    settings.OLLAMA_HOST = "http://127.0.0.1:9"
    log_in("planner")

    _ask_for_a_chart(page, live_server, "Draw a chart of weekly sales by region")

    answer = page.locator("article.message").last
    expect(answer.get_by_text("Template answer")).to_be_visible()
    expect(answer.locator("[data-assistant-chart] .main-svg").first).to_be_visible()
    expect(answer.locator(".sources a").first).to_be_visible()
    assert browser_errors == []
