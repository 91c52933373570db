"""Pure-numeric demand forecasting engine (pandas/numpy; no Django).

Public API, all over long frames with ``series_id, ds, y`` (+ numeric exogenous columns):

- :func:`classify_demand` — Syntetos-Boylan demand classes.
- :mod:`metrics` — ``wape``, ``bias``, ``mase``, ``rmsse``, ``mape_nonzero``, ``accuracy``.
- :func:`backtest` — rolling-origin evaluation of candidates.
- :func:`select_models` — per-series choice with validated strategy and pins.
- :func:`add_intervals`, :func:`lead_time_demand` — quantiles from backtest residuals.
- :func:`reconcile` — bottom-up or MinT-shrink coherent hierarchy forecasts.
- :func:`run_forecast_pipeline` — everything above in one chunkable call.
"""

from .backtest import BacktestResult, backtest, default_candidates
from .classify import classify_demand
from .hierarchy import aggregate, reconcile
from .intervals import add_intervals, lead_time_demand
from .metrics import accuracy, bias, mape_nonzero, mase, naive_scales, rmsse, wape
from .models import Candidate, ForecastTask
from .pipeline import PipelineResult, run_forecast_pipeline
from .selection import select_models, selected_forecasts

__all__ = [
    "BacktestResult",
    "Candidate",
    "ForecastTask",
    "PipelineResult",
    "accuracy",
    "add_intervals",
    "aggregate",
    "backtest",
    "bias",
    "classify_demand",
    "default_candidates",
    "lead_time_demand",
    "mape_nonzero",
    "mase",
    "naive_scales",
    "reconcile",
    "rmsse",
    "run_forecast_pipeline",
    "select_models",
    "selected_forecasts",
    "wape",
]
