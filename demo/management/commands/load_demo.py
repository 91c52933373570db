"""``manage.py load_demo``: generate and load the seeded demo company, as a recorded job."""

from django.core.management.base import BaseCommand, CommandError

from demo.jobs import demo_load_work
from jobs.console import job_execute_with_echo
from jobs.services import job_create


class Command(BaseCommand):
    help = "Generate a realistic demo retailer (deterministic for a seed) and load it."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--stores", type=int, default=12)
        parser.add_argument("--skus", type=int, default=120)
        parser.add_argument("--years", type=int, default=3)

    def handle(self, *args, **options):
        for name in ("stores", "skus", "years"):
            if options[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        params = {k: options[k] for k in ("seed", "stores", "skus", "years")}
        job = job_create(kind="demo_load", user=None, params=params)

        job = job_execute_with_echo(job=job, work=demo_load_work, stdout=self.stdout)
        if job.status != "succeeded":
            raise CommandError(f"Demo load failed: {job.error}")
        written = job.result.get("written", {})
        summary = ", ".join(f"{k} {v:,}" for k, v in written.items())
        self.stdout.write(self.style.SUCCESS(f"Demo company loaded in {job.wall_seconds:.1f} s"))
        self.stdout.write(f"  rows inserted or changed: {summary}")
