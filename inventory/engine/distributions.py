"""Demand over a protection window: normal for fast movers, Poisson / negative binomial for
slow ones, with the loss functions service targets need, vectorised over series.

A normal approximation of 2 units a week gives fractional, even negative, reorder points and
misstates the chance of a stock-out, so a window whose mean demand is below
``DISCRETE_BELOW_UNITS`` is treated as counts: Poisson when its variance is about its mean,
negative binomial (gamma-Poisson) when it is over-dispersed, as retail counts usually are.
"""

from __future__ import annotations

import numpy as np
from scipy import stats

DISCRETE_BELOW_UNITS = 30.0
# Variance within 2 % of the mean is Poisson; a negative binomial needs var > mean.
POISSON_DISPERSION_TOLERANCE = 1.02
# The discrete grids reach the mean + 12 standard deviations (and at least 40 units).
GRID_SDS = 12.0


def distribution_names(mean: np.ndarray, var: np.ndarray) -> np.ndarray:
    """'normal', 'poisson' or 'negative_binomial' per series (see the module docstring)."""
    discrete = mean < DISCRETE_BELOW_UNITS
    over = var > POISSON_DISPERSION_TOLERANCE * mean
    return np.where(~discrete, "normal", np.where(over, "negative_binomial", "poisson"))


def normal_loss(x: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """E[(D − x)⁺] for D ~ N(mean, sd²)."""
    sd = np.maximum(sd, 1e-12)
    z = (x - mean) / sd
    return sd * (stats.norm.pdf(z) - z * stats.norm.sf(z))


def normal_second_loss(x: np.ndarray, mean: np.ndarray, sd: np.ndarray) -> np.ndarray:
    """½ E[((D − x)⁺)²] for D ~ N(mean, sd²): the integral of the loss from x to ∞."""
    sd = np.maximum(sd, 1e-12)
    z = (x - mean) / sd
    return 0.5 * sd**2 * ((z**2 + 1.0) * stats.norm.sf(z) - z * stats.norm.pdf(z))


def standard_normal_loss_inverse(target: np.ndarray) -> np.ndarray:
    """z with E[(Z − z)⁺] = target (the loss is decreasing), by bisection on [−8, 8]."""
    target = np.asarray(target, dtype=float)
    lo = np.full(target.shape, -8.0)
    hi = np.full(target.shape, 8.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = normal_loss(mid, 0.0, 1.0) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)


def discrete_pmf(mean: np.ndarray, var: np.ndarray, size: int) -> np.ndarray:
    """Series × ``size`` pmf on 0..size−1 (Poisson or negative binomial by dispersion);
    the tail beyond the grid is folded into its last cell so rows sum to one."""
    mean = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    var = np.asarray(var, dtype=float)
    k = np.arange(size)
    over = var > POISSON_DISPERSION_TOLERANCE * mean
    pmf = stats.poisson.pmf(k[None, :], mean[:, None])
    if over.any():
        p = mean[over] / var[over]
        n = mean[over] * p / (1.0 - p)
        pmf[over] = stats.nbinom.pmf(k[None, :], n[:, None], p[:, None])
    pmf[:, -1] += np.clip(1.0 - pmf.sum(axis=1), 0.0, None)
    return pmf


def grid_size(mean: np.ndarray, var: np.ndarray) -> int:
    """A grid wide enough for every discrete series at hand."""
    if len(mean) == 0:
        return 1
    return int(max(40.0, np.max(mean + GRID_SDS * np.sqrt(np.maximum(var, mean))) + 1))


def discrete_cdf_and_loss(pmf: np.ndarray, mean: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """F(x) and E[(D − x)⁺] for x = 0..size−1 (row per series).

    E[(D − x)⁺] = mean − x + E[(x − D)⁺] and E[(x − D)⁺] = Σ_{k<x} F(k).
    """
    cdf = np.cumsum(pmf, axis=1)
    below = np.zeros_like(cdf)
    below[:, 1:] = np.cumsum(cdf[:, :-1], axis=1)
    x = np.arange(pmf.shape[1])[None, :]
    return cdf, np.maximum(np.asarray(mean)[:, None] - x + below, 0.0)
