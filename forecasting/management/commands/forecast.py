"""``manage.py forecast``: select models, forecast every series and store the results.

``--origin DATE`` forecasts as if the last actual were DATE (later sales ignored), so a
past peak can be checked against what happened; pages keep showing the latest origin.
"""

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from forecasting.history_frames import origin_at
from forecasting.job_params import CHUNK_SERIES, ForecastParams
from forecasting.selectors import forecast_exists
from forecasting.services import FORECAST_KIND
from jobs.services import job_start


class Command(BaseCommand):
    help = "Forecast every store x SKU series (backtest, select, forecast, store), as a job."

    def add_arguments(self, parser):
        parser.add_argument("--granularity", choices=["daily", "weekly"], default="daily")
        parser.add_argument(
            "--horizon", type=int, help="Periods ahead (default 56 days / 39 weeks)."
        )
        parser.add_argument(
            "--windows", type=int, help="Backtest windows (default 3 daily, 4 weekly)."
        )
        parser.add_argument(
            "--chunk-series",
            type=int,
            default=None,
            help=f"Series per chunk of work (default {CHUNK_SERIES}).",
        )
        parser.add_argument(
            "--origin",
            metavar="DATE",
            help="Forecast as if the last actual were DATE (YYYY-MM-DD); later sales ignored.",
        )
        parser.add_argument(
            "--if-missing",
            action="store_true",
            help="Do nothing when a forecast of this granularity already exists.",
        )
        parser.add_argument(
            "--keep-models",
            action="store_true",
            help=(
                "Refit each series' selected model or blend (with its weights) without "
                "re-running the model selection."
            ),
        )

    def handle(self, *args, **options):
        granularity = "D" if options["granularity"] == "daily" else "W"
        if options["if_missing"] and forecast_exists(granularity):
            self.stdout.write(f"A {options['granularity']} forecast exists already.")
            return
        try:
            params = ForecastParams(
                granularity=granularity,
                horizon=options["horizon"],
                windows=options["windows"],
                reselect=not options["keep_models"],
                company_wide=True,
                chunk_series=options["chunk_series"] or CHUNK_SERIES,
                origin=options["origin"],
            )
            if params.origin:
                origin_at(granularity, pd.Timestamp(params.origin))
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        job = job_start(kind=FORECAST_KIND, params=params, actor=None, echo=self.stdout)
        if job.status != "succeeded":
            raise CommandError(f"Forecast failed: {job.error}")
        summary = job.result
        self.stdout.write(
            self.style.SUCCESS(
                f"Forecast {options['granularity']} for {summary.get('series', 0):,} series "
                f"from {summary.get('origin')} in {job.wall_seconds:.1f} s "
                f"(peak memory {job.peak_memory_mb:.0f} MB)"
            )
        )
        backtest = summary.get("backtest") or {}
        if backtest.get("wape") is not None:
            self.stdout.write(
                f"  backtest WAPE {backtest['wape']:.3f}, accuracy {backtest['accuracy']:.1%}, "
                f"bias {backtest['bias']:+.3f}"
            )
        models = ", ".join(f"{name} {count}" for name, count in summary.get("models", {}).items())
        self.stdout.write(f"  models chosen: {models}")
