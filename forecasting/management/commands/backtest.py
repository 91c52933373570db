"""``manage.py backtest``: how accurate the automatic selection is, against every model.

Holds out the last ``--horizon`` periods of every series in the database (or the periods that
end at ``--until DATE``: nothing after it is read), runs the full pipeline (its own
``--windows``-window rolling-origin backtest and selection) on the rest, runs each candidate
alone, and prints WAPE, accuracy, bias, MASE and time for each, the share of series where the
selection beats seasonal naive, and how often the selection's p10–p90 band held the actuals,
overall and per demand class.
"""

import json
from datetime import date

import pandas as pd
from django.core.management.base import BaseCommand, CommandError

from forecasting.engine.evaluation import SELECTION, holdout_evaluation
from forecasting.history_frames import (
    last_actual_date,
    load_series_frames,
    origin_at,
    store_ids_with_sales,
)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--until must be a date as YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = "Backtest the model selection and every candidate on a holdout; print the table."

    def add_arguments(self, parser):
        parser.add_argument("--granularity", choices=["daily", "weekly"], default="daily")
        parser.add_argument("--horizon", type=int, help="Held-out periods (default 28 d / 13 wk).")
        parser.add_argument(
            "--windows", type=int, default=3, help="Backtest windows for selection."
        )
        parser.add_argument(
            "--until",
            metavar="DATE",
            help="Hold out the periods that end at DATE (YYYY-MM-DD); later sales are not read.",
        )
        parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")

    def handle(self, *args, **options):
        granularity = "D" if options["granularity"] == "daily" else "W"
        horizon = options["horizon"] or (28 if granularity == "D" else 13)
        if horizon < 1 or options["windows"] < 1:
            raise CommandError("--horizon and --windows must be at least 1")
        until = _date(options["until"]) if options["until"] else None
        try:
            if until is None:
                origin = last_actual_date(granularity)
                if origin is None:
                    raise ValueError("There is no sales history. Import sales first.")
            else:
                origin = origin_at(granularity, pd.Timestamp(until))
            frames = load_series_frames(
                granularity=granularity,
                store_ids=store_ids_with_sales(),
                horizon=1,
                origin=origin,
            )
            result = holdout_evaluation(
                frames.history, horizon, frames.granularity, options["windows"]
            )
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        table = result.table
        coverage = result.coverage
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
                        "band": list(result.band),
                        "coverage": {
                            name: {k: (None if pd.isna(v) else float(v)) for k, v in row.items()}
                            for name, row in coverage.iterrows()
                        },
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
        low, high = result.band
        self.stdout.write(f"{low}–{high} band on the holdout (nominal {_nominal(low, high):.0%}):")
        self.stdout.write(
            f"{'demand class':<22}{'series':>8}{'points':>9}{'coverage':>10}{'width':>9}"
        )
        for name, row in coverage.iterrows():
            self.stdout.write(
                f"{name:<22}{row['series']:>8.0f}{row['points']:>9.0f}{row['coverage']:>10.1%}"
                f"{row['width']:>9.2f}"
            )
        self.stdout.write("  width: band width summed over points relative to the summed forecast")


def _nominal(low: str, high: str) -> float:
    """The share a band between two quantile columns (``p10``, ``p90``) should hold."""
    return (float(high[1:]) - float(low[1:])) / 100
