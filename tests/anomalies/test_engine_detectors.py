"""The detectors on a synthetic company: each injected anomaly is found as its own kind,
and steady sales raise nothing in the inbox."""

import dataclasses
from types import SimpleNamespace

import numpy as np
import pandas as pd

from anomalies.engine.demand import _window_spikes
from anomalies.engine.evaluation import event_scores
from anomalies.engine.expectation import (
    MIN_EXPECTED,
    expectation_build,
    promotion_uplift,
    store_day_factor,
    tail_z,
    zero_share_dispersion,
)
from anomalies.engine.panel import panel_build
from anomalies.engine.scan import scan_detect
from anomalies.engine.settings import DetectorSettings
from anomalies.engine.supply import phantom_events
from tests.anomalies.synthetic import synthetic_inputs

INBOX = 2  # medium and above


def _inbox(result):
    return [e for e in result.events if e.severity >= INBOX]


def test_steady_sales_raise_no_inbox_alerts():
    result = scan_detect(synthetic_inputs())
    assert _inbox(result) == []
    assert result.series == 24
    assert result.periods == 24 * (140 - 84)


def test_each_injected_kind_is_found_and_explained():
    inject = [
        ("x10", 1, 10, 100),
        ("spike", 2, 11, 110, 2),
        ("drop", 3, 12, 95, 8),
        ("phantom", 4, 13, 90, 30),
        ("late", 5, 10, 98, 9),
    ]
    result = scan_detect(synthetic_inputs(inject=inject))
    found = {(e.kind, e.store_id, e.sku_id): e for e in _inbox(result)}
    x10 = found[("entry_error", 1, 10)]
    assert x10.suggested_cause == "keying error: ×10"
    assert x10.start == x10.end == pd.Timestamp("2025-01-06") + pd.Timedelta(days=100)
    assert ("demand_spike", 2, 11) in found
    assert found[("demand_drop", 3, 12)].actual < found[("demand_drop", 3, 12)].expected / 3
    phantom = found[("phantom_inventory", 4, 13)]
    assert phantom.detectors[0]["name"] == "zero_sales_probability"
    assert phantom.detected_on - phantom.start >= pd.Timedelta(days=13)
    late = found[("late_delivery", 5, 10)]
    assert late.score == 9
    assert late.detected_on == late.start + pd.Timedelta(days=4)
    for event in found.values():
        assert event.summary and event.what_to_check and event.detectors


def test_a_drop_inside_a_phantom_run_is_folded_into_it():
    result = scan_detect(synthetic_inputs(inject=[("phantom", 4, 13, 90, 30)]))
    series = [e for e in result.events if (e.store_id, e.sku_id) == (4, 13)]
    assert [e.kind for e in series] == ["phantom_inventory"]


def test_stricter_settings_find_less():
    inject = [("spike", 2, 11, 110, 1)]
    loose = scan_detect(synthetic_inputs(inject=inject))
    strict = scan_detect(synthetic_inputs(inject=inject), DetectorSettings(spike_z=40, weak_z=40))
    kinds = lambda r: {e.kind for e in r.events if (e.store_id, e.sku_id) == (2, 11)}  # noqa: E731
    assert "demand_spike" in kinds(loose)
    assert "demand_spike" not in kinds(strict)


def test_event_scores_count_every_alert_against_precision():
    day = pd.Timestamp("2025-03-01")
    labels = pd.DataFrame(
        [("entry_error_x10", 1, 10, day, day), ("demand_drop", 2, 11, day, day)],
        columns=["kind", "store_id", "sku_id", "start", "end"],
    )
    alerts = pd.DataFrame(
        [
            ("entry_error", 1, 10, day, day, day),
            ("demand_drop", 2, 12, day, day, day),
            ("feed_thin", None, None, day, day, day),
        ],
        columns=["kind", "store_id", "sku_id", "start", "end", "detected_on"],
    )
    scores = event_scores(labels, alerts, tolerance_days=3)
    assert scores["overall"]["recall"] == 0.5
    assert scores["overall"]["precision"] == 1 / 3
    assert scores["overall"]["precision_labelled_kinds"] == 0.5
    assert scores["kinds"]["entry_error"]["mean_days_to_detect"] == 0


def test_a_spike_the_stored_forecast_expected_is_not_an_anomaly():
    inject = [("spike", 2, 11, 110, 2)]
    plain = synthetic_inputs(inject=inject)
    day = plain.score_from + pd.Timedelta(days=110 - 84)
    foreseen = pd.DataFrame(
        {
            "store_id": [2, 2],
            "sku_id": [11, 11],
            "date": [day, day + pd.Timedelta(days=1)],
            "expected": [48.0, 48.0],
            "low": [38.0, 38.0],
            "high": [58.0, 58.0],
        }
    )
    with_forecast = dataclasses.replace(plain, expected=foreseen)
    spikes = lambda r: [  # noqa: E731
        e for e in r.events if e.kind == "demand_spike" and (e.store_id, e.sku_id) == (2, 11)
    ]
    assert spikes(scan_detect(plain))
    assert spikes(scan_detect(with_forecast)) == []


def test_a_spike_of_a_slow_seller_is_found_on_its_window_total():
    """Three days at about seven times a one-a-day rate: no day is rare alone (P(Y ≥ 7 | 1)
    is 8e-5), their total of 20 against 3 expected is (1e-10)."""
    expected = np.full((60, 1), 1.0)
    sales = np.zeros((60, 1))
    sales[::2] = 1.0  # an ordinary seller of one a day
    sales[30:33, 0] = [7, 6, 7]
    settings = DetectorSettings()
    single = tail_z(sales[30:33, 0], expected[30:33, 0], expected[30:33, 0] ** 0.5, upper=True)
    assert single.max() < settings.spike_z
    best, seed = _window_spikes(sales, expected, np.sqrt(expected), settings)
    assert seed[30:33, 0].all()
    assert not seed[:30, 0].any() and not seed[33:, 0].any()
    assert best[30:33, 0].min() >= settings.spike_z


def test_slow_sellers_lumpiness_is_read_from_their_zero_days():
    rng = np.random.default_rng(5)
    mean = np.full((700, 2), 0.5)
    lumpy = rng.poisson(rng.gamma(0.25, 0.5 / 0.25, 700))  # NB, alpha = 4
    steady = rng.poisson(0.5, 700)
    alpha = zero_share_dispersion(np.column_stack([lumpy, steady]).astype(float), mean)
    assert 2.0 <= alpha[0, 0] <= 8.0
    assert alpha[0, 1] * 0.5 < 0.5  # a Poisson seller: variance within 1.5 × its mean


def test_a_keying_error_beside_a_real_spike_is_told_apart():
    inject = [("x10", 1, 10, 100), ("spike", 1, 10, 101, 1)]
    result = scan_detect(synthetic_inputs(inject=inject))
    series = {(e.kind, e.start) for e in _inbox(result) if (e.store_id, e.sku_id) == (1, 10)}
    day = pd.Timestamp("2025-01-06") + pd.Timedelta(days=100)
    assert ("entry_error", day) in series
    assert any(kind == "demand_spike" and start > day for kind, start in series)


def test_a_recurring_calendar_event_that_lifts_one_sku_is_expected_from_its_past():
    """A fair every four weeks lifts SKU 10 eightfold in every store. Its earlier
    occurrences teach the uplift, so the scored occurrences are expected near their sales;
    without the calendar the cross-store factor alone (capped) leaves them far below, and
    the first occurrence, with no past, keeps the plain expectation (no guess)."""
    inputs = synthetic_inputs()
    rng = np.random.default_rng(5)
    start = inputs.sales["date"].min()
    dates = [start + pd.Timedelta(days=d) for d in (20, 48, 76, 104, 132)]
    sales = inputs.sales.copy()
    lifted = (sales["sku_id"] == 10) & sales["date"].isin(dates)
    sales.loc[lifted, "quantity"] = rng.poisson(64, int(lifted.sum())).astype(float)
    calendar = pd.DataFrame(
        [(store, day, "Fair") for store in sales["store_id"].unique() for day in dates],
        columns=["store_id", "date", "name"],
    )

    def expected_on_fairs(with_calendar: bool) -> np.ndarray:
        changed = dataclasses.replace(
            inputs, sales=sales, calendar=calendar if with_calendar else pd.DataFrame()
        )
        panel = panel_build(changed)
        exp = expectation_build(panel, changed, DetectorSettings().baseline_weeks)
        return exp.expected[panel.dates.get_indexer(dates)][:, panel.sku_id == 10]

    without, with_calendar = expected_on_fairs(False), expected_on_fairs(True)
    assert np.all(without[3:] < 40)
    assert np.all((with_calendar[3:] > 48) & (with_calendar[3:] < 85))
    assert np.allclose(with_calendar[0], without[0])


def test_a_stores_day_factor_is_not_lowered_by_its_slow_sellers_zero_days():
    """Forty SKUs selling 1.2 a day on a store's ordinary days: the day factor is about 1.
    A median of per-SKU ratios read 0.88 (a slow seller's median day sells 1, not 1.2)."""
    rng = np.random.default_rng(11)
    baseline = np.full((400, 40), 1.2)
    sales = rng.poisson(baseline).astype(float)
    panel = SimpleNamespace(store_id=np.ones(40, dtype=np.int64), promo=np.zeros((400, 40), bool))
    factor = store_day_factor(panel, sales, baseline)
    assert 0.97 <= factor.mean() <= 1.03


def test_a_slow_sellers_quiet_months_are_not_phantom_stock_but_an_emptied_shelf_is():
    """Series 0 sold a unit a day, then a unit every twenty days, then nothing for five
    months while the books show five units: at its recent rate five quiet months happen
    (e^-9), though at its old rate they would not. Series 1, a one-a-day seller, stops
    selling for seven weeks with stock on the books: phantom stock."""
    rng = np.random.default_rng(2)
    days = 450
    sales = np.zeros((days, 2))
    sales[:150, 0] = rng.poisson(1.0, 150)
    sales[150:300:20, 0] = 1.0
    sales[:400, 1] = rng.poisson(1.0, 400)
    panel = SimpleNamespace(
        sales=sales,
        book=np.full((days, 2), 5.0),
        promo=np.zeros((days, 2), bool),
        dates=pd.date_range("2024-01-01", periods=days, freq="D"),
        store_id=np.array([1, 1]),
        sku_id=np.array([1, 2]),
        score_rows=slice(100, days),
    )
    exp = SimpleNamespace(plain=np.maximum(np.full((days, 2), [0.05, 1.0]), MIN_EXPECTED))
    found = phantom_events(panel, exp, DetectorSettings(), np.ones(2))
    assert [(e.sku_id, e.start) for e in found] == [(2, panel.dates[400])]


def test_a_slow_sellers_promotion_uplift_is_its_mean_not_its_median_day():
    """Promotions double a one-a-day seller in six stores: the uplift read is about 2. The
    median of its daily ratios read 1.67 (a promoted day's median sale is 2 of an expected 1,
    with the ratio's half-unit smoothing)."""
    rng = np.random.default_rng(4)
    plain = np.ones((600, 6))
    promo = np.zeros((600, 6), bool)
    promo[::10] = True
    sales = rng.poisson(np.where(promo, 2.0, 1.0)).astype(float)
    panel = SimpleNamespace(n_series=6, promo=promo, sku_id=np.full(6, 7))
    uplift = promotion_uplift(panel, sales, plain)
    assert np.all((uplift > 1.85) & (uplift < 2.15))


def test_what_every_store_sold_beyond_its_forecast_that_day_is_expected():
    """Stored forecasts of 8 a day for every series; one day SKU 10 sells five times that in
    every store (an event the forecast did not see): its other stores explain it. Two days
    at six times the rate in one store alone are still a spike."""
    inputs = synthetic_inputs(inject=[("spike", 3, 11, 110, 2)])
    day = inputs.score_from + pd.Timedelta(days=110 - 84)
    sales = inputs.sales.copy()
    lifted = (sales["sku_id"] == 10) & (sales["date"] == day)
    sales.loc[lifted, "quantity"] = np.random.default_rng(8).poisson(40, int(lifted.sum()))
    keys = sales[["store_id", "sku_id", "date"]]
    forecast = keys[keys["date"] >= inputs.score_from].assign(expected=8.0, low=5.0, high=12.0)
    result = scan_detect(dataclasses.replace(inputs, sales=sales, expected=forecast))
    spikes = {(e.store_id, e.sku_id) for e in result.events if e.kind == "demand_spike"}
    assert (3, 11) in spikes
    assert not any(sku == 10 for _, sku in spikes)
