"""The pilot pages: who may open and change what, the forms' errors in words, and the HTMX
partials (the assignment, the design check and the per-store table)."""

import csv
import datetime as dt
import io

import pytest
from django.urls import reverse

from pilots.models import Design, Group, Kpi, KpiValue, Pilot, PilotStatus, PilotStore
from pilots.services import pilot_assign, pilot_create, pilot_start
from tests.factories import RegionFactory, StoreFactory

START = dt.date(2026, 9, 7)
HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def stores(db):
    north, south = RegionFactory(code="NORTH", name="North"), RegionFactory(code="SOUTH")
    return [
        StoreFactory(code=f"S{i:02d}", region=north if i < 4 else south, floor_area_m2=1000 + i)
        for i in range(8)
    ]


@pytest.fixture
def pilot(stores, admin_user):
    return pilot_create(name="Autumn", start_date=START, actor=admin_user)


def _draw(client, pilot, stores, **extra):
    data = {
        "design": Design.STRATIFIED,
        "strata": ["region"],
        "seed": "9",
        "stores": [s.pk for s in stores],
        **extra,
    }
    return client.post(reverse("pilots:assign", args=[pilot.pk]), data, **HTMX)


def _groups(pilot) -> dict[int, int]:
    return dict(PilotStore.objects.filter(pilot=pilot).values_list("store_id", "group"))


@pytest.mark.django_db
def test_a_planner_can_neither_see_nor_change_an_assignment(client, pilot, stores, planner):
    client.force_login(planner)
    assert client.get(reverse("pilots:list")).status_code == 403
    assert client.get(reverse("pilots:design", args=[pilot.pk])).status_code == 403
    assert _draw(client, pilot, stores).status_code == 403
    assert _groups(pilot) == {}
    assert "Pilots" not in client.get(reverse("home")).content.decode()


@pytest.mark.django_db
def test_an_executive_reads_but_does_not_design(client, pilot, stores, executive):
    client.force_login(executive)
    overview = client.get(reverse("pilots:list"))
    assert overview.status_code == 200
    assert "Autumn" in overview.content.decode()
    assert "New pilot" not in overview.content.decode()
    assert client.get(reverse("pilots:kpis", args=[pilot.pk])).status_code == 200
    assert client.get(reverse("pilots:design", args=[pilot.pk])).status_code == 403
    assert _draw(client, pilot, stores).status_code == 403
    assert client.post(reverse("pilots:start", args=[pilot.pk])).status_code == 403
    assert _groups(pilot) == {}


@pytest.mark.django_db
def test_the_new_pilot_form_says_what_is_wrong(client, admin_user):
    client.force_login(admin_user)
    response = client.post(
        reverse("pilots:new"),
        {
            "name": "",
            "start_date": "2026-12-07",
            "end_date": "2026-12-01",
            "primary_kpi": Kpi.FILL_RATE,
            "use_mape": "on",
            "threshold_mape": "10",
            "use_cycle_service_level": "on",
            "threshold_cycle_service_level": "",
        },
    )
    assert response.status_code == 400
    text = response.content.decode()
    for message in (
        "Give the pilot a name.",
        "A pilot ends after it starts.",
        "is better lower: give a reduction",
        "Give Cycle service level a threshold, or leave it out.",
        "The primary KPI must be one of the pilot&#x27;s KPIs.",
    ):
        assert message in text
    assert not Pilot.objects.exists()


@pytest.mark.django_db
def test_a_new_pilot_runs_three_months_with_the_thresholds_typed_in_per_cent(client, admin_user):
    client.force_login(admin_user)
    form = client.get(reverse("pilots:new"))
    assert 'value="-10.0"' in form.content.decode()  # the seed's MAPE threshold
    response = client.post(
        reverse("pilots:new"),
        {
            "name": "Winter",
            "start_date": "2026-12-07",
            "primary_kpi": Kpi.COST,
            "use_mape": "on",
            "threshold_mape": "-12",
            "use_cost": "on",
            "threshold_cost": "-5",
        },
    )
    pilot = Pilot.objects.get(name="Winter")
    assert response["Location"] == reverse("pilots:design", args=[pilot.pk])
    assert pilot.end_date == dt.date(2026, 12, 7) + dt.timedelta(days=91)
    assert {k.kpi: (round(k.threshold, 4), k.primary) for k in pilot.kpis.all()} == {
        "mape": (-0.12, False),
        "cost": (-0.05, True),
    }


@pytest.mark.django_db
def test_drawing_the_groups_answers_the_assignment_partial_with_its_seed(
    client, pilot, stores, admin_user
):
    client.force_login(admin_user)
    response = _draw(client, pilot, stores)
    text = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in text and 'id="assignment"' in text
    assert "seed <strong data-seed>9</strong>" in text
    assert "Redraw with a new seed" in text
    groups = _groups(pilot)
    assert sorted(groups.values()) == [0, 0, 0, 0, 1, 1, 1, 1]
    assert _draw(client, pilot, stores).status_code == 200
    assert _groups(pilot) == groups  # the same seed draws the same groups
    redraw = _draw(client, pilot, stores, seed="")
    pilot.refresh_from_db()
    assert pilot.seed != 9 and f"seed {pilot.seed}" in redraw.content.decode()


@pytest.mark.django_db
def test_the_assignment_forms_show_their_errors_in_the_partial(client, pilot, stores, admin_user):
    client.force_login(admin_user)
    few = _draw(client, pilot, stores[:3])
    assert few.status_code == 200
    assert "Choose at least four stores: two for each group." in few.content.decode()
    unstratified = _draw(client, pilot, stores, strata=[])
    assert "Choose what to stratify by" in unstratified.content.decode()
    lopsided = {"design": "manual", **{f"group_{s.pk}": "1" for s in stores[:3]}}
    lopsided[f"group_{stores[3].pk}"] = "0"
    by_hand = client.post(reverse("pilots:assign", args=[pilot.pk]), lopsided, **HTMX)
    assert "Put at least two stores in each group." in by_hand.content.decode()
    assert _groups(pilot) == {}
    # Without JavaScript the whole page comes back with the errors.
    page = client.post(
        reverse("pilots:assign", args=[pilot.pk]),
        {"design": Design.RANDOM, "stores": [s.pk for s in stores[:2]]},
    )
    assert page.status_code == 400
    assert "<html" in page.content.decode()


@pytest.mark.django_db
def test_stores_assigned_by_hand_keep_their_groups(client, pilot, stores, admin_user):
    client.force_login(admin_user)
    chosen = {s.pk: i % 2 for i, s in enumerate(stores[:4])}
    data = {"design": "manual", **{f"group_{pk}": str(g) for pk, g in chosen.items()}}
    response = client.post(reverse("pilots:assign", args=[pilot.pk]), data)
    assert response.status_code == 302
    assert _groups(pilot) == chosen
    pilot.refresh_from_db()
    assert pilot.design == Design.MANUAL


@pytest.mark.django_db
def test_a_started_pilot_refuses_a_new_assignment_with_a_message(client, pilot, stores, admin_user):
    client.force_login(admin_user)
    _draw(client, pilot, stores)
    started = client.post(reverse("pilots:start", args=[pilot.pk]))
    assert started["Location"] == reverse("pilots:kpis", args=[pilot.pk])
    groups = _groups(pilot)
    refused = _draw(client, pilot, stores, seed="11")
    assert "its groups are locked" in refused.content.decode()
    assert _groups(pilot) == groups
    design = client.get(reverse("pilots:design", args=[pilot.pk])).content.decode()
    assert "Draw the groups</button>" not in design and "Start the pilot" not in design


@pytest.mark.django_db
def test_starting_without_groups_is_refused_in_words(client, pilot, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("pilots:start", args=[pilot.pk]), follow=True)
    assert "Each group needs at least two stores" in response.content.decode()
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.DRAFT


@pytest.mark.django_db
def test_cancelling_needs_a_reason(client, pilot, admin_user):
    client.force_login(admin_user)
    response = client.post(reverse("pilots:cancel", args=[pilot.pk]), {"reason": ""}, follow=True)
    assert "Say why the pilot is cancelled." in response.content.decode()
    client.post(reverse("pilots:cancel", args=[pilot.pk]), {"reason": "Budget moved"})
    pilot.refresh_from_db()
    assert pilot.status == PilotStatus.CANCELLED


@pytest.mark.django_db
def test_the_design_check_partial_says_when_there_is_nothing_to_check(
    client, pilot, stores, admin_user
):
    client.force_login(admin_user)
    url = reverse("pilots:design_check", args=[pilot.pk])
    assert "Draw at least two stores into each group" in client.get(url, **HTMX).content.decode()
    _draw(client, pilot, stores)
    text = client.get(url, **HTMX).content.decode()
    assert "<html" not in text
    assert "No pre-period KPI values for these stores" in text


def _measured(pilot, stores, admin_user):
    """A running pilot whose experimental stores' MAPE fell from 40 % to 20 % while
    control stayed at 40 %, two weeks before and two weeks into the pilot."""
    pilot_assign(
        pilot=pilot,
        store_ids=[s.pk for s in stores],
        design=Design.STRATIFIED,
        actor=admin_user,
        seed=3,
    )
    pilot_start(pilot=pilot, actor=admin_user)
    groups = _groups(pilot)
    rows = []
    for day in range(-14, 14):
        date = START + dt.timedelta(days=day)
        for index, store in enumerate(stores):
            after = day >= 0 and groups[store.pk] == Group.EXPERIMENTAL
            error = (0.2 if after else 0.4) + 0.01 * index
            rows.append(
                KpiValue(
                    pilot=pilot,
                    store=store,
                    kpi=Kpi.MAPE,
                    date=date,
                    numerator=error * 10,
                    denominator=10,
                )
            )
    KpiValue.objects.bulk_create(rows)
    return groups


@pytest.mark.django_db
def test_the_kpi_page_shows_the_scorecard_trends_and_the_stores(
    client, pilot, stores, admin_user, executive
):
    _measured(pilot, stores, admin_user)
    client.force_login(executive)
    response = client.get(reverse("pilots:kpis", args=[pilot.pk]))
    text = response.content.decode()
    assert response.status_code == 200
    analysis = response.context["analysis"]
    mape = next(r for r in analysis.results if r.kpi == Kpi.MAPE)
    assert mape.effect.effect == pytest.approx(-0.2, abs=0.01)
    assert "−20.0 pts" in text
    assert 'id="peeking"' in text  # the pilot runs to December: this is an interim look
    assert analysis.verdict in text.replace("&#x27;", "'")
    trends = response.context["trends"]["charts"][0]
    assert trends["kpi"] == Kpi.MAPE and len(trends["x"]) >= 4
    assert 'id="pilot-trends"' in text and "pilots/trends.js" in text
    for store in stores:
        assert store.code in text
    assert f'href="/pilots/{pilot.pk}/board-pack.pdf"' in text
    assert f'href="/pilots/{pilot.pk}/board-pack.xlsx"' in text


@pytest.mark.django_db
def test_the_store_table_is_an_htmx_partial_per_kpi_and_exports(
    client, pilot, stores, admin_user, executive
):
    groups = _measured(pilot, stores, admin_user)
    client.force_login(executive)
    url = reverse("pilots:kpis", args=[pilot.pk])
    partial = client.get(url, {"kpi": Kpi.MAPE}, **HTMX)
    text = partial.content.decode()
    assert "<html" not in text and 'id="drilldown"' in text
    rows = {row.member.store_id: row for row in partial.context["store_rows"]}
    experimental = next(pk for pk, g in groups.items() if g == Group.EXPERIMENTAL)
    assert rows[experimental].change == pytest.approx(-0.2)
    export = client.get(reverse("pilots:stores_export", args=[pilot.pk, "csv"]), {"kpi": "mape"})
    table = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))
    assert {row["Store code"] for row in table} == {s.code for s in stores}
    assert {row["Group"] for row in table} == {"Control", "Experimental"}
    assert client.get(reverse("pilots:stores_export", args=[pilot.pk, "pdf"])).status_code == 404


@pytest.mark.django_db
def test_the_overview_summarises_each_pilot(client, pilot, stores, admin_user):
    _measured(pilot, stores, admin_user)
    pilot_create(name="Spring", start_date=dt.date(2027, 3, 1), actor=admin_user)
    client.force_login(admin_user)
    text = client.get(reverse("pilots:list")).content.decode()
    assert "Running" in text and "Being designed" in text
    assert "4 stores" in text  # each group of the running pilot
    assert "measured KPIs met" in text and "not started" in text
