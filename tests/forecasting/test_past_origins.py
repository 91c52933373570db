"""``backtest --until`` and ``forecast --origin``: a past period checked with nothing after it,
and a clear refusal, changing nothing, for a date outside the sales history."""

import datetime as dt
import json
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from demo.engine import generate_company
from demo.services import demo_company_load
from forecasting.models import Forecast, ForecastRun
from history.models import SalesFact
from jobs.models import JobRun

END = dt.date(2025, 6, 29)
UNTIL = dt.date(2025, 3, 31)


@pytest.fixture
def small_company(db):
    company = generate_company(seed=5, stores=1, skus=6, years=2, end_date=END)
    demo_company_load(company=company)
    return company


def _backtest_json(**options) -> dict:
    out = StringIO()
    call_command(
        "backtest", granularity="daily", horizon=7, windows=1, json=True, stdout=out, **options
    )
    return json.loads(out.getvalue())


def _scores(report: dict) -> dict:
    """The model table without its timings."""
    return {
        name: {k: v for k, v in row.items() if k != "seconds"}
        for name, row in report["models"].items()
    }


def test_backtest_until_holds_out_the_periods_ending_at_the_date_and_reads_nothing_later(
    small_company,
):
    report = _backtest_json(until=UNTIL.isoformat())
    assert report["holdout"] == ["2025-03-25", "2025-03-31"]
    coverage = report["coverage"]
    assert report["band"] == ["p10", "p90"]
    assert coverage["all"]["points"] == 7 * coverage["all"]["series"]
    assert 0.0 <= coverage["all"]["coverage"] <= 1.0
    assert set(coverage) - {"all"} <= {"smooth", "erratic", "intermittent", "lumpy"}

    SalesFact.objects.filter(date__gt=UNTIL).update(quantity=10_000)
    again = _backtest_json(until=UNTIL.isoformat())
    assert _scores(again) == _scores(report)
    assert again["coverage"] == coverage


def test_backtest_prints_the_band_coverage_by_demand_class(small_company):
    out = StringIO()
    call_command("backtest", granularity="weekly", horizon=4, windows=1, stdout=out)
    text = out.getvalue()
    assert "p10–p90 band on the holdout (nominal 80%)" in text
    assert "\nall " in text


@pytest.mark.parametrize(
    ("date", "message"),
    [
        ("2031-01-05", "is after the last actual period (2025-06-29)"),
        ("2019-01-01", "is before the sales history, which starts on"),
        ("31/03/2025", "must be a date as YYYY-MM-DD"),
    ],
)
def test_dates_outside_the_history_are_refused_clearly(small_company, date, message):
    jobs = JobRun.objects.count()
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("backtest", granularity="daily", until=date, stdout=StringIO())
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("forecast", granularity="daily", origin=date, stdout=StringIO())
    assert JobRun.objects.count() == jobs
    assert not ForecastRun.objects.exists()


def _forecast_from(origin: str) -> list[tuple]:
    call_command(
        "forecast", granularity="weekly", horizon=4, windows=1, origin=origin, stdout=StringIO()
    )
    run = ForecastRun.objects.latest("id")
    return list(
        Forecast.objects.filter(run=run)
        .order_by("store_id", "sku_id", "date")
        .values_list("date", "forecast", "p10", "p90")
    )


def test_forecast_origin_forecasts_from_the_date_and_ignores_later_sales(small_company):
    rows = _forecast_from("2025-04-02")
    assert ForecastRun.objects.get().origin == dt.date(2025, 3, 30)  # last complete week
    dates = sorted({row[0] for row in rows})
    assert dates == [dt.date(2025, 4, 6) + dt.timedelta(weeks=i) for i in range(4)]

    SalesFact.objects.filter(date__gt=dt.date(2025, 3, 30)).update(quantity=10_000)
    assert _forecast_from("2025-04-02") == rows


def test_a_holdout_too_long_for_the_history_before_the_date_is_refused(small_company):
    with pytest.raises(CommandError, match="No series has more than 240 periods"):
        call_command(
            "backtest", granularity="daily", horizon=120, until="2024-03-31", stdout=StringIO()
        )
