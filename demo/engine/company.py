"""`generate_company`: wires the generators together into one immutable demo company."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from demo.engine.anomalies import (
    apply_demand_shocks,
    build_labels,
    inject_entry_errors,
    plan_anomalies,
)
from demo.engine.calendar import build_calendar, default_end_date
from demo.engine.catalogue import build_catalogue
from demo.engine.demand import expected_demand, ranged_mask, sample_demand
from demo.engine.events import build_events
from demo.engine.facts import inventory_frame, sales_frame, supply_orders_frame
from demo.engine.indicators import build_indicators
from demo.engine.pricing import build_promotions, list_price_path
from demo.engine.replenishment import Policy, simulate

STREAMS = (
    "catalogue",
    "indicators",
    "prices",
    "promotions",
    "anomalies",
    "demand",
    "replenishment",
    "entry_errors",
)


@dataclass(frozen=True, eq=False)
class DemoCompany:
    """A complete, internally consistent retail history.

    Codes are strings (categoricals in the large frames). Small master frames hold
    ``datetime.date`` values (None when absent); the large fact frames (`sales`,
    `inventory`, `supply_orders`) hold ``datetime64[s]`` columns (NaT when absent).
    A store-SKU is ranged on days with ``launched_on <= date < discontinued_on``.
    """

    start_date: date
    end_date: date
    regions: pd.DataFrame
    warehouses: pd.DataFrame
    stores: pd.DataFrame
    categories: pd.DataFrame
    skus: pd.DataFrame
    sales: pd.DataFrame
    inventory: pd.DataFrame
    supply_orders: pd.DataFrame
    promotions: pd.DataFrame
    events: pd.DataFrame
    indicators: pd.DataFrame
    anomaly_labels: pd.DataFrame


def generate_company(
    seed: int = 7,
    stores: int = 12,
    skus: int = 120,
    years: int = 3,
    end_date: date | None = None,
    inventory_every_days: int = 7,
) -> DemoCompany:
    """Generate a deterministic demo company: same arguments, identical frames.

    Each stage draws from its own child seed, so changing one generator does not
    reshuffle the randomness of the others.
    """
    cal = build_calendar(end_date or default_end_date(), years)
    rngs = dict(
        zip(
            STREAMS,
            (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(len(STREAMS))),
            strict=True,
        )
    )
    cat = build_catalogue(rngs["catalogue"], cal, stores, skus)
    events = build_events(cal)
    indicators = build_indicators(rngs["indicators"], cal)
    list_price = list_price_path(rngs["prices"], cal, cat)
    promos = build_promotions(rngs["promotions"], cal, cat)
    n_series = cat.n_stores * cat.n_skus
    forecast = expected_demand(
        cal, cat, events, indicators.temperature_anomaly, list_price, promos
    ).reshape(cal.n_days, n_series)

    plan = plan_anomalies(
        rngs["anomalies"],
        cal,
        cat.n_stores,
        cat.sku_first_day,
        cat.sku_end_day,
        cat.sku_intermittent,
    )
    true_mean = forecast.copy()
    apply_demand_shocks(true_mean, plan)
    demand = sample_demand(rngs["demand"], true_mean, np.tile(cat.sku_dispersion, cat.n_stores))
    del true_mean

    def per_series(values: np.ndarray) -> np.ndarray:
        return np.tile(values, cat.n_stores)

    policy = Policy(
        lead_time=per_series(cat.sku_lead_time),
        case_pack=per_series(cat.sku_case_pack),
        moq=per_series(cat.sku_moq),
        cover_days=per_series(cat.sku_cover_days),
        dispersion=per_series(cat.sku_dispersion),
        first_day=per_series(cat.sku_first_day),
        end_day=per_series(cat.sku_end_day),
    )
    snapshot_days = np.arange(cal.n_days - 1, -1, -inventory_every_days)[::-1]
    sim = simulate(
        rngs["replenishment"],
        demand,
        forecast,
        policy,
        plan.disruptions,
        events.closed,
        snapshot_days,
    )
    del demand, forecast
    entry_series, entry_days = inject_entry_errors(rngs["entry_errors"], sim.sales, plan)
    labels = build_labels(
        cal,
        cat.stores["code"].to_numpy(),
        cat.skus["code"].to_numpy(),
        plan,
        sim,
        entry_series,
        entry_days,
    )

    ranged = ranged_mask(cal, cat)
    return DemoCompany(
        start_date=cal.start,
        end_date=cal.end,
        regions=cat.regions,
        warehouses=cat.warehouses,
        stores=cat.stores,
        categories=cat.categories,
        skus=cat.skus,
        sales=sales_frame(cal, cat, ranged, sim, list_price, promos),
        inventory=inventory_frame(cal, cat, ranged, sim),
        supply_orders=supply_orders_frame(cal, cat, sim),
        promotions=promos.frame,
        events=events.frame,
        indicators=indicators.frame,
        anomaly_labels=labels,
    )
