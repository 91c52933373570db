"""Expected demand per (day, store, sku) and the noisy demand drawn from it.

Expected demand is a product of interpretable factors, so each realism requirement is
one term: store velocity x SKU rate x weekday profile (by store format) x yearly
seasonality (by category) x trend x life cycle x list-price elasticity x events and
weather (by region and category) x promotion uplift / post-promotion dip.
Realised demand is negative binomial (gamma-Poisson) around it: mildly over-dispersed
for regular lines, very lumpy with many zero days for slow movers.
"""

from __future__ import annotations

import numpy as np

from demo.engine.calendar import Calendar
from demo.engine.catalogue import LEAVES, Catalogue
from demo.engine.events import EventEffects
from demo.engine.pricing import POST_PROMO_DAYS, Promotions

# Monday..Sunday demand index per store format; big-basket formats peak on Saturday.
WEEKDAY_PROFILE = np.array(
    [
        [0.80, 0.78, 0.82, 0.92, 1.12, 1.45, 1.11],  # hypermarket
        [0.88, 0.86, 0.90, 0.96, 1.12, 1.28, 1.00],  # supermarket
        [0.96, 0.95, 0.97, 1.00, 1.08, 1.06, 0.98],  # convenience
    ]
)
LAUNCH_RAMP_DAYS = 21.0
RUN_DOWN_DAYS = 60
CHUNK_DAYS = 64


def ranged_mask(cal: Calendar, cat: Catalogue) -> np.ndarray:
    """(days, skus) True where the SKU is on sale (launched and not yet discontinued)."""
    day = np.arange(cal.n_days)[:, None]
    return (day >= cat.sku_first_day[None, :]) & (day < cat.sku_end_day[None, :])


def sku_day_factor(cal: Calendar, cat: Catalogue, list_price: np.ndarray) -> np.ndarray:
    """(days, skus) seasonality x trend x life cycle x price elasticity."""
    leaf = cat.sku_category
    amp = np.array([lf.season_amplitude for lf in LEAVES])[leaf] * cat.sku_season_scale
    peak = np.array([lf.season_peak_doy for lf in LEAVES])[leaf]
    season = 1 + amp[None, :] * np.cos(2 * np.pi * (cal.doy[:, None] - peak[None, :]) / 365.25)
    trend = np.exp(cat.sku_trend[None, :] * cal.years_elapsed[:, None])
    day = np.arange(cal.n_days)[:, None]
    since_launch = day - cat.sku_first_day[None, :]
    ramp = 1 - 0.85 * np.exp(-np.maximum(since_launch, 0) / LAUNCH_RAMP_DAYS)
    to_end = cat.sku_end_day[None, :] - day
    run_down = np.clip(0.4 + 0.6 * to_end / RUN_DOWN_DAYS, 0.4, 1.0)
    reference = list_price.mean(axis=0, keepdims=True)
    elasticity = (list_price / reference) ** cat.sku_elasticity[None, :]
    factor = season * trend * ramp * run_down * elasticity * ranged_mask(cal, cat)
    return factor.astype(np.float32)


def promotion_factor(promos: Promotions, days: slice) -> np.ndarray:
    """(days, stores, skus) uplift while promoted and the fading dip in the week after."""
    uplift = np.concatenate([[1.0], promos.uplift]).astype(np.float32)
    depth = np.concatenate([[0.0], np.minimum(0.35, 0.3 * (promos.uplift - 1))])
    end = np.concatenate([[0], promos.end_day]).astype(np.int32)
    after = promos.after[days]
    day = np.arange(days.start, days.stop, dtype=np.int32)[:, None, None]
    fade = (1 - (day - end[after] - 1) / POST_PROMO_DAYS).astype(np.float32)
    return uplift[promos.active[days]] * (1 - depth.astype(np.float32)[after] * fade)


def expected_demand(
    cal: Calendar,
    cat: Catalogue,
    events: EventEffects,
    temperature_anomaly: np.ndarray,
    list_price: np.ndarray,
    promos: Promotions,
) -> np.ndarray:
    """(days, stores, skus) float32 mean units demanded, built in day chunks."""
    beta = np.array([lf.temperature_beta for lf in LEAVES])
    weather = np.exp(beta[None, :, None] * temperature_anomaly[:, None, :])
    region_cat = (events.multiplier * weather).astype(np.float32).transpose(2, 0, 1)
    store_day = WEEKDAY_PROFILE[cat.store_format][:, cal.dow].T.astype(np.float32)
    sku_day = sku_day_factor(cal, cat, list_price)
    base = (cat.store_velocity[:, None] * cat.affinity * cat.sku_rate[None, :]).astype(np.float32)
    lam = np.empty((cal.n_days, cat.n_stores, cat.n_skus), dtype=np.float32)
    for lo in range(0, cal.n_days, CHUNK_DAYS):
        days = slice(lo, min(lo + CHUNK_DAYS, cal.n_days))
        chunk = region_cat[days][:, cat.store_region[:, None], cat.sku_category[None, :]]
        chunk *= store_day[days][:, :, None]
        chunk *= sku_day[days][:, None, :]
        chunk *= base[None, :, :]
        chunk *= promotion_factor(promos, days)
        lam[days] = chunk
    return lam


def sample_demand(rng: np.random.Generator, lam: np.ndarray, dispersion: np.ndarray) -> np.ndarray:
    """Gamma-Poisson draws around (days, series) `lam`, chunked over days to bound memory.

    `dispersion` is the negative-binomial shape per series (small = lumpier).
    """
    out = np.empty(lam.shape, dtype=np.float32)
    for lo in range(0, lam.shape[0], CHUNK_DAYS):
        chunk = lam[lo : lo + CHUNK_DAYS].astype(np.float64)
        rate = rng.gamma(dispersion, chunk / dispersion)
        out[lo : lo + CHUNK_DAYS] = rng.poisson(rate)
    return out
