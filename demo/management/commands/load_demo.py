"""``manage.py load_demo``: generate and load the seeded demo company, as a recorded job."""

from django.core.management.base import BaseCommand, CommandError

from demo.jobs import demo_load_work
from jobs.services import job_create, job_execute


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

        def work(job_run, progress):
            def echo(percent: float, message: str = "") -> None:
                progress(percent, message)
                if message:
                    self.stdout.write(f"  {percent:5.1f}%  {message}")

            return demo_load_work(job_run, echo)

        job = job_execute(job_id=job.pk, work=work)
        if job.status != "succeeded":
            raise CommandError(f"Demo load failed: {job.error}")
        written = job.result.get("written", {})
        summary = ", ".join(f"{k} {v:,}" for k, v in written.items())
        self.stdout.write(self.style.SUCCESS(f"Demo company loaded in {job.wall_seconds:.1f} s"))
        self.stdout.write(f"  rows inserted or changed: {summary}")
