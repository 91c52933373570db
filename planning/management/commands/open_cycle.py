"""``manage.py open_cycle --month YYYY-MM``: open a month's S&OP cycle and take its
statistical version from the latest weekly forecast."""

from __future__ import annotations

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from planning.models import PlanningCycle
from planning.services import (
    PlanningRefused,
    cycle_create,
    cycle_weeks,
    plan_statistical_build,
)


def _month(text: str) -> date:
    try:
        return datetime.strptime(text, "%Y-%m").date()
    except ValueError as exc:
        raise CommandError(f"--month must look like 2026-12, not {text!r}.") from exc


class Command(BaseCommand):
    help = (
        "Open the S&OP cycle of a month (default: next month) and take the latest weekly "
        "forecast as its statistical version. An admin then opens the demand review on the "
        "cycle's page."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--month", type=_month, help="YYYY-MM (default: next month).")
        parser.add_argument("--weeks", type=int, default=13, help="Weeks planned (1–26).")

    def handle(self, *args, month: date | None, weeks: int, **options):
        if month is None:
            today = date.today()
            month = date(today.year + today.month // 12, today.month % 12 + 1, 1)
        try:
            # One transaction: a month without a forecast leaves no empty cycle behind.
            with transaction.atomic():
                cycle = cycle_create(month=month, actor=None, horizon_weeks=weeks)
                statistical = plan_statistical_build(cycle=cycle, actor=None)
        except PlanningRefused as exc:
            raise CommandError(str(exc)) from exc
        cycle = PlanningCycle.objects.get(pk=cycle.pk)
        planned = cycle_weeks(cycle)
        self.stdout.write(
            f"{cycle}: {statistical} with {statistical.lines.count():,} store × SKU × week "
            f"lines, {len(planned)} weeks ending {planned[0]:%a %d %b %Y} – "
            f"{planned[-1]:%a %d %b %Y}; stage {cycle.get_stage_display().lower()}."
        )
