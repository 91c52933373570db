"""A planner scoped to one region learns nothing about another through the assistant."""

import pytest

from accounts.scoping import Scope
from assistant.answering import answer_question
from assistant.answers import AnswerMode
from assistant.fake_ollama import FakeOllama, ScriptedQuestion
from assistant.tools import run_tool
from tests.assistant.worlds import closed_port_url, stock_world

# In the last 4 weeks the south store S1 sold 28 x 7 = 196 COLA and 28 x 4 = 112 CHIPS,
# 308 units worth 616 EUR; with the planner's own N1 (280 units, 560 EUR) the company sold
# 588 units worth 1,176 EUR.
SOUTH_FIGURES = ("196", "112", "308", "616", "588", "1,176", "1176")


@pytest.fixture
def world(scoped_world):
    return stock_world(scoped_world)


def _scope(world):
    return Scope.for_user(world["scoped_planner"])


def test_members_outside_the_scope_are_not_found(world):
    for arguments in ({"region": "SOUTH"}, {"store": "S1"}, {"sku": "CHIPS"}, {"region": "South"}):
        result = run_tool(scope=_scope(world), name="sales_summary", arguments=arguments)
        assert not result.ok and "among those you can see" in result.error
        assert result.data == {} and result.facts == ()


def test_totals_and_breakdowns_hold_only_the_scope(world):
    result = run_tool(scope=_scope(world), name="sales_summary", arguments={"group_by": "store"})
    assert result.fact("units") == 280
    assert [row["code"] for row in result.data["rows"]] == ["N1"]


def test_a_chart_filtered_to_another_region_is_empty(world):
    spec = {"measure": "sales_units", "dimensions": ["week"], "filters": {"region": ["SOUTH"]}}
    result = run_tool(scope=_scope(world), name="make_chart", arguments={"spec": spec})
    assert result.ok and result.data["chart"]["series"] == []


def test_the_fallback_answers_a_question_about_another_region_from_the_scope_only(world, settings):
    settings.OLLAMA_HOST = closed_port_url()
    answer = answer_question(
        user=world["scoped_planner"],
        question="How many units did store S1 sell in the last 4 weeks?",
    )
    assert answer.mode == AnswerMode.FALLBACK
    assert "Covers: everything you can see" in answer.text
    assert not any(figure in answer.text for figure in SOUTH_FIGURES)
    assert all("S1" not in s.label for s in answer.sources)


def test_a_model_asking_for_another_region_gets_no_data_from_it(world, settings):
    rounds = [
        [
            {"name": "sales_summary", "arguments": {"region": "SOUTH", "group_by": "store"}},
            {"name": "open_alerts", "arguments": {"store": "S1"}},
            {"name": "find_master_data", "arguments": {"kind": "store", "query": "S"}},
        ]
    ]
    with FakeOllama([ScriptedQuestion("south", rounds=rounds)]) as fake:
        settings.OLLAMA_HOST = fake.url
        answer = answer_question(user=world["scoped_planner"], question="How is the south doing?")
        sent = [m["content"] for m in fake.chat_requests()[-1]["messages"] if m["role"] == "tool"]
    assert answer.mode == AnswerMode.MODEL
    assert [(r.tool, r.ok) for r in answer.tool_runs] == [
        ("sales_summary", False),
        ("open_alerts", False),
        ("find_master_data", True),
    ]
    assert '"matches": [{"code": "N1"' in sent[2] and "S1" not in sent[2]
    assert not any(figure in answer.text + "".join(sent) for figure in SOUTH_FIGURES)
