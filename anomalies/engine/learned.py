"""The learned detectors: Isolation Forest over a series' period features, DBSCAN across
series of the same week.

The forest is fitted on a sample of ordinary periods and scores only the periods the
residual already finds unusual (a few thousand, not millions): its vote lets a moderate
residual through when the period is also unusual in its context (weekday profile, price,
promotion, event, stock), and its score is shown beside the residual's. DBSCAN clusters the
store-SKU weeks of one week by how far each is from its expectation and from the same SKU
in other stores; the points it leaves as noise behave unlike their peers.
"""

from __future__ import annotations

import numpy as np
from sklearn.cluster import DBSCAN
from sklearn.ensemble import IsolationForest

from anomalies.engine.expectation import Expectation, _nanmedian
from anomalies.engine.panel import Panel

FOREST_SAMPLE = 20_000
FOREST_TREES = 100
PEER_MIN_SAMPLES = 5


def period_features(panel: Panel, exp: Expectation, rows: np.ndarray, cols: np.ndarray):
    """Per period of a series: level, residual, weekday-profile deviation, promotion,
    the store's day factor (events, holidays), price against the series' usual, stock cover."""
    sales = panel.sales[rows, cols]
    z = (sales - exp.expected[rows, cols]) / exp.sigma[rows, cols]
    weekday = panel.dates.day_of_week.to_numpy()[rows]
    profile = _weekday_profile(panel)
    usual_price = _nanmedian(panel.price, axis=0)
    book = panel.book[rows, cols]
    cover = np.where(np.isnan(book), 0.0, np.log1p(np.maximum(book, 0) / exp.plain[rows, cols]))
    return np.column_stack(
        [
            np.log1p(sales),
            np.clip(z, -20, 50),
            np.log((sales + 1) / (profile[weekday, cols] + 1)),
            panel.promo[rows, cols].astype(float),
            np.log(exp.day_factor[rows, cols]),
            np.nan_to_num(np.log(panel.price[rows, cols] / usual_price[cols])),
            cover,
        ]
    )


def _weekday_profile(panel: Panel) -> np.ndarray:
    weekday = panel.dates.day_of_week.to_numpy()
    profile = np.zeros((7, panel.n_series))
    for day in range(7):
        with np.errstate(all="ignore"):
            profile[day] = np.nan_to_num(np.nanmean(panel.sales[weekday == day], axis=0))
    return profile


def forest_scores(
    panel: Panel, exp: Expectation, rows: np.ndarray, cols: np.ndarray, quantile: float, seed=0
) -> tuple[np.ndarray, float]:
    """Anomaly scores (higher = more isolated) of the given cells, and the score above which
    the forest calls a cell unusual (the ``quantile`` of a sample of all cells)."""
    known_rows, known_cols = np.nonzero(~np.isnan(panel.sales))
    if len(known_rows) == 0 or len(rows) == 0:
        return np.zeros(len(rows)), np.inf
    rng = np.random.default_rng(seed)
    pick = rng.choice(len(known_rows), min(FOREST_SAMPLE, len(known_rows)), replace=False)
    sample = period_features(panel, exp, known_rows[pick], known_cols[pick])
    forest = IsolationForest(n_estimators=FOREST_TREES, random_state=seed).fit(sample)
    threshold = float(np.quantile(-forest.score_samples(sample), quantile))
    return -forest.score_samples(period_features(panel, exp, rows, cols)), threshold


def peer_outliers(
    panel: Panel, exp: Expectation, min_ratio: float, eps: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(week start row, column, week log-ratio) of store-SKU weeks unlike their peers.

    Weeks are the scored periods in blocks of seven from the first scored day.
    """
    start, stop = panel.score_rows.start, panel.score_rows.stop
    out_rows, out_cols, out_ratio = [], [], []
    for a in range(start, stop, 7):
        b = min(a + 7, stop)
        actual = np.nansum(panel.sales[a:b], axis=0)
        expected = np.nansum(exp.expected[a:b], axis=0)
        known = ~np.all(np.isnan(panel.sales[a:b]), axis=0)
        if known.sum() < 2 * PEER_MIN_SAMPLES:
            continue
        ratio = np.log((actual + 1) / (expected + 1))
        sku_median = np.zeros_like(ratio)
        for sku in np.unique(panel.sku_id[known]):
            at = known & (panel.sku_id == sku)
            sku_median[at] = np.median(ratio[at])
        features = np.column_stack([ratio, ratio - sku_median])[known]
        centre = np.median(features, axis=0)
        spread = 1.4826 * np.median(np.abs(features - centre), axis=0)
        scaled = (features - centre) / np.maximum(spread, 1e-3)
        labels = DBSCAN(eps=eps, min_samples=PEER_MIN_SAMPLES).fit_predict(scaled)
        noise = np.flatnonzero(known)[(labels == -1) & (np.abs(ratio[known]) >= np.log(min_ratio))]
        out_rows.extend([a] * len(noise))
        out_cols.extend(noise.tolist())
        out_ratio.extend(ratio[noise].tolist())
    return np.array(out_rows, int), np.array(out_cols, int), np.array(out_ratio, float)
