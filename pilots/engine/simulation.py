"""Checking the pilot statistics on the company's own history: A/A pilots and planted effects.

Each simulated pilot starts at a random week of a (stores × weeks) KPI panel, takes the
``pre_weeks`` before as its pre-period and the ``pilot_weeks`` after as the pilot, draws the
groups with the design, and tests the KPI as the real analysis does. With no planted effect
the share of rejections is the false-positive rate (it should be α); with an effect planted
in the experimental stores it is the power, to compare with what the design predicted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from pilots.engine.assignment import Assignment
from pilots.engine.effects import permutation_p_value
from pilots.engine.power import Variability, adjusted_correlation, simulated_power


@dataclass(frozen=True)
class SimulationResult:
    runs: int
    rejection_rate: float
    predicted_power: float | None
    effect: float  # planted, in the KPI's units (0 for A/A)


def simulate_kpi(
    weekly: np.ndarray,
    design: Callable[[int], Assignment],
    *,
    runs: int,
    pre_weeks: int,
    pilot_weeks: int,
    standardised_effect: float = 0.0,
    alpha: float = 0.05,
    draws: int = 500,
    seed: int = 0,
) -> SimulationResult:
    """Simulate ``runs`` pilots on the (stores × weeks) panel ``weekly``.

    ``design(run)`` returns the assignment of run ``run`` (stores in the panel's row order).
    ``standardised_effect`` is the planted effect in between-store standard deviations of
    the pilot-period KPI (Cohen's d); the predicted power is the mean over the runs of what
    the design predicts for that effect with that run's stores (``simulated_power``).
    """
    weekly = np.asarray(weekly, dtype=float)
    weeks = weekly.shape[1]
    if weeks < pre_weeks + pilot_weeks:
        raise ValueError(
            f"The panel has {weeks} weeks; a pilot of {pilot_weeks} weeks with a {pre_weeks}-week "
            "pre-period needs more."
        )
    starts = _measurable_starts(weekly, pre_weeks, pilot_weeks)
    if not starts:
        raise ValueError("No stretch of the panel has every store measured before and during.")
    rng = np.random.default_rng(seed)
    rejections, predicted = 0, []
    for run in range(runs):
        start = int(rng.choice(starts))
        pre = np.nanmean(weekly[:, start - pre_weeks : start], axis=1)
        post = np.nanmean(weekly[:, start : start + pilot_weeks], axis=1)
        assignment = design(run)
        effect = 0.0
        if standardised_effect:
            variability = _variability(pre, post)
            effect = standardised_effect * variability.sd
            predicted.append(
                simulated_power(
                    pre, variability, effect, assignment, alpha=alpha, sims=100, seed=run
                )
            )
            post = post + effect * assignment.group
        p = permutation_p_value(post, pre, assignment, draws=draws, seed=run)
        rejections += p < alpha
    return SimulationResult(
        runs=runs,
        rejection_rate=rejections / runs,
        predicted_power=float(np.mean(predicted)) if predicted else None,
        effect=standardised_effect,
    )


def _measurable_starts(weekly: np.ndarray, pre_weeks: int, pilot_weeks: int) -> list[int]:
    """The start weeks at which every store has the KPI at least once in the pre-period and
    at least once in the pilot (a KPI such as the cycle service level is unknown in a week
    that ended no replenishment cycle)."""
    seen = np.concatenate([np.zeros((len(weekly), 1)), np.cumsum(~np.isnan(weekly), axis=1)], 1)
    starts = np.arange(pre_weeks, weekly.shape[1] - pilot_weeks + 1)
    before = seen[:, starts] - seen[:, starts - pre_weeks]
    during = seen[:, starts + pilot_weeks] - seen[:, starts]
    return [int(s) for s in starts[((before > 0) & (during > 0)).all(axis=0)]]


def _variability(pre: np.ndarray, post: np.ndarray) -> Variability:
    rho = float(np.corrcoef(pre, post)[0, 1]) if pre.std() > 0 and post.std() > 0 else 0.0
    return Variability(
        mean=float(post.mean()),
        sd=float(post.std(ddof=1)),
        rho=adjusted_correlation(rho, len(post)),
        stores=len(post),
    )
