"""Residual detectors on sales: ×10 keying errors, spikes and drops.

A lone period about ten times its expectation whose figure ends in 0, and whose tenth is an
ordinary value, is a keying error, not demand; it is found first and the series is judged
on its tenth from then on. A spike is a run of periods above the expectation covered by a
window of one to ``spike_max_days`` periods whose total is beyond ``spike_z`` (the exact
count tail of the window's sum) and at least ``spike_ratio`` times its expectation (or
beyond ``weak_z`` where the Isolation Forest agrees). A drop is a run of periods below
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
    weekly = 7 * np.nanmean(exp.plain, axis=0)

    # A keying error is explained first, and the series is then judged on the figure that
    # was meant (its tenth): a ×10 day beside a busy one is not a two-day spike.
    keyed = _keying_errors(safe_sales, expected, sigma, z, settings)
    for r, c in zip(*np.nonzero(keyed & scored), strict=True):
        events.append(_entry_error(panel, exp, z, c, r, unit_price, weekly))
    safe_sales = np.where(keyed, safe_sales / 10, safe_sales)
    z[keyed] = 0.0

    window_z, seed = _window_spikes(safe_sales, expected, sigma, settings)
    # The forest scores every candidate (its score is shown beside the residual's); where
    # it agrees, ``weak_z`` is enough to seed a spike.
    weak_rows, weak_cols = np.nonzero((window_z >= min(settings.weak_z, settings.spike_z)) & scored)
    forest, threshold = forest_scores(panel, exp, weak_rows, weak_cols, settings.forest_quantile)
    seed[weak_rows, weak_cols] |= forest >= threshold
    cells = zip(weak_rows.tolist(), weak_cols.tolist(), strict=True)
    forest_at = dict(zip(cells, forest.tolist(), strict=True))
    cont = (z >= settings.spike_continue_z) & (safe_sales >= 1.5 * expected)
    col, a, b = runs(cont | seed)
    keep = (run_sums(seed.astype(float), col, a, b) > 0) & _in_score(panel, a, b)
    for c, s, e in zip(col[keep], a[keep], b[keep], strict=True):
        events.append(
            _spike(panel, exp, z, window_z, c, s, e, settings, unit_price, weekly, forest_at)
        )

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


def _keying_errors(sales, expected, sigma, z, settings: DetectorSettings) -> np.ndarray:
    """Periods whose figure looks keyed ×10: a round figure (ending in 0), at least
    ``entry_error_ratio`` times the expectation and beyond ``entry_error_z``, whose tenth is
    an ordinary figure for the day (not even a continuation-level deviation)."""
    candidate = (
        (sales >= 10)
        & (np.mod(sales, 10) == 0)
        & (sales >= settings.entry_error_ratio * expected)
        & (expected >= settings.entry_error_min_expected)
        & (z >= settings.entry_error_z)
    )
    rows, cols = np.nonzero(candidate)
    tenth_z = tail_z(sales[rows, cols] / 10, expected[rows, cols], sigma[rows, cols], upper=True)
    keyed = np.zeros(sales.shape, dtype=bool)
    keyed[rows, cols] = tenth_z < settings.spike_continue_z
    return keyed


def _entry_error(panel, exp, z, c, a, unit_price, weekly) -> Event:
    value, expected = float(panel.sales[a, c]), float(exp.expected[a, c])
    event = Event(
        kind="entry_error",
        metric="sales",
        store_id=int(panel.store_id[c]),
        sku_id=int(panel.sku_id[c]),
        start=panel.dates[a],
        end=panel.dates[a],
        detected_on=panel.dates[a],
        score=float(z[a, c]),
        expected=expected,
        actual=value,
        units_at_stake=max(value - expected, 0.0),
        weekly_units=float(weekly[c]),
    )
    event.value_at_stake = event.units_at_stake * float(unit_price[c])
    event.fired(
        "residual", z[a, c], ratio=value / max(expected, 1e-9), peak=str(panel.dates[a].date())
    )
    event.fired("keying_x10", value / expected, tenth=value / 10)
    return event


def _window_spikes(
    sales: np.ndarray, expected: np.ndarray, sigma: np.ndarray, settings: DetectorSettings
) -> tuple[np.ndarray, np.ndarray]:
    """Per period, the strongest upper-tail z of any window of 1 to ``spike_max_days``
    periods that covers it, and the periods of windows that are spikes.

    A spike of a few periods is judged on its total: three days at four times the rate of a
    slow seller are each a few units, none rare alone, while their sum is. The sum of the
    window is read against the count model of the window (its expectations and variances
    summed, the exact negative-binomial tail). A window is a spike when that tail is beyond
    ``spike_z`` and the window sold at least ``spike_ratio`` times its expectation and
    ``spike_min_units`` more than it: rare *and* large. Each period must itself be above its
    expectation, so a window never stretches over ordinary days beside a one-day spike.
    """
    n_rows = sales.shape[0]
    best = np.zeros(sales.shape)
    seed = np.zeros(sales.shape, dtype=bool)
    above = sales > expected  # False where nothing was expected (NaN): such windows are skipped
    cum = {
        name: np.vstack([np.zeros((1, sales.shape[1])), np.nancumsum(values, axis=0)])
        for name, values in (
            ("sales", sales),
            ("expected", expected),
            ("var", sigma**2),
            ("above", above.astype(float)),
        )
    }
    for length in range(1, settings.spike_max_days + 1):
        if length > n_rows:
            break
        total, mean, var, n_above = (
            cum[name][length:] - cum[name][:-length]
            for name in ("sales", "expected", "var", "above")
        )
        with np.errstate(invalid="ignore", divide="ignore"):
            normal = (total - mean) / np.sqrt(var)
        # The exact tail is read only where the normal reading already says "unusual"
        # (the count tail is no heavier than the normal one this far out).
        rows, cols = np.nonzero(
            (normal >= min(settings.weak_z, settings.spike_z) - 1.0)
            & (n_above == length)
            & (total >= settings.spike_ratio * mean)
            & (total - mean >= settings.spike_min_units)
        )
        if not len(rows):
            continue
        tz = tail_z(total[rows, cols], mean[rows, cols], np.sqrt(var[rows, cols]), upper=True)
        for offset in range(length):
            np.maximum.at(best, (rows + offset, cols), tz)
            seed[rows + offset, cols] |= tz >= settings.spike_z
    return best, seed


def _spike(panel, exp, z, window_z, c, a, b, settings, unit_price, weekly, forest_at) -> Event:
    dates = panel.dates
    actual = float(np.nansum(panel.sales[a : b + 1, c]))
    expected = float(exp.expected[a : b + 1, c].sum())
    peak = a + int(np.argmax(z[a : b + 1, c]))
    score = float(max(window_z[a : b + 1, c].max(), z[peak, c]))
    # Known on the first day the run so far is a spike on its own total.
    so_far = tail_z(
        np.cumsum(np.nan_to_num(panel.sales[a : b + 1, c])),
        np.cumsum(exp.expected[a : b + 1, c]),
        np.sqrt(np.cumsum(exp.sigma[a : b + 1, c] ** 2)),
        upper=True,
    )
    crossed = np.flatnonzero(so_far >= settings.spike_z)
    detected = a + int(crossed[0]) if len(crossed) else b
    event = Event(
        kind="demand_spike",
        metric="sales",
        store_id=int(panel.store_id[c]),
        sku_id=int(panel.sku_id[c]),
        start=dates[a],
        end=dates[b],
        detected_on=dates[detected],
        score=score,
        expected=expected,
        actual=actual,
        expected_low=float(exp.low[a : b + 1, c].sum()),
        expected_high=float(exp.high[a : b + 1, c].sum()),
        units_at_stake=max(actual - expected, 0.0),
        weekly_units=float(weekly[c]),
    )
    event.value_at_stake = event.units_at_stake * float(unit_price[c])
    event.fired(
        "residual",
        score,
        ratio=actual / max(expected, 1e-9),
        peak=str(dates[peak].date()),
        periods=int(b - a + 1),
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
