"""Master data: regions, warehouses, stores, the category tree and the SKU range.

Besides the frames, the catalogue carries the hidden per-store and per-SKU parameters
(velocity, intermittency, dispersion, elasticity, life cycle) that drive demand, so that
every later stage draws from one consistent description of the company.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from demo.engine.calendar import Calendar

INTERMITTENT_SHARE = 0.30
LAUNCHED_SHARE = 0.10
DISCONTINUED_SHARE = 0.06

REGIONS = (("NORTH", "North"), ("MIDLANDS", "Midlands"), ("SOUTH", "South"))
WAREHOUSES = (
    ("WH-LEEDS", "Leeds Distribution Centre", "NORTH"),
    ("WH-READING", "Reading Distribution Centre", "SOUTH"),
)
TOWNS = {
    "NORTH": ("Leeds", "York", "Durham", "Harrogate", "Sheffield", "Lancaster", "Hull"),
    "MIDLANDS": ("Derby", "Leicester", "Nottingham", "Coventry", "Lincoln", "Stafford"),
    "SOUTH": ("Reading", "Brighton", "Guildford", "Oxford", "Winchester", "Bath", "Exeter"),
}
FORMATS = ("hypermarket", "supermarket", "convenience")
FORMAT_CYCLE = (0, 1, 1, 2)
FORMAT_AREA_M2 = {
    "hypermarket": (8000, 15000),
    "supermarket": (1500, 4000),
    "convenience": (180, 450),
}
FORMAT_VELOCITY = np.array([2.6, 1.0, 0.4])


@dataclass(frozen=True)
class LeafProfile:
    """How one leaf category sells, prices and is supplied."""

    code: str
    name: str
    parent_code: str
    weight: float
    price_range: tuple[float, float]
    margin_range: tuple[float, float]
    lead_time_range: tuple[int, int]
    case_packs: tuple[int, ...]
    shelf_life_range: tuple[int, int] | None
    velocity: float
    season_amplitude: float
    season_peak_doy: int
    temperature_beta: float
    intermittent_propensity: float
    cover_days: int
    brands: tuple[str, ...]
    products: tuple[str, ...]
    variants: tuple[str, ...]
    sizes: tuple[str, ...]


ROOTS = (("BEV", "Beverages"), ("FOOD", "Food"), ("NONFOOD", "Non-food"))
LEAVES = (
    LeafProfile(
        "BEV-SOFT",
        "Soft drinks",
        "BEV",
        0.14,
        (0.6, 4.5),
        (0.25, 0.40),
        (2, 5),
        (6, 12, 24),
        (180, 365),
        1.4,
        0.30,
        196,
        0.045,
        0.5,
        7,
        ("Fizzco", "Bluepeak", "Sunny Vale", "Zestwell", "Clearbrook", "Orchard Gold", "Volt"),
        (
            "Cola",
            "Lemonade",
            "Orange Crush",
            "Sparkling Water",
            "Still Water",
            "Iced Tea",
            "Energy Drink",
            "Ginger Beer",
            "Cloudy Apple Juice",
            "Tonic Water",
        ),
        ("Original", "Zero Sugar", "Lime", "Cherry"),
        ("330ml", "500ml", "1.5L", "2L", "6x330ml", "12x330ml"),
    ),
    LeafProfile(
        "BEV-ALC",
        "Alcohol",
        "BEV",
        0.12,
        (3.0, 30.0),
        (0.20, 0.35),
        (3, 10),
        (6, 12),
        (365, 720),
        0.7,
        0.15,
        200,
        0.03,
        1.0,
        10,
        ("Old Harbour", "Red Kite", "Stonebridge", "Copper Fox", "Vale Estate", "Northern Lights"),
        (
            "Lager",
            "IPA",
            "Stout",
            "Cider",
            "Merlot",
            "Sauvignon Blanc",
            "Prosecco",
            "Gin",
            "Whisky",
            "Rose",
        ),
        ("Classic", "Reserve", "Export", "Light"),
        ("4x440ml", "10x330ml", "75cl", "70cl", "500ml", "1L"),
    ),
    LeafProfile(
        "FOOD-SNK",
        "Snacks",
        "FOOD",
        0.16,
        (0.5, 4.0),
        (0.30, 0.45),
        (3, 7),
        (12, 24, 36),
        (90, 270),
        1.2,
        0.10,
        350,
        0.0,
        0.6,
        10,
        ("Crunchy Co", "Golden Acre", "Munchwell", "Hedgerow", "Tasty Bite"),
        (
            "Ready Salted Crisps",
            "Salt & Vinegar Crisps",
            "Tortilla Chips",
            "Salted Peanuts",
            "Milk Chocolate Bar",
            "Dark Chocolate Bar",
            "Popcorn",
            "Cereal Bar",
            "Pretzels",
            "Oat Biscuits",
        ),
        ("Original", "Sharing", "Lightly Salted", "Mini"),
        ("25g", "40g", "150g", "200g", "6 pack"),
    ),
    LeafProfile(
        "FOOD-DAI",
        "Dairy",
        "FOOD",
        0.12,
        (0.5, 4.5),
        (0.18, 0.30),
        (1, 2),
        (6, 12),
        (5, 21),
        2.2,
        0.05,
        180,
        0.0,
        0.3,
        2,
        ("Meadow Farm", "Green Pastures", "Dale Churn", "Brookside"),
        (
            "Whole Milk",
            "Semi-Skimmed Milk",
            "Greek Yogurt",
            "Natural Yogurt",
            "Cheddar Cheese",
            "Butter",
            "Double Cream",
            "Cottage Cheese",
            "Fruit Yogurt",
        ),
        ("Organic", "Classic", "Light", "Farmhouse"),
        ("1 pint", "2 pint", "500g", "250g", "4x125g", "300ml"),
    ),
    LeafProfile(
        "FOOD-BAK",
        "Bakery",
        "FOOD",
        0.08,
        (0.6, 3.5),
        (0.35, 0.55),
        (1, 2),
        (6, 10, 12),
        (2, 6),
        2.0,
        0.05,
        350,
        0.0,
        0.2,
        1,
        ("Village Bakehouse", "Hearth & Stone", "Morning Loaf", "Baker's Pride"),
        (
            "White Loaf",
            "Wholemeal Loaf",
            "Sourdough",
            "Croissants",
            "Bagels",
            "Crumpets",
            "Hot Cross Buns",
            "Pitta Bread",
            "Brioche Rolls",
        ),
        ("Classic", "Seeded", "Thick Sliced", "Medium Sliced"),
        ("400g", "800g", "4 pack", "6 pack"),
    ),
    LeafProfile(
        "NF-HOU",
        "Household",
        "NONFOOD",
        0.14,
        (1.0, 12.0),
        (0.30, 0.50),
        (5, 14),
        (6, 12),
        None,
        0.6,
        0.10,
        100,
        0.0,
        1.2,
        14,
        ("Sparkle", "HomeGuard", "PureNest", "Brightside"),
        (
            "Washing Up Liquid",
            "Laundry Detergent",
            "Bleach",
            "Kitchen Roll",
            "Toilet Tissue",
            "Bin Bags",
            "Surface Spray",
            "Dishwasher Tablets",
            "Fabric Conditioner",
        ),
        ("Original", "Lemon", "Eco", "Sensitive"),
        ("500ml", "1L", "2L", "9 roll", "30 pack", "20 pack"),
    ),
    LeafProfile(
        "NF-PER",
        "Personal care",
        "NONFOOD",
        0.14,
        (1.0, 10.0),
        (0.35, 0.55),
        (5, 14),
        (6, 12),
        (365, 1095),
        0.5,
        0.12,
        190,
        0.0,
        1.2,
        14,
        ("Purely", "Nordic Bloom", "DermaCare", "Fresh Day"),
        (
            "Shampoo",
            "Conditioner",
            "Shower Gel",
            "Toothpaste",
            "Deodorant",
            "Sun Cream SPF30",
            "Hand Soap",
            "Razor Blades",
            "Body Lotion",
        ),
        ("Original", "Sensitive", "Men", "Coconut"),
        ("250ml", "400ml", "75ml", "150ml", "4 pack"),
    ),
    LeafProfile(
        "NF-ACC",
        "Accessories",
        "NONFOOD",
        0.10,
        (2.0, 25.0),
        (0.40, 0.60),
        (7, 21),
        (4, 6, 12),
        None,
        0.25,
        0.25,
        350,
        0.0,
        2.0,
        21,
        ("Urban Trail", "Lumen", "Kinfolk", "Carry Co"),
        (
            "Phone Charger",
            "USB Cable",
            "Umbrella",
            "Sunglasses",
            "Reusable Water Bottle",
            "Tote Bag",
            "Earphones",
            "Travel Mug",
            "AA Batteries",
        ),
        ("Black", "Blue", "Grey", "Red"),
        ("1 pc", "2 pack", "4 pack", "Large"),
    ),
)
LEAF_CODES = tuple(leaf.code for leaf in LEAVES)


@dataclass(frozen=True)
class Catalogue:
    """Master frames plus the hidden parameters aligned with their rows."""

    regions: pd.DataFrame
    warehouses: pd.DataFrame
    stores: pd.DataFrame
    categories: pd.DataFrame
    skus: pd.DataFrame
    store_region: np.ndarray  # (S,) region index
    store_format: np.ndarray  # (S,) index into FORMATS
    store_velocity: np.ndarray  # (S,)
    sku_category: np.ndarray  # (K,) index into LEAVES
    sku_rate: np.ndarray  # (K,) units/day in an average supermarket
    sku_intermittent: np.ndarray  # (K,) bool
    sku_dispersion: np.ndarray  # (K,) negative-binomial shape
    sku_elasticity: np.ndarray  # (K,) list-price elasticity (< 0)
    sku_promo_sensitivity: np.ndarray  # (K,) uplift per unit of discount
    sku_trend: np.ndarray  # (K,) log growth per year
    sku_season_scale: np.ndarray  # (K,) multiplies the category's seasonal amplitude
    sku_first_day: np.ndarray  # (K,) first ranged day index (may be < 0)
    sku_end_day: np.ndarray  # (K,) first day no longer ranged (may be > n_days)
    sku_lead_time: np.ndarray  # (K,)
    sku_case_pack: np.ndarray  # (K,)
    sku_moq: np.ndarray  # (K,)
    sku_cover_days: np.ndarray  # (K,)
    affinity: np.ndarray  # (S, K) store-specific velocity multiplier

    @property
    def n_stores(self) -> int:
        return len(self.stores)

    @property
    def n_skus(self) -> int:
        return len(self.skus)


def build_catalogue(
    rng: np.random.Generator, cal: Calendar, n_stores: int, n_skus: int
) -> Catalogue:
    """Draw the company's stores and range for a calendar."""
    regions = pd.DataFrame(REGIONS, columns=["code", "name"])
    warehouses = pd.DataFrame(WAREHOUSES, columns=["code", "name", "region_code"])
    stores, store_region, store_format = _stores(rng, cal, n_stores)
    velocity = FORMAT_VELOCITY[store_format] * rng.lognormal(0.0, 0.15, n_stores)
    categories = pd.DataFrame(
        {
            "code": [code for code, _ in ROOTS] + list(LEAF_CODES),
            "name": [name for _, name in ROOTS] + [leaf.name for leaf in LEAVES],
            "parent_code": pd.Series(
                [None] * len(ROOTS) + [leaf.parent_code for leaf in LEAVES], dtype=object
            ),
        }
    )
    sku_category = _category_counts(n_skus)
    params = _sku_parameters(rng, cal, sku_category)
    skus = _sku_frame(rng, cal, sku_category, params)
    return Catalogue(
        regions=regions,
        warehouses=warehouses,
        stores=stores,
        categories=categories,
        skus=skus,
        store_region=store_region,
        store_format=store_format,
        store_velocity=velocity,
        sku_category=sku_category,
        affinity=rng.lognormal(0.0, 0.25, (n_stores, n_skus)),
        **params,
    )


def _stores(
    rng: np.random.Generator, cal: Calendar, n: int
) -> tuple[pd.DataFrame, np.ndarray, np.ndarray]:
    """Stores round-robin over regions with a hyper/super/convenience mix in each."""
    region = np.arange(n) % len(REGIONS)
    nth_in_region = np.arange(n) // len(REGIONS)
    fmt = np.array(FORMAT_CYCLE)[(nth_in_region + region) % len(FORMAT_CYCLE)]
    rows = []
    for i in range(n):
        region_code = REGIONS[region[i]][0]
        towns = TOWNS[region_code]
        nth = i // len(REGIONS)
        town = towns[nth % len(towns)] + (f" {nth // len(towns) + 1}" if nth >= len(towns) else "")
        fmt_name = FORMATS[fmt[i]]
        low, high = FORMAT_AREA_M2[fmt_name]
        if region_code == "MIDLANDS":
            warehouse = WAREHOUSES[nth % 2][0]
        else:
            warehouse = next(w[0] for w in WAREHOUSES if w[2] == region_code)
        opened = cal.start - timedelta(days=int(rng.integers(365, 25 * 365)))
        rows.append(
            (
                f"ST{i + 1:03d}",
                f"{town} {fmt_name.title()}",
                region_code,
                fmt_name,
                int(rng.integers(low, high) // 10 * 10),
                warehouse,
                opened,
            )
        )
    frame = pd.DataFrame(
        rows,
        columns=[
            "code",
            "name",
            "region_code",
            "store_format",
            "floor_area_m2",
            "warehouse_code",
            "opened_on",
        ],
    )
    return frame, region, fmt


def _category_counts(n_skus: int) -> np.ndarray:
    """Leaf index per SKU, split by category weight with every leaf represented."""
    weights = np.array([leaf.weight for leaf in LEAVES])
    counts = np.floor(weights / weights.sum() * n_skus).astype(int)
    if n_skus >= len(LEAVES):
        counts = np.maximum(counts, 1)
    while counts.sum() < n_skus:
        counts[np.argmax(weights * n_skus - counts)] += 1
    while counts.sum() > n_skus:
        counts[np.argmax(counts)] -= 1
    return np.repeat(np.arange(len(LEAVES)), counts)


def _sku_parameters(
    rng: np.random.Generator, cal: Calendar, cat: np.ndarray
) -> dict[str, np.ndarray]:
    """Hidden demand and supply parameters per SKU."""
    k = len(cat)
    leaves = [LEAVES[c] for c in cat]
    propensity = np.array([leaf.intermittent_propensity for leaf in leaves])
    intermittent = np.zeros(k, dtype=bool)
    n_int = round(INTERMITTENT_SHARE * k)
    intermittent[rng.choice(k, n_int, replace=False, p=propensity / propensity.sum())] = True
    leaf_velocity = np.array([leaf.velocity for leaf in leaves])
    regular_rate = np.clip(rng.lognormal(np.log(5.0), 0.6, k), 2.5, 60.0) * leaf_velocity
    slow_rate = np.exp(rng.uniform(np.log(0.04), np.log(0.35), k))
    rate = np.where(intermittent, slow_rate, np.maximum(regular_rate, 2.0))

    first_day = -rng.integers(90, 8 * 365, k)
    end_day = np.full(k, cal.n_days + 10_000)
    order = rng.permutation(k)
    n_new = round(LAUNCHED_SHARE * k)
    n_gone = round(DISCONTINUED_SHARE * k)
    new, gone = order[:n_new], order[n_new : n_new + n_gone]
    first_day[new] = rng.integers(min(60, cal.n_days // 4), max(cal.n_days - 60, 2), n_new)
    end_day[gone] = rng.integers(cal.n_days // 3, max(cal.n_days - 14, cal.n_days // 3 + 1), n_gone)

    lead = np.array(
        [rng.integers(leaf.lead_time_range[0], leaf.lead_time_range[1] + 1) for leaf in leaves]
    )
    case_pack = np.array([rng.choice(leaf.case_packs) for leaf in leaves])
    return {
        "sku_rate": rate,
        "sku_intermittent": intermittent,
        "sku_dispersion": np.where(
            intermittent, rng.uniform(0.6, 2.0, k), rng.uniform(4.0, 20.0, k)
        ),
        "sku_elasticity": rng.uniform(-2.5, -0.8, k),
        "sku_promo_sensitivity": rng.uniform(2.0, 4.0, k),
        "sku_trend": rng.normal(0.0, 0.12, k),
        "sku_season_scale": rng.uniform(0.6, 1.4, k),
        "sku_first_day": first_day,
        "sku_end_day": end_day,
        "sku_lead_time": lead,
        "sku_case_pack": case_pack,
        "sku_moq": case_pack * rng.choice([1, 1, 2], k),
        "sku_cover_days": np.array([leaf.cover_days for leaf in leaves]) * rng.uniform(0.8, 1.5, k),
    }


def charm_price(value: np.ndarray) -> np.ndarray:
    """Round to the retail '.x9' price points shoppers expect."""
    return np.maximum(np.round(np.round(value * 10) / 10 - 0.01, 2), 0.19)


def _sku_frame(
    rng: np.random.Generator, cal: Calendar, cat: np.ndarray, params: dict[str, np.ndarray]
) -> pd.DataFrame:
    k = len(cat)
    names = np.empty(k, dtype=object)
    price = np.empty(k)
    margin = np.empty(k)
    shelf_life: list[int | None] = [None] * k
    for c, leaf in enumerate(LEAVES):
        idx = np.flatnonzero(cat == c)
        names[idx] = _product_names(rng, leaf, len(idx))
        price[idx] = np.exp(rng.uniform(*np.log(leaf.price_range), len(idx)))
        margin[idx] = rng.uniform(*leaf.margin_range, len(idx))
        if leaf.shelf_life_range is not None:
            for i in idx:
                shelf_life[i] = int(
                    rng.integers(leaf.shelf_life_range[0], leaf.shelf_life_range[1] + 1)
                )
    unit_price = charm_price(price)
    unit_cost = np.minimum(np.round(unit_price * (1 - margin), 2), unit_price - 0.01)

    def to_date(day: int) -> date | None:
        return cal.date_at(day) if day < cal.n_days + 5000 else None

    launched = [cal.date_at(d) for d in params["sku_first_day"]]
    discontinued = [to_date(d) for d in params["sku_end_day"]]
    return pd.DataFrame(
        {
            "code": [f"SKU{i + 1:05d}" for i in range(k)],
            "name": names,
            "category_code": [LEAVES[c].code for c in cat],
            "unit_cost": np.maximum(unit_cost, 0.01),
            "unit_price": unit_price,
            "lead_time_days": params["sku_lead_time"].astype(int),
            "min_order_qty": params["sku_moq"].astype(int),
            "case_pack": params["sku_case_pack"].astype(int),
            "shelf_life_days": pd.array(shelf_life, dtype=object),
            "is_active": [d is None or d > cal.end for d in discontinued],
            "launched_on": launched,
            "discontinued_on": discontinued,
        }
    )


def _product_names(rng: np.random.Generator, leaf: LeafProfile, n: int) -> list[str]:
    """Distinct 'Brand Product Variant Size' names, numbered only if the vocabulary runs out."""
    dims = (len(leaf.brands), len(leaf.products), len(leaf.variants), len(leaf.sizes))
    total = int(np.prod(dims))
    picks = rng.permutation(total)[:n] if n <= total else rng.integers(0, total, n)
    names = []
    for j, flat in enumerate(picks):
        b, p, v, s = np.unravel_index(flat, dims)
        name = f"{leaf.brands[b]} {leaf.products[p]} {leaf.variants[v]} {leaf.sizes[s]}"
        names.append(name if n <= total else f"{name} #{j + 1}")
    return names
