"""The explorer on a small demo company, forecast for real: every series explains its
model, and stored forecasts are scored as soon as later actuals are imported."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest
from django.urls import reverse

from accounts.scoping import Scope
from demo.engine import generate_company
from demo.services import demo_company_load
from forecasting.job_params import ForecastParams
from forecasting.models import AccuracyRecord, SeriesModel
from imports.services import import_rows
from jobs.services import job_start

END = dt.date(2025, 6, 29)  # a Sunday: the forecast's origin
LATER = END + dt.timedelta(days=7)  # a week of actuals that arrives after the forecast


@pytest.fixture
def forecast_demo(db):
    """A demo company whose last week of sales is held back, forecast daily from ``END``;
    returns the held-back sales."""
    company = generate_company(seed=3, stores=2, skus=8, years=2, end_date=LATER)
    later = company.sales["date"] > dt.datetime(END.year, END.month, END.day)
    demo_company_load(company=dataclasses.replace(company, sales=company.sales[~later]))
    params = ForecastParams(granularity="D", horizon=14, windows=2, company_wide=True)
    job = job_start(kind="forecast", params=params, actor=None)
    assert job.status == "succeeded", job.error
    return company.sales[later]


def test_every_series_opens_its_leaderboard_with_its_selection_and_demand_figures(
    client, admin_user, forecast_demo
):
    client.force_login(admin_user)
    selections = list(SeriesModel.objects.filter(granularity="D").select_related("store", "sku"))
    assert len(selections) == 16
    assert any(not chosen.chosen.is_single for chosen in selections)  # blends are covered
    for chosen in selections:
        response = client.get(
            reverse("forecasting:explorer"),
            {"granularity": "D", "store": chosen.store.code, "sku": chosen.sku.code},
        )
        explanation = response.context["explanation"]
        first = explanation["leaderboard"][0]
        assert first["current"] and first["model"] == chosen.model, chosen
        assert first["wape"] is not None, chosen
        assert chosen.adi is not None and chosen.cv2 is not None and chosen.strategy, chosen
        page = response.content.decode()
        assert f"<dt>ADI</dt><dd>{chosen.adi:.2f}" in page, chosen
        assert f"<dt>CV²</dt><dd>{chosen.cv2:.2f}" in page, chosen
        assert not any(row["best"] and row["nothing"] for row in explanation["leaderboard"])
        assert explanation["reasons"], chosen


def test_live_accuracy_appears_once_later_actuals_are_imported(client, admin_user, forecast_demo):
    live = AccuracyRecord.objects.filter(source=AccuracyRecord.Source.LIVE, granularity="D")
    assert not live.exists()
    rows = [
        {
            "store": row.store_code,
            "sku": row.sku_code,
            "date": row.date.date().isoformat(),
            "quantity": row.quantity,
        }
        for row in forecast_demo.itertuples()
    ]
    report = import_rows(kind="sales", rows=rows, user=admin_user, scope=Scope.company_wide())
    assert report.rows_written == len(rows), report

    scored = sorted(set(live.filter(level="total").values_list("evaluated_on", flat=True)))
    assert scored == [END + dt.timedelta(days=d) for d in range(1, 8)]
    client.force_login(admin_user)
    page = client.get(
        reverse("forecasting:accuracy"), {"source": "live", "granularity": "D"}
    ).content.decode()
    assert "No accuracy figures yet" not in page and "Forecast accuracy" in page
    table = client.get(reverse("forecasting:explorer"), {"granularity": "D"}).context["table"]
    assert table["live"]["periods"] == 7 and table["live"]["wape"] is not None
    assert [row["actual"] is not None for row in table["rows"]] == [True] * 7 + [False] * 7
