"""Reading the S&OP cycle for its pages and the ERP: scoped, and in bulk.

The plan grid is one ``GROUP BY`` over the version's lines (rows × weeks), one over the
overrides that touched them and one over the backtest points of the same series, whatever
the number of cells: a 13-week grid of 8 categories costs the same three queries as one of
120 SKUs. Every read goes through the actor's ``Scope``: a scoped planner's grid, exports and
API see only their regions and categories, and a member outside answers 404 in the views.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from urllib.parse import urlencode

import pandas as pd
from django.core.cache import cache
from django.db import models
from django.db.models import F, FloatField, Max, Q, QuerySet, Sum
from django.db.models.functions import Abs, Cast, Coalesce

from accounts.scoping import Scope, category_subtree_ids
from anomalies.models import Alert, Severity
from forecasting.models import BacktestPoint, ForecastRun, Granularity
from masterdata.models import SKU, Category, Region, Store
from planning.models import (
    STAGE_SEQUENCE,
    Override,
    OverrideLine,
    PlanLine,
    PlanningCycle,
    PlanVersion,
    ReviewStage,
    Stage,
    Submission,
    SubmissionStatus,
)
from planning.services import cycle_blockers, cycle_overdue, cycle_weeks, working_version

# How the grid drills: each level's rows, the line field that keys them, and the level below.
ROW_FIELDS = {
    "category": "sku__category_id",
    "region": "store__region_id",
    "store": "store_id",
    "sku": "sku_id",
}


def week_label(week: date) -> str:
    """The company's week, named by the day it ends (weeks may end on any weekday)."""
    return f"w/e {week:%a} {week.day} {week:%b}"


def cycles_in_order() -> QuerySet[PlanningCycle]:
    return PlanningCycle.objects.order_by("-month")


def cycle_current(today: date) -> PlanningCycle | None:
    """The cycle of ``today``'s month, else the newest one."""
    month = today.replace(day=1)
    return PlanningCycle.objects.filter(month=month).first() or cycles_in_order().first()


def version_of(cycle: PlanningCycle, number: int) -> PlanVersion | None:
    return cycle.versions.filter(number=number).first()


def version_for_meeting(cycle: PlanningCycle) -> PlanVersion | None:
    """The version a meeting discusses: the approved one once signed off, else the newest."""
    return cycle.versions.order_by("-number").first()


@dataclass(frozen=True)
class StageStep:
    stage: str
    label: str
    state: str  # done, current or todo
    due_on: date | None
    owner: str
    overdue: bool


def cycle_steps(cycle: PlanningCycle, today: date) -> list[StageStep]:
    """The stages in order with their owner and due date, for the stepper."""
    deadlines = {d.stage: d for d in cycle.deadlines.select_related("owner")}
    overdue = {d.stage for d in cycle_overdue(cycle, today)}
    current = STAGE_SEQUENCE.index(Stage(cycle.stage))
    steps = []
    for index, stage in enumerate(STAGE_SEQUENCE):
        deadline = deadlines.get(stage)
        owner = deadline.owner if deadline else None
        steps.append(
            StageStep(
                stage=stage.value,
                label=stage.label,
                state="done" if index < current else "current" if index == current else "todo",
                due_on=deadline.due_on if deadline else None,
                owner=(owner.get_full_name() or owner.get_username()) if owner else "",
                overdue=stage in overdue,
            )
        )
    return steps


def cycle_versions(cycle: PlanningCycle) -> list[dict]:
    """Every version of the cycle with its author, line count and plan total."""
    totals = {
        row["plan_version"]: row
        for row in PlanLine.objects.filter(plan_version__cycle=cycle)
        .values("plan_version")
        .annotate(total=Sum("quantity"), statistical=Sum("statistical"))
        .order_by()
    }
    versions = []
    for version in cycle.versions.select_related("created_by").order_by("number"):
        figures = totals.get(version.pk, {})
        versions.append(
            {
                "version": version,
                "total": figures.get("total"),
                "statistical": figures.get("statistical"),
                "change": figures["total"] - figures["statistical"] if figures else None,
            }
        )
    return versions


def cycle_overview(cycle: PlanningCycle, today: date) -> dict:
    """What the cycle page shows: stages, blockers, overdue, history, versions, reviews."""
    return {
        "steps": cycle_steps(cycle, today),
        "blockers": cycle_blockers(cycle),
        "overdue": cycle_overdue(cycle, today),
        "transitions": list(cycle.transitions.select_related("by").order_by("-at", "-pk")),
        "versions": cycle_versions(cycle),
        "working": working_version(cycle),
        "submissions": list(
            cycle.submissions.select_related("submitted_by", "reviewed_by", "plan_version")
        ),
    }


@dataclass(frozen=True)
class GridFocus:
    """Where the grid is drilled to: nothing (categories), a category (its regions), a
    category in a region (its stores), or a store (its SKUs in the category)."""

    category: Category | None = None
    region: Region | None = None
    store: Store | None = None

    @property
    def level(self) -> str:
        if self.store is not None:
            return "sku"
        if self.region is not None:
            return "store"
        if self.category is not None:
            return "region"
        return "category"

    def query(self, **extra: object) -> dict[str, object]:
        """The query string of this focus (members by id) plus ``extra``."""
        params = {
            "category": self.category.pk if self.category else None,
            "region": self.region.pk if self.region else None,
            "store": self.store.pk if self.store else None,
        }
        params.update(extra)
        return {k: v for k, v in params.items() if v is not None}

    def trail(self) -> list[tuple[str, str]]:
        """Breadcrumbs: each level's label and the query string that opens it."""
        crumbs = [("All categories", "")]
        members = (self.category, self.region, self.store)
        for depth, member in enumerate(members, start=1):
            if member is not None:
                crumbs.append((f"{member.code} · {member.name}", self.query_string_upto(depth)))
        return crumbs

    def query_string_upto(self, depth: int) -> str:
        keys = ("category", "region", "store")[:depth]
        return urlencode({k: v for k, v in self.query().items() if k in keys})

    def child_query(self, row_id: int) -> str | None:
        """The query string that drills into a row, None for SKU rows (the bottom)."""
        level = self.level
        if level == "sku":
            return None
        return urlencode(self.query(**{level: row_id}))

    def lines_q(self) -> Q:
        """The lines under the focus."""
        q = Q()
        if self.category is not None:
            q &= Q(sku__category_id__in=sorted(category_subtree_ids({self.category.pk})))
        if self.region is not None:
            q &= Q(store__region_id=self.region.pk)
        if self.store is not None:
            q &= Q(store_id=self.store.pk)
        return q


@dataclass
class GridRow:
    id: int
    code: str
    name: str
    cells: list[dict]
    plan: float
    statistical: float
    last_year: float | None
    override_change: float
    latest_override: Override | None
    accuracy: float | None
    drill: dict | None
    edit_level: str | None


@dataclass
class PlanGrid:
    version: PlanVersion
    focus: GridFocus
    weeks: list[date]
    week_labels: list[str]
    rows: list[GridRow]
    week_totals: list[float]
    total: float
    statistical: float
    last_year: float | None
    accuracy_basis: str
    editable: bool = False
    extra: dict = field(default_factory=dict)


# How long the past accuracy of a grid is kept (it is keyed by the forecast run anyway).
ACCURACY_CACHE_SECONDS = 3600

# Which override level an edit of a row at each grid level is.
EDIT_LEVEL = {"category": "category", "region": "category_region", "sku": "line"}


def plan_grid(*, version: PlanVersion, scope: Scope, focus: GridFocus) -> PlanGrid:
    """The version's plan under ``focus``, rows × weeks, with each row's statistical
    forecast, last year, the overrides that changed it and its past accuracy."""
    level = focus.level
    key = ROW_FIELDS[level]
    lines = PlanLine.objects.visible_to(scope).filter(focus.lines_q(), plan_version=version)
    cells = pd.DataFrame.from_records(
        list(
            lines.values(key, "week")
            .annotate(
                quantity=Sum("quantity"),
                statistical=Sum("statistical"),
                last_year=Sum("last_year"),
                edit_version=Max("edit_version"),
            )
            .order_by()
        ),
        columns=[key, "week", "quantity", "statistical", "last_year", "edit_version"],
    ).rename(columns={key: "row"})
    weeks = cycle_weeks(version.cycle)
    members = _members(level, cells["row"].unique().tolist())
    changes, latest = _override_changes(version, scope, focus, key)
    accuracy = _past_accuracy(scope, focus, key)
    # Cells keyed by (row, week) from plain records: a per-cell frame lookup costs more than
    # the query on a store's grid of SKUs.
    by_cell = {(r["row"], r["week"]): r for r in cells.to_dict("records")}
    sums = cells.groupby("row").agg(
        plan=("quantity", "sum"),
        statistical=("statistical", "sum"),
        last_year=("last_year", lambda v: v.sum(min_count=1)),
    )
    rows = []
    for row_id, member in members.items():
        row_cells = []
        for week in weeks:
            cell = by_cell.get((row_id, week))
            if cell is None:
                row_cells.append({"week": week, "quantity": None})
                continue
            row_cells.append(
                {
                    "week": week,
                    "quantity": float(cell["quantity"]),
                    "statistical": float(cell["statistical"]),
                    "last_year": _maybe(cell["last_year"]),
                    "edit_version": int(cell["edit_version"]),
                }
            )
        figures = sums.loc[row_id]
        rows.append(
            GridRow(
                id=row_id,
                code=member.code,
                name=member.name,
                cells=row_cells,
                plan=float(figures["plan"]),
                statistical=float(figures["statistical"]),
                last_year=_maybe(figures["last_year"]),
                override_change=changes.get(row_id, 0.0),
                latest_override=latest.get(row_id),
                accuracy=accuracy.get(row_id),
                drill=focus.child_query(row_id),
                edit_level=EDIT_LEVEL.get(level),
            )
        )
    week_totals = cells.groupby("week")["quantity"].sum() if len(cells) else pd.Series(dtype=float)
    return PlanGrid(
        version=version,
        focus=focus,
        weeks=weeks,
        week_labels=[week_label(w) for w in weeks],
        rows=rows,
        week_totals=[float(week_totals.get(w, 0.0)) for w in weeks],
        total=float(cells["quantity"].sum()) if len(cells) else 0.0,
        statistical=float(cells["statistical"].sum()) if len(cells) else 0.0,
        last_year=_maybe(cells["last_year"].sum(min_count=1)) if len(cells) else None,
        accuracy_basis="backtest",
    )


def _maybe(value) -> float | None:
    return None if value is None or pd.isna(value) else float(value)


def _members(level: str, ids: list[int]) -> dict:
    """The rows' members by id, in code order."""
    model = {"category": Category, "region": Region, "store": Store, "sku": SKU}[level]
    return dict((member.pk, member) for member in model.objects.filter(pk__in=ids).order_by("code"))


def _version_chain(version: PlanVersion) -> list[int]:
    """The version and those it was copied from: a consensus version keeps the overrides
    made in the planner-adjusted version before it."""
    parents = dict(version.cycle.versions.values_list("pk", "based_on_id"))
    chain, current = [], version.pk
    while current is not None and current not in chain:
        chain.append(current)
        current = parents.get(current)
    return chain


def _override_changes(
    version: PlanVersion, scope: Scope, focus: GridFocus, key: str
) -> tuple[dict[int, float], dict[int, Override]]:
    """Per row: the net units overrides added, and the latest override that touched it."""
    line_key = f"line__{key}"
    touched = (
        OverrideLine.objects.filter(
            line__plan_version_id__in=_version_chain(version),
            override__in=Override.objects.visible_to(scope),
        )
        .filter(_prefixed(focus.lines_q(), "line__"))
        .filter(_prefixed(scope.q(region="store__region", category="sku__category"), "line__"))
    )
    sums = list(
        touched.values(line_key)
        .annotate(change=Sum(F("after") - F("before")), last=Max("override_id"))
        .order_by()
    )
    net = {row[line_key]: float(row["change"]) for row in sums}
    last_ids = {row[line_key]: row["last"] for row in sums}
    overrides = Override.objects.select_related(
        "created_by", "category", "region", "store", "sku"
    ).in_bulk(list(set(last_ids.values())))
    return net, {row: overrides[pk] for row, pk in last_ids.items()}


def _prefixed(q: Q, prefix: str) -> Q:
    """``q`` with every lookup moved under ``prefix`` (line filters applied through a join)."""
    moved = Q()
    moved.connector, moved.negated = q.connector, q.negated
    for child in q.children:
        if isinstance(child, Q):
            moved.children.append(_prefixed(child, prefix))
        else:
            moved.children.append((prefix + child[0], child[1]))
    return moved


def _past_accuracy(scope: Scope, focus: GridFocus, key: str) -> dict[int, float]:
    """1 − WAPE of each row's weekly forecasts over their backtest windows (the chosen
    model against the actuals that followed); no entry for a row without actuals.

    Backtest points change only when a weekly forecast run writes them, and summing them is
    the grid's costliest read, so the sums are cached per run, scope and drill-down.
    """
    run = (
        ForecastRun.objects.filter(granularity=Granularity.WEEKLY)
        .order_by("-pk")
        .values_list("pk", flat=True)
        .first()
    )
    newest = BacktestPoint.objects.aggregate(newest=Max("pk"))["newest"]
    if newest is None:
        return {}
    cache_key = "plan-accuracy:" + ":".join(
        str(part)
        for part in (
            run,
            newest,
            sorted(scope.region_ids) if scope.region_ids is not None else "all",
            sorted(scope.category_ids) if scope.category_ids is not None else "all",
            urlencode(focus.query()),
            key,
        )
    )
    cached = cache.get(cache_key)
    if cached is None:
        cached = _backtest_accuracy(scope, focus, key)
        cache.set(cache_key, cached, ACCURACY_CACHE_SECONDS)
    return cached


def _backtest_accuracy(scope: Scope, focus: GridFocus, key: str) -> dict[int, float]:
    points = (
        BacktestPoint.objects.visible_to(scope)
        .filter(focus.lines_q(), granularity=Granularity.WEEKLY)
        .values(key)
        .annotate(
            error=Sum(Abs(F("forecast") - F("actual"))),
            actual=Sum("actual"),
        )
        .order_by()
    )
    return {
        row[key]: max(0.0, 1 - row["error"] / row["actual"])
        for row in points
        if row["actual"] and row["actual"] > 0
    }


def version_lines_export(*, version: PlanVersion, scope: Scope) -> QuerySet:
    """Every line of ``version`` in scope with the names a spreadsheet needs."""
    return (
        PlanLine.objects.visible_to(scope)
        .filter(plan_version=version)
        .order_by("store__code", "sku__code", "week")
        .values(
            "store__code",
            "store__name",
            "store__region__name",
            "sku__code",
            "sku__name",
            "sku__category__name",
            "week",
            "statistical",
            "last_year",
            "quantity",
        )
    )


def approved_plan_lines(*, scope: Scope) -> QuerySet[PlanLine]:
    """Lines of approved versions in scope: what the ERP reads."""
    return PlanLine.objects.visible_to(scope).filter(plan_version__kind="approved")


def approved_version(*, month: date | None) -> PlanVersion | None:
    """The newest approved version of ``month``'s cycle, or of the newest cycle with one."""
    versions = PlanVersion.objects.filter(kind="approved")
    if month is not None:
        versions = versions.filter(cycle__month=month.replace(day=1))
    return versions.order_by("-cycle__month", "-number").first()


def approval_queue(*, user, roles: set[str]) -> dict[str, list[Submission]]:
    """What waits for ``user``: their own submissions (planners), the demand and supply
    reviews (admins), the sign-offs (executives)."""
    base = Submission.objects.select_related("cycle", "plan_version", "submitted_by", "reviewed_by")
    queue: dict[str, list[Submission]] = {}
    if "planner" in roles or "admin" in roles:
        queue["mine"] = list(base.filter(submitted_by=user)[:50])
    if "admin" in roles:
        queue["reviews"] = list(
            base.filter(
                stage__in=[ReviewStage.DEMAND, ReviewStage.SUPPLY],
                status=SubmissionStatus.SUBMITTED,
            )
        )
    if "executive" in roles:
        queue["sign_offs"] = list(
            base.filter(stage=ReviewStage.SIGN_OFF, status=SubmissionStatus.SUBMITTED)
        )
    return queue


def _value():
    return Coalesce(Cast("sku__unit_price", FloatField()), 0.0, output_field=FloatField())


def meeting_numbers(*, version: PlanVersion, scope: Scope) -> dict:
    """The plan against the statistical forecast and last year, in units and value."""
    lines = PlanLine.objects.visible_to(scope).filter(plan_version=version)
    price = _value()
    sums = lines.aggregate(
        plan_units=Sum("quantity"),
        statistical_units=Sum("statistical"),
        last_year_units=Sum("last_year"),
        plan_value=Sum(F("quantity") * price),
        statistical_value=Sum(F("statistical") * price),
        last_year_value=Sum(F("last_year") * price),
    )
    figures = {key.removesuffix("_units"): value for key, value in sums.items()}
    for name in ("", "_value"):
        plan, statistical = figures[f"plan{name}"], figures[f"statistical{name}"]
        last_year = figures[f"last_year{name}"]
        figures[f"vs_statistical{name}"] = _difference(plan, statistical)
        figures[f"vs_last_year{name}"] = _difference(plan, last_year)
    return figures


def _difference(a: float | None, b: float | None) -> float | None:
    return None if a is None or b is None else a - b


def meeting_exceptions(*, version: PlanVersion, scope: Scope, limit: int = 8) -> dict:
    """The largest overrides, the category × region cells furthest from the statistical
    forecast (by value), and open high-severity alerts in scope."""
    chain = _version_chain(version)
    overrides = list(
        Override.objects.visible_to(scope)
        .filter(plan_version_id__in=chain)
        .select_related("category", "region", "store", "sku", "created_by")
        .annotate(change=Abs(F("after") - F("before")))
        .order_by("-change", "-pk")[:limit]
    )
    price = _value()
    gaps = list(
        PlanLine.objects.visible_to(scope)
        .filter(plan_version=version)
        .values(
            "sku__category__code",
            "sku__category__name",
            "store__region__code",
            "store__region__name",
        )
        .annotate(
            plan_units=Sum("quantity"),
            statistical_units=Sum("statistical"),
            gap_value=Sum((F("quantity") - F("statistical")) * price),
        )
        .annotate(abs_gap=Abs("gap_value"))
        .filter(abs_gap__gt=0)
        .order_by("-abs_gap")[:limit]
    )
    alerts = list(
        Alert.objects.visible_to(scope)
        .open()
        .in_inbox()
        .filter(severity__gte=Severity.HIGH)
        .select_related("store", "sku")
        .order_by("-severity", "-value_at_stake")[:limit]
    )
    return {"overrides": overrides, "gaps": gaps, "alerts": alerts}


def submission_with_cycle(pk: int) -> Submission | None:
    """A submission and its cycle (reviews are by role, so every reviewer may load it)."""
    return Submission.objects.select_related("cycle").filter(pk=pk).first()


def visible_member(model: type[models.Model], scope: Scope, pk: int):
    """The region, category, store or SKU ``pk`` if ``scope`` sees it, else None."""
    return model.objects.visible_to(scope).filter(pk=pk).first()


def has_frozen_submission(user, version: PlanVersion) -> bool:
    """The user's plan of this version waits for (or passed) the demand review: it is
    frozen meanwhile, as ``check_may_override`` enforces."""
    return Submission.objects.filter(
        plan_version=version,
        stage=ReviewStage.DEMAND,
        submitted_by=user,
        status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
    ).exists()
