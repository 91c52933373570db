"""``manage.py export_forecasts``: the latest forecasts as CSV, by series or any level."""

import csv
from pathlib import Path

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError

from accounts.scoping import Scope
from exports.formula_safety import neutralise_formula
from forecasting.selectors import LEVEL_COLUMNS, forecast_level_frame, latest_origin

SERIES_COLUMNS = ["date", "store", "sku", "granularity", "forecast", "p10", "p50", "p90", "model"]


class Command(BaseCommand):
    help = "Write the latest forecasts to CSV (p10 <= p50 <= p90; aggregates are sums of series)."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="CSV file to write.")
        parser.add_argument("--granularity", choices=["daily", "weekly", "both"], default="both")
        parser.add_argument("--level", choices=["series", *LEVEL_COLUMNS], default="series")
        parser.add_argument(
            "--user", help="Export only what this user may see (default: everything)."
        )

    def handle(self, *args, **options):
        scope = self._scope(options["user"])
        grains = {"daily": ["D"], "weekly": ["W"], "both": ["D", "W"]}[options["granularity"]]
        level = options["level"]
        path = Path(options["out"])
        rows_written = 0
        with path.open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            by = LEVEL_COLUMNS.get(level, [])
            header = (
                SERIES_COLUMNS
                if level == "series"
                else ["date", level, "granularity", "forecast", "p10", "p50", "p90"]
            )
            if level == "total":
                header = ["date", "granularity", "forecast", "p10", "p50", "p90"]
            writer.writerow(header)
            for grain in grains:
                if latest_origin(grain) is None:
                    continue
                frame = forecast_level_frame(scope=scope, granularity=grain, level=level)
                frame = frame.sort_values(
                    [*(["store", "sku"] if level == "series" else by), "date"]
                )
                for row in frame.itertuples(index=False):
                    record = row._asdict()
                    record["granularity"] = "daily" if grain == "D" else "weekly"
                    record["date"] = str(record["date"])[:10]
                    writer.writerow(
                        [
                            f"{record[c]:.4f}"
                            if c in ("forecast", "p10", "p50", "p90")
                            else neutralise_formula(str(record[c]))
                            for c in header
                        ]
                    )
                    rows_written += 1
        if rows_written == 0:
            raise CommandError("There are no forecasts to export. Run `manage.py forecast` first.")
        self.stdout.write(self.style.SUCCESS(f"Wrote {rows_written:,} rows to {path}"))

    def _scope(self, username) -> Scope:
        if not username:
            return Scope.system()
        try:
            return Scope.for_user(User.objects.get(username=username))
        except User.DoesNotExist as exc:
            raise CommandError(f"No user named {username!r}") from exc
