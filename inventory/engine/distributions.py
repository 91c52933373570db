"""Demand at risk while an order is on its way: normal for fast movers, Poisson or negative
binomial for slow ones, with the loss functions service targets need, vectorised over series.

A normal approximation of 2 units a week gives fractional, even negative, reorder points and
misstates the chance of a stock-out, so when the demand at risk averages fewer than
``DISCRETE_BELOW_UNITS`` units it is treated as counts: Poisson when its variance is about
its mean, negative binomial (gamma–Poisson) when it is over-dispersed, as retail counts
usually are.

Demand at risk for a reorder-point policy is the lead-time demand plus the undershoot (how
far below the reorder point the inventory position already is when an order goes out, which
matters for lumpy demand); for a base-stock policy it is the demand over lead time + review.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import stats

DISCRETE_BELOW_UNITS = 100.0
# Variance within 2 % of the mean is Poisson; a negative binomial needs var > mean.
POISSON_DISPERSION_TOLERANCE = 1.02
# Discrete grids reach the mean + 12 standard deviations (at least 64 cells, at most 8,192).
GRID_SDS = 12.0
GRID_MIN = 64
GRID_MAX = 8192


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
    """z with E[(Z − z)⁺] = target (the loss decreases in z), by bisection on [−8, 8]."""
    target = np.asarray(target, dtype=float)
    lo = np.full(target.shape, -8.0)
    hi = np.full(target.shape, 8.0)
    for _ in range(60):
        mid = 0.5 * (lo + hi)
        above = normal_loss(mid, 0.0, 1.0) > target
        lo = np.where(above, mid, lo)
        hi = np.where(above, hi, mid)
    return 0.5 * (lo + hi)


def undershoot_moments(mean: np.ndarray, var: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Mean and variance of the undershoot U below a reorder point crossed by demand D of one
    review (integer-valued): P(U = u) = P(D > u) / E[D], so E[U] = (E[D²] − E[D]) / (2E[D])
    and E[U²] = (2E[D³] − 3E[D²] + E[D]) / (6E[D]). The third moment is the negative
    binomial's, μ³ + 3μσ² + σ²(2σ²/μ − 1) (Poisson when σ² = μ)."""
    mu = np.maximum(np.asarray(mean, dtype=float), 1e-9)
    var = np.maximum(np.asarray(var, dtype=float), mu)
    m2 = var + mu**2
    m3 = mu**3 + 3.0 * mu * var + var * (2.0 * var / mu - 1.0)
    first = np.maximum((m2 - mu) / (2.0 * mu), 0.0)
    second = np.maximum((2.0 * m3 - 3.0 * m2 + mu) / (6.0 * mu), first**2)
    zero = np.asarray(mean) <= 0
    return np.where(zero, 0.0, first), np.where(zero, 0.0, second - first**2)


def count_pmf(mean: np.ndarray, var: np.ndarray, size: int) -> np.ndarray:
    """Rows × ``size`` pmf on 0..size−1, Poisson or negative binomial by dispersion, by the
    recursions p(k) = p(k−1)·μ/k and p(k) = p(k−1)·(k − 1 + r)/k·(1 − p); the tail beyond
    the grid is folded into the last cell so rows sum to one."""
    mean = np.maximum(np.asarray(mean, dtype=float), 0.0)
    var = np.asarray(var, dtype=float)
    over = var > POISSON_DISPERSION_TOLERANCE * np.maximum(mean, 1e-12)
    p = np.where(over, mean / np.where(over, var, 1.0), 1.0)
    r = np.where(over, mean * p / np.maximum(1.0 - p, 1e-300), 1.0)
    pmf = np.empty((len(mean), size))
    with np.errstate(divide="ignore", invalid="ignore", under="ignore"):
        pmf[:, 0] = np.where(over, np.exp(r * np.log(np.where(over, p, 1.0))), np.exp(-mean))
        for k in range(1, size):
            step = np.where(over, (k - 1 + r) / k * (1.0 - p), mean / k)
            pmf[:, k] = pmf[:, k - 1] * step
    pmf = np.nan_to_num(pmf)
    pmf[:, -1] += np.clip(1.0 - pmf.sum(axis=1), 0.0, None)
    return pmf


@dataclass(frozen=True)
class RiskDemand:
    """Demand at risk per series: its mean, variance and distribution name, and for the
    discrete series their cdf and loss on integer grids (kept per grid-size bucket)."""

    mean: np.ndarray
    var: np.ndarray
    dist: np.ndarray
    buckets: tuple[tuple[np.ndarray, np.ndarray, np.ndarray], ...]

    @classmethod
    def build(
        cls,
        *,
        lead_mean: np.ndarray,
        lead_var: np.ndarray,
        review_mean: np.ndarray,
        review_var: np.ndarray,
    ) -> RiskDemand:
        """Lead-time demand (mean, variance) plus the undershoot of the review demand
        (zero review demand: no undershoot, as for base stock)."""
        under_mean, under_var = undershoot_moments(review_mean, review_var)
        mean = lead_mean + under_mean
        var = np.maximum(lead_var + under_var, 1e-12)
        discrete = mean < DISCRETE_BELOW_UNITS
        over = lead_var > POISSON_DISPERSION_TOLERANCE * np.maximum(lead_mean, 1e-12)
        dist = np.where(~discrete, "normal", np.where(over, "negative_binomial", "poisson"))
        need = np.clip(mean + GRID_SDS * np.sqrt(var) + 1, GRID_MIN, GRID_MAX)
        sizes = 2 ** np.ceil(np.log2(need)).astype(int)
        buckets = []
        for size in np.unique(sizes[discrete]):
            rows = np.flatnonzero(discrete & (sizes == size))
            pmf = count_pmf(lead_mean[rows], lead_var[rows], int(size))
            pmf = _with_undershoot(pmf, review_mean[rows], review_var[rows])
            cdf = np.cumsum(pmf, axis=1)
            below = np.zeros_like(cdf)
            below[:, 1:] = np.cumsum(cdf[:, :-1], axis=1)
            mean_rows = (pmf * np.arange(size)).sum(axis=1)
            loss = np.maximum(mean_rows[:, None] - np.arange(size)[None, :] + below, 0.0)
            buckets.append((rows, cdf, loss))
        return cls(mean=mean, var=var, dist=dist, buckets=tuple(buckets))

    def reorder_points(
        self, target_kind: str, target: float, cycle_units: np.ndarray
    ) -> np.ndarray:
        """Whole units: the smallest r with F(r) ≥ target (cycle service level), or with
        expected units short per cycle n(r) ≤ (1 − target) × units per cycle (fill rate)."""
        reorder = np.zeros(len(self.mean))
        normal = self.dist == "normal"
        if normal.any():
            sd = np.sqrt(self.var[normal])
            if target_kind == "csl":
                z = np.full(normal.sum(), stats.norm.ppf(target))
            else:
                z = standard_normal_loss_inverse((1.0 - target) * cycle_units[normal] / sd)
            reorder[normal] = np.ceil(self.mean[normal] + z * sd - 1e-9)
        for rows, cdf, loss in self.buckets:
            if target_kind == "csl":
                meets = cdf >= target - 1e-12
            else:
                meets = loss <= ((1.0 - target) * cycle_units[rows])[:, None] + 1e-12
            reorder[rows] = np.where(meets.any(axis=1), np.argmax(meets, axis=1), cdf.shape[1] - 1)
        return np.maximum(reorder, 0.0)

    def service(
        self, reorder: np.ndarray, cycle_units: np.ndarray
    ) -> tuple[np.ndarray, np.ndarray]:
        """Cycle service level F(r) and fill rate 1 − n(r) / units per cycle."""
        csl = np.zeros(len(reorder))
        short = np.zeros(len(reorder))
        normal = self.dist == "normal"
        if normal.any():
            sd = np.sqrt(self.var[normal])
            csl[normal] = stats.norm.cdf((reorder[normal] - self.mean[normal]) / sd)
            short[normal] = normal_loss(reorder[normal], self.mean[normal], sd)
        for rows, cdf, loss in self.buckets:
            idx = np.clip(reorder[rows].astype(int), 0, cdf.shape[1] - 1)
            at = np.arange(len(rows))
            csl[rows] = cdf[at, idx]
            short[rows] = loss[at, idx]
        fill = np.clip(1.0 - short / np.maximum(cycle_units, 1e-9), 0.0, 1.0)
        return csl, fill


def _with_undershoot(
    pmf: np.ndarray, review_mean: np.ndarray, review_var: np.ndarray
) -> np.ndarray:
    """Convolve lead-time demand with the undershoot P(U = u) = P(D > u) / E[D]."""
    has = review_mean > 0
    if not has.any():
        return pmf
    size = pmf.shape[1]
    step = count_pmf(review_mean[has], review_var[has], size)
    under = np.clip(1.0 - np.cumsum(step, axis=1), 0.0, None) / review_mean[has][:, None]
    under[:, -1] += np.clip(1.0 - under.sum(axis=1), 0.0, None)
    length = 2 * size
    total = np.fft.irfft(
        np.fft.rfft(pmf[has], length, axis=1) * np.fft.rfft(under, length, axis=1),
        length,
        axis=1,
    )
    total = np.clip(total, 0.0, None)
    folded = total[:, :size].copy()
    folded[:, -1] += total[:, size:].sum(axis=1)
    out = pmf.copy()
    out[has] = folded / folded.sum(axis=1, keepdims=True)
    return out
