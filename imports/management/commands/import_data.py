"""``manage.py import_data``: import files from the command line as a recorded job run.

Exit codes: 0 when the import wrote (or found already up to date) every row, or, with
``--skip-invalid``, when at least one row was valid; 1 when anything was invalid and nothing
was written (or, with ``--skip-invalid``, no row at all was valid); 2 for usage errors.
"""

from __future__ import annotations

import sys
from itertools import groupby
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from imports.formats import PARSERS
from imports.job_params import ImportParams
from imports.services import HINT_COMMAND, IMPORT_KIND, full_report_sink
from jobs.models import JobStatus
from jobs.services import job_start


class Command(BaseCommand):
    help = "Import sales history and master data files (formats: sop, ai-sop, walmart)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("paths", nargs="+", type=Path, help="Files or directories.")
        parser.add_argument("--format", dest="fmt", required=True, choices=sorted(PARSERS))
        parser.add_argument(
            "--create-missing",
            action="store_true",
            help="Create stores, SKUs, warehouses and regions facts name but "
            "that do not exist yet (with default values).",
        )
        parser.add_argument(
            "--skip-invalid",
            action="store_true",
            help="Write the valid rows and report the invalid ones.",
        )
        parser.add_argument(
            "--grain",
            choices=["D", "W"],
            help="Daily or weekly sales (default: detected from the dates).",
        )
        parser.add_argument("--user", help="Username the import is recorded under.")

    def handle(self, *args, **options) -> None:
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"user '{options['user']}' does not exist")
        missing = [str(p) for p in options["paths"] if not p.exists()]
        if missing:
            raise CommandError(f"no such file or directory: {', '.join(missing)}")
        params = ImportParams(
            format=options["fmt"],
            paths=tuple(str(p.resolve()) for p in options["paths"]),
            create_missing=options["create_missing"],
            skip_invalid=options["skip_invalid"],
            grain=options["grain"] or "",
            hint=HINT_COMMAND,
        )
        reports = []
        token = full_report_sink.set(reports.append)
        try:
            job = job_start(kind=IMPORT_KIND, params=params, actor=user, echo=self.stdout)
        finally:
            full_report_sink.reset(token)
        report = job.result or {}
        if job.status == JobStatus.FAILED and not report:
            raise CommandError(f"import job #{job.pk} failed: {job.error}")
        errors = reports[0].sorted_errors() if reports else report.get("errors", [])
        self._print_report(job.pk, report, errors)
        valid_rows = report.get("rows_read", 0) - report.get("rows_rejected", 0)
        invalid = report.get("errors_total", 0) > 0
        if invalid and (not options["skip_invalid"] or valid_rows <= 0):
            sys.exit(1)

    def _print_report(self, job_id: int, report: dict, errors: list[dict]) -> None:
        write = self.stdout.write
        write(
            f"Import job #{job_id}: {len(report.get('files', []))} files, "
            f"{report.get('rows_read', 0):,} rows read, "
            f"{report.get('rows_written', 0):,} rows written"
        )
        for table, count in report.get("written", {}).items():
            write(f"  {table}: {count:,}")
        for note in report.get("notes", []):
            write(f"note: {note}")
        for warning in report.get("warnings", []):
            write(self.style.WARNING(f"warning: {warning}"))
        if not errors:
            return
        total = report.get("errors_total", len(errors))
        write(
            self.style.ERROR(
                f"{total:,} problems ({report.get('rows_rejected', 0):,} rows rejected):"
            )
        )
        for file, rows in groupby(errors, key=lambda e: e["file"]):
            write(f"{file}:")
            for error in rows:
                where = f"row {error['row']}, " if error["row"] is not None else ""
                column = f"column {error['column']}: " if error["column"] else ""
                write(f"  {where}{column}{error['reason']}")
        if total > len(errors):
            write(f"... and {total - len(errors):,} more")
