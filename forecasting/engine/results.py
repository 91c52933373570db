"""What a forecast run produces: four frames with fixed columns, shared by engine and writer.

The engine builds a :class:`ForecastResults`; the service that stores it reads the same
column contracts, so a column renamed on one side cannot silently go missing on the other.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

# series_id, ds, step, model, forecast and the interval; further quantile columns may follow.
FORECAST_COLUMNS = ("series_id", "ds", "step", "model", "forecast", "p10", "p50", "p90")
# ``blend`` holds a Blend; ``model`` is its name.
SELECTION_COLUMNS = (
    "series_id",
    "model",
    "blend",
    "demand_class",
    "score",
    "strategy",
    "pinned",
    "pin_cost",
    "fva_vs_seasonal_naive",
    "fallback_reason",
)
LEADERBOARD_COLUMNS = ("series_id", "model", "rmsse", "mase", "wape", "bias", "n", "n_windows")
BACKTEST_FIT_COLUMNS = ("series_id", "window", "ds", "model", "forecast", "actual")
FRAMES = ("forecasts", "leaderboard", "selection", "backtest_fits")


@dataclass
class ForecastResults:
    """A forecast run's output.

    ``forecasts``: :data:`FORECAST_COLUMNS`. ``leaderboard``: series × model backtest errors,
    :data:`LEADERBOARD_COLUMNS`. ``selection``: one row per series, :data:`SELECTION_COLUMNS`.
    ``backtest_fits``: :data:`BACKTEST_FIT_COLUMNS` of the selected model and seasonal naive
    (all candidates when the run keeps them all). ``timings``: seconds per candidate
    (backtest + refit) and per stage.
    """

    forecasts: pd.DataFrame
    leaderboard: pd.DataFrame
    selection: pd.DataFrame
    backtest_fits: pd.DataFrame
    timings: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name, columns in (
            ("forecasts", FORECAST_COLUMNS),
            ("leaderboard", LEADERBOARD_COLUMNS),
            ("selection", SELECTION_COLUMNS),
            ("backtest_fits", BACKTEST_FIT_COLUMNS),
        ):
            frame = getattr(self, name)
            missing = [c for c in columns if c not in frame.columns]
            if missing and not frame.empty:
                raise ValueError(f"{name} lacks the columns {missing}")

    @classmethod
    def concat(cls, parts: list[ForecastResults]) -> ForecastResults:
        """One result from the results of disjoint sets of series (chunks)."""
        timings: dict[str, float] = {}
        for part in parts:
            for key, seconds in part.timings.items():
                timings[key] = timings.get(key, 0.0) + seconds
        frames = {
            name: pd.concat([getattr(part, name) for part in parts], ignore_index=True)
            for name in FRAMES
        }
        return cls(**frames, timings=timings)
