"""Forecast value added of a cycle once its weeks have actuals: by stage, planner and reason.

Reads the cycle's versions and the weekly actuals in bulk and hands them to
``planning.engine.value_added``. Only weeks whose every day has passed the last complete day
of sales are judged, so a week still filling up does not make every stage look biased low.
``ValueAdded`` also gives the tables as rows with their labels, as the pages show them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd

from accounts.scoping import Scope
from history.completeness import data_completeness
from history.weekly_sales import series_sales_by_week
from planning.engine.value_added import value_added_by_stage, value_added_of_overrides
from planning.models import OverrideLine, OverrideReason, PlanLine, PlanningCycle, VersionKind
from planning.services import cycle_weeks

KEYS = ["store_id", "sku_id", "week"]


STAGE_LABELS = {kind.value: kind.label for kind in VersionKind}


@dataclass(frozen=True)
class ValueAdded:
    """The cycle's judged weeks and the three tables (empty when no week has actuals);
    ``planned_weeks`` and ``last_complete`` say, before then, when it will be measured."""

    weeks: list
    by_stage: pd.DataFrame
    by_planner: pd.DataFrame
    by_reason: pd.DataFrame
    planned_weeks: list
    last_complete: date | None = None

    @property
    def measured(self) -> bool:
        return bool(self.weeks) and not self.by_stage.empty

    @property
    def stage_rows(self) -> list[dict]:
        return [
            {**row, "label": STAGE_LABELS.get(row["stage"], row["stage"])}
            for row in _records(self.by_stage)
        ]

    @property
    def planner_rows(self) -> list[dict]:
        return [
            {**row, "code": row["planner"], "label": row["planner"]}
            for row in _records(self.by_planner)
        ]

    @property
    def reason_rows(self) -> list[dict]:
        labels = dict(OverrideReason.choices)
        return [
            {**row, "code": row["reason"], "label": labels.get(row["reason"], row["reason"])}
            for row in _records(self.by_reason)
        ]

    @property
    def group_tables(self) -> list[tuple[str, str, list[dict]]]:
        """The override tables as the page lays them out: title, key, rows."""
        return [
            ("planner", "planner", self.planner_rows),
            ("reason", "reason", self.reason_rows),
        ]


def _records(frame: pd.DataFrame) -> list[dict]:
    """Rows as dicts with missing figures as None (templates show them as "—")."""
    if frame.empty:
        return []
    return [
        {k: (None if isinstance(v, float) and v != v else v) for k, v in row.items()}
        for row in frame.astype(object).to_dict("records")
    ]


def cycle_value_added(*, cycle: PlanningCycle, scope: Scope) -> ValueAdded:
    """Value added by stage (statistical → adjusted → consensus → approved, each version's
    latest of its kind) and of the overrides, on the weeks with complete actuals."""
    last_complete = data_completeness().last_complete
    planned = cycle_weeks(cycle)
    weeks = [w for w in planned if last_complete is not None and w <= last_complete]
    empty = ValueAdded(
        weeks=[],
        by_stage=pd.DataFrame(),
        by_planner=pd.DataFrame(),
        by_reason=pd.DataFrame(),
        planned_weeks=planned,
        last_complete=last_complete,
    )
    if not weeks:
        return empty
    lines = _stage_lines(cycle, scope, weeks)
    if lines.empty:
        return empty
    actuals = series_sales_by_week(weeks).rename(columns={"units": "actual"})
    lines = lines.merge(actuals, on=KEYS, how="left").fillna({"actual": 0.0})
    touched = _overridden_lines(cycle, scope, weeks).merge(
        lines[[*KEYS, "statistical", "actual"]], on=KEYS, how="inner"
    )
    return ValueAdded(
        weeks=weeks,
        by_stage=value_added_by_stage(lines),
        by_planner=value_added_of_overrides(touched, ["planner"])
        if len(touched)
        else pd.DataFrame(),
        by_reason=value_added_of_overrides(touched, ["reason"]) if len(touched) else pd.DataFrame(),
        planned_weeks=planned,
        last_complete=last_complete,
    )


def _stage_lines(cycle: PlanningCycle, scope: Scope, weeks: list) -> pd.DataFrame:
    """One row per store × SKU × week with a column per stage's latest version."""
    frame = None
    for kind in (
        VersionKind.STATISTICAL,
        VersionKind.ADJUSTED,
        VersionKind.CONSENSUS,
        VersionKind.APPROVED,
    ):
        version = cycle.versions.filter(kind=kind).order_by("-number").first()
        if version is None:
            continue
        rows = PlanLine.objects.visible_to(scope).filter(plan_version=version, week__in=weeks)
        stage = pd.DataFrame(list(rows.values_list(*KEYS, "quantity")), columns=[*KEYS, kind.value])
        frame = stage if frame is None else frame.merge(stage, on=KEYS, how="outer")
    if frame is None:
        return pd.DataFrame()
    return frame.fillna(0.0)


def _overridden_lines(cycle: PlanningCycle, scope: Scope, weeks: list) -> pd.DataFrame:
    """Each line an override changed in the cycle's latest adjusted version, with the planner
    and reason of the last change to it and the value it was left at."""
    version = cycle.versions.filter(kind=VersionKind.ADJUSTED).order_by("-number").first()
    if version is None:
        return pd.DataFrame(columns=[*KEYS, "planner", "reason", "adjusted"])
    visible = PlanLine.objects.visible_to(scope).filter(plan_version=version, week__in=weeks)
    rows = (
        OverrideLine.objects.filter(line__in=visible)
        .order_by("line_id", "override__created_at", "pk")
        .values_list(
            "line__store_id",
            "line__sku_id",
            "line__week",
            "override__created_by_name",
            "override__reason",
            "line__quantity",
        )
    )
    frame = pd.DataFrame(list(rows), columns=[*KEYS, "planner", "reason", "adjusted"])
    return frame.drop_duplicates(KEYS, keep="last")
