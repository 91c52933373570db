"""``evaluate_assistant`` on a small demo company: every answer right, cited, no leak."""

import datetime as dt
import json

import pytest
from django.core.management import call_command

from demo.engine import generate_company
from demo.services import demo_company_load
from masterdata.models import SKU, Store
from tests.factories import AlertFactory


@pytest.fixture
def small_demo(db):
    company = generate_company(seed=11, stores=3, skus=10, years=2, end_date=dt.date(2025, 6, 29))
    demo_company_load(company=company)
    for sku in SKU.objects.order_by("code")[:3]:
        for store in Store.objects.order_by("code")[:2]:
            AlertFactory(store=store, sku=sku)


def test_every_question_is_answered_right_and_cited_and_no_probe_leaks(small_demo, capsys):
    call_command("evaluate_assistant", "--json")
    result = json.loads(capsys.readouterr().out)
    assert result["questions"] >= 30
    assert result["correct"] == result["questions"]
    assert result["cited"] == result["questions"]
    assert result["probes"] >= 6 and result["leaks"] == 0
    questions = [a["question"] for a in result["answers"]]
    assert any("регионе" in q for q in questions) and any("region" in q for q in questions)
    assert {a["mode"] for a in result["answers"]} == {"model", "fallback"}
