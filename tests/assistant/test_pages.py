"""The assistant's pages: asking, answers rendered escaped with their sources and mode,
polling while an answer streams, conversations, deletion, and the Ollama health check."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from assistant.answers import Answer, AnswerMode, Source
from assistant.fake_ollama import FakeOllama
from assistant.models import Conversation, Message, MessageStatus
from tests.factories import SalesFactFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def _ask(client, question: str = "Which SKUs run out next week?"):
    return client.post(reverse("assistant:ask"), {"question": question})


def test_every_page_has_the_ask_button(client, executive):
    client.force_login(executive)

    page = client.get(reverse("home")).content.decode()

    assert f'href="{reverse("assistant:index")}"' in page
    assert "Ask the assistant" in page


def test_asking_shows_the_answer_its_sources_and_its_mode(client, planner, answerer):
    client.force_login(planner)

    response = _ask(client)

    message = Message.objects.get()
    assert response.status_code == 302
    assert response["Location"].endswith(f"/conversations/{message.conversation_id}/#m{message.pk}")
    page = client.get(response["Location"]).content.decode()
    assert "12 SKUs will run out next week." in page
    assert '<a href="/inventory/">Replenishment</a>' in page
    assert "Template answer" in page and "No model server answered." in page
    assert "<code>stockouts</code>" in page


def test_a_model_answer_names_the_model(client, planner, answerer, settings):
    settings.OLLAMA_TEXT_MODEL = "phi3:medium-128k"
    answerer.answer = Answer(text="Fine.", mode=AnswerMode.MODEL)
    client.force_login(planner)

    page = client.get(_ask(client)["Location"]).content.decode()

    assert "Answered by the model phi3:medium-128k" in page


def test_answers_and_sources_are_rendered_escaped(client, planner, answerer):
    answerer.answer = Answer(
        text='<script>alert("x")</script> done',
        mode=AnswerMode.FALLBACK,
        sources=(Source(label="<b>SKU</b>", url="/data/skus/"),),
    )
    client.force_login(planner)

    page = client.get(_ask(client, "<img src=x onerror=alert(1)>")["Location"]).content.decode()

    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; done" in page
    assert "<img src=x" not in page
    assert "&lt;b&gt;SKU&lt;/b&gt;" in page


def test_a_refused_question_is_shown_on_the_page(client, planner, answerer, settings):
    settings.ASSISTANT_QUESTIONS_PER_HOUR = 1
    client.force_login(planner)
    _ask(client)

    response = _ask(client, "one more")

    assert response.status_code == 400
    assert "as many questions in the last hour as allowed (1)" in response.content.decode()
    assert Message.objects.count() == 1


def test_htmx_ask_returns_the_message_for_the_conversation(client, planner, answerer):
    client.force_login(planner)
    conversation = Conversation.objects.create(user=planner, title="t")

    response = client.post(
        reverse("assistant:ask_more", args=[conversation.pk]), {"question": "more?"}, **HTMX
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert page.lstrip().startswith("<article")
    assert "12 SKUs will run out next week." in page


def test_a_streaming_answer_polls_and_a_finished_one_stops(client, planner):
    client.force_login(planner)
    conversation = Conversation.objects.create(user=planner, title="t")
    message = Message.objects.create(
        conversation=conversation, question="q", answer="So far", status=MessageStatus.STREAMING
    )
    url = reverse("assistant:message", args=[message.pk])

    streaming = client.get(url, **HTMX).content.decode()
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.DONE, answer="All of it")
    done = client.get(url, **HTMX).content.decode()

    assert 'hx-trigger="every 1s"' in streaming and "So far" in streaming
    assert "hx-trigger" not in done and "All of it" in done


def test_the_list_shows_own_conversations_and_admins_see_all(
    client, planner, executive, admin_user
):
    Conversation.objects.create(user=planner, title="Planner's question")
    Conversation.objects.create(user=executive, title="Executive's question")

    client.force_login(planner)
    own = client.get(reverse("assistant:index")).content.decode()
    client.force_login(admin_user)
    every = client.get(reverse("assistant:index")).content.decode()

    assert "Planner&#x27;s question" in own and "Executive" not in own
    assert "Planner&#x27;s question" in every and "Executive&#x27;s question" in every


def test_an_empty_list_says_so(client, planner):
    client.force_login(planner)

    assert "No conversations yet" in client.get(reverse("assistant:index")).content.decode()


def test_an_admin_reads_but_does_not_delete_anothers_conversation(client, planner, admin_user):
    conversation = Conversation.objects.create(user=planner, title="t")
    client.force_login(admin_user)

    page = client.get(reverse("assistant:conversation", args=[conversation.pk])).content.decode()
    response = client.post(reverse("assistant:delete", args=[conversation.pk]))

    assert "Asked by planner" in page
    assert reverse("assistant:delete", args=[conversation.pk]) not in page
    assert response.status_code == 403
    assert Conversation.objects.filter(pk=conversation.pk).exists()


def test_delete_asks_first_then_deletes(client, planner):
    conversation = Conversation.objects.create(user=planner, title="Old question")
    Message.objects.create(conversation=conversation, question="q")
    client.force_login(planner)
    url = reverse("assistant:delete", args=[conversation.pk])

    confirm = client.get(url).content.decode()
    assert Conversation.objects.exists()
    response = client.post(url)

    assert "Delete “Old question”?" in confirm and "1 question" in confirm
    assert response.status_code == 302
    assert not Conversation.objects.exists()


def test_an_unknown_conversation_is_404(client, planner):
    client.force_login(planner)

    assert client.get(reverse("assistant:conversation", args=[999])).status_code == 404


def test_the_jobs_page_loads_the_ollama_health_check(client, admin_user, settings):
    settings.OLLAMA_HOST = "http://127.0.0.1:9"  # the discard port: nothing answers
    client.force_login(admin_user)

    jobs_page = client.get(reverse("jobs:list")).content.decode()
    part = client.get(reverse("assistant:health"), **HTMX).content.decode()

    assert f'hx-get="{reverse("assistant:health")}"' in jobs_page
    assert "not reachable" in part and "Unreachable" in part
    assert "http://127.0.0.1:9" in part


def test_the_health_check_names_missing_models(client, admin_user, settings):
    settings.OLLAMA_TEXT_MODEL = "phi3:medium-128k"
    settings.OLLAMA_VISION_MODEL = "llava-phi3"
    with FakeOllama(models=("phi3:medium-128k",)) as fake:
        settings.OLLAMA_HOST = fake.url
        client.force_login(admin_user)
        part = client.get(reverse("assistant:health")).content.decode()

    assert "ready" in part and "not reachable" not in part  # the vision model is optional
    assert '<code>phi3:medium-128k</code> <span class="good">installed</span>' in part
    assert '<code>llava-phi3</code> <span class="bad">not installed</span>' in part


def _chart_answer(world, user) -> Message:
    """A stored chart answer over 14 days of sales in two regions (5 units a day each)."""
    for store, sku in (("store_in", "sku_in"), ("store_out", "sku_out")):
        for day in range(14):
            SalesFactFactory(
                store=world[store],
                sku=world[sku],
                date=dt.date(2025, 3, 3) + dt.timedelta(days=day),
                quantity=5.0,
            )
    conversation = Conversation.objects.create(user=user, title="chart")
    spec = {"measure": "sales_units", "dimensions": ["region"], "period": "last_4_weeks"}
    return Message.objects.create(
        conversation=conversation,
        question="sales by region",
        answer="Here is the chart.",
        status=MessageStatus.DONE,
        mode="fallback",
        chart={"spec": spec, "data": {"labels": ["NORTH"], "series": []}},
    )


def test_a_chart_answer_shows_its_spec_and_data(client, scoped_world):
    planner = scoped_world["scoped_planner"]
    message = _chart_answer(scoped_world, planner)
    client.force_login(planner)

    page = client.get(reverse("assistant:conversation", args=[message.conversation_id]))

    html = page.content.decode()
    assert "<code>measure=sales_units</code> <code>dimensions=region</code>" in html
    assert f'id="chart-data-{message.pk}"' in html
    assert reverse("assistant:chart", args=[message.pk]) in html


def test_the_chart_page_draws_the_spec_in_the_viewers_scope(client, scoped_world, admin_user):
    message = _chart_answer(scoped_world, scoped_world["scoped_planner"])
    url = reverse("assistant:chart", args=[message.pk])

    client.force_login(scoped_world["scoped_planner"])
    scoped = client.get(url)
    client.force_login(admin_user)
    everyone = client.get(url)

    assert scoped.status_code == 200
    assert [row["label"] for row in scoped.context["chart"]["rows"]] == [
        "NORTH " + scoped_world["north"].name
    ]
    assert scoped.context["chart"]["series"][0]["values"] == [70.0]
    assert scoped.context["chart"]["series"][0]["unit"] == "units"
    assert len(everyone.context["chart"]["rows"]) == 2


def test_an_adjusted_chart_is_validated_again(client, scoped_world):
    message = _chart_answer(scoped_world, scoped_world["scoped_planner"])
    client.force_login(scoped_world["scoped_planner"])
    base = {"measure": "sales_units", "period": "last_4_weeks", "chart_type": "bar"}

    by_week = client.get(
        reverse("assistant:chart", args=[message.pk]), {**base, "dimensions": "week"}
    )
    refused = client.get(
        reverse("assistant:chart", args=[message.pk]), {**base, "measure": "margin"}
    )

    assert by_week.status_code == 200
    assert by_week.context["spec"]["dimensions"] == ["week"]
    assert by_week.context["spec"]["chart_type"] == "bar"
    assert len(by_week.context["chart"]["labels"]) >= 2
    assert refused.status_code == 400
    assert refused.context["chart"] is None
    assert refused.context["form"].errors["measure"] == [
        "measure 'margin' is not allowed; allowed values: sales_units, sales_value, forecast_units."
    ]
    assert "measure &#x27;margin&#x27; is not allowed" in refused.content.decode()


def test_an_answer_without_a_chart_has_no_chart_page(client, planner):
    conversation = Conversation.objects.create(user=planner, title="t")
    message = Message.objects.create(conversation=conversation, question="q")
    client.force_login(planner)

    assert client.get(reverse("assistant:chart", args=[message.pk])).status_code == 404
