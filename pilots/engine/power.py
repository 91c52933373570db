"""What a pilot can detect: minimum detectable effects and the stores a threshold needs.

Stores differ a lot from one another; what helps is that a store's pilot-period KPI is close
to its own pre-period KPI. Regression adjustment on the pre-period (the idea behind CUPED)
removes the share ``rho²`` of the variance that the pre-period explains, so the minimum
detectable effect shrinks by ``sqrt(1 - rho²)``. ``rho`` and the spread are measured from
the pre-period itself: two consecutive windows as long as the pilot.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import optimize, stats

from pilots.engine.assignment import Assignment
from pilots.engine.effects import permutation_p_values


@dataclass(frozen=True)
class Variability:
    """A KPI's level, spread between stores and pre/post correlation over one pilot length."""

    mean: float
    sd: float
    rho: float
    stores: int


def kpi_variability(weekly: np.ndarray, pilot_weeks: int) -> Variability:
    """From (stores, weeks) pre-period KPI values: the mean and between-store spread of a
    pilot-length window, and the correlation of each store's last two such windows."""
    weekly = np.asarray(weekly, dtype=float)
    if weekly.ndim != 2 or weekly.shape[0] < 3:
        raise ValueError("Variability needs a KPI for at least three stores.")
    if weekly.shape[1] < 2 * pilot_weeks:
        raise ValueError(
            f"The pre-period needs at least {2 * pilot_weeks} weeks for a {pilot_weeks}-week pilot."
        )
    later = np.nanmean(weekly[:, -pilot_weeks:], axis=1)
    earlier = np.nanmean(weekly[:, -2 * pilot_weeks : -pilot_weeks], axis=1)
    ok = np.isfinite(later) & np.isfinite(earlier)
    later, earlier = later[ok], earlier[ok]
    rho = float(np.corrcoef(earlier, later)[0, 1]) if later.std() > 0 and earlier.std() > 0 else 0.0
    return Variability(
        mean=float(later.mean()),
        sd=float(later.std(ddof=1)),
        rho=adjusted_correlation(rho, len(later)),
        stores=len(later),
    )


def adjusted_correlation(rho: float, stores: int) -> float:
    """The correlation with the in-sample optimism taken out (adjusted R²): with a dozen
    stores the sample correlation promises more variance reduction than a new period gives."""
    if rho <= 0 or stores <= 2:
        return 0.0
    explained = 1 - (1 - rho**2) * (stores - 1) / (stores - 2)
    return math.sqrt(max(explained, 0.0))


def minimum_detectable_effect(
    variability: Variability,
    n_experimental: int,
    n_control: int,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
) -> float:
    """The smallest true effect (in the KPI's units) a two-sided test at ``alpha`` finds with
    probability ``power``, after adjustment on the pre-period."""
    if min(n_experimental, n_control) < 2 or variability.sd == 0:
        return math.inf if variability.sd else 0.0
    se = _effect_se(variability, n_experimental, n_control)
    low, high = 0.0, 20 * se
    while power_for(variability, high, n_experimental, n_control, alpha=alpha) < power:
        high *= 2
    return float(
        optimize.brentq(
            lambda effect: (
                power_for(variability, effect, n_experimental, n_control, alpha=alpha) - power
            ),
            low,
            high,
            xtol=se * 1e-9,
        )
    )


def power_for(
    variability: Variability,
    effect: float,
    n_experimental: int,
    n_control: int,
    *,
    alpha: float = 0.05,
) -> float:
    """The chance of finding a true ``effect`` (KPI units) with these group sizes.

    A noncentral t with the regression's degrees of freedom (stores − 3), not the normal
    curve: pilots have few stores, and the normal would promise power they do not have.
    """
    if min(n_experimental, n_control) < 2:
        return 0.0
    df = max(n_experimental + n_control - 3, 1)
    shift = abs(effect) / _effect_se(variability, n_experimental, n_control)
    critical = stats.t.ppf(1 - alpha / 2, df)
    power = stats.nct.sf(critical, df, shift) + stats.nct.cdf(-critical, df, shift)
    if not np.isfinite(power):  # far in the tail the noncentral t loses precision: ~certain
        power = stats.norm.sf(critical - shift) + stats.norm.cdf(-critical - shift)
    return float(min(max(power, 0.0), 1.0))


def stores_needed(
    variability: Variability,
    effect: float,
    *,
    alpha: float = 0.05,
    power: float = 0.8,
    most: int = 100_000,
) -> int | None:
    """Stores per group to detect ``effect`` (KPI units); None when ``most`` would not."""
    if effect == 0 or variability.sd == 0:
        return None
    if power_for(variability, effect, most, most, alpha=alpha) < power:
        return None
    low, high = 2, most
    while low < high:
        middle = (low + high) // 2
        if power_for(variability, effect, middle, middle, alpha=alpha) >= power:
            high = middle
        else:
            low = middle + 1
    return low


def _effect_se(variability: Variability, n_experimental: int, n_control: int) -> float:
    residual_sd = variability.sd * math.sqrt(max(1 - variability.rho**2, 0.0))
    return residual_sd * math.sqrt(1 / n_experimental + 1 / n_control)


def simulated_power(
    pre: np.ndarray,
    variability: Variability,
    effect: float,
    assignment: Assignment,
    *,
    alpha: float = 0.05,
    sims: int = 400,
    draws: int = 500,
    seed: int = 0,
) -> float:
    """The power of the pilot's own test (regression-adjusted effect, permutation p-value
    under the design) for a true ``effect``, found by simulating pilot periods that follow
    the stores' pre-period with the measured correlation and spread.

    With few stores the formula's normal errors and continuous p-values promise more power
    than a permutation test on a dozen stores delivers; this is what the design predicts.
    """
    pre = np.asarray(pre, dtype=float)
    spread = pre.std(ddof=1)
    standard = (pre - pre.mean()) / spread if spread > 0 else np.zeros(len(pre))
    rng = np.random.default_rng(seed)
    noise = rng.standard_normal((sims, len(pre)))
    rho = min(max(variability.rho, 0.0), 1.0)
    posts = variability.mean + variability.sd * (
        rho * standard[None, :] + math.sqrt(1 - rho**2) * noise
    )
    posts += effect * assignment.group[None, :]
    p_values = permutation_p_values(posts, pre, assignment, draws=draws, seed=seed + 1)
    return float(np.mean(p_values < alpha))
