"""The forecast explorer, the run button and the accuracy page, per role and scope."""

import datetime as dt
import json

import pytest
from django.urls import reverse

from forecasting.engine.blend import Blend
from forecasting.models import AccuracyRecord, SeriesModel
from history.models import CalendarEvent, Promotion
from jobs.models import JobRun
from tests.factories import SalesFactFactory
from tests.forecasting.factories import (
    ORIGIN,
    AccuracyRecordFactory,
    BacktestPointFactory,
    ForecastFactory,
    ForecastRunFactory,
    LeaderboardEntryFactory,
    ModelPinFactory,
    SeriesModelFactory,
)


@pytest.fixture
def forecasts(scoped_world):
    """A daily forecast (three days) for every store × SKU of the scoped world; the series
    outside the planner's scope forecast 100 a day, the one inside 10."""
    run = ForecastRunFactory()
    for store in (scoped_world["store_in"], scoped_world["store_out"]):
        for sku in (scoped_world["sku_in"], scoped_world["sku_out"]):
            inside = store.code == "N1" and sku.code == "COLA"
            for day in range(1, 4):
                ForecastFactory(
                    store=store,
                    sku=sku,
                    run=run,
                    date=ORIGIN + dt.timedelta(days=day),
                    forecast=10.0 if inside else 100.0,
                    model="ets" if inside else "croston",
                )
            SeriesModelFactory(store=store, sku=sku, run=run, model="ets" if inside else "croston")
            SalesFactFactory(store=store, sku=sku, date=ORIGIN, quantity=7.0 if inside else 70.0)
    return run


def _chart(response) -> dict:
    page = response.content.decode()
    start = page.index('id="forecast-chart-data"')
    body = page[page.index(">", start) + 1 : page.index("</script>", start)]
    return json.loads(body)


def test_explorer_is_for_planners_and_admins(client, executive, planner, admin_user):
    client.force_login(executive)
    assert client.get(reverse("forecasting:explorer")).status_code == 403
    for user in (planner, admin_user):
        client.force_login(user)
        assert client.get(reverse("forecasting:explorer")).status_code == 200


def test_explorer_without_forecasts_offers_the_run_button(client, planner):
    client.force_login(planner)
    page = client.get(reverse("forecasting:explorer")).content.decode()
    assert "No daily forecast exists yet" in page
    assert reverse("forecasting:run") in page


def test_scoped_planner_total_sums_only_series_in_scope(client, scoped_world, forecasts):
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("forecasting:explorer"))
    chart = _chart(response)
    assert chart["forecast"]["y"] == [10.0, 10.0, 10.0]
    assert chart["history"]["y"][-1] == 7.0
    breakdown = response.context["breakdown"]
    assert breakdown["total"] == 30.0 and breakdown["series"] == 1
    # One region in scope: the parts shown are its stores, each a link that narrows to it.
    assert breakdown["child_label"] == "Store"
    assert "granularity=D&amp;store=N1" in response.content.decode()
    assert [row["model"] for row in breakdown["model_mix"]] == ["ets"]


def test_admin_total_is_the_sum_of_its_children(client, admin_user, forecasts):
    client.force_login(admin_user)
    response = client.get(reverse("forecasting:explorer"))
    breakdown = response.context["breakdown"]
    assert breakdown["child_label"] == "Region"
    assert sum(child["forecast"] for child in breakdown["children"]) == breakdown["total"] == 930
    chart = _chart(response)
    assert chart["forecast"]["y"] == [310.0, 310.0, 310.0]
    # The aggregate band is wider than the median by less than the sum of the children's.
    bands = zip(chart["forecast"]["p10"], chart["forecast"]["p90"], strict=True)
    assert all(p10 < 310.0 < p90 for p10, p90 in bands)
    assert chart["forecast"]["p90"][0] - 310.0 < 310.0 * 0.4


@pytest.mark.parametrize("query", [{"region": "SOUTH"}, {"category": "SNACKS"}])
def test_explorer_out_of_scope_region_or_category_is_404(client, scoped_world, forecasts, query):
    client.force_login(scoped_world["scoped_planner"])
    assert client.get(reverse("forecasting:explorer"), query).status_code == 404


def test_htmx_partial_shows_the_selected_series_and_its_leaderboard(
    client, scoped_world, forecasts
):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    for model, rmsse in (("ets", 0.7), ("arima", 0.9), ("naive", 1.3)):
        LeaderboardEntryFactory(store=store, sku=sku, model=model, rmsse=rmsse, run=forecasts)
    BacktestPointFactory(store=store, sku=sku, date=ORIGIN - dt.timedelta(days=1), forecast=6.5)
    Promotion.objects.create(
        code="P1",
        name="Cola week",
        sku=sku,
        start_date=ORIGIN,
        end_date=ORIGIN + dt.timedelta(days=2),
    )
    CalendarEvent.objects.create(date=ORIGIN + dt.timedelta(days=1), name="Holiday")
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(
        reverse("forecasting:explorer"),
        {"store": "N1", "sku": "COLA", "granularity": "D"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert "<html" not in page and "Store N1 · Store N1 × SKU COLA · Item COLA" in page
    chart = _chart(response)
    assert chart["forecast"]["y"] == [10.0, 10.0, 10.0]
    assert chart["backtest"]["y"] == [6.5]
    assert [p["name"] for p in chart["promotions"]] == ["Cola week"]
    assert [e["name"] for e in chart["events"]] == ["Holiday"]
    board = response.context["explanation"]["leaderboard"]
    assert [row["model"] for row in board] == ["ets", "arima", "naive", "seasonal_naive"]
    assert board[0]["current"] and board[0]["best"]
    assert board[3]["rmsse"] is None  # seasonal naive is listed even when it was not scored


@pytest.mark.parametrize(
    "query, message",
    [
        ({"store": "S1"}, "No store matches “S1”"),
        ({"sku": "CHIPS"}, "No SKU matches “CHIPS”"),
        ({"store": "NOPE"}, "No store matches “NOPE”"),
    ],
)
def test_a_store_or_sku_outside_the_scope_is_not_found(
    client, scoped_world, forecasts, query, message
):
    """Typed boxes: a member outside the scope reads like one that does not exist."""
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("forecasting:explorer"), query, headers={"HX-Request": "true"})
    page = response.content.decode()
    assert response.status_code == 200
    assert message in page and "forecast-chart-data" not in page


def test_a_sku_is_found_by_part_of_its_name(client, scoped_world, forecasts):
    scoped_world["sku_in"].name = "Cola Zero Sugar 330ml"
    scoped_world["sku_in"].save()
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(
        reverse("forecasting:explorer"),
        {"store": "n1", "sku": "zero sugar"},
        headers={"HX-Request": "true"},
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "SKU COLA · Cola Zero Sugar 330ml" in page
    assert response.context["selection"].sku == scoped_world["sku_in"]


def test_a_search_with_several_matches_lists_them_with_names(client, admin_user, forecasts):
    client.force_login(admin_user)
    response = client.get(reverse("forecasting:explorer"), {"sku": "item"})
    page = response.content.decode()
    assert "2 SKUs match “item”" in page
    for code in ("COLA", "CHIPS"):
        assert f"sku={code}" in page and f"{code} · Item {code}" in page


def test_leaderboard_opens_with_the_current_blend_and_costs_pins_against_it(
    client, scoped_world, forecasts
):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    blend = Blend(("ets", "lightgbm"), (3, 1))
    SeriesModel.objects.filter(store=store, sku=sku).update(
        model=blend.name, blend=blend.to_json(), strategy="global"
    )
    for model, rmsse, wape in (("ets", 0.7, 0.30), ("arima", 0.9, 0.35), ("lightgbm", 0.8, 0.28)):
        LeaderboardEntryFactory(
            store=store, sku=sku, model=model, rmsse=rmsse, wape=wape, run=forecasts
        )
    # The blend's own backtest: forecast 9 against 10 on two days (WAPE 10 %, bias −10 %).
    for day in (1, 2):
        BacktestPointFactory(store=store, sku=sku, date=ORIGIN - dt.timedelta(days=day))
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("forecasting:explorer"), {"store": "N1", "sku": "COLA"})
    explanation = response.context["explanation"]
    board = explanation["leaderboard"]
    assert board[0]["current"] and board[0]["label"] == "Blend: ETS 75 % + LightGBM 25 %"
    assert board[0]["wape"] == pytest.approx(0.1) and board[0]["bias"] == pytest.approx(-0.1)
    assert [row["model"] for row in board[1:]] == ["ets", "lightgbm", "arima", "seasonal_naive"]
    assert board[1]["best"] and board[1]["cost"] == pytest.approx(0.2)
    assert board[4]["rmsse"] is None and board[4]["cost"] is None  # listed, never scored
    assert any("lowest pooled WAPE" in reason for reason in explanation["reasons"])
    page = response.content.decode()
    assert "ADI" in page and "1.05" in page and "0.21" in page
    assert "+20.0 pts" in page


def test_a_candidate_that_forecast_nothing_is_never_the_best(
    client, admin_user, scoped_world, forecasts
):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    SeriesModel.objects.filter(store=store, sku=sku).update(
        demand_class="intermittent",
        model="croston_sba",
        blend={"models": ["croston_sba"], "weights": [1]},
    )
    LeaderboardEntryFactory(store=store, sku=sku, model="naive", mase=0.12, wape=1.0, bias=-1.0)
    LeaderboardEntryFactory(store=store, sku=sku, model="croston_sba", mase=0.56, wape=0.9)
    LeaderboardEntryFactory(store=store, sku=sku, model="tsb", mase=0.42, wape=0.95)
    client.force_login(admin_user)
    response = client.get(reverse("forecasting:explorer"), {"store": "N1", "sku": "COLA"})
    board = response.context["explanation"]["leaderboard"]
    assert [row["model"] for row in board] == ["croston_sba", "tsb", "naive", "seasonal_naive"]
    assert [row["model"] for row in board if row["best"]] == ["tsb"]
    assert board[2]["nothing"] and "forecast nothing" in response.content.decode()


def test_a_pin_for_the_next_run_is_costed_against_the_current_selection(
    client, scoped_world, forecasts
):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    LeaderboardEntryFactory(store=store, sku=sku, model="ets", wape=0.30, run=forecasts)
    LeaderboardEntryFactory(store=store, sku=sku, model="naive", wape=0.45, run=forecasts)
    ModelPinFactory(store=store, sku=sku, model="naive")
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("forecasting:explorer"), {"store": "N1", "sku": "COLA"})
    assert response.context["explanation"]["pin_cost"] == pytest.approx(0.15)
    assert "backtest WAPE +15.0 pts against the current selection" in response.content.decode()


def test_intermittent_series_is_ranked_by_mase(client, admin_user, scoped_world, forecasts):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    SeriesModel.objects.filter(store=store, sku=sku).update(demand_class="lumpy", model="croston")
    LeaderboardEntryFactory(store=store, sku=sku, model="croston", rmsse=0.9, mase=0.5)
    LeaderboardEntryFactory(store=store, sku=sku, model="ets", rmsse=0.7, mase=0.8)
    LeaderboardEntryFactory(store=store, sku=sku, model="arima", rmsse=0.6, mase=0.7)
    client.force_login(admin_user)
    response = client.get(reverse("forecasting:explorer"), {"store": "N1", "sku": "COLA"})
    explanation = response.context["explanation"]
    assert explanation["metric"] == "mase"
    assert [row["model"] for row in explanation["leaderboard"]][:3] == ["croston", "arima", "ets"]


def test_forecast_table_has_last_year_and_the_actuals_that_arrived(client, scoped_world, forecasts):
    store, sku = scoped_world["store_in"], scoped_world["sku_in"]
    for day in (1, 2, 3):
        last_year = ORIGIN + dt.timedelta(days=day - 364)
        SalesFactFactory(store=store, sku=sku, date=last_year, quantity=float(day))
    SalesFactFactory(store=store, sku=sku, date=ORIGIN + dt.timedelta(days=1), quantity=8.0)
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("forecasting:explorer"), {"store": "N1", "sku": "COLA"})
    table = response.context["table"]
    assert [row["last_year"] for row in table["rows"]] == [1.0, 2.0, 3.0]
    assert [row["actual"] for row in table["rows"]] == [8.0, None, None]
    assert table["live"] == {"periods": 1, "wape": 0.25, "bias": 0.25}
    chart = _chart(response)
    assert chart["last_year"]["y"][-3:] == [1.0, 2.0, 3.0]
    page = response.content.decode()
    assert "10.0 units" in page and "Live accuracy so far" in page


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_explorer_export_holds_the_table_rows_in_scope(client, scoped_world, forecasts, fmt):
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("forecasting:explorer_export", args=[fmt]), {"granularity": "D"})
    assert response.status_code == 200
    assert response["Content-Disposition"].endswith(f'forecast-all-daily-{ORIGIN}.{fmt}"')
    if fmt == "csv":
        lines = response.content.decode("utf-8-sig").splitlines()
        assert lines[0] == (
            "Date,Forecast (units),Low (p10) (units),High (p90) (units),"
            "Last year (units),Actual (units)"
        )
        assert [line.split(",")[1] for line in lines[1:]] == ["10.0", "10.0", "10.0"]


def test_explorer_export_refuses_an_unknown_format_and_out_of_scope_members(
    client, scoped_world, forecasts
):
    client.force_login(scoped_world["scoped_planner"])
    assert client.get(reverse("forecasting:explorer_export", args=["pdf"])).status_code == 404
    url = reverse("forecasting:explorer_export", args=["csv"])
    assert client.get(url, {"region": "SOUTH"}).status_code == 404
    assert client.get(url, {"sku": "CHIPS"}).status_code == 404


def test_run_starts_a_forecast_job_and_opens_its_page(client, planner, monkeypatch):
    started = {}

    def enqueue(*, job):
        started["job"] = job

    monkeypatch.setattr("jobs.services.job_enqueue", enqueue)
    client.force_login(planner)
    response = client.post(reverse("forecasting:run"), {"granularity": "W", "horizon": "12"})
    job = JobRun.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:detail", kwargs={"pk": job.pk})
    assert started["job"] == job and job.created_by == planner
    assert job.params["granularity"] == "W" and job.params["horizon"] == 12


def test_run_refuses_a_horizon_out_of_range_with_a_message(client, planner):
    client.force_login(planner)
    response = client.post(
        reverse("forecasting:run"), {"granularity": "D", "horizon": "999"}, follow=True
    )
    assert not JobRun.objects.exists()
    assert "horizon must be between 1 and 120" in response.content.decode()


def test_executive_cannot_run_forecasts(client, executive):
    client.force_login(executive)
    assert client.post(reverse("forecasting:run"), {"granularity": "D"}).status_code == 403


@pytest.fixture
def accuracy_records(scoped_world):
    """Backtest accuracy for two weeks: the north × drinks cell is 90 % accurate, the south
    × snacks cell 50 %; the total row adds both."""
    rows = []
    for day in (ORIGIN, ORIGIN + dt.timedelta(days=7)):
        for level, key, actual, error in (
            ("total", "all", 200.0, 60.0),
            ("region", "NORTH", 100.0, 10.0),
            ("region", "SOUTH", 100.0, 50.0),
            ("category", "DRINKS", 100.0, 10.0),
            ("category", "SNACKS", 100.0, 50.0),
            ("region_category", "NORTH|DRINKS", 100.0, 10.0),
            ("region_category", "SOUTH|SNACKS", 100.0, 50.0),
            ("store", "N1", 100.0, 10.0),
            ("store", "S1", 100.0, 50.0),
        ):
            rows.append(
                AccuracyRecordFactory(
                    evaluated_on=day,
                    level=level,
                    key=key,
                    actual_sum=actual,
                    forecast_sum=actual + error / 2,
                    abs_error_sum=error,
                )
            )
    return rows


def test_accuracy_page_for_every_role(client, planner, admin_user, executive, accuracy_records):
    for user in (planner, admin_user, executive):
        client.force_login(user)
        response = client.get(reverse("forecasting:accuracy"))
        assert response.status_code == 200
        assert response.context["overview"]["headline"]["accuracy"] == pytest.approx(0.7)


def test_accuracy_page_for_a_scoped_planner_shows_only_their_cells(
    client, scoped_world, accuracy_records
):
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(
        reverse("forecasting:accuracy"), {"source": "backtest", "granularity": "D"}
    )
    overview = response.context["overview"]
    assert overview["headline"]["accuracy"] == pytest.approx(0.9)
    assert overview["headline"]["bias"] == pytest.approx(0.05)
    heatmap = overview["chart"]["heatmap"]
    assert (heatmap["regions"], heatmap["categories"]) == (["NORTH"], ["DRINKS"])
    assert overview["chart"]["weeks"]["accuracy"] == [pytest.approx(0.9)] * 2
    assert "SOUTH" not in response.content.decode()


def test_accuracy_page_says_so_when_there_are_no_figures(client, executive):
    client.force_login(executive)
    response = client.get(reverse("forecasting:accuracy"), {"source": "live"})
    page = response.content.decode()
    assert "No accuracy figures yet" in page
    assert reverse("forecasting:run") not in page  # executives cannot start runs


def test_accuracy_exceptions_list_the_worst_series_and_link_to_the_explorer(
    client, admin_user, executive, scoped_world, accuracy_records
):
    run = ForecastRunFactory()
    worst = (scoped_world["store_out"], scoped_world["sku_out"])
    for (store, sku), wape, bias in (
        ((scoped_world["store_in"], scoped_world["sku_in"]), 0.2, 0.01),
        (worst, 0.9, -0.4),
    ):
        SeriesModelFactory(store=store, sku=sku, model="ets", run=run)
        LeaderboardEntryFactory(store=store, sku=sku, model="ets", wape=wape, bias=bias, run=run)
        LeaderboardEntryFactory(store=store, sku=sku, model="naive", wape=5.0, bias=3.0, run=run)
    client.force_login(admin_user)
    response = client.get(
        reverse("forecasting:accuracy"), {"source": "backtest", "granularity": "D"}
    )
    exceptions = response.context["exceptions"]
    assert [(r["store"], r["sku"], r["wape"]) for r in exceptions["worst_error"]] == [
        ("S1", "CHIPS", 0.9),
        ("N1", "COLA", 0.2),
    ]
    assert exceptions["worst_bias"][0]["bias"] == -0.4
    assert "store=S1&amp;sku=CHIPS" in response.content.decode()
    client.force_login(executive)
    page = client.get(reverse("forecasting:accuracy"), {"source": "backtest"}).content.decode()
    assert "CHIPS" in page and "store=S1&amp;sku=CHIPS" not in page  # no explorer for them


def test_live_exceptions_compare_stored_forecasts_with_actuals(client, scoped_world, forecasts):
    for store in (scoped_world["store_in"], scoped_world["store_out"]):
        for sku in (scoped_world["sku_in"], scoped_world["sku_out"]):
            inside = store.code == "N1" and sku.code == "COLA"
            for day in range(1, 4):
                date = ORIGIN + dt.timedelta(days=day)
                SalesFactFactory(store=store, sku=sku, date=date, quantity=20.0 if inside else 70.0)
    # The arriving actuals are scored at once once every series has reported: no refresh job.
    assert AccuracyRecord.objects.filter(
        source=AccuracyRecord.Source.LIVE, level="region_category", key="NORTH|DRINKS"
    ).exists()
    client.force_login(scoped_world["scoped_planner"])
    response = client.get(reverse("forecasting:accuracy"), {"source": "live", "granularity": "D"})
    rows = response.context["exceptions"]["worst_error"]
    assert [(r["store"], r["sku"]) for r in rows] == [("N1", "COLA")]
    assert rows[0]["wape"] == pytest.approx(0.5) and rows[0]["bias"] == pytest.approx(-0.5)


def test_accuracy_opens_on_figures_the_user_may_see(
    client, admin_user, scoped_world, accuracy_records
):
    # Live figures exist only for the company total and a cell outside the planner's scope.
    for level, key in (("total", "all"), ("region_category", "SOUTH|SNACKS")):
        AccuracyRecordFactory(source=AccuracyRecord.Source.LIVE, level=level, key=key)
    client.force_login(scoped_world["scoped_planner"])
    chosen = client.get(reverse("forecasting:accuracy")).context["accuracy"]
    assert (chosen.source, chosen.granularity) == ("backtest", "D")
    client.force_login(admin_user)
    chosen = client.get(reverse("forecasting:accuracy")).context["accuracy"]
    assert (chosen.source, chosen.granularity) == ("live", "D")


def test_a_stores_closures_and_unreported_days_are_shaded_not_drawn_as_zero(
    client, scoped_world, forecasts
):
    from history.models import MissingPeriod, StoreClosure

    store = scoped_world["store_in"]
    StoreClosure.objects.create(
        store=store,
        start_date=ORIGIN - dt.timedelta(days=10),
        end_date=ORIGIN - dt.timedelta(days=9),
        reason="refit",
    )
    MissingPeriod.objects.create(store=store, date=ORIGIN - dt.timedelta(days=3), grain="D")
    MissingPeriod.objects.create(
        store=scoped_world["store_out"], date=ORIGIN - dt.timedelta(days=2), grain="D"
    )
    client.force_login(scoped_world["scoped_planner"])
    shaded = _chart(client.get(reverse("forecasting:explorer"), {"store": "N1"}))["unavailable"]
    assert [(s["start"], s["until"], s["label"]) for s in shaded] == [
        (str(ORIGIN - dt.timedelta(days=10)), str(ORIGIN - dt.timedelta(days=8)), "Closed: refit"),
        (
            str(ORIGIN - dt.timedelta(days=3)),
            str(ORIGIN - dt.timedelta(days=2)),
            "No sales reported (missing, not zero)",
        ),
    ]
    # The whole scope sums many stores: one store's gap is not shaded over all of them.
    assert _chart(client.get(reverse("forecasting:explorer")))["unavailable"] == []
