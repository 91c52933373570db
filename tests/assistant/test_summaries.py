"""Summaries as jobs: facts read in the author's scope, the model's narrative when it answers
with grounded numbers, the template narrative otherwise, and the pages that start and show
them."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.urls import reverse

from assistant import summaries
from assistant.answers import AnswerMode
from assistant.fake_ollama import FakeOllama
from assistant.job_params import SUMMARY_KIND, SummaryParams
from assistant.services import summary_start
from assistant.summaries import SummaryFacts, summary_written, ungrounded_numbers
from jobs.models import JobRun, JobStatus
from pilots.models import Group, Kpi, Pilot, PilotKpi, PilotStore
from tests.factories import AlertFactory

pytestmark = pytest.mark.django_db
NOBODY_LISTENS = "http://127.0.0.1:9"


@pytest.fixture
def no_model(settings):
    settings.OLLAMA_HOST = NOBODY_LISTENS
    settings.OLLAMA_CONNECT_TIMEOUT_S = 0.5


def test_an_alert_summary_without_a_model_is_the_template_of_its_facts(scoped_world, no_model):
    alert = AlertFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])

    job = summary_start(
        user=scoped_world["scoped_planner"],
        params=SummaryParams(subject="alert", object_id=alert.pk),
    )

    assert job.status == JobStatus.SUCCEEDED
    result = job.result
    assert result["mode"] == AnswerMode.FALLBACK
    assert "No text model was reachable" in result["notice"]
    assert "Expected 10 units, actual 48 units from 14 Jan 2025 to 15 Jan 2025." in result["text"]
    assert "38 units worth €95" in result["text"]
    assert "Promotion not recorded" in result["sections"]["Likely cause"]
    assert result["sources"] == [
        {"label": f"Alert {alert.pk}", "url": reverse("anomalies:alert", args=[alert.pk])}
    ]


def test_an_alert_outside_the_scope_is_refused(scoped_world, no_model):
    alert = AlertFactory(store=scoped_world["store_out"], sku=scoped_world["sku_out"])

    job = summary_start(
        user=scoped_world["scoped_planner"],
        params=SummaryParams(subject="alert", object_id=alert.pk),
    )

    assert job.status == JobStatus.FAILED
    assert "not in your planning scope" in job.error
    assert "48" not in job.error and not job.result


def test_the_model_writes_the_narrative_when_it_answers(scoped_world, settings):
    alert = AlertFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    with FakeOllama() as fake:
        settings.OLLAMA_HOST = fake.url
        job = summary_start(
            user=scoped_world["scoped_planner"],
            params=SummaryParams(subject="alert", object_id=alert.pk),
        )

    assert job.result["mode"] == AnswerMode.MODEL
    assert job.result["model"] == settings.OLLAMA_TEXT_MODEL
    assert job.result["text"].startswith(f"Summary: Summary: Alert {alert.pk}")
    assert job.result["notice"] == ""


def test_a_narrative_with_numbers_the_facts_lack_is_replaced(monkeypatch):
    facts = SummaryFacts(title="Briefing")
    facts.add("Open alerts", "3 open alerts in the inbox.")
    monkeypatch.setattr(
        summaries, "chat_text", lambda **kwargs: "There are 3 alerts and 987,654 units."
    )

    result = summary_written(facts=facts)

    assert result["mode"] == AnswerMode.FALLBACK
    assert "987,654" in result["notice"]
    assert result["text"] == "Briefing\n\nOpen alerts\n• 3 open alerts in the inbox."


def test_numbers_are_compared_without_separators_or_zeros():
    facts = SummaryFacts(title="Pilot")
    facts.add("KPIs", "Effect 1,234.50 from 06 Jan 2025.")

    assert ungrounded_numbers("1234.5 on 6 Jan 2025, not 7", facts) == ["7"]


def test_the_briefing_lists_open_alerts_and_says_what_is_missing(scoped_world, no_model):
    AlertFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    AlertFactory(store=scoped_world["store_out"], sku=scoped_world["sku_out"])

    job = summary_start(
        user=scoped_world["scoped_planner"], params=SummaryParams(subject="briefing")
    )

    sections = job.result["sections"]
    assert sections["Largest changes"] == ["No planning cycle has been opened yet."]
    assert sections["Open alerts"][0] == "1 open alert in the inbox."
    assert len(sections["Open alerts"]) == 2  # the count and the one alert in scope
    assert {"label": "Alert inbox", "url": reverse("anomalies:inbox")} in job.result["sources"]


def test_a_forecast_summary_before_any_forecast_says_so(scoped_world, no_model):
    job = summary_start(
        user=scoped_world["scoped_planner"],
        params=SummaryParams(
            subject="forecast",
            object_id=scoped_world["store_in"].pk,
            sku_id=scoped_world["sku_in"].pk,
        ),
    )

    assert job.status == JobStatus.SUCCEEDED
    assert job.result["sections"]["Forecast"] == ["No forecast has been computed yet."]


def test_a_forecast_summary_outside_the_scope_is_refused(scoped_world, no_model):
    job = summary_start(
        user=scoped_world["scoped_planner"],
        params=SummaryParams(
            subject="forecast",
            object_id=scoped_world["store_out"].pk,
            sku_id=scoped_world["sku_out"].pk,
        ),
    )

    assert job.status == JobStatus.FAILED
    assert "not in your planning scope" in job.error


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"subject": "weather"}, "unknown summary subject"),
        ({"subject": "alert"}, "needs the object"),
        ({"subject": "forecast", "object_id": 1}, "a store and a SKU"),
    ],
)
def test_invalid_summary_params_are_refused(params, message):
    with pytest.raises(ValueError, match=message):
        SummaryParams(**params)


def test_the_summaries_page_starts_one_and_shows_it(client, scoped_world, no_model):
    planner = scoped_world["scoped_planner"]
    alert = AlertFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    client.force_login(planner)

    response = client.post(reverse("assistant:summaries"), {"subject": "alert", "alert": alert.pk})

    job = JobRun.objects.get(kind=SUMMARY_KIND)
    assert response.status_code == 302
    assert response["Location"] == reverse("assistant:summary", args=[job.pk])
    page = client.get(response["Location"]).content.decode()
    assert "Template narrative" in page and "Expected 10 units, actual 48 units" in page
    listing = client.get(reverse("assistant:summaries")).content.decode()
    assert f"Alert {alert.pk}: " in listing


def test_the_summary_form_refuses_codes_outside_the_scope(client, scoped_world):
    client.force_login(scoped_world["scoped_planner"])

    response = client.post(
        reverse("assistant:summaries"), {"subject": "forecast", "store": "S1", "sku": "CHIPS"}
    )

    assert response.status_code == 400
    assert "in your planning scope" in response.content.decode()
    assert not JobRun.objects.filter(kind=SUMMARY_KIND).exists()


def test_a_refused_summary_shows_why(client, scoped_world, no_model):
    alert = AlertFactory(store=scoped_world["store_out"], sku=scoped_world["sku_out"])
    client.force_login(scoped_world["scoped_planner"])

    response = client.post(reverse("assistant:summaries"), {"subject": "alert", "alert": alert.pk})
    page = client.get(response["Location"]).content.decode()

    assert "That alert is not in your planning scope." in page
    assert "JobRejected" not in page


def _pilot(stores) -> Pilot:
    pilot = Pilot.objects.create(
        name="Shelf-ready packs", start_date=dt.date(2025, 3, 1), end_date=dt.date(2025, 5, 31)
    )
    PilotKpi.objects.create(pilot=pilot, kpi=Kpi.EXCESS_STOCK, threshold=0.0, primary=True)
    for store in stores:
        PilotStore.objects.create(
            pilot=pilot,
            store=store,
            group=Group.EXPERIMENTAL,
            start_date=pilot.start_date,
            end_date=pilot.end_date,
        )
    return pilot


def test_a_pilot_summary_states_its_design_and_kpis(scoped_world, executive, no_model):
    pilot = _pilot([scoped_world["store_in"], scoped_world["store_out"]])

    job = summary_start(
        user=executive,
        params=SummaryParams(subject="pilot", object_id=pilot.pk),
    )

    assert job.status == JobStatus.SUCCEEDED, job.error
    sections = job.result["sections"]
    assert sections["Design"][0] == (
        "Stratified from 01 Mar 2025 to 31 May 2025, status Being designed."
    )
    assert sections["KPIs"] == [f"{Kpi.EXCESS_STOCK.label}: not measurable yet."]
    assert sections["Verdict"]


def test_a_planner_gets_no_pilot_summary_as_on_the_pilot_pages(scoped_world, planner, no_model):
    """Pilots are read by admins and executives: a planner is refused even when every
    store of the pilot is in their scope, or when they see the whole company."""
    pilot = _pilot([scoped_world["store_in"]])

    for user in (scoped_world["scoped_planner"], planner):
        job = summary_start(user=user, params=SummaryParams(subject="pilot", object_id=pilot.pk))

        assert job.status == JobStatus.FAILED
        assert "read by admins and executives" in job.error


def _summarise_form(page: str) -> dict[str, str]:
    """The hidden fields of the page's Summarise form (action: the summaries page)."""
    start = page.index(f'action="{reverse("assistant:summaries")}"')
    form = page[start : page.index("</form>", start)]
    fields = dict(re.findall(r'type="hidden" name="(\w+)" value="([^"]*)"', form))
    fields.pop("csrfmiddlewaretoken", None)
    return fields


def test_the_alert_page_summarise_button_starts_that_alerts_summary(client, scoped_world, no_model):
    alert = AlertFactory(store=scoped_world["store_in"], sku=scoped_world["sku_in"])
    client.force_login(scoped_world["scoped_planner"])

    page = client.get(reverse("anomalies:alert", args=[alert.pk])).content.decode()
    fields = _summarise_form(page)
    response = client.post(reverse("assistant:summaries"), fields)

    assert fields == {"subject": "alert", "alert": str(alert.pk)}
    job = JobRun.objects.get(kind=SUMMARY_KIND)
    assert response["Location"] == reverse("assistant:summary", args=[job.pk])
    assert job.status == JobStatus.SUCCEEDED, job.error


def test_the_pilot_page_summarise_button_names_its_pilot(client, scoped_world, executive):
    pilot = _pilot([scoped_world["store_in"], scoped_world["store_out"]])
    client.force_login(executive)

    page = client.get(reverse("pilots:kpis", args=[pilot.pk])).content.decode()

    assert _summarise_form(page) == {"subject": "pilot", "pilot": str(pilot.pk)}
