"""``manage.py pilot_kpis``: compute the KPIs of the running pilots now, as a recorded job
(the same job beat starts every day)."""

from django.core.management.base import BaseCommand, CommandError

from jobs.services import job_start
from pilots.jobs import PILOT_KPIS_KIND, PilotKpisParams


class Command(BaseCommand):
    help = "Compute the daily KPIs of every running pilot (or one, with --pilot)."

    def add_arguments(self, parser):
        parser.add_argument("--pilot", type=int, help="Only this running pilot (its number).")

    def handle(self, *args, **options):
        params = PilotKpisParams(pilot_id=options["pilot"])
        job = job_start(kind=PILOT_KPIS_KIND, params=params, actor=None, echo=self.stdout)
        if job.status != "succeeded":
            raise CommandError(f"The pilot KPI job failed: {job.error}")
        for line in job.result.get("pilots", []):
            ended = " (ended: now finished)" if line["finished"] else ""
            self.stdout.write(f"  {line['pilot']}: {line['rows']:,} KPI values{ended}")
        self.stdout.write(self.style.SUCCESS(f"Pilot KPIs computed in {job.wall_seconds:.1f} s"))
