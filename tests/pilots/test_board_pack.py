"""The board pack of a finished demo pilot: the PDF opens and its text shows the scorecard
(KPI names, effects with units, outcomes) and the verdict; the workbook holds the same
figures as numbers; admins, executives and jobs read a pilot, planners never (one rule,
``Pilot.objects.visible_to``, for the pages, the pack and the assistant)."""

import datetime as dt
import io
import re

import pytest
from django.urls import reverse
from openpyxl import load_workbook
from pypdf import PdfReader

from accounts.scoping import Scope
from demo.engine import generate_company
from demo.services import demo_company_load, demo_pilot_ensure
from masterdata.models import Store
from pilots.board_pack import board_pack_build, trend_svg
from pilots.models import PilotStatus
from pilots.selectors import pilot_get

END = dt.date(2026, 5, 31)


@pytest.fixture
def demo_pilot(db):
    company = generate_company(seed=11, stores=6, skus=6, years=1, end_date=END)
    demo_company_load(company=company)
    pilot = demo_pilot_ensure(
        store_codes=company.stores["code"].astype(str).tolist(), history_end=company.end_date
    )
    assert pilot is not None and pilot.status == PilotStatus.FINISHED
    return pilot


def _pdf_text(body: bytes) -> str:
    reader = PdfReader(io.BytesIO(body))
    return re.sub(r"\s+", " ", " ".join(page.extract_text() for page in reader.pages))


@pytest.mark.django_db
def test_the_pdf_board_pack_of_a_finished_demo_pilot_shows_the_scorecard(
    client, executive, demo_pilot
):
    client.force_login(executive)
    response = client.get(reverse("pilots:board_pack_pdf", kwargs={"pk": demo_pilot.pk}))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    text = _pdf_text(response.content)
    pack = board_pack_build(pilot=demo_pilot)
    assert demo_pilot.name in text
    assert "Scorecard" in text and "Verdict" in text
    measured = [row for row in pack.scorecard if row.effect is not None]
    assert measured, "the demo pilot measures its KPIs"
    for row in pack.scorecard:
        assert row.label in text
        assert row.effect_text in text  # the effect with its unit (pts for shares)
        assert row.outcome in text
    assert any(row.effect_text.endswith(" pts") for row in measured)
    # The verdict in plain words, whole (the PDF wraps it over lines).
    assert pack.verdict in text
    assert "On the primary KPI" in pack.verdict
    assert "Sample-ratio check" in text and "Peeking warning" not in text
    assert "pilot starts" in text  # the trend charts mark the start


@pytest.mark.django_db
def test_the_xlsx_board_pack_holds_the_scorecard_as_numbers(client, admin_user, demo_pilot):
    client.force_login(admin_user)
    response = client.get(reverse("pilots:board_pack_xlsx", kwargs={"pk": demo_pilot.pk}))
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Scorecard", "Groups", "Weekly trends"]
    sheet = book["Scorecard"]
    rows = list(sheet.iter_rows(values_only=True))
    facts = {row[0]: row[1] for row in rows[:10]}
    pack = board_pack_build(pilot=demo_pilot)
    assert facts["Pilot"] == demo_pilot.name
    assert facts["Verdict"] == pack.verdict
    header = rows.index(next(r for r in rows if r[0] == "KPI"))
    table = {row[0]: row for row in rows[header + 1 :] if row[0]}
    for score in pack.scorecard:
        line = table[score.label]
        if score.effect is None:
            assert line[5] is None and line[12] == "Not measurable yet"
            continue
        scale = 100 if score.unit == "%" else 1
        assert line[5] == pytest.approx(score.effect * scale)
        assert line[6] <= line[5] <= line[7]
        assert line[9] == pytest.approx(score.p_value)
        assert line[12] == score.outcome
    groups = list(book["Groups"].iter_rows(min_row=2, values_only=True))
    assert {g for g, *_ in groups} == {"Experimental", "Control"}
    assert len(groups) == Store.objects.count()
    assert book["Weekly trends"].max_row > 1


@pytest.mark.django_db
def test_pilot_readers_are_admins_executives_and_jobs_never_planners(
    demo_pilot, admin_user, executive, planner
):
    for reader in (admin_user, executive):
        assert pilot_get(pk=demo_pilot.pk, scope=Scope.for_user(reader)) == demo_pilot
    assert pilot_get(pk=demo_pilot.pk, scope=Scope.system()) == demo_pilot
    # A planner without a planning scope sees the whole company's data, but not its pilots.
    assert Scope.for_user(planner).is_company_wide
    assert pilot_get(pk=demo_pilot.pk, scope=Scope.for_user(planner)) is None
    assert pilot_get(pk=demo_pilot.pk, scope=Scope.company_wide()) is None
    assert pilot_get(pk=demo_pilot.pk, scope=Scope.nothing()) is None


def test_a_trend_chart_breaks_its_line_over_a_week_without_figures():
    weeks = [dt.date(2026, 1, 4) + dt.timedelta(weeks=i) for i in range(4)]
    svg = trend_svg(weeks, [1.0, None, 2.0, 3.0], [1.5, 1.6, 1.7, 1.8], start_at=2, unit="%")
    assert svg.count("<polyline") == 3  # control in two pieces, experimental in one
    assert "pilot starts" in svg
    assert trend_svg(weeks, [None] * 4, [None] * 4, start_at=None, unit="%") == ""
