"""What each period's sales were expected to be, and how far off is unusual for the series.

Where a stored forecast covers the period (a backtest point or a forecast made before it)
its value and quantiles are the expectation, moved by the day factor the SKU's other stores
show against their own forecasts. Elsewhere a seasonal baseline: the series'
level over the last four weeks (promotion days left out, outliers capped at three times the
median of the same weekday over recent weeks) times its store's weekday profile, times the
store's day factor (its SKUs' sales over their baseline that day: holidays, weather, a busy
Saturday move all SKUs of a store together), on promotion days the SKU's promotion uplift,
on calendar event days (holidays, festivals, finals) the SKU's uplift on the event's past
occurrences, and the day factor the SKU's other stores show (read for its category, and
the SKU's own shrunk toward it: its category's seasonal events move it in every store). A
promotion or a holiday the expectation foresees is therefore not an anomaly.

The scale is robust: per series, 1.4826 × the median absolute Pearson residual
``(y − e) / √e`` of its history (at least 1, the Poisson level), so a volatile series needs
a larger deviation than a steady one; for slow sellers, whose median residual cannot see
lumpiness, at least the negative-binomial variance their share of zero days implies; on
promotion days widened by how much the SKU's promotions differ in uplift. Days that ended
sold out on the books are censored demand: left out of the level, the factors and the scale.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.stats import nbinom, norm, poisson

from anomalies.engine.panel import Panel, ScanInputs
from anomalies.engine.runs import run_sums, runs

MIN_EXPECTED = 0.25
MAD_TO_SIGMA = 1.4826
PROMO_PRIOR_UNITS = 20.0  # prior weight (expected units) of the company's promotion uplift
MIN_PROMOTIONS = 5  # promotions of a SKU before the spread of their uplifts means anything
MIN_STORE_SKUS = 10  # SKUs a store needs before its day factor means anything
LEVEL_WEEKS = 4  # the level is the last four weeks' deseasonalised mean
MIN_DISPERSION_PERIODS = 28  # periods a series needs before its zero share is read
ZERO_INFORMATIVE_MEAN = 3.0  # Poisson P(0) ≥ 5 %: a zero is still an outcome of demand
ALPHA_RANGE = (0.01, 20.0)  # NB alpha (1/shape) searched for
DISPERSION_STEPS = 14  # bisection steps: alpha to within 0.05 % of itself
SOLD_OUT_UNITS = 0.5  # a book stock at or below this at the end of a day: the shelf ran out
MIN_EVENT_UNITS = 1.0  # expected units of a SKU on an event day before its ratio means anything
OUTLIER_RATIO = 3.0  # sales beyond 3x (+3) their expectation are capped in shared factors
CATEGORY_FACTOR_UNITS = 20.0  # prior weight (expected units) of "no category effect today"
SKU_FACTOR_UNITS = 50.0  # prior weight of the category's factor against the SKU's own


@dataclass(frozen=True)
class Expectation:
    expected: np.ndarray  # units per period
    plain: np.ndarray  # without promotion uplift (the regular demand rate)
    sigma: np.ndarray  # robust standard deviation of the period's sales
    low: np.ndarray
    high: np.ndarray
    day_factor: np.ndarray  # (dates × series) the store's factor for the day


def _nanmedian(stack: np.ndarray, axis: int) -> np.ndarray:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        return np.nanmedian(stack, axis=axis)


def seasonal_baseline(history: np.ndarray, weeks: int) -> np.ndarray:
    """Median of the same weekday over the ``weeks`` weeks before each period (past only)."""
    n_days = history.shape[0]
    lags = np.full((weeks, *history.shape), np.nan, dtype=np.float32)
    for k in range(1, weeks + 1):
        lag = 7 * k
        if lag < n_days:
            lags[k - 1, lag:] = history[:-lag]
    return _nanmedian(lags, axis=0)


def store_weekday_profile(panel: Panel, history: np.ndarray) -> np.ndarray:
    """Each store's sales by weekday relative to its average day (all its SKUs together:
    precise where a single slow seller's weekday pattern would be noise). (7 × series)."""
    weekday = panel.dates.day_of_week.to_numpy()
    profile = np.ones((7, panel.n_series))
    for store in np.unique(panel.store_id):
        cols = panel.store_id == store
        daily = np.nansum(history[:, cols], axis=1)
        known = ~np.all(np.isnan(history[:, cols]), axis=1)
        means = np.array(
            [
                daily[known & (weekday == d)].mean() if (known & (weekday == d)).any() else np.nan
                for d in range(7)
            ]
        )
        overall = np.nanmean(means)
        if overall > 0:
            profile[:, cols] = np.nan_to_num(means / overall, nan=1.0)[:, None]
    return np.clip(profile, 0.05, 20.0)


def rolling_level(panel: Panel, history: np.ndarray, profile: np.ndarray, days: int) -> np.ndarray:
    """Each series' deseasonalised daily level over the ``days`` before each day (past only):
    the sum of its sales over the sum of the weekday profile of the days it had sales data."""
    weekday = panel.dates.day_of_week.to_numpy()
    known = ~np.isnan(history)
    shape = profile[weekday, :] * known
    sales = np.nan_to_num(history)
    cum_sales = np.vstack([np.zeros((1, history.shape[1])), np.cumsum(sales, axis=0)])
    cum_shape = np.vstack([np.zeros((1, history.shape[1])), np.cumsum(shape, axis=0)])
    rows = np.arange(history.shape[0])
    lo = np.maximum(rows - days, 0)
    total = cum_sales[rows] - cum_sales[lo]
    weight = cum_shape[rows] - cum_shape[lo]
    with np.errstate(invalid="ignore", divide="ignore"):
        level = total / weight
    level[weight < days / 4] = np.nan
    return level


def _capped(sales: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Sales capped at three times their expectation (0 where unknown), so that one series'
    anomaly neither makes a shared factor nor hides itself in it."""
    capped = np.minimum(np.nan_to_num(sales), OUTLIER_RATIO * expected + OUTLIER_RATIO)
    capped[np.isnan(sales) | np.isnan(expected)] = 0.0
    return capped


def store_day_factor(panel: Panel, sales: np.ndarray, baseline: np.ndarray) -> np.ndarray:
    """Each store's ratio of sales to baseline over its SKUs, per day (1 if unknown).

    A ratio of sums, not a median of per-SKU ratios: a count's median lies below its mean
    (a slow seller's typical day is a zero), so a median of ratios reads an ordinary day
    as a quiet one and lowers every expectation of the store by several percent.
    """
    ok = (baseline >= 1) & ~panel.promo & ~np.isnan(sales)
    capped = np.where(ok, _capped(sales, baseline), 0.0)
    weight = np.where(ok, baseline, 0.0)
    factor = np.ones_like(baseline)
    for store in np.unique(panel.store_id):
        cols = panel.store_id == store
        if cols.sum() < MIN_STORE_SKUS:
            continue  # a ratio of a few SKUs would move with the one being judged
        with np.errstate(invalid="ignore", divide="ignore"):
            day = (capped[:, cols].sum(axis=1) + 1) / (weight[:, cols].sum(axis=1) + 1)
        factor[:, cols] = np.clip(np.nan_to_num(day, nan=1.0), 0.2, 5.0)[:, None]
    return factor


def _others_ratio(
    groups: np.ndarray, capped: np.ndarray, weight: np.ndarray, prior: np.ndarray, strength: float
) -> np.ndarray:
    """Per day and series, the sales over the expectation of the *other* series of its
    group, shrunk toward ``prior`` as if ``strength`` expected units had sold at it."""
    factor = np.ones_like(capped)
    for group in np.unique(groups):
        cols = groups == group
        total, base = capped[:, cols].sum(axis=1), weight[:, cols].sum(axis=1)
        others = total[:, None] - capped[:, cols]
        others_base = base[:, None] - weight[:, cols]
        ratio = (others + strength * prior[:, cols]) / (others_base + strength)
        factor[:, cols] = np.clip(ratio, 0.2, 5.0)
    return factor


def shared_day_factor(
    panel: Panel, inputs: ScanInputs, sales: np.ndarray, expected: np.ndarray
) -> np.ndarray:
    """What moves a SKU in every store on a day, read from its other stores.

    A seasonal event for its category, the weather, a company-wide promotion stronger than
    usual move a SKU everywhere: expected, not anomalous; one store alone moving is not.
    One SKU's other stores sell a few units a day, and their daily ratio is mostly count
    noise: divided into the expectation, a quiet day elsewhere would make an ordinary day
    here a spike. So the factor is read first for the SKU's category (its other series
    together, many units a day) and the SKU's own cross-store ratio is shrunk toward it,
    weighing as much as ``SKU_FACTOR_UNITS`` expected units: the SKU's own evidence decides
    where it sold that much elsewhere. The series' own cell is always left out.
    """
    capped = _capped(sales, expected)
    weight = np.where(np.isnan(sales), 0.0, expected)
    category = _category_of(panel, inputs)
    ones = np.ones_like(expected)
    category_factor = _others_ratio(category, capped, weight, ones, CATEGORY_FACTOR_UNITS)
    return _others_ratio(panel.sku_id, capped, weight, category_factor, SKU_FACTOR_UNITS)


def _category_of(panel: Panel, inputs: ScanInputs) -> np.ndarray:
    """Per series, its SKU's category (one group for all where categories are unknown)."""
    if "category_id" not in inputs.skus:
        return np.zeros(panel.n_series, dtype=np.int64)
    category = inputs.skus.set_index("sku_id")["category_id"]
    return category.reindex(panel.sku_id).fillna(-1).to_numpy(np.int64)


def promotion_uplift(panel: Panel, sales: np.ndarray, plain: np.ndarray) -> np.ndarray:
    """Per SKU, its promotion-day sales over their plain expectation (a ratio of sums),
    shrunk toward the company's ratio as if ``PROMO_PRIOR_UNITS`` expected units had sold
    at it.

    A ratio of sums, not a median of daily ratios: a count's median lies below its mean,
    and the median of a promoted slow seller's days read its uplift about an eighth low,
    which made ordinary promotion days spikes. Each day's sales are first capped at three
    times a rough expectation (the SKU's median ratio), so one keyed ×10 promotion day
    cannot lift every promotion of the SKU.
    """
    ok = panel.promo & ~np.isnan(sales) & ~np.isnan(plain)
    if not ok.any():
        return np.ones(panel.n_series)
    ratio = np.where(ok, (sales + 0.5) / (plain + 0.5), np.nan)
    rough = pd.Series(_nanmedian(ratio, axis=0)).groupby(panel.sku_id).transform("median")
    rough = np.nan_to_num(rough.to_numpy(float), nan=1.0)
    got = np.where(ok, _capped(sales, plain * np.maximum(rough, 1.0)[None, :]), 0.0).sum(axis=0)
    base = np.where(ok, plain, 0.0).sum(axis=0)
    overall = got.sum() / max(base.sum(), 1e-9)
    got_sku = pd.Series(got).groupby(panel.sku_id).transform("sum").to_numpy(float)
    base_sku = pd.Series(base).groupby(panel.sku_id).transform("sum").to_numpy(float)
    uplift = (got_sku + PROMO_PRIOR_UNITS * overall) / (base_sku + PROMO_PRIOR_UNITS)
    return np.clip(uplift, 1.0, 20.0)


def uplift_spread(panel: Panel, sales: np.ndarray, plain: np.ndarray) -> np.ndarray:
    """Per series, how much one promotion's uplift differs from another's (the robust
    standard deviation of the log uplift of the SKU's promotions, each promotion's total
    against its plain expectation; 0 with fewer than ``MIN_PROMOTIONS``).

    The expectation takes the SKU's typical uplift, but a deeper discount or a better
    display lifts more: that is uncertainty of the expectation on promotion days, not
    evidence of an anomaly, and it adds to their variance.
    """
    col, a, b = runs(panel.promo)
    if not len(col):
        return np.zeros(panel.n_series)
    demand = np.where(np.isnan(plain), np.nan, sales)
    got = run_sums(demand, col, a, b)
    known = run_sums(np.where(np.isnan(demand), 0.0, plain), col, a, b)
    frame = pd.DataFrame({"sku": panel.sku_id[col], "log_uplift": np.log((got + 1) / (known + 1))})[
        known >= 1
    ]
    grouped = frame.groupby("sku")["log_uplift"]
    mad = grouped.agg(lambda v: MAD_TO_SIGMA * np.median(np.abs(v - np.median(v))))
    mad = mad[grouped.size() >= MIN_PROMOTIONS]
    return pd.Series(panel.sku_id).map(mad).fillna(0.0).to_numpy(float)


def sold_out(panel: Panel) -> np.ndarray:
    """Periods that ended with the shelf empty on the books: their sales are what the stock
    allowed, not what was demanded (censored), so they say nothing of the demand rate."""
    with np.errstate(invalid="ignore"):
        return panel.book <= SOLD_OUT_UNITS


def expectation_build(panel: Panel, inputs: ScanInputs, weeks: int) -> Expectation:
    sales = panel.sales
    censored = sold_out(panel)
    history = np.where(panel.promo | censored, np.nan, sales).astype(np.float32)
    median = seasonal_baseline(history, weeks).astype(float)
    # Outliers (keying errors, spikes) must not lift the level of the weeks after them.
    cap = np.where(np.isnan(median), np.inf, 3 * median + 4 * np.sqrt(median + 1))
    clean = np.where(history > cap, cap, history)
    profile = store_weekday_profile(panel, clean)
    level = rolling_level(panel, clean, profile, 7 * LEVEL_WEEKS)
    weekday = panel.dates.day_of_week.to_numpy()
    baseline = np.where(np.isnan(level), median, level * profile[weekday, :])
    demand = np.where(censored, np.nan, sales)  # what the sales say of demand
    factor = store_day_factor(panel, demand, baseline)
    plain = baseline * factor
    uplift = promotion_uplift(panel, demand, plain)
    expected = np.where(panel.promo, plain * uplift[None, :], plain)
    event_uplift = calendar_uplift(panel, inputs, demand, expected)
    expected = expected * event_uplift
    plain = plain * event_uplift
    shared = shared_day_factor(panel, inputs, demand, np.nan_to_num(expected))
    expected = expected * shared
    plain = plain * shared
    low = np.full_like(expected, np.nan)
    high = np.full_like(expected, np.nan)
    if not inputs.expected.empty:
        stored = inputs.expected
        rows = panel.dates.get_indexer(pd.to_datetime(stored["date"]))
        index = pd.Series(
            np.arange(panel.n_series),
            index=pd.MultiIndex.from_arrays([panel.store_id, panel.sku_id]),
        )
        cols = index.reindex(pd.MultiIndex.from_arrays([stored["store_id"], stored["sku_id"]]))
        cols = cols.to_numpy(float)
        ok = (rows >= 0) & ~np.isnan(cols)
        r, c = rows[ok], cols[ok].astype(np.int64)
        forecast = np.full_like(expected, np.nan)
        forecast[r, c] = stored["expected"].to_numpy(float)[ok]
        low[r, c] = stored["low"].to_numpy(float)[ok]
        high[r, c] = stored["high"].to_numpy(float)[ok]
        # A forecast made weeks ahead cannot see the day's weather or how strongly an
        # event lifts the SKU this year: what its other stores show against their
        # forecasts that day moves it too (and its band with it).
        forecast_shared = shared_day_factor(panel, inputs, demand, np.nan_to_num(forecast))
        has_forecast = ~np.isnan(forecast)
        expected = np.where(has_forecast, forecast * forecast_shared, expected)
        low, high = low * forecast_shared, high * forecast_shared
    expected = np.maximum(expected, MIN_EXPECTED)
    plain = np.maximum(plain, MIN_EXPECTED)
    pearson = np.where(censored, np.nan, (sales - expected) / np.sqrt(expected))
    phi = MAD_TO_SIGMA * _nanmedian(np.abs(pearson - _nanmedian(pearson, 0)), axis=0)
    phi = np.where(np.isnan(phi), 1.0, np.maximum(phi, 1.0))
    alpha = zero_share_dispersion(np.where(censored, np.nan, sales), expected)
    sigma = np.maximum(np.sqrt(expected) * phi[None, :], np.sqrt(expected + alpha * expected**2))
    spread = uplift_spread(panel, demand, plain)
    sigma = np.where(panel.promo, np.sqrt(sigma**2 + (expected * spread[None, :]) ** 2), sigma)
    # A stored forecast's 80 % band (p10–p90) is ±1.28 σ: use it where it is wider.
    band = (high - low) / 2.56
    sigma = np.where(np.isnan(band), sigma, np.maximum(sigma, band))
    low = np.where(np.isnan(low), np.maximum(expected - 1.28 * sigma, 0), low)
    high = np.where(np.isnan(high), expected + 1.28 * sigma, high)
    return Expectation(expected, plain, sigma, low, high, factor)


def _event_keys(panel: Panel, inputs: ScanInputs) -> np.ndarray:
    """(dates × series) an id of the day's calendar events for the series' store, −1 on
    ordinary days; two events on one day make a key of their own (a final on a bank
    holiday is not either alone)."""
    keys = np.full((len(panel.dates), panel.n_series), -1, dtype=np.int64)
    calendar = inputs.calendar
    if calendar.empty:
        return keys
    rows = panel.dates.get_indexer(pd.to_datetime(calendar["date"]))
    frame = pd.DataFrame(
        {"row": rows, "store": calendar["store_id"].to_numpy(), "name": calendar["name"]}
    )
    frame = frame[frame["row"] >= 0]
    if frame.empty:
        return keys
    combined = (
        frame.groupby(["row", "store"])["name"]
        .agg(lambda names: " + ".join(sorted(set(names))))
        .reset_index()
    )
    combined["key"] = pd.factorize(combined["name"])[0]
    store_cols = pd.Series(np.arange(panel.n_series)).groupby(panel.store_id).apply(list)
    for row, store, key in combined[["row", "store", "key"]].itertuples(index=False):
        if store in store_cols.index:
            keys[row, store_cols[store]] = key
    return keys


def calendar_uplift(
    panel: Panel, inputs: ScanInputs, demand: np.ndarray, expected: np.ndarray
) -> np.ndarray:
    """Per period, the SKU's uplift for the day's calendar event (1 on ordinary days and on
    an event the history has not seen yet).

    The uplift of an event for a SKU is read from the event's earlier occurrences only (a
    scan of today knows last year's Mother's Day, not next year's): on each occurrence, the
    SKU's sales over its expectation summed over the stores that had the event (pooled
    across stores, so one store's anomaly does not make the uplift), and the mean of those
    log ratios. It multiplies what the store's day factor already moved: the part of an
    event that lifts this SKU more than the store's other SKUs (flowers on Mother's Day).
    """
    keys = _event_keys(panel, inputs)
    uplift = np.ones_like(expected)
    rows, cols = np.nonzero(keys >= 0)
    if not len(rows):
        return uplift
    cells = pd.DataFrame(
        {
            "row": rows,
            "key": keys[rows, cols],
            "sku": panel.sku_id[cols],
            "sales": demand[rows, cols],
            "expected": expected[rows, cols],
        }
    )
    pooled = cells.dropna().groupby(["key", "sku", "row"])[["sales", "expected"]].sum()
    pooled = pooled[pooled["expected"] >= MIN_EVENT_UNITS].reset_index().sort_values("row")
    pooled["log_uplift"] = np.log((pooled["sales"] + 0.5) / (pooled["expected"] + 0.5))
    grouped = pooled.groupby(["key", "sku"])["log_uplift"]
    # Each occurrence with the mean log uplift of the occurrences up to it; a day reads the
    # latest occurrence strictly before it.
    past = pooled.assign(mean=grouped.cumsum() / (grouped.cumcount() + 1))
    cells["cell"] = np.arange(len(cells))
    looked = pd.merge_asof(
        cells.sort_values("row"),
        past[["key", "sku", "row", "mean"]].sort_values("row"),
        on="row",
        by=["key", "sku"],
        allow_exact_matches=False,
    ).sort_values("cell")
    log_uplift = np.nan_to_num(looked["mean"].to_numpy(float), nan=0.0)
    uplift[rows, cols] = np.exp(np.clip(log_uplift, np.log(0.2), np.log(20.0)))
    return uplift


def zero_share_dispersion(sales: np.ndarray, expected: np.ndarray) -> np.ndarray:
    """Per series, the negative-binomial ``alpha`` (variance = mean + alpha × mean²) whose
    share of zero-sale periods matches the series' own.

    For a slow seller the median absolute residual cannot see over-dispersion (most periods
    sell nothing, and the median residual is that of a zero): a lumpy seller of 0.3 a day
    looks Poisson to it, and every lump of five reads as a rare event. The share of zeros
    can: the lumpier the demand, the more days without a sale at the same mean. Spikes do
    not move it, so it is robust where a variance would not be. Only periods expecting at
    most ``ZERO_INFORMATIVE_MEAN`` units are read: there a zero is an ordinary outcome of
    demand, while a zero where dozens were expected says the shelf or the feed failed (the
    drop and phantom detectors' business), not that demand is lumpy. Where the zeros are no
    more than Poisson's alpha is 0 and the robust scale alone applies.
    """
    known = ~np.isnan(sales) & ~np.isnan(expected) & (expected <= ZERO_INFORMATIVE_MEAN)
    rows, cols = np.nonzero(known)
    n_series = sales.shape[1]
    mean = expected[rows, cols]
    n_known = np.bincount(cols, minlength=n_series)
    per_period = np.maximum(n_known, 1)
    zeros = np.bincount(cols, weights=sales[rows, cols] == 0, minlength=n_series) / per_period
    poisson_zeros = np.bincount(cols, weights=np.exp(-mean), minlength=n_series) / per_period
    # P(0) = (1 + alpha × mean)^(−1/alpha) grows with alpha: bisect (in log alpha) for the
    # least dispersed shape whose zero share reaches the observed one.
    lo = np.full(n_series, np.log(ALPHA_RANGE[0]))
    hi = np.full(n_series, np.log(ALPHA_RANGE[1]))
    for _ in range(DISPERSION_STEPS):
        mid = (lo + hi) / 2
        alpha = np.exp(mid)[cols]
        with np.errstate(over="ignore", under="ignore"):
            p0 = np.bincount(cols, weights=(1 + alpha * mean) ** (-1 / alpha), minlength=n_series)
        reached = p0 / per_period >= zeros
        hi = np.where(reached, mid, hi)
        lo = np.where(reached, lo, mid)
    alpha = np.exp(hi)
    alpha[(n_known < MIN_DISPERSION_PERIODS) | (poisson_zeros >= zeros)] = 0.0
    return alpha[None, :]


def tail_z(observed, mean, sd, upper: bool) -> np.ndarray:
    """How surprising a count is, as the normal deviate of its exact tail probability.

    Counts are not normal: for a slow seller expecting 0.3 a day, 3 units is a large
    deviation in standard deviations yet not rare. The count is read against a negative
    binomial with the expectation's mean and robust variance (Poisson when the variance is
    not above the mean); ``upper`` asks for P(Y ≥ observed), otherwise P(Y ≤ observed).
    """
    observed, mean, sd = (np.asarray(v, dtype=float) for v in (observed, mean, sd))
    var = np.maximum(sd**2, mean)
    over = var > mean * (1 + 1e-6)
    size = np.where(over, mean**2 / np.maximum(var - mean, 1e-12), 1.0)
    prob = np.where(over, size / (size + mean), 0.5)
    k = np.floor(observed)
    if upper:
        tail = np.where(over, nbinom.sf(k - 1, size, prob), poisson.sf(k - 1, mean))
    else:
        tail = np.where(over, nbinom.cdf(k, size, prob), poisson.cdf(k, mean))
    return norm.isf(np.clip(tail, 1e-300, 1.0))
