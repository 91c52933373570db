"""The whitelist of read-only tools the assistant may run, each wrapping the pages' selectors.

Every tool runs with the asking user's ``Scope`` (never one from the model: scope is not an
argument), so a planner scoped to one region learns nothing about another through the
assistant: a member outside the scope is simply "not found", exactly as pages answer 404.
No tool writes. Arguments are checked against the tool's JSON schema before it runs, and
unknown tool names are refused.

A result carries ``data`` (numbers, and names as plain data: SKU names and alert summaries
are untrusted text and travel only as JSON values, never as instructions), ``facts`` (the
headline figures with their units, from which answers and the fallback narrative are
written) and ``sources`` (the pages that show the same numbers).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone

from accounts.scoping import Scope, category_subtree_ids
from anomalies.models import AlertKind, Severity
from anomalies.selectors import inbox_alerts
from assistant.answers import Source
from assistant.charts import chart_data
from assistant.engine.chart_spec import CHART_SPEC_SCHEMA, ChartSpecError, validate_chart_spec
from assistant.engine.periods import PERIODS, resolve_period, same_days_last_year
from assistant.engine.tool_calls import ToolCallError, check_arguments, parse_arguments
from forecasting.selectors import SALES_MEASURE, forecasts_in_scope, latest_origin
from history.selectors import sales_in_scope
from inventory.models import InventorySettings, RecommendationStatus
from inventory.selectors import health_figures, policy_frame, recommendations_in_scope
from masterdata.selectors import category_list, company, region_list, sku_list, store_list
from pilots.analysis import pilot_analysis
from pilots.models import PILOT_READER_ROLES, Pilot, PilotStatus
from planning.selectors import cycle_current, meeting_numbers, version_for_meeting

MEMBER_KINDS = ("region", "category", "store", "sku")
RISK_THRESHOLD = 0.5
MAX_ROWS = 10


@dataclass(frozen=True)
class Fact:
    """A headline figure: what it is, its value and its unit (units, a currency, %, …)."""

    key: str
    label: str
    value: float | int | None
    unit: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {"key": self.key, "label": self.label, "value": self.value, "unit": self.unit}


@dataclass(frozen=True)
class ToolResult:
    """What one tool returned: JSON-able data for the model, facts and sources."""

    tool: str
    arguments: dict[str, Any]
    ok: bool
    data: dict[str, Any] = field(default_factory=dict)
    facts: tuple[Fact, ...] = ()
    sources: tuple[Source, ...] = ()
    error: str = ""

    def fact(self, key: str) -> float | int | None:
        return next((f.value for f in self.facts if f.key == key), None)

    def for_model(self) -> dict[str, Any]:
        """The message content sent back to the model: data only, clearly labelled."""
        if not self.ok:
            return {"tool": self.tool, "error": self.error}
        return {
            "tool": self.tool,
            "facts": [f.as_dict() for f in self.facts],
            "data": self.data,
            "sources": [s.label for s in self.sources],
        }

    @property
    def summary(self) -> str:
        if not self.ok:
            return self.error
        return "; ".join(f"{f.label}: {f.value} {f.unit}".strip() for f in self.facts[:4])


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    parameters: dict[str, Any]
    run: Callable[..., ToolResult]

    def as_ollama(self) -> dict[str, Any]:
        """The tool as Ollama's ``tools`` list expects it (OpenAI-style function)."""
        return {
            "type": "function",
            "function": {
                "name": self.name,
                "description": self.description,
                "parameters": self.parameters,
            },
        }


class NotInScope(LookupError):
    """A region, category, store or SKU the user named is not among those they can see."""


# --- members and filters ------------------------------------------------------------------


def _listing(kind: str, scope: Scope) -> QuerySet:
    return {
        "region": region_list,
        "category": category_list,
        "store": store_list,
        "sku": sku_list,
    }[kind](scope)


def find_member(scope: Scope, kind: str, text: str):
    """The region/category/store/SKU whose code or name is ``text``, within ``scope``."""
    text = text.strip()
    member = _listing(kind, scope).filter(Q(code__iexact=text) | Q(name__iexact=text)).first()
    if member is None:
        raise NotInScope(f"No {kind} matching {text!r} among those you can see.")
    return member


@dataclass(frozen=True)
class Narrowing:
    """The members a tool call narrowed to, resolved within the scope."""

    region: Any = None
    category: Any = None
    store: Any = None
    sku: Any = None

    def fact_q(self, *, store: str = "store", sku: str = "sku") -> Q:
        """Rows keyed by store and SKU (facts, forecasts, policies) within the narrowing."""
        q = Q()
        if self.region is not None:
            q &= Q(**{f"{store}__region": self.region})
        if self.store is not None:
            q &= Q(**{store: self.store})
        if self.category is not None:
            q &= Q(**{f"{sku}__category__in": sorted(category_subtree_ids({self.category.pk}))})
        if self.sku is not None:
            q &= Q(**{sku: self.sku})
        return q

    def described(self) -> dict[str, str]:
        return {
            kind: f"{member.code} {member.name}"
            for kind in MEMBER_KINDS
            if (member := getattr(self, kind)) is not None
        }


def _narrowing(scope: Scope, args: dict[str, Any]) -> Narrowing:
    return Narrowing(
        **{kind: find_member(scope, kind, args[kind]) for kind in MEMBER_KINDS if args.get(kind)}
    )


def _member_properties() -> dict[str, Any]:
    return {
        kind: {
            "type": "string",
            "maxLength": 120,
            "description": f"The {kind}'s code or exact name (optional).",
        }
        for kind in MEMBER_KINDS
    }


def _currency() -> str:
    return company().currency


def _number(value) -> float | None:
    return None if value is None or value != value else round(float(value), 2)


def _change_pct(now: float | None, before: float | None) -> float | None:
    if now is None or not before:
        return None
    return round((now - before) / before * 100.0, 1)


def _anchor(scope: Scope) -> dt.date | None:
    """The last day with sales in scope: periods are counted back from the data, not today."""
    return sales_in_scope(scope).aggregate(last=Max("date"))["last"]


def _link(label: str, name: str, *args) -> Source:
    return Source(label=label, url=reverse(name, args=args))


def _member_sources(narrowing: Narrowing) -> tuple[Source, ...]:
    sources = []
    if narrowing.store is not None:
        sources.append(
            _link(
                f"Store {narrowing.store.code} {narrowing.store.name}",
                "masterdata:store",
                narrowing.store.pk,
            )
        )
    if narrowing.sku is not None:
        sources.append(
            _link(
                f"SKU {narrowing.sku.code} {narrowing.sku.name}", "masterdata:sku", narrowing.sku.pk
            )
        )
    return tuple(sources)


# --- the tools ------------------------------------------------------------------------------


def find_master_data(scope: Scope, *, kind: str, query: str) -> ToolResult:
    """Stores, SKUs, regions or categories whose code or name contains ``query``."""
    query = query.strip()
    rows = list(
        _listing(kind, scope)
        .filter(Q(code__icontains=query) | Q(name__icontains=query))
        .values("code", "name")[:MAX_ROWS]
    )
    page = {"store": "masterdata:store_list", "sku": "masterdata:sku_list"}.get(
        kind, "masterdata:overview"
    )
    return ToolResult(
        tool="find_master_data",
        arguments={"kind": kind, "query": query},
        ok=True,
        data={"kind": kind, "matches": rows},
        facts=(Fact("matches", f"{kind.capitalize()} matches", len(rows)),),
        sources=(_link({"store": "Stores", "sku": "SKUs"}.get(kind, "Data overview"), page),),
    )


def sales_summary(
    scope: Scope,
    *,
    period: str = "last_4_weeks",
    group_by: str | None = None,
    **members: str,
) -> ToolResult:
    """Units and value sold in a period (against the same weeks last year), optionally by
    region, category, store or SKU."""
    arguments = {"period": period, "group_by": group_by, **members}
    narrowing = _narrowing(scope, members)
    anchor = _anchor(scope)
    currency = _currency()
    if anchor is None:
        return ToolResult(
            tool="sales_summary",
            arguments=arguments,
            ok=True,
            data={"message": "No sales in your scope yet."},
            sources=(_link("Data overview", "masterdata:overview"),),
        )
    start, end = resolve_period(period, anchor)
    facts_q = sales_in_scope(scope).filter(narrowing.fact_q())
    now = facts_q.filter(date__range=(start, end)).aggregate(
        units=Sum("quantity"), value=Sum("revenue")
    )
    ly_start, ly_end = same_days_last_year(start, end)
    before = facts_q.filter(date__range=(ly_start, ly_end)).aggregate(
        units=Sum("quantity"), value=Sum("revenue")
    )
    rows = []
    if group_by:
        path = {
            "region": "store__region",
            "category": "sku__category",
            "store": "store",
            "sku": "sku",
        }[group_by]
        rows = [
            {
                "code": row[f"{path}__code"],
                "name": row[f"{path}__name"],
                "units": _number(row["units"]),
                "value": _number(row["value"]),
            }
            for row in facts_q.filter(date__range=(start, end))
            .values(f"{path}__code", f"{path}__name")
            .annotate(units=Sum("quantity"), value=Sum("revenue"))
            .order_by("-value", "-units", f"{path}__code")[:MAX_ROWS]
        ]
    facts = (
        Fact("units", "Units sold", _number(now["units"] or 0.0), "units"),
        Fact("value", "Sales value", _number(now["value"] or 0.0), currency),
        Fact(
            "units_vs_last_year_pct",
            "Units against the same weeks last year",
            _change_pct(now["units"], before["units"]),
            "%",
        ),
    )
    return ToolResult(
        tool="sales_summary",
        arguments=arguments,
        ok=True,
        data={
            "period": {"name": period, "from": start.isoformat(), "to": end.isoformat()},
            "narrowed_to": narrowing.described(),
            "last_year_units": _number(before["units"]),
            "last_year_value": _number(before["value"]),
            "rows": rows,
        },
        facts=facts,
        sources=(_link("Data overview", "masterdata:overview"), *_member_sources(narrowing)),
    )


def forecast_outlook(scope: Scope, *, days: int = 7, **members: str) -> ToolResult:
    """The latest daily forecast for the next ``days`` days against the last ``days`` days
    sold, and the SKUs whose forecast rose most."""
    arguments = {"days": days, **members}
    narrowing = _narrowing(scope, members)
    source = _link("Forecast explorer", "forecasting:explorer")
    origin = latest_origin("D")
    if origin is None:
        return ToolResult(
            tool="forecast_outlook",
            arguments=arguments,
            ok=True,
            data={"message": "No daily forecast has been run yet."},
            sources=(source,),
        )
    horizon_end = origin + dt.timedelta(days=days)
    forecasts = forecasts_in_scope(scope=scope, granularity="D", origin=origin).filter(
        narrowing.fact_q(), date__gt=origin, date__lte=horizon_end
    )
    sold = sales_in_scope(scope).filter(
        narrowing.fact_q(), date__gt=origin - dt.timedelta(days=days), date__lte=origin
    )
    ahead = forecasts.aggregate(total=Sum("forecast"))["total"]
    past = sold.aggregate(total=Sum(SALES_MEASURE))["total"]
    by_sku_ahead = {
        row["sku__code"]: row
        for row in forecasts.values("sku__code", "sku__name").annotate(total=Sum("forecast"))
    }
    by_sku_past = dict(
        sold.values("sku__code")
        .annotate(total=Sum(SALES_MEASURE))
        .values_list("sku__code", "total")
    )
    movers = sorted(
        (
            {
                "sku": code,
                "name": row["sku__name"],
                "forecast": _number(row["total"]),
                "sold_before": _number(by_sku_past.get(code) or 0.0),
                "change": _number(row["total"] - (by_sku_past.get(code) or 0.0)),
            }
            for code, row in by_sku_ahead.items()
        ),
        key=lambda r: (-(r["change"] or 0.0), r["sku"]),
    )[:5]
    return ToolResult(
        tool="forecast_outlook",
        arguments=arguments,
        ok=True,
        data={
            "origin": origin.isoformat(),
            "to": horizon_end.isoformat(),
            "narrowed_to": narrowing.described(),
            "largest_increases": movers,
        },
        facts=(
            Fact("forecast_units", f"Forecast for the next {days} days", _number(ahead), "units"),
            Fact("sold_units", f"Sold in the last {days} days", _number(past), "units"),
            Fact("change_pct", "Forecast against the days before", _change_pct(ahead, past), "%"),
        ),
        sources=(source, *_member_sources(narrowing)),
    )


def stockout_risk(
    scope: Scope, *, within_days: int | None = None, limit: int = MAX_ROWS, **members: str
) -> ToolResult:
    """Store × SKU positions likely to run out (from the current inventory policies), and the
    open replenishment proposals."""
    arguments = {"within_days": within_days, "limit": limit, **members}
    narrowing = _narrowing(scope, members)
    sources = (
        _link("Inventory health", "inventory:health"),
        _link("Replenishment worklist", "inventory:worklist"),
    )
    frame = policy_frame(scope=scope)
    if not frame.empty:
        keep = frame["store_id"].notna()
        if narrowing.region is not None:
            keep &= frame["region"] == narrowing.region.name
        if narrowing.store is not None:
            keep &= frame["store_id"] == narrowing.store.pk
        if narrowing.sku is not None:
            keep &= frame["sku_id"] == narrowing.sku.pk
        if narrowing.category is not None:
            subtree = sorted(category_subtree_ids({narrowing.category.pk}))
            skus = set(sku_list(scope).filter(category__in=subtree).values_list("id", flat=True))
            keep &= frame["sku_id"].isin(skus)
        frame = frame[keep]
    if frame.empty:
        return ToolResult(
            tool="stockout_risk",
            arguments=arguments,
            ok=True,
            data={"message": "No inventory policies in your scope yet (run the inventory plan)."},
            facts=(Fact("at_risk", "Positions at risk of a stock-out", 0),),
            sources=sources,
        )
    settings_row = InventorySettings.objects.order_by("pk").first() or InventorySettings()
    figures = health_figures(frame, excess_cover_days=settings_row.excess_cover_days)
    demand = figures["demand_per_day"].clip(lower=0.0)
    figures["cover_days"] = ((figures["on_hand"] + figures["on_order"]) / demand).where(demand > 0)
    if within_days is not None:
        # "Will run out next week": stock and open orders cover less than the days asked.
        chosen = figures[figures["cover_days"].fillna(float("inf")) < within_days]
        chosen = chosen.sort_values(["cover_days", "sku__code"])
    else:
        # As the inventory health page counts them: a stock-out before an order can arrive
        # is at least as likely as not.
        chosen = figures[figures["stockout_risk"] >= RISK_THRESHOLD]
        chosen = chosen.sort_values(["stockout_risk", "sku__code"], ascending=[False, True])
    rows = [
        {
            "store": row.store__code,
            "store_name": row.store__name,
            "sku": row.sku__code,
            "sku_name": row.sku__name,
            "risk_pct": round(float(row.stockout_risk) * 100.0, 1),
            "cover_days": None if pd.isna(row.cover_days) else round(float(row.cover_days), 1),
        }
        for row in chosen.head(limit).itertuples()
    ]
    proposals = (
        recommendations_in_scope(scope=scope)
        .filter(narrowing.fact_q(), status=RecommendationStatus.PROPOSED)
        .aggregate(count=Count("id"), units=Sum("quantity"), cost=Sum("cost"))
    )
    label = (
        f"Positions whose stock and open orders cover less than {within_days} days"
        if within_days is not None
        else "Positions at risk of a stock-out"
    )
    return ToolResult(
        tool="stockout_risk",
        arguments=arguments,
        ok=True,
        data={
            "narrowed_to": narrowing.described(),
            "risk_threshold_pct": RISK_THRESHOLD * 100,
            "positions": rows,
            "positions_checked": len(figures),
        },
        facts=(
            Fact("at_risk", label, len(chosen)),
            Fact("proposals", "Open replenishment proposals", proposals["count"]),
            Fact("proposal_units", "Units proposed", _number(proposals["units"]) or 0.0, "units"),
            Fact(
                "proposal_cost",
                "Cost of the proposals",
                _number(proposals["cost"]) or 0.0,
                _currency(),
            ),
        ),
        sources=sources,
    )


def open_alerts(
    scope: Scope, *, kind: str | None = None, limit: int = MAX_ROWS, **members: str
) -> ToolResult:
    """Open alerts in the inbox (not held back), by kind, with the largest at stake first."""
    arguments = {"kind": kind, "limit": limit, **members}
    narrowing = _narrowing(scope, members)
    alerts = inbox_alerts(scope).open()
    if narrowing.region is not None:
        alerts = alerts.filter(
            Q(store__region=narrowing.region) | Q(warehouse__region=narrowing.region)
        )
    if narrowing.store is not None:
        alerts = alerts.filter(store=narrowing.store)
    if narrowing.category is not None:
        alerts = alerts.filter(
            sku__category__in=sorted(category_subtree_ids({narrowing.category.pk}))
        )
    if narrowing.sku is not None:
        alerts = alerts.filter(sku=narrowing.sku)
    if kind:
        alerts = alerts.filter(kind=kind)
    labels = dict(AlertKind.choices)
    by_kind = {
        labels.get(row["kind"], row["kind"]): row["n"]
        for row in alerts.values("kind").annotate(n=Count("id")).order_by("-n", "kind")
    }
    totals = alerts.aggregate(n=Count("id"), at_stake=Sum("value_at_stake"))
    high = alerts.filter(severity__gte=Severity.HIGH).count()
    top = list(alerts.order_by("-severity", "-value_at_stake", "pk")[:limit])
    rows = [
        {
            "id": alert.pk,
            "kind": labels.get(alert.kind, alert.kind),
            "severity": alert.get_severity_display(),
            "store": alert.store.code if alert.store else "",
            "sku": alert.sku.code if alert.sku else "",
            "summary": alert.summary,
            "value_at_stake": _number(alert.value_at_stake),
        }
        for alert in top
    ]
    sources = [_link("Alert inbox", "anomalies:inbox")]
    sources += [_link(f"Alert {alert.pk}", "anomalies:alert", alert.pk) for alert in top[:3]]
    return ToolResult(
        tool="open_alerts",
        arguments=arguments,
        ok=True,
        data={"narrowed_to": narrowing.described(), "by_kind": by_kind, "alerts": rows},
        facts=(
            Fact("open", "Open alerts in the inbox", totals["n"]),
            Fact("high", "Of which high severity or worse", high),
            Fact("at_stake", "Value at stake", _number(totals["at_stake"]) or 0.0, _currency()),
        ),
        sources=tuple(sources),
    )


def planning_status(scope: Scope) -> ToolResult:
    """The current S&OP cycle: its stage and its plan against the statistical forecast and
    last year, in units and value (lines in scope only)."""
    cycle = cycle_current(timezone.localdate())
    if cycle is None:
        return ToolResult(
            tool="planning_status",
            arguments={},
            ok=True,
            data={"message": "No planning cycle has been opened yet."},
            sources=(_link("Planning cycles", "planning:cycles"),),
        )
    version = version_for_meeting(cycle)
    numbers = meeting_numbers(version=version, scope=scope) if version else {}
    currency = _currency()
    sources = [_link(f"Cycle {cycle.name}", "planning:cycle", cycle.pk)]
    if version is not None:
        sources.append(_link(f"Meeting view of {cycle.name}", "planning:meeting", cycle.pk))
    return ToolResult(
        tool="planning_status",
        arguments={},
        ok=True,
        data={
            "cycle": cycle.name,
            "month": cycle.month.isoformat(),
            "stage": cycle.get_stage_display(),
            "version": version.number if version else None,
        },
        facts=(
            Fact("plan_units", "Plan", _number(numbers.get("plan")), "units"),
            Fact(
                "statistical_units",
                "Statistical forecast",
                _number(numbers.get("statistical")),
                "units",
            ),
            Fact(
                "vs_statistical_units",
                "Plan against the statistical forecast",
                _number(numbers.get("vs_statistical")),
                "units",
            ),
            Fact("plan_value", "Plan value", _number(numbers.get("plan_value")), currency),
            Fact(
                "vs_last_year_units",
                "Plan against last year",
                _number(numbers.get("vs_last_year")),
                "units",
            ),
        ),
        sources=tuple(sources),
    )


def pilot_scorecard(scope: Scope, *, name: str | None = None) -> ToolResult:
    """Running or finished pilots the scope may read (the pilot pages' rule), with each
    KPI's effect so far and the verdict."""
    if not scope.may(*PILOT_READER_ROLES):
        raise NotInScope("Pilots are read by admins and executives.")
    pilots = (
        Pilot.objects.visible_to(scope)
        .filter(status__in=[PilotStatus.RUNNING, PilotStatus.FINISHED])
        .order_by("-start_date", "pk")
    )
    if name:
        pilots = pilots.filter(name__icontains=name.strip())
    visible = list(pilots.filter(stores__isnull=False).distinct())
    cards = []
    for pilot in visible[:3]:
        analysis = pilot_analysis(pilot=pilot)
        cards.append(
            {
                "pilot": pilot.name,
                "stores": analysis.stores,
                "as_of": analysis.as_of.isoformat(),
                "verdict": analysis.verdict,
                "kpis": [
                    {
                        "kpi": result.label,
                        "effect_pct": None
                        if result.effect is None or result.effect.relative is None
                        else round(result.effect.relative * 100.0, 1),
                        "passes": result.passes,
                    }
                    for result in analysis.results
                ],
            }
        )
    return ToolResult(
        tool="pilot_scorecard",
        arguments={"name": name},
        ok=True,
        data={"pilots": cards},
        facts=(Fact("pilots", "Pilots found", len(visible)),),
        sources=tuple(
            _link(f"Pilot {pilot.name}: KPI page", "pilots:kpis", pilot.pk) for pilot in visible[:3]
        )
        or (_link("Pilots", "pilots:list"),),
    )


def make_chart(scope: Scope, *, spec: dict[str, Any]) -> ToolResult:
    """Draw a chart from a specification (validated against the whitelist)."""
    try:
        chart_spec = validate_chart_spec(spec)
    except ChartSpecError as error:
        return ToolResult(tool="make_chart", arguments={"spec": spec}, ok=False, error=str(error))
    chart = chart_data(spec=chart_spec, scope=scope)
    totals = tuple(
        Fact(
            f"series_{index}",
            f"Total of {series['name']}",
            _number(series["total"]),
            series["unit"],
        )
        for index, series in enumerate(chart["series"][:6])
    )
    return ToolResult(
        tool="make_chart",
        arguments={"spec": chart_spec.as_dict()},
        ok=True,
        data={"spec": chart_spec.as_dict(), "chart": chart},
        facts=totals,
        sources=(_link("Data overview", "masterdata:overview"),),
    )


# --- the whitelist -------------------------------------------------------------------------

_PERIOD = {"type": "string", "enum": list(PERIODS), "description": "Which days to add up."}

TOOLS: dict[str, Tool] = {
    tool.name: tool
    for tool in (
        Tool(
            name="find_master_data",
            description="Find stores, SKUs, regions or categories by (part of) code or name.",
            parameters={
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": list(MEMBER_KINDS)},
                    "query": {"type": "string", "maxLength": 120},
                },
                "required": ["kind", "query"],
            },
            run=find_master_data,
        ),
        Tool(
            name="sales_summary",
            description="Units and value sold in a period, against the same weeks last year, "
            "optionally narrowed to a region/category/store/SKU and broken down by one of them.",
            parameters={
                "type": "object",
                "properties": {
                    "period": _PERIOD,
                    "group_by": {"type": "string", "enum": list(MEMBER_KINDS)},
                    **_member_properties(),
                },
            },
            run=sales_summary,
        ),
        Tool(
            name="forecast_outlook",
            description="The latest daily forecast for the next days against the days just "
            "sold, and the SKUs whose forecast rose most (why a forecast went up).",
            parameters={
                "type": "object",
                "properties": {
                    "days": {"type": "integer", "minimum": 1, "maximum": 28},
                    **_member_properties(),
                },
            },
            run=forecast_outlook,
        ),
        Tool(
            name="stockout_risk",
            description="Store × SKU positions at risk of running out (optionally within a "
            "number of days of supply) and the open replenishment proposals.",
            parameters={
                "type": "object",
                "properties": {
                    "within_days": {"type": "integer", "minimum": 1, "maximum": 90},
                    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_ROWS},
                    **_member_properties(),
                },
            },
            run=stockout_risk,
        ),
        Tool(
            name="open_alerts",
            description="Open anomaly alerts in the inbox, counted by kind, largest first.",
            parameters={
                "type": "object",
                "properties": {
                    "kind": {"type": "string", "enum": [k for k, _ in AlertKind.choices]},
                    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_ROWS},
                    **_member_properties(),
                },
            },
            run=open_alerts,
        ),
        Tool(
            name="planning_status",
            description="The current S&OP planning cycle: stage, plan against the statistical "
            "forecast and last year.",
            parameters={"type": "object", "properties": {}},
            run=planning_status,
        ),
        Tool(
            name="pilot_scorecard",
            description="How running pilots are doing: each KPI's effect so far and the verdict.",
            parameters={
                "type": "object",
                "properties": {"name": {"type": "string", "maxLength": 120}},
            },
            run=pilot_scorecard,
        ),
        Tool(
            name="make_chart",
            description="Draw a chart: fill in a chart specification (no code).",
            parameters={
                "type": "object",
                "properties": {"spec": CHART_SPEC_SCHEMA},
                "required": ["spec"],
            },
            run=make_chart,
        ),
    )
}


def ollama_tools() -> list[dict[str, Any]]:
    return [tool.as_ollama() for tool in TOOLS.values()]


def run_tool(*, scope: Scope, name: str, arguments: object) -> ToolResult:
    """Run whitelisted tool ``name`` for ``scope``; refusals come back as a failed result
    (never an exception), so the model can be told and the answer can say so."""
    if not isinstance(scope, Scope):
        raise TypeError("run_tool needs the asking user's Scope")
    tool = TOOLS.get(name) if isinstance(name, str) else None
    if tool is None:
        allowed = ", ".join(TOOLS)
        return ToolResult(
            tool=str(name)[:60],
            arguments={},
            ok=False,
            error=f"Unknown tool {str(name)[:60]!r} refused; allowed tools: {allowed}.",
        )
    try:
        checked = check_arguments(parse_arguments(arguments), tool.parameters)
    except ToolCallError as error:
        return ToolResult(tool=name, arguments={}, ok=False, error=f"{name}: {error}.")
    try:
        return tool.run(scope, **checked)
    except NotInScope as error:
        return ToolResult(tool=name, arguments=checked, ok=False, error=str(error))
