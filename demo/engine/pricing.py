"""List prices over time and the promotion calendar.

List prices move a few times a year (mostly up, with inflation), ending at the SKU's
current `unit_price`. Promotions run Monday-to-Sunday in non-overlapping windows per
SKU, chain-wide or in one store, and are encoded as a (day, store, sku) matrix of
promotion ids so that later stages can look up discount, mechanic and timing per cell.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from demo.engine.calendar import Calendar
from demo.engine.catalogue import Catalogue, charm_price

PRICE_CHANGES_PER_YEAR = 2.5
SLOT_WEEKS = 6
POST_PROMO_DAYS = 7
MECHANICS = ("price_cut", "multibuy", "display")
MECHANIC_P = (0.55, 0.25, 0.20)
PRICE_CUTS = np.array([10, 15, 20, 25, 30, 33, 40, 50], dtype=float)
PRICE_CUT_P = np.array([0.14, 0.14, 0.2, 0.18, 0.14, 0.08, 0.08, 0.04])
MULTIBUYS = (("3 for 2", 33.33), ("Buy 4 pay 3", 25.0), ("Buy one get one free", 50.0))
DISPLAY_UPLIFT = 0.4


def list_price_path(rng: np.random.Generator, cal: Calendar, cat: Catalogue) -> np.ndarray:
    """(days, skus) shelf price before promotions, ending at the current unit price."""
    k, n_days = cat.n_skus, cal.n_days
    steps = np.zeros((n_days, k))
    n_changes = rng.poisson(PRICE_CHANGES_PER_YEAR * n_days / 365.25, k)
    sku = np.repeat(np.arange(k), n_changes)
    day = rng.integers(1, n_days, len(sku))
    np.add.at(steps, (day, sku), rng.normal(0.025, 0.045, len(sku)))
    log_level = np.cumsum(steps, axis=0)
    log_level -= log_level[-1]
    current = cat.skus["unit_price"].to_numpy()
    return charm_price(current[None, :] * np.exp(log_level))


@dataclass(frozen=True)
class Promotions:
    """The `promotions` frame plus per-cell promotion ids and per-promotion effects."""

    frame: pd.DataFrame
    active: np.ndarray  # (days, stores, skus) int32: promotion row + 1, 0 = none
    after: np.ndarray  # (days, stores, skus) int32: row + 1 of the promotion just ended
    discount: np.ndarray  # (promotions,) fraction
    uplift: np.ndarray  # (promotions,) multiplicative demand effect while active
    end_day: np.ndarray  # (promotions,)


def build_promotions(rng: np.random.Generator, cal: Calendar, cat: Catalogue) -> Promotions:
    """Draw promotion windows and encode them per (day, store, sku)."""
    s, k, n_days = cat.n_stores, cat.n_skus, cal.n_days
    first_monday = int((7 - cal.dow[0]) % 7)
    n_slots = max((n_days - first_monday) // (7 * SLOT_WEEKS), 1)
    p_promo = np.where(cat.sku_intermittent, 0.15, 0.45)
    has = rng.random((k, n_slots)) < p_promo[:, None]
    sku, slot = np.nonzero(has)
    weeks = rng.choice([1, 2], len(sku), p=[0.6, 0.4])
    week = rng.integers(0, SLOT_WEEKS - weeks)
    start = first_monday + 7 * (slot * SLOT_WEEKS + week)
    end = start + 7 * weeks - 1
    keep = (start >= np.maximum(cat.sku_first_day[sku], 0)) & (
        end < np.minimum(cat.sku_end_day[sku], n_days)
    )
    sku, start, end = sku[keep], start[keep], end[keep]
    n = len(sku)
    store = np.where(rng.random(n) < 0.3, rng.integers(0, s, n), -1)

    mechanic = rng.choice(len(MECHANICS), n, p=MECHANIC_P)
    multibuy = rng.integers(0, len(MULTIBUYS), n)
    pct = np.select(
        [mechanic == 0, mechanic == 1],
        [rng.choice(PRICE_CUTS, n, p=PRICE_CUT_P), np.array([m[1] for m in MULTIBUYS])[multibuy]],
        0.0,
    )
    discount = pct / 100
    uplift = np.where(
        mechanic == 2, 1 + DISPLAY_UPLIFT, 1 + cat.sku_promo_sensitivity[sku] * discount
    )

    active = _encode(n_days, s, k, sku, store, start, end)
    after = _encode(n_days, s, k, sku, store, end + 1, end + POST_PROMO_DAYS)

    names = cat.skus["name"].to_numpy()[sku]
    labels = np.where(
        mechanic == 0,
        [f"{p:g}% off" for p in pct],
        np.where(mechanic == 1, np.array([m[0] for m in MULTIBUYS])[multibuy], "Aisle-end display"),
    )
    store_codes = cat.stores["code"].to_numpy()
    frame = pd.DataFrame(
        {
            "code": [f"PR{i + 1:06d}" for i in range(n)],
            "name": [f"{label}: {name}" for label, name in zip(labels, names, strict=True)],
            "store_code": pd.Series(
                [store_codes[x] if x >= 0 else None for x in store], dtype=object
            ),
            "sku_code": cat.skus["code"].to_numpy()[sku],
            "start_date": [cal.date_at(d) for d in start],
            "end_date": [cal.date_at(d) for d in end],
            "mechanic": np.array(MECHANICS)[mechanic],
            "discount_pct": pct,
        }
    )
    return Promotions(
        frame=frame, active=active, after=after, discount=discount, uplift=uplift, end_day=end
    )


def _encode(
    n_days: int,
    n_stores: int,
    n_skus: int,
    sku: np.ndarray,
    store: np.ndarray,
    start: np.ndarray,
    end: np.ndarray,
) -> np.ndarray:
    """Paint non-overlapping [start, end] windows as ids with a cumulative difference array.

    Store -1 means every store. Windows of one SKU never overlap, so the running sum of
    +id at the start and -id after the end is exactly the id inside the window.
    """
    ids = np.arange(1, len(sku) + 1, dtype=np.int32)
    chain = store < 0
    rows = np.concatenate([np.flatnonzero(~chain), np.repeat(np.flatnonzero(chain), n_stores)])
    stores = np.concatenate([store[~chain], np.tile(np.arange(n_stores), int(chain.sum()))])
    diff = np.zeros((n_days + 1, n_stores, n_skus), dtype=np.int32)
    lo = np.clip(start[rows], 0, n_days)
    hi = np.clip(end[rows] + 1, 0, n_days)
    np.add.at(diff, (lo, stores, sku[rows]), ids[rows])
    np.add.at(diff, (hi, stores, sku[rows]), -ids[rows])
    return np.cumsum(diff[:-1], axis=0, dtype=np.int32)
