"""No model, a malformed tool call, a time-out or invented figures: the grounded narrative."""

import json

import pytest
from django.core.management import CommandError, call_command

from assistant.answering import answer_question
from assistant.answers import AnswerMode
from assistant.fake_ollama import FakeOllama, ScriptedQuestion
from tests.assistant.worlds import closed_port_url, stock_world

QUESTION = "How many units were sold in the last 4 weeks?"


@pytest.fixture
def world(scoped_world):
    return stock_world(scoped_world)


def _is_the_narrative(answer) -> None:
    assert answer.mode == AnswerMode.FALLBACK
    assert "Units sold: 588 units" in answer.text
    assert "Sales value: 1,176 EUR" in answer.text
    assert [(r.tool, r.ok) for r in answer.tool_runs] == [("sales_summary", True)]
    assert [s.url for s in answer.sources] == ["/data/"]


def test_with_no_server_the_narrative_answers_and_says_why(world, admin_user, settings):
    settings.OLLAMA_HOST = closed_port_url()
    answer = answer_question(user=admin_user, question=QUESTION)
    _is_the_narrative(answer)
    assert answer.notice == (
        f"Written from templates, not by the model: no Ollama server answers at "
        f"{settings.OLLAMA_HOST}."
    )


@pytest.mark.parametrize(
    ("mode", "reason"),
    [
        ("malformed", "the model sent a malformed tool call"),
        ("timeout", "the model did not answer within 0.5 s"),
        ("invent", "the model's answer stated figures no tool returned (987,654)"),
    ],
)
def test_a_misbehaving_model_falls_back_to_the_narrative(world, admin_user, settings, mode, reason):
    settings.OLLAMA_TIMEOUT_S = 0.5
    rounds = [[{"name": "sales_summary", "arguments": {}}]]
    with FakeOllama([ScriptedQuestion("units", rounds=rounds, mode=mode)], delay_s=3) as fake:
        settings.OLLAMA_HOST = fake.url
        answer = answer_question(user=admin_user, question=QUESTION)
    _is_the_narrative(answer)
    assert reason in answer.notice


def test_a_model_that_never_stops_calling_tools_falls_back(world, admin_user, settings):
    rounds = [[{"name": "sales_summary", "arguments": {}}]] * 5
    with FakeOllama([ScriptedQuestion("units", rounds=rounds)]) as fake:
        settings.OLLAMA_HOST = fake.url
        answer = answer_question(user=admin_user, question=QUESTION)
    _is_the_narrative(answer)
    assert "did not finish within 4 tool rounds" in answer.notice


def test_a_model_that_is_not_installed_is_named_in_the_notice(world, admin_user, settings):
    settings.OLLAMA_TEXT_MODEL = "not-installed:7b"
    with FakeOllama([ScriptedQuestion("units", rounds=[])]) as fake:
        settings.OLLAMA_HOST = fake.url
        answer = answer_question(user=admin_user, question=QUESTION)
    _is_the_narrative(answer)
    assert "the model not-installed:7b is not installed on the Ollama server" in answer.notice


def test_russian_questions_get_a_russian_narrative(world, admin_user, settings):
    settings.OLLAMA_HOST = closed_port_url()
    answer = answer_question(user=admin_user, question="Сколько продано за последние 4 недели?")
    assert "Продано, шт.: 588 шт." in answer.text
    assert "Выручка: 1 176 EUR" in answer.text
    assert answer.notice.startswith("Ответ составлен по шаблонам, без модели")


def test_ask_prints_the_fallback_and_its_sources_and_exits_0(world, admin_user, settings, capsys):
    settings.OLLAMA_HOST = closed_port_url()
    call_command("ask", QUESTION, "--user", admin_user.username)
    out = capsys.readouterr().out
    assert "Units sold: 588 units" in out
    assert "Sources:\n  - Data overview: /data/" in out
    assert "no Ollama server answers" in out


def test_ask_json_gives_the_answer_as_stored(world, admin_user, settings, capsys):
    settings.OLLAMA_HOST = closed_port_url()
    call_command("ask", QUESTION, "--user", admin_user.username, "--json")
    answer = json.loads(capsys.readouterr().out)
    assert answer["mode"] == "fallback" and "Units sold: 588 units" in answer["text"]
    assert answer["sources"] == [{"label": "Data overview", "url": "/data/"}]
    assert [(r["tool"], r["ok"]) for r in answer["tool_runs"]] == [("sales_summary", True)]
    assert answer["chart"] is None


def test_ask_refuses_an_unknown_user(world):
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("ask", QUESTION, "--user", "nobody")
