"""``manage.py scan_anomalies``: scan for anomalies as a job, in-process, echoing progress."""

from django.core.management.base import BaseCommand, CommandError

from anomalies.job_params import AnomalyScanParams
from anomalies.models import ScanMode, ScanRun
from anomalies.services import ANOMALY_SCAN_KIND
from jobs.services import job_start


class Command(BaseCommand):
    help = (
        "Scan sales, stock, supply orders and the feed for anomalies and store the alerts "
        "(by default only the periods after the last scan)."
    )

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Scan the whole history.")
        parser.add_argument("--from", dest="date_from", metavar="DATE", help="First date scored.")
        parser.add_argument("--to", dest="date_to", metavar="DATE", help="Last date scored.")

    def handle(self, *args, **options):
        mode = ScanMode.FULL if options["full"] else ScanMode.INCREMENTAL
        try:
            params = AnomalyScanParams(
                mode=mode, date_from=options["date_from"], date_to=options["date_to"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        job = job_start(kind=ANOMALY_SCAN_KIND, params=params, actor=None, echo=self.stdout)
        if job.status != "succeeded":
            raise CommandError(f"Anomaly scan failed: {job.error}")
        result = job.result or {}
        if not result.get("scan"):
            self.stdout.write("No new periods to scan.")
            return
        scan = ScanRun.objects.get(pk=result["scan"])
        self.stdout.write(
            self.style.SUCCESS(
                f"Scanned {scan.date_from} – {scan.date_to}: {scan.series_scanned:,} series, "
                f"{scan.periods_scanned:,} series × periods in {scan.seconds:.1f} s"
            )
        )
        self.stdout.write(
            f"  alerts: {scan.alerts_new:,} new, {scan.alerts_updated:,} updated, "
            f"{scan.alerts_suppressed:,} suppressed (below the minimum severity or over a "
            f"store's daily budget)"
        )
        kinds = {k: v for k, v in scan.summary.items() if not k.startswith("detector:")}
        fired = {k[9:]: v for k, v in scan.summary.items() if k.startswith("detector:")}
        self.stdout.write("  by kind: " + ", ".join(f"{k} {v}" for k, v in sorted(kinds.items())))
        self.stdout.write("  detectors: " + ", ".join(f"{k} {v}" for k, v in sorted(fired.items())))
