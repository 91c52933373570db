"""Simulated pilots on a panel: the false-positive rate is α, the power is as predicted."""

import numpy as np
import pytest

from pilots.engine.assignment import assign_stratified
from pilots.engine.simulation import _measurable_starts, simulate_kpi


def _panel(seed=0, stores=24, weeks=60):
    rng = np.random.default_rng(seed)
    level = rng.lognormal(3, 0.5, stores)
    season = 1 + 0.2 * np.sin(np.arange(weeks) / 52 * 2 * np.pi)
    return level[:, None] * season[None, :] * (1 + rng.normal(0, 0.2, (stores, weeks)))


def _design(strata):
    return lambda run: assign_stratified(np.arange(len(strata)), strata, seed=run)


def test_a_a_pilots_reject_at_the_nominal_rate():
    strata = np.repeat([0, 1, 2], 8)
    result = simulate_kpi(_panel(), _design(strata), runs=400, pre_weeks=13, pilot_weeks=13)
    assert result.predicted_power is None
    assert 0.025 <= result.rejection_rate <= 0.085


def test_a_planted_effect_is_detected_about_as_often_as_predicted():
    strata = np.repeat([0, 1, 2], 8)
    result = simulate_kpi(
        _panel(1), _design(strata), runs=400, pre_weeks=13, pilot_weeks=13, standardised_effect=0.3
    )
    assert 0.3 < result.predicted_power < 0.98
    assert result.rejection_rate == pytest.approx(result.predicted_power, abs=0.1)


def test_a_panel_too_short_for_the_pilot_is_refused():
    with pytest.raises(ValueError, match="needs more"):
        simulate_kpi(_panel(weeks=20), _design(np.zeros(24)), runs=10, pre_weeks=13, pilot_weeks=13)


def test_weeks_without_the_kpi_keep_the_store_but_not_the_unmeasurable_starts():
    """A store whose KPI is unknown in its first weeks stays in the simulation; pilots are
    only drawn where every store is measured before and during (no NaN reaches the test)."""
    panel = _panel(2, weeks=40)
    panel[:5, :13] = np.nan
    strata = np.repeat([0, 1, 2], 8)
    result = simulate_kpi(panel, _design(strata), runs=60, pre_weeks=13, pilot_weeks=13)
    assert 0.0 <= result.rejection_rate < 0.2
    assert _measurable_starts(panel, 13, 13) == list(range(14, 28))
    panel[:5, :] = np.nan
    with pytest.raises(ValueError, match="every store measured"):
        simulate_kpi(panel, _design(strata), runs=10, pre_weeks=13, pilot_weeks=13)
