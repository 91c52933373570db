"""Reads of the inventory app, always through the actor's scope: the worklist's
recommendations, a store × SKU's policy and projected stock, and the health figures.

Figures are computed in bulk from ``values()`` rows (pandas), never a query per row.
"""

from __future__ import annotations

import math
from datetime import date, timedelta

import pandas as pd
from django.db.models import QuerySet

from accounts.scoping import Scope
from forecasting.models import Forecast, Granularity
from forecasting.selectors import latest_origin
from history.models import SupplyOrder
from inventory.models import (
    InventoryPlanRun,
    InventoryPolicy,
    InventorySettings,
    Recommendation,
    RecommendationStatus,
)
from masterdata.models import SKU, Store

OPEN_PROPOSALS = (RecommendationStatus.PROPOSED,)
APPROVED = (RecommendationStatus.ACCEPTED, RecommendationStatus.EDITED)


def recommendations_in_scope(*, scope: Scope) -> QuerySet[Recommendation]:
    """Every recommendation the actor may see, with what the worklist, its download and the
    API show beside it (no more: each join added costs the planner more than a lookup)."""
    return Recommendation.objects.visible_to(scope).select_related(
        "store", "warehouse", "source_warehouse", "sku__category", "decided_by"
    )


def policies_in_scope(*, scope: Scope) -> QuerySet[InventoryPolicy]:
    return InventoryPolicy.objects.visible_to(scope).select_related(
        "store__region", "warehouse__region", "sku__category", "run"
    )


def latest_plan_run() -> InventoryPlanRun | None:
    """The newest company-wide plan (the one every page summarises), else the newest run
    (a scoped planner's plan covers only their regions and categories)."""
    runs = InventoryPlanRun.objects.order_by("-created_at", "-pk").select_related("job")
    return runs.filter(summary__scope="system").first() or runs.first()


def store_policy(*, scope: Scope, store: Store, sku: SKU) -> InventoryPolicy | None:
    return policies_in_scope(scope=scope).filter(store=store, sku=sku).first()


def projected_stock(*, policy: InventoryPolicy, horizon_days: int) -> dict:
    """The store × SKU's stock day by day from the plan's origin: today's stock, less the
    daily forecast, plus what arrives (open supply orders and approved or proposed
    recommendations), with the forecast's p10–p90 band of daily demand beside it.

    Returns chart-ready lists (ISO dates) and the incoming orders as rows for the table.
    """
    origin = policy.run.origin
    days = [origin + timedelta(days=n) for n in range(1, horizon_days + 1)]
    forecast_origin = latest_origin(Granularity.DAILY)
    rows = (
        Forecast.objects.filter(
            store=policy.store,
            sku=policy.sku,
            granularity=Granularity.DAILY,
            origin=forecast_origin,
            date__gt=origin,
            date__lte=days[-1],
        ).values_list("date", "forecast", "p10", "p90")
        if forecast_origin is not None
        else []
    )
    by_day = {day: (f, lo, hi) for day, f, lo, hi in rows}
    incoming = _incoming(policy=policy, start=days[0], end=days[-1])
    arrivals: dict[date, float] = {}
    for order in incoming:
        arrivals[order["date"]] = arrivals.get(order["date"], 0.0) + order["quantity"]
    stock = float(policy.on_hand)
    mean = float(policy.demand_per_day)
    projected, forecast, p10, p90 = [], [], [], []
    for day in days:
        f, lo, hi = by_day.get(day, (mean, math.nan, math.nan))
        stock = max(stock - f, 0.0) + arrivals.get(day, 0.0)
        projected.append(round(stock, 2))
        forecast.append(round(f, 2))
        p10.append(None if lo != lo else round(lo, 2))
        p90.append(None if hi != hi else round(hi, 2))
    return {
        "x": [day.isoformat() for day in days],
        "projected": projected,
        "forecast": forecast,
        "p10": p10,
        "p90": p90,
        "safety_stock": policy.safety_stock,
        "reorder_point": policy.reorder_point,
        "order_up_to": policy.order_up_to,
        "incoming": [{**order, "date": order["date"].isoformat()} for order in incoming],
        "forecast_found": bool(by_day),
    }


def _incoming(*, policy: InventoryPolicy, start: date, end: date) -> list[dict]:
    """What arrives at the store within the horizon: open supply orders (by their promised
    date) and the plan's recommendations not rejected (by their arrival date)."""
    orders = SupplyOrder.objects.filter(
        store=policy.store,
        sku=policy.sku,
        received_on__isnull=True,
        promised_on__gte=start,
        promised_on__lte=end,
    ).values_list("order_ref", "promised_on", "quantity_ordered")
    incoming = [
        {"what": f"Open order {ref}", "date": day, "quantity": float(qty), "status": "open"}
        for ref, day, qty in orders
    ]
    recommended = (
        Recommendation.objects.filter(store=policy.store, sku=policy.sku, run=policy.run)
        .exclude(status=RecommendationStatus.REJECTED)
        .filter(arrival_date__gte=start, arrival_date__lte=end)
        .values_list("pk", "arrival_date", "quantity", "final_quantity", "status")
    )
    for pk, day, qty, final, status in recommended:
        incoming.append(
            {
                "what": f"Recommendation #{pk}",
                "date": day,
                "quantity": float(final if final is not None else qty),
                "status": RecommendationStatus(status).label,
            }
        )
    return sorted(incoming, key=lambda order: order["date"])


def _normal_cdf(z: float) -> float:
    return 0.5 * (1.0 + math.erf(z / math.sqrt(2.0)))


def policy_frame(*, scope: Scope) -> pd.DataFrame:
    """The current policies in scope with cost, category and region: the rows the health
    figures are computed from, one per location × SKU."""
    rows = policies_in_scope(scope=scope).values(
        "store_id",
        "warehouse_id",
        "sku_id",
        "sku__code",
        "sku__name",
        "sku__unit_cost",
        "sku__category__name",
        "store__code",
        "store__name",
        "store__region__name",
        "warehouse__region__name",
        "on_hand",
        "on_order",
        "demand_per_day",
        "demand_sd_lead_time",
        "lead_time_days",
        "lead_time_sd_days",
        "safety_stock",
        "reorder_point",
    )
    frame = pd.DataFrame.from_records(list(rows))
    if frame.empty:
        return frame
    frame["unit_cost"] = frame["sku__unit_cost"].astype(float).fillna(0.0)
    frame["category"] = frame["sku__category__name"]
    frame["region"] = frame["store__region__name"].fillna(frame["warehouse__region__name"])
    frame["location"] = frame["store_id"].notna().map({True: "Stores", False: "Warehouses"})
    return frame


def health_figures(frame: pd.DataFrame, *, excess_cover_days: int) -> pd.DataFrame:
    """Per row: stock value, excess stock (beyond ``excess_cover_days`` of forecast demand
    plus the safety stock, valued at cost), days of supply, stock-out risk before the next
    order can arrive (normal demand over the lead time), and yearly demand at cost."""
    out = frame.copy()
    demand = out["demand_per_day"].clip(lower=0.0)
    position = out["on_hand"] + out["on_order"]
    needed = demand * excess_cover_days + out["safety_stock"]
    out["stock_value"] = out["on_hand"] * out["unit_cost"]
    out["excess_units"] = (out["on_hand"] - needed).clip(lower=0.0)
    out["excess_value"] = out["excess_units"] * out["unit_cost"]
    out["days_of_supply"] = (out["on_hand"] / demand).where(demand > 0)
    lead_demand = demand * out["lead_time_days"]
    sd = out["demand_sd_lead_time"]
    z = ((position - lead_demand) / sd).where(sd > 0)
    risk = z.map(lambda v: 1.0 - _normal_cdf(v) if v == v else math.nan)
    out["stockout_risk"] = risk.where(sd > 0, (position < lead_demand).astype(float))
    out["yearly_demand_value"] = demand * 365.0 * out["unit_cost"]
    return out


def health_by(figures: pd.DataFrame, key: str) -> list[dict]:
    """The health figures summed per ``key`` (category or region), largest excess first."""
    if figures.empty:
        return []
    grouped = figures.groupby(key, dropna=False)
    table = pd.DataFrame(
        {
            "series": grouped.size(),
            "stock_value": grouped["stock_value"].sum(),
            "excess_value": grouped["excess_value"].sum(),
            "on_hand": grouped["on_hand"].sum(),
            "demand_per_day": grouped["demand_per_day"].sum(),
            "at_risk": grouped["stockout_risk"].apply(lambda r: int((r >= 0.5).sum())),
            "mean_risk": grouped["stockout_risk"].mean(),
            "yearly_demand_value": grouped["yearly_demand_value"].sum(),
        }
    )
    table["days_of_supply"] = (table["on_hand"] / table["demand_per_day"]).where(
        table["demand_per_day"] > 0
    )
    table["turnover"] = (table["yearly_demand_value"] / table["stock_value"]).where(
        table["stock_value"] > 0
    )
    table["excess_share"] = (table["excess_value"] / table["stock_value"]).where(
        table["stock_value"] > 0
    )
    table = table.sort_values("excess_value", ascending=False).reset_index()
    return [
        {name: (None if isinstance(v, float) and v != v else v) for name, v in row.items()}
        for row in table.rename(columns={key: "name"}).to_dict("records")
    ]


def health_overview(*, scope: Scope) -> dict:
    """The dashboard's totals and its tables by category and region."""
    settings = InventorySettings.current()
    frame = policy_frame(scope=scope)
    if frame.empty:
        return {"series": 0, "excess_cover_days": settings.excess_cover_days}
    figures = health_figures(frame, excess_cover_days=settings.excess_cover_days)
    stock_value = float(figures["stock_value"].sum())
    yearly = float(figures["yearly_demand_value"].sum())
    demand = float(figures["demand_per_day"].sum())
    risky = figures.sort_values("stockout_risk", ascending=False).head(10)
    return {
        "series": len(figures),
        "excess_cover_days": settings.excess_cover_days,
        "stock_value": stock_value,
        "excess_value": float(figures["excess_value"].sum()),
        "excess_share": float(figures["excess_value"].sum()) / stock_value if stock_value else None,
        "at_risk": int((figures["stockout_risk"] >= 0.5).sum()),
        "days_of_supply": float(figures["on_hand"].sum()) / demand if demand else None,
        "turnover": yearly / stock_value if stock_value else None,
        "by_category": health_by(figures, "category"),
        "by_region": health_by(figures, "region"),
        "riskiest": risky[risky["store_id"].notna()][
            [
                "store_id",
                "store__code",
                "store__name",
                "sku_id",
                "sku__code",
                "sku__name",
                "stockout_risk",
                "days_of_supply",
            ]
        ].to_dict("records"),
    }


def _number(value, digits: int = 1) -> str:
    return "—" if value is None else f"{float(value):,.{digits}f}"


def working_steps(policy: InventoryPolicy) -> list[dict]:
    """How the policy's numbers were derived, as steps with formula and figures.

    Reads the engine's stored working (``InventoryPolicy.explanation``: the protection
    window, demand and its spread over it, the distribution, EOQ and its rounding, the
    order-up-to ceiling); keys it does not know are listed by name, so nothing the engine
    recorded is hidden.
    """
    w = dict(policy.explanation or {})
    if isinstance(w.get("steps"), list):
        return [s if isinstance(s, dict) else {"text": str(s)} for s in w["steps"]]
    steps: list[dict] = []
    base = policy.policy_type == "base_stock"
    if "window_days" in w:
        steps.append(
            {
                "label": "Protection window",
                "formula": "lead time L + review R" if base else "lead time L",
                "value": f"{_number(w['window_days'])} days",
                "text": "A base-stock order covers the lead time and the review period."
                if base
                else "Stock is checked at every review, so the reorder point covers the lead "
                "time; the overshoot below it is counted separately.",
            }
        )
    if "demand_over_window" in w:
        steps.append(
            {
                "label": "Forecast demand over the window",
                "formula": "μ = Σ daily forecast",
                "value": f"{_number(w['demand_over_window'])} units",
            }
        )
    parts = [
        (key, name)
        for key, name in (
            ("sd_from_demand", "σ_forecast"),
            ("sd_from_lead_time", "d × σ_L"),
            ("sd_from_undershoot", "σ_undershoot"),
        )
        if key in w
    ]
    total = w.get("sd_total", w.get("sd_over_window"))
    if parts and total is not None:
        steps.append(
            {
                "label": "Uncertainty over the window",
                "formula": "σ = √(" + " + ".join(f"{name}²" for _, name in parts) + ")",
                "value": "√("
                + " + ".join(f"{_number(w[key], 2)}²" for key, _ in parts)
                + f") = {_number(total, 2)} units",
                "text": f"σ_forecast from the forecast's p10–p90 band; σ_L = "
                f"{_number(policy.lead_time_sd_days)} days measured from receipts.",
            }
        )
    if "distribution" in w:
        steps.append(
            {"label": "Demand distribution", "value": str(w["distribution"]).replace("_", " ")}
        )
    kind = "cycle service level" if policy.target_kind == "csl" else "fill rate"
    steps.append(
        {
            "label": "Reorder point",
            "formula": f"smallest r with {kind} ≥ {policy.target:g}",
            "value": f"{_number(policy.reorder_point)} units",
        }
    )
    if "demand_over_window" in w:
        undershoot = w.get("undershoot_mean")
        formula = "SS = r − μ" + (" − mean undershoot" if undershoot is not None else "")
        figures = f"{_number(policy.reorder_point)} − {_number(w['demand_over_window'])}" + (
            f" − {_number(undershoot)}" if undershoot is not None else ""
        )
        steps.append(
            {
                "label": "Safety stock",
                "formula": formula,
                "value": f"{figures} = {_number(policy.safety_stock)} units",
            }
        )
    if "eoq" in w:
        steps.append(
            {
                "label": "Economic order quantity",
                "formula": "EOQ = √(2 K d / h)",
                "value": f"√(2 × {_number(w.get('order_cost'), 2)} × "
                f"{_number(policy.demand_per_day, 2)} / "
                f"{_number(w.get('holding_cost_per_unit_day'), 4)}) = {_number(w['eoq'])} units",
                "text": "K: cost per order line; h: holding cost per unit and day.",
            }
        )
    if "lot_rounded" in w:
        capped = (
            " capped by the cover and shelf-life limits," if w.get("lot_capped_below_eoq") else ""
        )
        steps.append(
            {
                "label": "Order quantity",
                "formula": "at least the MOQ, in whole cases",
                "value": f"{_number(w['lot_rounded'], 0)} units",
                "text": f"EOQ{capped} raised to the MOQ of {_number(w.get('moq'), 0)} and "
                f"rounded up to cases of {_number(w.get('case_pack'), 0)}.",
            }
        )
    if policy.order_up_to is not None:
        steps.append(
            {
                "label": "Order up to",
                "formula": "S = r + order quantity",
                "value": f"{_number(policy.order_up_to, 0)} units",
            }
        )
    if w.get("order_up_to_ceiling") is not None:
        steps.append(
            {
                "label": "Ceiling from cover and shelf life",
                "value": f"{_number(w['order_up_to_ceiling'])} units",
                "text": "Stock on receipt should sell within the excess-cover days and the "
                "shelf life; at least one case above the reorder point is kept.",
            }
        )
    if w.get("policy_reason"):
        steps.append({"label": "Policy", "text": str(w["policy_reason"])})
    known = {
        "window_days", "review_days", "demand_over_window", "sd_from_demand",
        "sd_from_lead_time", "sd_from_undershoot", "sd_over_window", "sd_total",
        "undershoot_mean", "distribution", "eoq", "eoq_unit_cost", "order_cost",
        "holding_cost_per_unit_day", "lot_after_caps", "lot_rounded", "lot_capped_below_eoq",
        "moq", "case_pack", "order_up_to_ceiling", "policy_reason", "target_kind", "target",
        "shelf_life_days", "shortage_cost_per_unit", "supplier_lot_exceeds_ceiling",
    }  # fmt: skip
    for name, value in w.items():
        if name not in known and not isinstance(value, dict | list):
            steps.append({"label": name.replace("_", " ").capitalize(), "value": value})
    return steps
