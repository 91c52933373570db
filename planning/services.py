"""Changing the S&OP cycle: creating a month's cycle, overriding its plan, moving its stages.

``check_*`` functions decide whether an actor may do something and say why not
(``PlanningRefused`` with a message for people); ``plan_*``/``cycle_*`` functions change
state, inside one transaction, with the rows they change locked in a fixed order (cycle,
then version, then lines by id) so concurrent edits queue instead of deadlocking.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.contrib.auth.models import User
from django.db import connection, transaction
from django.db.models import F, QuerySet
from django.utils import timezone
from django_fsm import TransitionNotAllowed

from accounts.models import Role
from accounts.roles import user_roles
from accounts.scoping import Scope, category_subtree_ids
from forecasting.models import Forecast, ForecastRun, Granularity
from history.weekly_sales import series_sales_by_week
from masterdata.models import Category, Region
from masterdata.selectors import company
from planning.engine.spread import spread_total
from planning.models import (
    Override,
    OverrideLevel,
    OverrideLine,
    OverrideReason,
    PlanLine,
    PlanningCycle,
    PlanVersion,
    ReviewStage,
    Stage,
    StageDeadline,
    StageTransition,
    Submission,
    SubmissionStatus,
    VersionKind,
)

# Days into the month by which each stage should be done (owners adjust them in admin).
STAGE_DUE_DAY = {
    Stage.DATA_GATHERING: 2,
    Stage.STATISTICAL_FORECAST: 3,
    Stage.DEMAND_REVIEW: 8,
    Stage.SUPPLY_REVIEW: 12,
    Stage.CONSENSUS: 15,
    Stage.SIGN_OFF: 17,
}


class PlanningRefused(Exception):
    """An action the cycle's rules do not allow now; the message says why, for people."""


class StaleLine(PlanningRefused):
    """Someone changed the plan since the editor saw it; ``current`` is the value now."""

    def __init__(self, message: str, *, current: float, edit_version: int | None = None):
        super().__init__(message)
        self.current = current
        self.edit_version = edit_version


@dataclass(frozen=True)
class OverrideTarget:
    """What an override changes: one line, or the lines of a category and/or a region."""

    level: str
    week: date
    store_id: int | None = None
    sku_id: int | None = None
    category_id: int | None = None
    region_id: int | None = None

    def __post_init__(self) -> None:
        needs = {
            OverrideLevel.LINE: ("store_id", "sku_id"),
            OverrideLevel.CATEGORY: ("category_id",),
            OverrideLevel.REGION: ("region_id",),
            OverrideLevel.CATEGORY_REGION: ("category_id", "region_id"),
        }
        if self.level not in needs:
            raise PlanningRefused(f"Unknown override level {self.level!r}.")
        missing = [name for name in needs[self.level] if getattr(self, name) is None]
        if missing:
            raise PlanningRefused(f"A {self.level} override needs {', '.join(missing)}.")


def month_start(day: date) -> date:
    return day.replace(day=1)


def first_week_end(month: date, week_ends_on: int) -> date:
    """The end of the first company week that ends inside ``month``."""
    return month + timedelta(days=(week_ends_on - month.weekday()) % 7)


@transaction.atomic
def cycle_create(*, month: date, actor, horizon_weeks: int = 13) -> PlanningCycle:
    """Open the cycle of ``month`` with its stages' owners left to assign and due dates from
    the usual monthly rhythm; refuses a month that already has one."""
    month = month_start(month)
    if PlanningCycle.objects.filter(month=month).exists():
        raise PlanningRefused(f"The {month:%B %Y} cycle already exists.")
    if not 1 <= horizon_weeks <= 26:
        raise PlanningRefused("A cycle plans between 1 and 26 weeks.")
    cycle = PlanningCycle.objects.create(
        month=month,
        name=f"S&OP {month:%B %Y}",
        first_week=first_week_end(month, company().week_ends_on),
        horizon_weeks=horizon_weeks,
        created_by=actor,
    )
    last_day = calendar.monthrange(month.year, month.month)[1]
    StageDeadline.objects.bulk_create(
        StageDeadline(cycle=cycle, stage=stage, due_on=month.replace(day=min(day, last_day)))
        for stage, day in STAGE_DUE_DAY.items()
    )
    return cycle


def cycle_weeks(cycle: PlanningCycle) -> list[date]:
    """The week-end dates the cycle plans."""
    return [cycle.first_week + timedelta(weeks=k) for k in range(cycle.horizon_weeks)]


def statistical_origin(cycle: PlanningCycle) -> date | None:
    """The origin of the weekly forecast a cycle starts from: the latest finished run made
    before its first planned week began.

    A forecast made later has no figures for the cycle's first weeks (they are its past), and
    for a past month it would judge the plan with hindsight; so a cycle opened for a month
    already sold (to measure forecast value added) starts from what was known before it.
    """
    run = (
        ForecastRun.objects.filter(
            granularity=Granularity.WEEKLY,
            chunks_done__gt=0,
            origin__lte=cycle.first_week - timedelta(weeks=1),
        )
        .order_by("-origin", "-id")
        .first()
    )
    return run.origin if run else None


def _no_forecast_message(cycle: PlanningCycle) -> str:
    before = cycle.first_week - timedelta(weeks=1)
    return (
        f"There is no weekly forecast made by {before:%a %d %b %Y} for the weeks from "
        f"{cycle.first_week:%d %b %Y}: run one first (manage.py forecast --granularity weekly"
        f"{'' if before >= timezone.localdate() else f' --origin {before:%Y-%m-%d}'})."
    )


@transaction.atomic
def plan_statistical_build(*, cycle: PlanningCycle, actor) -> PlanVersion:
    """Take the weekly forecast made before the cycle's first week (``statistical_origin``)
    as its statistical version and open a planner-adjusted copy of it; moves the cycle to
    the statistical-forecast stage."""
    cycle = _cycle_locked(cycle)
    if cycle.stage != Stage.DATA_GATHERING:
        raise PlanningRefused("The statistical version is taken once, when data gathering ends.")
    weeks = cycle_weeks(cycle)
    origin = statistical_origin(cycle)
    lines = _statistical_lines(weeks, origin) if origin else pd.DataFrame()
    if lines.empty:
        raise PlanningRefused(_no_forecast_message(cycle))
    statistical = PlanVersion.objects.create(
        cycle=cycle,
        number=1,
        kind=VersionKind.STATISTICAL,
        read_only=True,
        note=f"Weekly forecast made on {origin:%d %b %Y}.",
        created_by=actor,
    )
    PlanLine.objects.bulk_create(
        (
            PlanLine(
                plan_version=statistical,
                store_id=row.store_id,
                sku_id=row.sku_id,
                week=row.week,
                statistical=row.statistical,
                last_year=None if pd.isna(row.last_year) else float(row.last_year),
                quantity=row.statistical,
            )
            for row in lines.itertuples(index=False)
        ),
        batch_size=5000,
    )
    _version_copy(statistical, kind=VersionKind.ADJUSTED, actor=actor)
    _transition(cycle, "start_forecast", actor=actor, reason="Statistical forecast taken.")
    return statistical


def _statistical_lines(weeks: list[date], origin: date) -> pd.DataFrame:
    """Weekly forecasts of ``origin`` for ``weeks`` in whole units, with last year's sales of
    each week."""
    rows = Forecast.objects.filter(
        granularity=Granularity.WEEKLY, origin=origin, date__in=weeks
    ).values_list("store_id", "sku_id", "date", "forecast")
    frame = pd.DataFrame(list(rows), columns=["store_id", "sku_id", "week", "statistical"])
    if frame.empty:
        return frame
    frame["statistical"] = np.round(frame["statistical"].clip(lower=0))
    last_year = series_sales_by_week([w - timedelta(weeks=52) for w in weeks])
    last_year = last_year.rename(columns={"units": "last_year"})
    last_year["week"] = [w + timedelta(weeks=52) for w in last_year["week"]]
    return frame.merge(last_year, on=["store_id", "sku_id", "week"], how="left")


def _version_copy(source: PlanVersion, *, kind: str, actor, read_only: bool = False) -> PlanVersion:
    """A new numbered version of the cycle holding a copy of ``source``'s lines."""
    number = PlanVersion.objects.filter(cycle_id=source.cycle_id).order_by("-number").first().number
    version = PlanVersion.objects.create(
        cycle_id=source.cycle_id,
        number=number + 1,
        kind=kind,
        based_on=source,
        read_only=read_only,
        created_by=actor,
    )
    fields = ["store_id", "sku_id", "week", "statistical", "last_year", "quantity"]
    PlanLine.objects.bulk_create(
        (
            PlanLine(plan_version=version, **dict(zip(fields, values, strict=True)))
            for values in source.lines.order_by("pk").values_list(*fields).iterator(5000)
        ),
        batch_size=5000,
    )
    return version


def working_version(cycle: PlanningCycle) -> PlanVersion | None:
    """The version planners edit now: the newest planner-adjusted one."""
    return cycle.versions.filter(kind=VersionKind.ADJUSTED).order_by("-number").first()


def check_may_override(*, cycle: PlanningCycle, version: PlanVersion, actor) -> None:
    if not user_roles(actor) & {Role.PLANNER, Role.ADMIN}:
        raise PlanningRefused("Only planners and admins change the plan.")
    if cycle.stage != Stage.DEMAND_REVIEW:
        raise PlanningRefused(
            f"The plan can be changed in the demand review; the cycle is at "
            f"{cycle.get_stage_display().lower()}."
        )
    if version.read_only or version.kind != VersionKind.ADJUSTED:
        raise PlanningRefused(
            f"{version} is read-only: changes go into a new planner-adjusted version."
        )
    if version != working_version(cycle):
        raise PlanningRefused(f"{version} is no longer the version being edited.")
    pending = Submission.objects.filter(
        cycle=cycle,
        plan_version=version,
        stage=ReviewStage.DEMAND,
        submitted_by=actor,
        status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
    )
    if pending.exists():
        raise PlanningRefused("You submitted your plan for review: it cannot change meanwhile.")


@transaction.atomic
def plan_override(
    *,
    version: PlanVersion,
    target: OverrideTarget,
    new_total: float,
    reason: str,
    comment: str = "",
    actor,
    scope: Scope,
    seen_total: float | None = None,
    seen_edit_version: int | None = None,
) -> Override:
    """Set the plan of ``target``'s week to ``new_total`` units, spread down to its
    store × SKU lines in proportion to the statistical forecast (the lines sum exactly to the
    new total, in whole units), and keep who did it and why.

    ``seen_total``/``seen_edit_version`` are what the editor saw: if the plan moved since,
    the change is refused with the newer value (``StaleLine``), never silently overwritten.
    Only lines in the actor's scope are touched: a scoped planner's category override is an
    override of that category in their regions.
    """
    if reason not in OverrideReason.values:
        raise PlanningRefused("Choose a reason for the change.")
    if not np.isfinite(new_total) or new_total < 0 or new_total > 1e9:
        raise PlanningRefused("A plan is a number of units between 0 and 1,000,000,000.")
    cycle = _cycle_locked(version.cycle)
    version = PlanVersion.objects.select_for_update().get(pk=version.pk)
    check_may_override(cycle=cycle, version=version, actor=actor)
    # Plain rows, not model instances: a category override locks thousands of lines, and
    # building a model per line was most of its time.
    rows = list(
        _target_lines(version, target, scope)
        .select_for_update(no_key=True)
        .order_by("pk")
        .values_list("pk", "statistical", "quantity", "edit_version", "updated_by_id")
    )
    if not rows:
        raise PlanningRefused("There is no plan line for this selection in your scope.")
    ids, statistical, quantity, edit_versions, editors = (
        list(column) for column in zip(*rows, strict=True)
    )
    quantity = np.array(quantity, dtype=float)
    current = float(quantity.sum())
    if target.level == OverrideLevel.LINE and seen_edit_version is not None:
        if edit_versions[0] != seen_edit_version:
            raise StaleLine(
                _stale_message(_user(editors[0]), current),
                current=current,
                edit_version=edit_versions[0],
            )
    elif seen_total is not None and abs(seen_total - current) > 1e-6:
        raise StaleLine(_stale_message(None, current), current=current)
    basis = np.array(statistical, dtype=float)
    if basis.sum() <= 0:
        basis = quantity
    spread = spread_total(basis, new_total, whole_units=True)
    moved = spread != quantity
    now = timezone.now()
    override = Override.objects.create(
        plan_version=version,
        level=target.level,
        store_id=target.store_id,
        sku_id=target.sku_id,
        category_id=target.category_id,
        region_id=target.region_id,
        week=target.week,
        before=current,
        after=float(spread.sum()),
        lines_changed=int(moved.sum()),
        reason=reason,
        comment=comment[:500],
        created_by=actor,
        created_by_name=actor.get_username(),
    )
    changed = np.flatnonzero(moved)
    _lines_set(
        override,
        [ids[i] for i in changed],
        quantity[changed].tolist(),
        spread[changed].astype(float).tolist(),
        actor=actor,
        now=now,
    )
    return override


def _lines_set(
    override: Override, ids: list[int], before: list[float], after: list[float], *, actor, now
) -> None:
    """Save the changed lines' new quantities (their edit version up by one, who and when)
    and the override's record of each, set-based: a category override changes thousands of
    lines at once, and Django's ``bulk_update`` (a CASE per field over every id) took ~40 s
    for 15,000 of them, a model instance per record seconds more.

    On PostgreSQL one ``UPDATE … FROM unnest(…)`` and one ``INSERT … SELECT unnest(…)`` with
    the values bound as arrays; elsewhere one ``UPDATE`` per distinct new quantity (a spread
    in whole units has few) and a bulk insert.
    """
    if not ids:
        return
    actor_id = actor.pk if actor is not None else None
    if connection.vendor == "postgresql":
        quote = connection.ops.quote_name
        lines = quote(PlanLine._meta.db_table)
        records = quote(OverrideLine._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {lines} AS line SET quantity = new.quantity, "  # noqa: S608
                "edit_version = line.edit_version + 1, updated_by_id = %s, updated_at = %s "
                "FROM (SELECT unnest(%s::bigint[]) AS id, "
                "unnest(%s::double precision[]) AS quantity) AS new WHERE line.id = new.id",
                [actor_id, now, ids, after],
            )
            cursor.execute(
                f"INSERT INTO {records} (override_id, line_id, before, after) "
                "SELECT %s, unnest(%s::bigint[]), unnest(%s::double precision[]), "
                "unnest(%s::double precision[])",
                [override.pk, ids, before, after],
            )
        return
    by_quantity: dict[float, list[int]] = {}
    for line_id, quantity in zip(ids, after, strict=True):
        by_quantity.setdefault(quantity, []).append(line_id)
    for quantity, chunk_ids in by_quantity.items():
        for start in range(0, len(chunk_ids), 500):
            PlanLine.objects.filter(pk__in=chunk_ids[start : start + 500]).update(
                quantity=quantity,
                edit_version=F("edit_version") + 1,
                updated_by_id=actor_id,
                updated_at=now,
            )
    OverrideLine.objects.bulk_create(
        (
            OverrideLine(override=override, line_id=line_id, before=old, after=new)
            for line_id, old, new in zip(ids, before, after, strict=True)
        ),
        batch_size=2000,
    )


def _user(pk: int | None):
    return User.objects.filter(pk=pk).first() if pk is not None else None


def _stale_message(by, current: float) -> str:
    who = f" by {by.get_username()}" if by is not None else ""
    return (
        f"This plan was changed{who} since you opened it: it is now {current:,.0f} units. "
        "Your change was not saved; review the new value and try again."
    )


def _target_lines(version: PlanVersion, target: OverrideTarget, scope: Scope) -> QuerySet:
    lines = PlanLine.objects.visible_to(scope).filter(plan_version=version, week=target.week)
    if target.store_id is not None:
        lines = lines.filter(store_id=target.store_id)
    if target.sku_id is not None:
        lines = lines.filter(sku_id=target.sku_id)
    if target.region_id is not None:
        lines = lines.filter(store__region_id=target.region_id)
    if target.category_id is not None:
        lines = lines.filter(
            sku__category_id__in=sorted(category_subtree_ids({target.category_id}))
        )
    return lines


@transaction.atomic
def plan_submit(*, cycle: PlanningCycle, actor, scope: Scope) -> Submission:
    """A planner puts their scope's plan forward for the demand review."""
    cycle = _cycle_locked(cycle)
    if cycle.stage != Stage.DEMAND_REVIEW:
        raise PlanningRefused("Plans are submitted during the demand review.")
    version = working_version(cycle)
    waiting = Submission.objects.filter(
        cycle=cycle,
        plan_version=version,
        stage=ReviewStage.DEMAND,
        submitted_by=actor,
        status__in=[SubmissionStatus.SUBMITTED, SubmissionStatus.APPROVED],
    )
    if waiting.exists():
        raise PlanningRefused("You have already submitted this version of your plan.")
    return Submission.objects.create(
        cycle=cycle,
        plan_version=version,
        stage=ReviewStage.DEMAND,
        scope_label=scope_description(scope),
        submitted_by=actor,
    )


def scope_description(scope: Scope) -> str:
    """What a scope covers, in names: "North, South · Drinks" or "whole company"."""
    if not scope.is_scoped:
        return "whole company"
    parts = []
    if scope.region_ids is not None:
        parts.append(
            ", ".join(Region.objects.filter(pk__in=scope.region_ids).values_list("name", flat=True))
        )
    if scope.category_ids is not None:
        categories = Category.objects.filter(pk__in=scope.category_ids)
        tops = categories.exclude(parent_id__in=scope.category_ids)
        parts.append(", ".join(tops.values_list("name", flat=True)))
    return " · ".join(parts)[:300]


def check_may_review(*, submission: Submission, actor) -> None:
    """Admins review the demand and supply reviews, executives sign off; never their own."""
    roles = user_roles(actor)
    needed = Role.EXECUTIVE if submission.stage == ReviewStage.SIGN_OFF else Role.ADMIN
    if needed not in roles:
        raise PlanningRefused(
            f"The {submission.get_stage_display().lower()} is approved by an "
            f"{'executive' if needed == Role.EXECUTIVE else 'admin'}."
        )
    if submission.submitted_by_id is not None and submission.submitted_by_id == actor.pk:
        raise PlanningRefused("Nobody approves their own submission.")
    if submission.status != SubmissionStatus.SUBMITTED:
        raise PlanningRefused(
            f"This submission is already {submission.get_status_display().lower()}."
        )


@transaction.atomic
def submission_review(
    *, submission: Submission, actor, approve: bool, comment: str = ""
) -> Submission:
    """Approve or reject a submission. Approving the supply review moves the cycle to the
    consensus meeting; approving the sign-off locks the approved version."""
    cycle = _cycle_locked(submission.cycle)
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    check_may_review(submission=submission, actor=actor)
    if not approve and not comment.strip():
        raise PlanningRefused("Say why the plan is rejected, so its owner can act on it.")
    submission.status = SubmissionStatus.APPROVED if approve else SubmissionStatus.REJECTED
    submission.reviewed_by = actor
    submission.reviewed_at = timezone.now()
    submission.comment = comment[:500]
    submission.save()
    if approve:
        _after_approval(cycle, submission, actor)
    return submission


def _after_approval(cycle: PlanningCycle, submission: Submission, actor) -> None:
    if submission.stage == ReviewStage.SUPPLY:
        _transition(cycle, "close_supply_review", actor=actor, reason="Supply review approved.")
    elif submission.stage == ReviewStage.SIGN_OFF:
        approved = _version_copy(
            submission.plan_version, kind=VersionKind.APPROVED, actor=actor, read_only=True
        )
        PlanVersion.objects.filter(cycle=cycle).exclude(pk=approved.pk).update(read_only=True)
        _transition(cycle, "sign_off", actor=actor, reason=f"Signed off {approved}.")


@transaction.atomic
def demand_review_close(*, cycle: PlanningCycle, actor, comment: str = "") -> Submission:
    """The demand review approves the demand plan as a whole: once every submission of the
    version is reviewed and at least one approved, the plan goes to the supply review.

    Closing is a decision, not a side effect of the last approval: a planner who has not
    submitted yet must not be overtaken by someone else's approval.
    """
    cycle = _cycle_locked(cycle)
    if Role.ADMIN not in user_roles(actor):
        raise PlanningRefused("An admin closes the demand review.")
    if cycle.stage != Stage.DEMAND_REVIEW:
        raise PlanningRefused("The cycle is not in the demand review.")
    blockers = cycle_blockers(cycle)
    if blockers:
        raise PlanningRefused(" ".join(blockers))
    version = working_version(cycle)
    _transition(
        cycle, "close_demand_review", actor=actor, reason=comment or "Demand plan approved."
    )
    return Submission.objects.create(
        cycle=cycle,
        plan_version=version,
        stage=ReviewStage.SUPPLY,
        scope_label="whole company",
        submitted_by=None,
    )


@transaction.atomic
def consensus_agree(*, cycle: PlanningCycle, actor, note: str = "") -> PlanVersion:
    """The meeting agrees the plan: a consensus version goes to an executive for sign-off."""
    cycle = _cycle_locked(cycle)
    if Role.ADMIN not in user_roles(actor):
        raise PlanningRefused("The consensus is recorded by an admin (the S&OP process owner).")
    if cycle.stage != Stage.CONSENSUS:
        raise PlanningRefused("The consensus is agreed after the supply review.")
    consensus = _version_copy(working_version(cycle), kind=VersionKind.CONSENSUS, actor=actor)
    consensus.note = note[:300]
    consensus.read_only = True
    consensus.save(update_fields=["note", "read_only"])
    Submission.objects.create(
        cycle=cycle,
        plan_version=consensus,
        stage=ReviewStage.SIGN_OFF,
        scope_label="whole company",
        submitted_by=actor,
    )
    _transition(cycle, "agree_consensus", actor=actor, reason=note or "Consensus agreed.")
    return consensus


@transaction.atomic
def cycle_reopen(*, cycle: PlanningCycle, actor, reason: str) -> PlanVersion:
    """A change after the reviews: a new planner-adjusted version from the latest one, and
    the cycle back in the demand review (the new version needs its own approvals)."""
    cycle = _cycle_locked(cycle)
    if Role.ADMIN not in user_roles(actor):
        raise PlanningRefused("An admin reopens a cycle.")
    if not reason.strip():
        raise PlanningRefused("Say why the plan must change.")
    latest = cycle.versions.order_by("-number").first()
    version = _version_copy(latest, kind=VersionKind.ADJUSTED, actor=actor)
    Submission.objects.filter(cycle=cycle, status=SubmissionStatus.SUBMITTED).update(
        status=SubmissionStatus.REJECTED, comment="Superseded: the cycle was reopened."
    )
    _transition(cycle, "reopen", actor=actor, reason=reason)
    return version


@transaction.atomic
def cycle_open_demand_review(*, cycle: PlanningCycle, actor) -> None:
    cycle = _cycle_locked(cycle)
    if Role.ADMIN not in user_roles(actor):
        raise PlanningRefused("An admin opens the demand review.")
    _transition(cycle, "open_demand_review", actor=actor, reason="Demand review opened.")


def cycle_blockers(cycle: PlanningCycle) -> list[str]:
    """What stands between the cycle and its next stage, in words."""
    stage = cycle.stage
    if stage == Stage.DATA_GATHERING:
        return [] if statistical_origin(cycle) else [_no_forecast_message(cycle)]
    if stage == Stage.DEMAND_REVIEW:
        submissions = Submission.objects.filter(
            cycle=cycle, plan_version=working_version(cycle), stage=ReviewStage.DEMAND
        ).order_by("submitted_at", "pk")
        latest = {s.submitted_by_id: s.status for s in submissions}
        if not latest:
            return ["No planner has submitted a plan yet."]
        statuses = list(latest.values())
        waiting = statuses.count(SubmissionStatus.SUBMITTED)
        rejected = statuses.count(SubmissionStatus.REJECTED)
        blockers = []
        if waiting:
            blockers.append(f"{waiting} submission(s) waiting for review.")
        if rejected:
            blockers.append(f"{rejected} submission(s) rejected and not resubmitted.")
        if not blockers and SubmissionStatus.APPROVED not in statuses:
            blockers.append("No submission has been approved.")
        return blockers
    waiting = Submission.objects.filter(
        cycle=cycle, stage=stage, status=SubmissionStatus.SUBMITTED
    ).exists()
    return [f"The {cycle.get_stage_display().lower()} waits for approval."] if waiting else []


def cycle_overdue(cycle: PlanningCycle, today: date | None = None) -> list[StageDeadline]:
    """The current stage's deadline, if it has passed."""
    today = today or timezone.localdate()
    return [d for d in cycle.deadlines.all() if d.stage == cycle.stage and d.due_on < today]


def _cycle_locked(cycle: PlanningCycle) -> PlanningCycle:
    return PlanningCycle.objects.select_for_update().get(pk=cycle.pk)


def _transition(cycle: PlanningCycle, name: str, *, actor, reason: str) -> None:
    """Move the cycle by the state machine's transition ``name`` and record it."""
    source = cycle.stage
    try:
        getattr(cycle, name)()
    except TransitionNotAllowed as exc:
        raise PlanningRefused(
            f"The cycle cannot move from {cycle.get_stage_display().lower()} that way."
        ) from exc
    cycle.save()
    StageTransition.objects.create(
        cycle=cycle,
        source=source,
        target=cycle.stage,
        by=actor,
        by_name=actor.get_username() if actor is not None else "system",
        reason=reason[:500],
    )
