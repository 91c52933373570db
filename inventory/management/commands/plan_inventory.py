"""``manage.py plan_inventory``: policies and an order plan for the whole company, as a job
run here and now, its progress echoed."""

from django.core.management.base import BaseCommand, CommandError

from inventory.job_params import MAX_HORIZON_DAYS, InventoryPlanParams
from inventory.services import PLAN_KIND
from jobs.services import job_start


class Command(BaseCommand):
    help = "Compute inventory policies and solve the order plan (a job, run in-process)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--as-of", metavar="DATE", help="Plan from the stock of DATE (YYYY-MM-DD)."
        )
        parser.add_argument(
            "--horizon-days",
            type=int,
            help=(
                f"Horizon in days (1–{MAX_HORIZON_DAYS}) of a --policies-only run; an order "
                "plan's horizon is the inventory settings'."
            ),
        )
        parser.add_argument(
            "--policies-only", action="store_true", help="Set policies; solve no order plan."
        )
        parser.add_argument(
            "--time-limit", type=int, default=60, help="Seconds the solver may take (default 60)."
        )

    def handle(self, *args, **options):
        try:
            params = InventoryPlanParams(
                company_wide=True,
                as_of=options["as_of"],
                horizon_days=options["horizon_days"],
                solve_plan=not options["policies_only"],
                time_limit_s=options["time_limit"],
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        job = job_start(kind=PLAN_KIND, params=params, actor=None, echo=self.stdout)
        if job.status != "succeeded":
            raise CommandError(f"Inventory plan failed: {job.error}")
        result = job.result
        self.stdout.write(
            self.style.SUCCESS(
                f"Inventory plan from stock on {result['origin']}: {result['policies']:,} "
                f"policies, {result['recommendations']:,} recommendations in "
                f"{job.wall_seconds:.1f} s"
            )
        )
        if result.get("solver"):
            objective = result.get("objective")
            self.stdout.write(
                f"  order plan {result['status_label'].lower()} by {result['solver']} in "
                f"{result['solve_seconds']:.1f} s"
                + (f", cost {objective:,.0f}" if objective is not None else "")
            )
        if result.get("explanation"):
            self.stdout.write(self.style.WARNING(f"  {result['explanation']}"))
