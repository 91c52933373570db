"""The fake Ollama server speaks the API the ``ollama`` client and ``assistant.llm`` use."""

import httpx
import ollama
import pytest

from assistant import llm
from assistant.fake_ollama import FakeOllama, ScriptedQuestion
from tests.assistant.worlds import closed_port_url


@pytest.fixture
def fake(settings):
    with FakeOllama() as server:
        settings.OLLAMA_HOST = server.url
        yield server


def test_tags_list_the_installed_models(fake):
    listing = ollama.Client(host=fake.url).list()
    assert [m.model for m in listing.models] == ["phi3:medium-128k", "llava-phi3:latest"]


def test_chat_streams_scripted_tool_calls_then_an_answer_from_the_tool_results(fake):
    fake.script = [
        ScriptedQuestion(
            "stock",
            rounds=[[{"name": "stockout_risk", "arguments": {"within_days": 7}}]],
            compose=lambda results: f"{results[0]['facts'][0]['value']} positions at risk",
        )
    ]
    client = ollama.Client(host=fake.url)
    tools = [{"type": "function", "function": {"name": "stockout_risk", "parameters": {}}}]
    messages = [{"role": "user", "content": "Any stock-outs?"}]
    first = list(client.chat(model="phi3:medium-128k", messages=messages, tools=tools, stream=True))
    calls = [c for chunk in first for c in chunk.message.tool_calls or []]
    assert [(c.function.name, dict(c.function.arguments)) for c in calls] == [
        ("stockout_risk", {"within_days": 7})
    ]
    assert first[-1].done
    messages += [
        {
            "role": "assistant",
            "content": "",
            "tool_calls": [{"function": calls[0].function.model_dump()}],
        },
        {"role": "tool", "content": '{"facts": [{"value": 3}]}', "tool_name": "stockout_risk"},
    ]
    second = list(
        client.chat(model="phi3:medium-128k", messages=messages, tools=tools, stream=True)
    )
    assert "".join(chunk.message.content or "" for chunk in second) == "3 positions at risk"
    assert len(second) > 2  # streamed word by word


def test_health_reports_reachability_and_missing_models(fake, settings):
    health = llm.ollama_health()
    assert health.ok and health.vision_model_present
    assert health.message == "Reachable; phi3:medium-128k and llava-phi3 are installed."
    settings.OLLAMA_VISION_MODEL = "llava:34b"
    health = llm.ollama_health()
    assert health.ok and not health.vision_model_present
    assert "missing model(s): llava:34b" in health.message
    settings.OLLAMA_HOST = closed_port_url()
    health = llm.ollama_health()
    assert not health.reachable and not health.ok
    assert health.message.startswith("Unreachable: no Ollama server answers at")


def test_chat_text_streams_and_returns_none_without_a_server(fake, settings):
    chunks = []
    text = llm.chat_text(
        system="Be brief.", prompt="Weekly briefing\nfigures…", on_text=chunks.append
    )
    assert text == "Summary: Weekly briefing" and "".join(chunks) == text
    assert fake.chat_requests()[-1]["messages"][0] == {"role": "system", "content": "Be brief."}
    settings.OLLAMA_HOST = closed_port_url()
    assert llm.chat_text(system="Be brief.", prompt="anything") is None


def test_describe_image_uses_the_vision_model(fake):
    assert llm.describe_image(prompt="Describe", image_png=b"\x89PNG fake") == (
        "A chart (1 image(s)) described by the fake vision model."
    )
    path, body = fake.requests[-1]
    assert path == "/api/generate" and body["model"] == "llava-phi3"


def test_the_timeout_mode_outlasts_the_client(fake, settings):
    fake.delay_s = 2
    fake.script = [ScriptedQuestion("slow", mode="timeout")]
    with pytest.raises(httpx.ReadTimeout):
        list(
            llm.client(timeout_s=0.3).chat(
                model="phi3:medium-128k",
                messages=[{"role": "user", "content": "slow please"}],
                tools=[{"type": "function", "function": {"name": "x", "parameters": {}}}],
                stream=True,
            )
        )
