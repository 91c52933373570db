"""How often the selection's p10–p90 band holds the held-out actuals, without a database.

Usage (from the repository root)::

    python benchmarks/interval_coverage.py walmart   # weekly, h=13, 4 windows
    python benchmarks/interval_coverage.py aisop     # daily, h=28, 3 windows
    python benchmarks/interval_coverage.py walmart --until 2011-12-30

Builds the same frames as ``forecast_engine_walmart.py`` and runs ``holdout_evaluation`` (what
``manage.py backtest`` runs): prints the model table and the band's coverage and relative
width overall and per demand class. ``--until`` drops everything after the date first.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from forecast_engine_walmart import FRIDAY, fill_weekly, load_aisop, load_walmart

from forecasting.engine import DAILY, WEEKLY
from forecasting.engine.evaluation import holdout_evaluation


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("data", choices=["walmart", "aisop"])
    parser.add_argument("--until", help="Last date of the holdout (YYYY-MM-DD).")
    args = parser.parse_args()
    if args.data == "walmart":
        history, granularity, horizon, windows = (
            fill_weekly(load_walmart()),
            WEEKLY.ending_on(FRIDAY),
            13,
            4,
        )
    else:
        history, granularity, horizon, windows = load_aisop(), DAILY, 28, 3
    if args.until:
        history = history[history["ds"] <= pd.Timestamp(args.until)]
    result = holdout_evaluation(
        history, horizon, granularity, windows, prophet_max_series=0, arima_max_series=10
    )
    print(
        f"holdout {result.holdout_start:%Y-%m-%d} … {result.holdout_end:%Y-%m-%d}, "
        f"{result.series} series"
    )
    print(result.table.round(4).to_string())
    print(f"{result.band[0]}–{result.band[1]} band:")
    print(result.coverage.round(3).to_string())


if __name__ == "__main__":
    main()
