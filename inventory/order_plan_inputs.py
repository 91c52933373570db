"""The order plan's problem, built in bulk from the policy inputs and the company's settings.

Periods are weeks: the budget is set per week, 28 days make four periods, and a weekly grid
keeps the MILP at a size HiGHS solves within a minute for the demo company (daily periods
would multiply the integer variables by seven for order days a store does not use). Lead
times are rounded to whole weeks (an order placed at the start of a week with a 3-day lead
time is on the shelf that week; with 4 days or more it counts from the next).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd

from accounts.scoping import Scope
from inventory.engine.order_plan import OrderPlanProblem
from inventory.engine.policies import policies_compute
from inventory.inputs import PolicyInputs, policy_inputs_load
from inventory.models import InventorySettings, StorageCapacity
from masterdata.models import Company, Store, Warehouse

PERIOD_DAYS = 7


@dataclass(frozen=True)
class OrderPlanInputs:
    """The problem, and what turns its periods back into dates.

    ``period_starts[t]``: the first day of period ``t`` (the day after ``as_of`` for t = 0);
    an order of period ``t`` is placed on that day and arrives on ``period_starts[arrival]``.
    ``policies``: the policy of every series (same index as ``inputs.series``).
    """

    problem: OrderPlanProblem
    as_of: date
    period_starts: list[date]
    policies: pd.DataFrame
    inputs: PolicyInputs


def _periods(days: float) -> int:
    return math.floor(days / PERIOD_DAYS + 0.5) if np.isfinite(days) else 0


def order_plan_inputs_load(*, scope: Scope, as_of: date | None = None) -> OrderPlanInputs:
    """Read forecasts, stock, lead times, SKU terms, capacities and the budget in bulk."""
    rules = InventorySettings.current()
    n_t = max(1, math.ceil(rules.horizon_days / PERIOD_DAYS))
    inputs = policy_inputs_load(scope=scope, as_of=as_of, horizon_days=n_t * PERIOD_DAYS)
    series = inputs.series
    policies = policies_compute(
        series,
        target_kind=rules.target_kind,
        target=rules.target,
        review_days=PERIOD_DAYS,
        holding_rate_per_year=rules.holding_rate_per_year,
        order_cost=rules.order_cost,
        shortage_cost_share=rules.shortage_cost_share,
        daily_mean=inputs.forecast_mean,
        daily_sd=inputs.forecast_sd,
        max_cover_days=rules.excess_cover_days,
    )
    is_store = (series["location_kind"] == "store").to_numpy()
    store_series = series[is_store]
    wh_series = series[~is_store]

    sku_ids = np.sort(series["sku_id"].unique())
    store_rows = Store.objects.visible_to(scope).filter(pk__in=store_series["store_id"].unique())
    stores = pd.DataFrame.from_records(
        store_rows.values("pk", "code", "name", "warehouse_id"),
        columns=["pk", "code", "name", "warehouse_id"],
    ).set_index("pk")
    stores = stores.sort_index()
    warehouse_ids = set(stores["warehouse_id"].dropna()) | set(wh_series["warehouse_id"].dropna())
    warehouses = pd.DataFrame.from_records(
        Warehouse.objects.filter(pk__in=warehouse_ids).values("pk", "code", "name"),
        columns=["pk", "code", "name"],
    ).set_index("pk")
    warehouses = warehouses.sort_index()
    stores["warehouse_id"] = (
        stores["warehouse_id"]
        .astype(object)
        .where(stores["warehouse_id"].isin(warehouses.index), None)
    )
    capacities = pd.DataFrame.from_records(
        StorageCapacity.objects.values("store_id", "warehouse_id", "capacity_units"),
        columns=["store_id", "warehouse_id", "capacity_units"],
    )
    store_cap = capacities.dropna(subset=["store_id"]).set_index("store_id")["capacity_units"]
    wh_cap = capacities.dropna(subset=["warehouse_id"]).set_index("warehouse_id")["capacity_units"]
    stores["capacity_units"] = stores.index.map(store_cap).astype(float)
    warehouses["capacity_units"] = warehouses.index.map(wh_cap).astype(float)
    stores["name"] = stores["code"] + " " + stores["name"]
    warehouses["name"] = warehouses["code"] + " " + warehouses["name"]
    store_lead = store_series.groupby("store_id")["lead_time_days"].median()
    stores["lead_time_periods"] = stores.index.map(store_lead).map(_periods).fillna(0).astype(int)

    terms = series.drop_duplicates("sku_id").set_index("sku_id").loc[sku_ids]
    supplier_lead = (
        wh_series.groupby("sku_id")["lead_time_days"].median()
        if len(wh_series)
        else store_series.groupby("sku_id")["lead_time_days"].median()
    )
    unit_cost = terms["unit_cost"].astype(float)
    unit_price = terms["unit_price"].astype(float).fillna(unit_cost)
    skus = pd.DataFrame(
        {
            "name": terms["sku_code"] + " " + terms["sku_name"],
            "unit_cost": unit_cost,
            "moq": terms["moq"].astype(float).fillna(1.0),
            "case_pack": terms["case_pack"].fillna(1).astype(int).clip(lower=1),
            "lead_time_periods": [_periods(supplier_lead.get(k, np.nan)) for k in sku_ids],
            "holding_cost_per_period": unit_cost * rules.holding_rate_per_year * PERIOD_DAYS / 365,
            "shortage_cost": rules.shortage_cost_share * unit_price,
        },
        index=sku_ids,
    )

    weekly_mean = inputs.forecast_mean.to_numpy(float).reshape(len(series), n_t, PERIOD_DAYS)
    weekly = np.nan_to_num(weekly_mean.sum(axis=2)).clip(min=0.0)
    store_pos = {sid: i for i, sid in enumerate(stores.index)}
    wh_pos = {wid: i for i, wid in enumerate(warehouses.index)}
    sku_pos = {kid: i for i, kid in enumerate(sku_ids)}
    n_s, n_w, n_k = len(stores), len(warehouses), len(sku_ids)

    def grid(rows: pd.DataFrame, column: str, positions: dict, size: int):
        keep = rows[column].isin(positions.keys()).to_numpy()
        loc = rows.loc[keep, column].map(positions).to_numpy(int)
        sku = rows.loc[keep, "sku_id"].map(sku_pos).to_numpy(int)
        return keep, loc, sku, size

    keep, s_i, k_i, _ = grid(store_series, "store_id", store_pos, n_s)
    demand = np.zeros((n_s, n_k, n_t))
    demand[s_i, k_i] = weekly[is_store][keep]
    store_ss = np.zeros((n_s, n_k))
    store_ss[s_i, k_i] = policies.loc[store_series.index[keep], "safety_stock"].clip(lower=0)
    store_open = np.zeros((n_s, n_k))
    store_open[s_i, k_i] = store_series.loc[keep, "on_hand"].clip(lower=0)
    store_sched = np.zeros((n_s, n_k, n_t))
    # Open orders have no promised week in the policy inputs: they count as arriving first.
    store_sched[s_i, k_i, 0] = store_series.loc[keep, "on_order"].clip(lower=0)

    keep_w, w_i, kw_i, _ = grid(wh_series, "warehouse_id", wh_pos, n_w)
    wh_ss = np.zeros((n_w, n_k))
    wh_ss[w_i, kw_i] = policies.loc[wh_series.index[keep_w], "safety_stock"].clip(lower=0)
    wh_open = np.zeros((n_w, n_k))
    wh_open[w_i, kw_i] = wh_series.loc[keep_w, "on_hand"].clip(lower=0)
    wh_sched = np.zeros((n_w, n_k, n_t))
    wh_sched[w_i, kw_i, 0] = wh_series.loc[keep_w, "on_order"].clip(lower=0)

    period_starts = [inputs.as_of + timedelta(days=1 + PERIOD_DAYS * t) for t in range(n_t)]
    budget = None
    if rules.budget_per_week is not None:
        budget = np.full(n_t, float(rules.budget_per_week))
    company = Company.objects.order_by("pk").first()
    problem = OrderPlanProblem(
        stores=stores[["name", "warehouse_id", "lead_time_periods", "capacity_units"]],
        warehouses=warehouses[["name", "capacity_units"]],
        skus=skus,
        store_demand=demand,
        store_safety_stock=store_ss,
        store_opening_stock=store_open,
        store_scheduled_receipts=store_sched,
        warehouse_safety_stock=wh_ss,
        warehouse_opening_stock=wh_open,
        warehouse_scheduled_receipts=wh_sched,
        budget_per_period=budget,
        order_cost=rules.order_cost,
        transport_cost_per_unit=rules.transport_cost_per_unit,
        period_labels=tuple(f"the week of {d:%-d %b}" for d in period_starts),
        currency=company.currency if company is not None else "EUR",
    )
    return OrderPlanInputs(problem, inputs.as_of, period_starts, policies, inputs)
