"""Answers through the model: tool calls against the fake Ollama server, grounded figures."""

import pytest

from assistant.answering import answer_question
from assistant.answers import AnswerMode
from assistant.fake_ollama import FakeOllama, ScriptedQuestion
from tests.assistant.worlds import stock_world


@pytest.fixture
def world(scoped_world):
    return stock_world(scoped_world)


@pytest.fixture
def fake(settings):
    with FakeOllama() as server:
        settings.OLLAMA_HOST = server.url
        yield server


def test_a_question_is_answered_through_two_tool_calls(world, fake, admin_user):
    """The model first finds the store by name, then asks for its sales with the code the
    first tool returned; the answer states the second tool's figures and cites both pages."""
    fake.script = [
        ScriptedQuestion(
            "store s1",
            rounds=[
                [{"name": "find_master_data", "arguments": {"kind": "store", "query": "S1"}}],
                lambda results: [
                    {
                        "name": "sales_summary",
                        "arguments": {"store": results[0]["data"]["matches"][0]["code"]},
                    }
                ],
            ],
        )
    ]
    chunks = []
    answer = answer_question(
        user=admin_user, question="How much did store S1 sell?", on_text=chunks.append
    )
    assert answer.mode == AnswerMode.MODEL and answer.notice == ""
    assert [(r.tool, r.arguments.get("store"), r.ok) for r in answer.tool_runs] == [
        ("find_master_data", None, True),
        ("sales_summary", "S1", True),
    ]
    assert "Units sold: 308.0 units" in answer.text  # 28 days x (7 + 4)
    assert "".join(chunks).strip() == answer.text and len(chunks) > 5
    assert [s.url for s in answer.sources] == [
        "/data/stores/",
        "/data/",
        f"/data/stores/{world['store_out'].pk}/",
    ]
    tool_messages = [m for m in fake.chat_requests()[-1]["messages"] if m["role"] == "tool"]
    assert len(tool_messages) == 2
    assert "sales_summary" in {t["function"]["name"] for t in fake.chat_requests()[0]["tools"]}


def test_a_chart_question_returns_the_validated_spec_and_its_data(world, fake, admin_user):
    spec = {"measure": "sales_value", "dimensions": ["week", "region"], "period": "last_4_weeks"}
    fake.script = [
        ScriptedQuestion("chart", rounds=[[{"name": "make_chart", "arguments": {"spec": spec}}]])
    ]
    answer = answer_question(user=admin_user, question="A chart of sales value by region")
    assert answer.mode == AnswerMode.MODEL
    assert answer.chart["spec"]["measure"] == "sales_value"
    assert answer.chart["spec"]["dimensions"] == ["week", "region"]
    data = answer.chart["data"]
    assert len(data["labels"]) == 4 and data["unit"] == "EUR"
    assert {s["name"]: s["total"] for s in data["series"]} == {
        "NORTH Region NORTH": 560.0,
        "SOUTH Region SOUTH": 616.0,
    }


def test_a_question_without_tool_calls_is_answered_in_plain_words(world, fake, admin_user):
    fake.script = [ScriptedQuestion("hello", rounds=[], compose=lambda results: "Hello!")]
    answer = answer_question(user=admin_user, question="hello there")
    assert (answer.mode, answer.text, answer.tool_runs) == (AnswerMode.MODEL, "Hello!", ())
