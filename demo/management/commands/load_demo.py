"""``manage.py load_demo``: generate and load the seeded demo company, as a recorded job."""

from django.core.management.base import BaseCommand, CommandError

from demo.jobs import DEMO_LOAD_KIND, DemoLoadParams
from jobs.services import job_start


class Command(BaseCommand):
    help = "Generate a realistic demo retailer (deterministic for a seed) and load it."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--stores", type=int, default=12)
        parser.add_argument("--skus", type=int, default=120)
        parser.add_argument("--years", type=int, default=3)

    def handle(self, *args, **options):
        try:
            params = DemoLoadParams(**{k: options[k] for k in ("seed", "stores", "skus", "years")})
        except ValueError as exc:
            raise CommandError(f"--{exc}") from exc
        job = job_start(kind=DEMO_LOAD_KIND, params=params, actor=None, echo=self.stdout)
        if job.status != "succeeded":
            raise CommandError(f"Demo load failed: {job.error}")
        written = job.result.get("written", {})
        summary = ", ".join(f"{k} {v:,}" for k, v in written.items())
        self.stdout.write(self.style.SUCCESS(f"Demo company loaded in {job.wall_seconds:.1f} s"))
        self.stdout.write(f"  rows inserted or changed: {summary}")
        if job.result.get("pilot"):
            self.stdout.write(f"  finished demo pilot: {job.result['pilot']}")
