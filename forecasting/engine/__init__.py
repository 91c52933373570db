"""Pure-numeric demand forecasting engine (pandas/numpy; no Django).

Public API, all over long frames with ``series_id, ds, y`` (+ numeric exogenous columns):

- :func:`classify_demand` — Syntetos-Boylan demand classes.
- :mod:`metrics` — ``wape``, ``bias``, ``mase``, ``rmsse``, ``mape_nonzero``, ``accuracy``.
- :func:`backtest` — rolling-origin evaluation of candidates.
- :func:`select_models` — per-series choice with validated strategy and pins.
- :func:`add_intervals`, :func:`lead_time_demand` — quantiles from backtest residuals.
- :func:`aggregate` — bottom-up sums of series forecasts to any level, with coherent intervals.
- :func:`run_forecast_pipeline` — everything above in one chunkable call, configured by a
  :class:`PipelineConfig` (grain: :class:`Granularity`; pins: :class:`Blend` per series),
  returning :class:`ForecastResults`.
"""

from .backtest import BacktestResult, backtest, default_candidates
from .blend import Blend
from .classify import classify_demand
from .granularity import DAILY, WEEKLY, Granularity, granularity_of
from .hierarchy import aggregate
from .intervals import add_intervals, lead_time_demand
from .metrics import accuracy, bias, mape_nonzero, mase, naive_scales, rmsse, wape
from .models import Candidate, ForecastTask
from .pipeline import PipelineConfig, run_forecast_pipeline
from .results import ForecastResults
from .selection import select_models, selected_forecasts

__all__ = [
    "DAILY",
    "WEEKLY",
    "BacktestResult",
    "Blend",
    "Candidate",
    "ForecastResults",
    "ForecastTask",
    "Granularity",
    "PipelineConfig",
    "accuracy",
    "add_intervals",
    "aggregate",
    "backtest",
    "bias",
    "classify_demand",
    "default_candidates",
    "granularity_of",
    "lead_time_demand",
    "mape_nonzero",
    "mase",
    "naive_scales",
    "rmsse",
    "run_forecast_pipeline",
    "select_models",
    "selected_forecasts",
    "wape",
]
