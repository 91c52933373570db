"""The detectors' thresholds, in one frozen object so a scan's settings are explicit.

The defaults were tuned on the first two years of the default demo company (seed 7) and
checked on its last year and on another seed (``evaluate_anomalies --dataset demo``); they
are statistical levels (z-scores, Poisson probabilities), not counts of the demo's events.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class DetectorSettings:
    """Thresholds of every detector (z in robust standard deviations)."""

    baseline_weeks: int = 8  # same-weekday history the seasonal baseline takes the median of
    spike_z: float = 5.5  # one period this far above the expectation is a spike on its own
    spike_ratio: float = 3.0  # ... and at least this many times the expectation
    spike_max_days: int = 7  # a spike's total is tested over windows of up to this many periods
    spike_continue_z: float = 3.0  # neighbouring periods this high join the spike
    spike_min_units: float = 3.0
    # With the Isolation Forest agreeing, this is enough. Equal to spike_z: on the tuning
    # years a forest vote at 5.0 added three false spikes and no true one, so by default
    # the forest is evidence shown beside the residual, not a vote.
    weak_z: float = 5.5
    forest_quantile: float = 0.995  # forest scores above this quantile of normal cells agree
    entry_error_ratio: float = 6.0  # a lone period keyed ×10 is at least this far above
    # ... and this improbable. Not above spike_z: a round figure that is a spike on its own
    # and whose tenth is ordinary is explained as a keying error, never reported as a spike
    # of the wrong kind (on the tuning years 5.5 and 6.0 find the same alerts).
    entry_error_z: float = 5.5
    entry_error_min_expected: float = 0.5
    drop_ratio: float = 0.5  # periods below this share of the expectation form a drop run
    drop_z: float = 6.0  # a run whose shortfall is this significant is a demand drop
    drop_min_periods: int = 2
    phantom_log_p: float = 12.0  # zero sales with P(0 | demand rate) < e^-12 ...
    phantom_min_days: int = 14  # ... for longer than two weekly review cycles
    late_tolerance_days: int = 3  # deliveries later than promised by more than this
    drift_min_orders: int = 8
    drift_recent_orders: int = 10
    drift_z: float = 4.0
    drift_min_days: float = 2.0
    stock_gain_tolerance: float = 2.0  # units a count may differ from the book by
    feed_thin_ratio: float = 0.5  # a day with under half its usual rows is thin
    peer_min_ratio: float = 3.0  # a store-SKU week this far from its peers (either way)
    peer_eps: float = 1.5  # DBSCAN radius, in robust standard deviations of the week

    def __post_init__(self) -> None:
        if self.baseline_weeks < 2:
            raise ValueError("baseline_weeks must be at least 2")
        if not 0 < self.drop_ratio < 1:
            raise ValueError("drop_ratio must be between 0 and 1")
        if self.late_tolerance_days < 0:
            raise ValueError("late_tolerance_days must not be negative")
