"""Pilot KPIs from a small hand-checked store: errors, service, stock, cycles, cost."""

import datetime as dt

import pandas as pd
import pytest

from pilots.engine.kpis import CostRates, period_value, store_daily_kpis

D = [dt.date(2026, 3, 1) + dt.timedelta(days=k) for k in range(4)]
RATES = CostRates(
    holding_rate_per_year=0.365, order_cost=10, transport_cost_per_unit=0.5, excess_cover_days=2
)


def _frame(rows, columns):
    return pd.DataFrame(rows, columns=columns)


@pytest.fixture
def kpis():
    # One store, one SKU costing 2: forecast 4 a day; stock runs out on day 3, a delivery of
    # 20 arrives on day 1 and another on day 4.
    sales = _frame(
        [(1, 7, D[0], 5), (1, 7, D[1], 3), (1, 7, D[2], 2)],
        ["store_id", "sku_id", "date", "quantity"],
    )
    forecasts = _frame([(1, 7, d, 4.0) for d in D], ["store_id", "sku_id", "date", "forecast"])
    stock = _frame(
        [(1, 7, D[0], 15.0), (1, 7, D[1], 2.0), (1, 7, D[2], 0.0), (1, 7, D[3], 20.0)],
        ["store_id", "sku_id", "date", "on_hand"],
    )
    receipts = _frame(
        [(1, 7, D[0], 20.0), (1, 7, D[3], 20.0)], ["store_id", "sku_id", "date", "quantity"]
    )
    verdicts = _frame(
        [(1, D[1], True), (1, D[1], False), (1, D[2], True)], ["store_id", "date", "confirmed"]
    )
    return store_daily_kpis(
        sales=sales,
        forecasts=forecasts,
        stock=stock,
        receipts=receipts,
        unit_cost=pd.Series({7: 2.0}),
        verdicts=verdicts,
        rates=RATES,
    )


def _value(kpis, kpi, day):
    """(value, denominator) of one KPI on one day."""
    row = kpis[(kpis["kpi"] == kpi) & (kpis["date"] == day)].iloc[0]
    return (row["numerator"] / row["denominator"], row["denominator"])


def test_forecast_errors_skip_zero_days_for_mape_but_not_for_wape(kpis):
    assert _value(kpis, "mape", D[0]) == pytest.approx((1 / 5, 1))
    assert kpis[(kpis["kpi"] == "mape") & (kpis["date"] == D[3])].empty
    period = period_value(kpis).set_index("kpi")
    assert period.loc["wape", "value"] == pytest.approx((1 + 1 + 2 + 4) / 10)
    assert period.loc["mape", "value"] == pytest.approx((1 / 5 + 1 / 3 + 2 / 2) / 3)


def test_an_empty_shelf_loses_the_forecast_demand(kpis):
    # Day 3: 2 sold, stock 0 at the end with 4 expected: 2 units lost.
    assert _value(kpis, "fill_rate", D[2]) == pytest.approx((2 / 4, 4))
    assert _value(kpis, "stockouts", D[2]) == (1.0, 1.0)
    assert _value(kpis, "fill_rate", D[0]) == (1.0, 5.0)


def test_excess_stock_is_stock_beyond_the_cover_days(kpis):
    # Day 1: 15 on hand, cover 2 days × 4 = 8: 7 units excess of 15.
    assert _value(kpis, "excess_stock", D[0]) == pytest.approx((7 / 15, 30))
    assert _value(kpis, "turnover", D[0]) == pytest.approx((10 * 365 / 30, 30))


def test_a_cycle_with_a_stock_out_fails_the_cycle_service_level(kpis):
    # The cycle from the day-1 delivery ends on day 3 (the next starts on day 4) and ran out.
    assert _value(kpis, "cycle_service_level", D[2]) == (0.0, 1.0)
    assert kpis[kpis["kpi"] == "cycle_service_level"].shape[0] == 1


def test_cost_is_holding_plus_ordering_plus_transport(kpis):
    # Day 1: 15 units × 2 × 0.365 / 365 = 0.03 holding, one line of 20 units: 10 + 10.
    assert _value(kpis, "cost", D[0]) == pytest.approx((0.03 + 20, 1))


def test_alerts_confirmed_is_the_share_of_verdicts(kpis):
    assert _value(kpis, "alerts_confirmed", D[1]) == (0.5, 2)
    assert period_value(kpis).set_index("kpi").loc["alerts_confirmed", "value"] == pytest.approx(
        2 / 3
    )


def test_stores_without_history_in_the_window_give_no_rows_not_an_error():
    empty = {
        "sales": ["store_id", "sku_id", "date", "quantity"],
        "forecasts": ["store_id", "sku_id", "date", "forecast"],
        "stock": ["store_id", "sku_id", "date", "on_hand"],
        "receipts": ["store_id", "sku_id", "date", "quantity"],
        "verdicts": ["store_id", "date", "confirmed"],
    }
    kpis = store_daily_kpis(
        **{name: _frame([], columns) for name, columns in empty.items()},
        unit_cost=pd.Series(dtype=float),
        rates=RATES,
    )
    assert kpis.empty
    assert list(kpis.columns) == ["store_id", "date", "kpi", "numerator", "denominator"]
