"""The effect of a pilot on a KPI, with an interval and a p-value executives can trust.

Per KPI, with one value per store for the pre-period (``pre``) and the pilot period
(``post``):

- the effect by regression adjustment on the pre-period (``post ~ 1 + group + pre``, the
  idea behind CUPED), with a heteroskedasticity-robust (HC2) interval;
- difference-in-differences beside it (the change in the experimental stores less the change
  in the control stores), which needs no model of how post depends on pre;
- a permutation p-value that re-draws the assignment the way the design drew it;
- Holm's correction across the KPIs, and a sample-ratio check of the groups.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

from pilots.engine.assignment import Assignment


@dataclass(frozen=True)
class Effect:
    """One KPI's estimated effect (experimental − control, in the KPI's units)."""

    effect: float
    ci_low: float
    ci_high: float
    did: float
    p_value: float
    control_mean: float
    experimental_mean: float

    @property
    def relative(self) -> float | None:
        """The effect as a share of the control group's level (-0.1: 10 % lower)."""
        return self.effect / self.control_mean if self.control_mean else None


def adjusted_effect(post: np.ndarray, pre: np.ndarray, group: np.ndarray) -> tuple[float, float]:
    """Regression-adjusted effect and its HC2 standard error."""
    post, pre, group = _arrays(post, pre, group)
    design = np.column_stack([np.ones(len(post)), group, pre - pre.mean()])
    inverse = np.linalg.pinv(design.T @ design)
    coefficients = inverse @ design.T @ post
    residuals = post - design @ coefficients
    leverage = np.einsum("ij,jk,ik->i", design, inverse, design)
    weights = residuals**2 / np.clip(1 - leverage, 1e-12, None)
    covariance = inverse @ (design.T * weights) @ design @ inverse
    return float(coefficients[1]), float(np.sqrt(max(covariance[1, 1], 0.0)))


def difference_in_differences(post: np.ndarray, pre: np.ndarray, group: np.ndarray) -> float:
    post, pre, group = _arrays(post, pre, group)
    change = post - pre
    return float(change[group == 1].mean() - change[group == 0].mean())


def permutation_p_value(
    post: np.ndarray,
    pre: np.ndarray,
    assignment: Assignment,
    *,
    draws: int = 2000,
    seed: int = 0,
) -> float:
    """Two-sided p-value of the adjusted effect against the design's own re-draws."""
    post, pre, _ = _arrays(post, pre, assignment.group)
    return float(permutation_p_values(post[None, :], pre, assignment, draws=draws, seed=seed)[0])


def permutation_p_values(
    posts: np.ndarray,
    pre: np.ndarray,
    assignment: Assignment,
    *,
    draws: int = 2000,
    seed: int = 0,
) -> np.ndarray:
    """The permutation p-value for each row of ``posts`` (outcomes × stores), all against
    the same re-draws of the design.

    The adjusted effect of every re-draw and outcome is computed at once: by Frisch–Waugh–
    Lovell it is the slope of ``post`` on the group after both are residualised on
    ``[1, pre]``, so the re-draws need a few matrix products, not one regression each.
    """
    rng = np.random.default_rng(seed)
    group = assignment.group.astype(float)
    groups = np.vstack([group[None, :], assignment.redraw(rng, draws)]).astype(float)
    basis = np.column_stack([np.ones(len(pre)), pre - pre.mean()])
    projector = basis @ np.linalg.pinv(basis)
    groups_r = groups - groups @ projector.T
    denominators = np.einsum("ij,ij->i", groups_r, groups_r)
    slopes = (groups_r @ np.asarray(posts, dtype=float).T) / np.where(
        denominators > 1e-12, denominators, np.nan
    )[:, None]
    observed = np.abs(slopes[0])
    extreme = np.sum(np.abs(slopes[1:]) >= observed[None, :] - 1e-12, axis=0)
    return (extreme + 1) / (draws + 1)


def estimate(
    post: np.ndarray,
    pre: np.ndarray,
    assignment: Assignment,
    *,
    alpha: float = 0.05,
    draws: int = 2000,
    seed: int = 0,
) -> Effect:
    """The KPI's effect, interval (t with n − 3 degrees of freedom), DiD and p-value."""
    post, pre, group = _arrays(post, pre, assignment.group)
    effect, se = adjusted_effect(post, pre, group)
    t = stats.t.ppf(1 - alpha / 2, max(len(post) - 3, 1))
    return Effect(
        effect=effect,
        ci_low=effect - t * se,
        ci_high=effect + t * se,
        did=difference_in_differences(post, pre, group),
        p_value=permutation_p_value(post, pre, assignment, draws=draws, seed=seed),
        control_mean=float(post[group == 0].mean()),
        experimental_mean=float(post[group == 1].mean()),
    )


def holm(p_values: list[float]) -> list[float]:
    """Holm–Bonferroni adjusted p-values, in the input's order."""
    m = len(p_values)
    order = np.argsort(p_values)
    adjusted = np.empty(m)
    running = 0.0
    for rank, index in enumerate(order):
        running = max(running, min(1.0, (m - rank) * p_values[index]))
        adjusted[index] = running
    return adjusted.tolist()


def sample_ratio_p_value(n_experimental: int, n_control: int, expected_share: float = 0.5) -> float:
    """Chi-square test that the groups' sizes match the planned split; a tiny p-value means
    stores were lost or moved unevenly and the comparison may be biased."""
    total = n_experimental + n_control
    if total == 0:
        return 1.0
    expected = np.array([expected_share, 1 - expected_share]) * total
    return float(stats.chisquare([n_experimental, n_control], expected).pvalue)


def _arrays(post, pre, group) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    post, pre = np.asarray(post, dtype=float), np.asarray(pre, dtype=float)
    group = np.asarray(group)
    if not (len(post) == len(pre) == len(group)):
        raise ValueError("post, pre and group must hold one value per store")
    if not (np.all(np.isfinite(post)) and np.all(np.isfinite(pre))):
        raise ValueError("every store needs a finite KPI before and during the pilot")
    if min(np.sum(group == 1), np.sum(group == 0)) < 2:
        raise ValueError("each group needs at least two stores")
    return post, pre, group
