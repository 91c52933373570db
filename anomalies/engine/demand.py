"""Residual detectors on sales: spikes, ×10 keying errors and drops.

A spike is a run of periods well above the expectation with at least one period beyond
``spike_z`` robust deviations (or beyond ``weak_z`` where the Isolation Forest agrees). A
lone period about ten times its expectation whose figure ends in 0, and whose tenth is an
ordinary value, is a keying error, not demand. A drop is a run of periods below
``drop_ratio`` of the expectation whose total shortfall is beyond ``drop_z``; periods the
stock could not cover (the shelf was empty on the books) are not drops but censored sales.
"""

from __future__ import annotations

import numpy as np
from scipy.stats import poisson

from anomalies.engine.events import Event
from anomalies.engine.expectation import Expectation, tail_z
from anomalies.engine.learned import forest_scores
from anomalies.engine.panel import Panel
from anomalies.engine.runs import run_sums, runs
from anomalies.engine.settings import DetectorSettings

COVER_DAYS = 7  # stock-out risk: will the stock cover a week at the new rate?
EMPTIED_WITHIN_DAYS = 2  # a spike whose shelf is empty this soon after it emptied it


def _in_score(panel: Panel, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return (b >= panel.score_rows.start) & (a < panel.score_rows.stop)


def _stock_limited(panel: Panel, exp: Expectation) -> np.ndarray:
    """The shelf (on the books) could not cover the expected sales of the period."""
    opening = np.vstack([np.full((1, panel.n_series), np.nan), panel.book[:-1]]) + panel.receipts
    return opening < exp.expected


def demand_events(
    panel: Panel, exp: Expectation, settings: DetectorSettings, unit_price: np.ndarray
) -> list[Event]:
    sales, expected, sigma = panel.sales, exp.expected, exp.sigma
    with np.errstate(invalid="ignore"):
        z = (sales - expected) / sigma
    z = np.nan_to_num(z, nan=0.0)
    safe_sales = np.nan_to_num(sales)
    # Where the normal reading says "unusual", read the count's exact tail instead.
    high_rows, high_cols = np.nonzero(z >= min(settings.spike_continue_z, settings.weak_z))
    z[high_rows, high_cols] = tail_z(
        safe_sales[high_rows, high_cols],
        expected[high_rows, high_cols],
        sigma[high_rows, high_cols],
        upper=True,
    )
    events: list[Event] = []
    scored = np.zeros(sales.shape, dtype=bool)
    scored[panel.score_rows] = True

    high = (
        (safe_sales >= settings.spike_ratio * expected)
        & (safe_sales - expected >= settings.spike_min_units)
        & (exp.plain >= settings.spike_min_expected)
    )
    strong = high & (z >= settings.spike_z)
    # The forest scores every candidate (its score is shown beside the residual's); where
    # it agrees, ``weak_z`` is enough to seed a spike.
    weak_rows, weak_cols = np.nonzero(high & (z >= min(settings.weak_z, settings.spike_z)) & scored)
    forest, threshold = forest_scores(panel, exp, weak_rows, weak_cols, settings.forest_quantile)
    seed = strong.copy()
    seed[weak_rows, weak_cols] |= forest >= threshold
    cells = zip(weak_rows.tolist(), weak_cols.tolist(), strict=True)
    forest_at = dict(zip(cells, forest.tolist(), strict=True))
    cont = (z >= settings.spike_continue_z) & (safe_sales >= 1.5 * expected)
    col, a, b = runs(cont | seed)
    keep = (run_sums(seed.astype(float), col, a, b) > 0) & _in_score(panel, a, b)
    weekly = 7 * np.nanmean(exp.plain, axis=0)
    for c, s, e in zip(col[keep], a[keep], b[keep], strict=True):
        events.append(_spike(panel, exp, z, c, s, e, settings, unit_price, weekly, forest_at))

    # Below a unit a day a shortfall cannot be told from chance, day by day.
    shortfall = (safe_sales <= settings.drop_ratio * expected) & ~np.isnan(sales)
    shortfall &= exp.plain >= 1.0
    shortfall &= ~_stock_limited(panel, exp)
    col, a, b = runs(shortfall)
    long_enough = (b - a + 1 >= settings.drop_min_periods) & _in_score(panel, a, b)
    col, a, b = col[long_enough], a[long_enough], b[long_enough]
    run_z = tail_z(
        run_sums(safe_sales, col, a, b),
        run_sums(expected, col, a, b),
        np.sqrt(run_sums(sigma**2, col, a, b)),
        upper=False,
    )
    for c, s, e, rz in zip(col, a, b, run_z, strict=True):
        if rz >= settings.drop_z:
            events.append(_drop(panel, exp, c, s, e, rz, settings, unit_price, weekly))
    return events


def _spike(panel, exp, z, c, a, b, settings, unit_price, weekly, forest_at) -> Event:
    dates = panel.dates
    actual = float(np.nansum(panel.sales[a : b + 1, c]))
    expected = float(exp.expected[a : b + 1, c].sum())
    peak = a + int(np.argmax(z[a : b + 1, c]))
    event = Event(
        kind="demand_spike",
        metric="sales",
        store_id=int(panel.store_id[c]),
        sku_id=int(panel.sku_id[c]),
        start=dates[a],
        end=dates[b],
        detected_on=dates[peak if z[peak, c] >= settings.spike_z else a],
        score=float(z[peak, c]),
        expected=expected,
        actual=actual,
        expected_low=float(exp.low[a : b + 1, c].sum()),
        expected_high=float(exp.high[a : b + 1, c].sum()),
        units_at_stake=max(actual - expected, 0.0),
        weekly_units=float(weekly[c]),
    )
    event.value_at_stake = event.units_at_stake * float(unit_price[c])
    event.fired(
        "residual", z[peak, c], ratio=actual / max(expected, 1e-9), peak=str(dates[peak].date())
    )
    for row in range(a, b + 1):
        if (row, c) in forest_at:
            event.fired("isolation_forest", forest_at[(row, c)], date=str(dates[row].date()))
            break
    after = panel.book[a : min(b + 1 + EMPTIED_WITHIN_DAYS, len(panel.dates)), c]
    if np.nanmin(after, initial=np.inf) <= 0.5:
        event.stockout_risk = 1.0  # the spike emptied the shelf (on the books)
    elif not np.isnan(panel.book[b, c]):
        rate = actual / (b - a + 1)
        event.stockout_risk = float(poisson.sf(max(panel.book[b, c], 0), rate * COVER_DAYS))
    value = panel.sales[a, c]
    tenth_ok = abs(value / 10 - exp.expected[a, c]) <= 3 * exp.sigma[a, c]
    if (
        a == b
        and value >= 10
        and float(value) % 10 == 0
        and value >= settings.entry_error_ratio * exp.expected[a, c]
        and exp.expected[a, c] >= settings.entry_error_min_expected
        and z[a, c] >= settings.entry_error_z
        and tenth_ok
    ):
        event.kind = "entry_error"
        event.expected_low = event.expected_high = None
        event.stockout_risk = None
        event.fired("keying_x10", value / exp.expected[a, c], tenth=value / 10)
    return event


def _drop(panel, exp, c, a, b, run_z, settings, unit_price, weekly) -> Event:
    dates = panel.dates
    actual = float(np.nansum(panel.sales[a : b + 1, c]))
    expected = float(exp.expected[a : b + 1, c].sum())
    so_far = tail_z(
        np.cumsum(np.nan_to_num(panel.sales[a : b + 1, c])),
        np.cumsum(exp.expected[a : b + 1, c]),
        np.sqrt(np.cumsum(exp.sigma[a : b + 1, c] ** 2)),
        upper=False,
    )
    crossed = np.flatnonzero(so_far >= settings.drop_z)
    detected = a + int(crossed[0]) if len(crossed) else b
    event = Event(
        kind="demand_drop",
        metric="sales",
        store_id=int(panel.store_id[c]),
        sku_id=int(panel.sku_id[c]),
        start=dates[a],
        end=dates[b],
        detected_on=dates[max(detected, a + settings.drop_min_periods - 1)],
        score=float(run_z),
        expected=expected,
        actual=actual,
        expected_low=float(exp.low[a : b + 1, c].sum()),
        expected_high=float(exp.high[a : b + 1, c].sum()),
        units_at_stake=max(expected - actual, 0.0),
        weekly_units=float(weekly[c]),
    )
    event.value_at_stake = event.units_at_stake * float(unit_price[c])
    event.fired("residual_run", run_z, share=actual / max(expected, 1e-9), periods=int(b - a + 1))
    return event
