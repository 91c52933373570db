"""``manage.py backtest``: how accurate the automatic selection is, against every model.

Holds out the last ``--horizon`` periods of every series in the database, runs the full
pipeline (its own ``--windows``-window rolling-origin backtest and selection) on the rest,
runs each candidate alone, and prints WAPE, accuracy, bias, MASE and time for each, plus the
share of series where the selection beats seasonal naive.
"""

import json

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from forecasting.engine.evaluation import SELECTION, holdout_evaluation
from forecasting.history_frames import last_actual_date, load_series_frames, store_ids_with_sales


class Command(BaseCommand):
    help = "Backtest the model selection and every candidate on a holdout; print the table."

    def add_arguments(self, parser):
        parser.add_argument("--granularity", choices=["daily", "weekly"], default="daily")
        parser.add_argument("--horizon", type=int, help="Held-out periods (default 28 d / 13 wk).")
        parser.add_argument(
            "--windows", type=int, default=3, help="Backtest windows for selection."
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args, **options):
        granularity = "D" if options["granularity"] == "daily" else "W"
        horizon = options["horizon"] or (28 if granularity == "D" else 13)
        if horizon < 1 or options["windows"] < 1:
            raise CommandError("--horizon and --windows must be at least 1")
        origin = last_actual_date(granularity)
        if origin is None:
            raise CommandError("There is no sales history. Import sales first.")
        try:
            frames = load_series_frames(
                granularity=granularity,
                store_ids=store_ids_with_sales(),
                horizon=1,
                origin=origin,
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        result = holdout_evaluation(frames.history, horizon, frames.granularity, options["windows"])
        table = result.table
        if options["json"]:
            self.stdout.write(
                json.dumps(
                    {
                        "granularity": options["granularity"],
                        "horizon": horizon,
                        "windows": options["windows"],
                        "series": result.series,
                        "holdout": [
                            str(result.holdout_start.date()),
                            str(result.holdout_end.date()),
                        ],
                        "models": {
                            name: {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}
                            for name, row in table.iterrows()
                        },
                        "selection_beats_seasonal_naive_share": result.beats_seasonal_naive,
                        "strategies": result.strategies,
                    },
                    indent=2,
                )
            )
            return
        self.stdout.write(
            f"Holdout {result.holdout_start:%Y-%m-%d} … {result.holdout_end:%Y-%m-%d} "
            f"({horizon} {options['granularity']} periods), {result.series:,} series, "
            f"selection by {options['windows']}-window rolling-origin backtest"
        )
        self.stdout.write(
            f"{'model':<22}{'series':>8}{'WAPE':>9}{'accuracy':>10}{'bias':>9}{'MASE':>8}{'seconds':>10}"
        )
        for name, row in table.iterrows():
            label = f"{name} *" if name == SELECTION else name
            self.stdout.write(
                f"{label:<22}{row['series']:>8.0f}{row['wape']:>9.4f}{row['accuracy']:>10.1%}"
                f"{row['bias']:>+9.4f}{row['mase']:>8.3f}{row['seconds']:>10.1f}"
            )
        singles = table.drop(index=SELECTION)
        best = singles["wape"].idxmin()
        selection = table.loc[SELECTION]
        self.stdout.write(
            f"* selection beats seasonal naive on {result.beats_seasonal_naive:.1%} of series"
        )
        self.stdout.write(
            f"  selection WAPE {selection['wape']:.4f} vs seasonal naive "
            f"{table.loc['seasonal_naive', 'wape']:.4f} and best single model ({best}) "
            f"{singles.loc[best, 'wape']:.4f}; strategies {result.strategies}"
        )
