"""Signals about forecasts, so read-side apps can follow them without being imported.

``forecast_finished`` is sent when a forecast run has written all its chunks and its
summary; the keyword argument ``run`` is the finished ``ForecastRun``.
"""

from django.dispatch import Signal

forecast_finished = Signal()
