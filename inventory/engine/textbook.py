"""The textbook single-location models (Snyder & Shen, *Fundamentals of Supply Chain Theory*),
written out so the policy engine's building blocks can be checked against known answers.

Every function returns the decision and its expected cost per period (per unit time for
the continuous models). Costs: ``K`` fixed per order, ``h`` holding per unit per period,
``p`` stock-out (backorder) per unit per period, ``λ`` demand per period.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
from scipy import stats

from inventory.engine.distributions import normal_loss, normal_second_loss


def eoq(fixed_cost: float, holding_cost: float, demand_rate: float) -> tuple[float, float]:
    """Economic order quantity Q* = √(2Kλ/h) and its cost √(2Kλh)."""
    if fixed_cost < 0 or holding_cost <= 0 or demand_rate < 0:
        raise ValueError("K ≥ 0, h > 0 and λ ≥ 0 are required.")
    q = math.sqrt(2.0 * fixed_cost * demand_rate / holding_cost)
    return q, math.sqrt(2.0 * fixed_cost * demand_rate * holding_cost)


def eoq_all_units(
    fixed_cost: float,
    holding_rate: float,
    demand_rate: float,
    breakpoints: list[float],
    unit_costs: list[float],
) -> tuple[float, float, float]:
    """EOQ under all-units quantity discounts: (Q, unit cost paid, cost incl. purchase).

    ``breakpoints`` start at 0; ordering at least ``breakpoints[j]`` buys every unit at
    ``unit_costs[j]``; holding is ``holding_rate`` × unit cost. Candidates are each region's
    EOQ where it lies inside its region, and each region's first breakpoint.
    """
    if not breakpoints or breakpoints[0] != 0 or len(breakpoints) != len(unit_costs):
        raise ValueError("Breakpoints must start at 0 and match the unit costs one to one.")
    if any(b2 <= b1 for b1, b2 in itertools.pairwise(breakpoints)):
        raise ValueError("Breakpoints must increase.")

    def cost(q: float, c: float) -> float:
        return c * demand_rate + fixed_cost * demand_rate / q + holding_rate * c * q / 2.0

    candidates = []
    for j, c in enumerate(unit_costs):
        q = math.sqrt(2.0 * fixed_cost * demand_rate / (holding_rate * c))
        upper = breakpoints[j + 1] if j + 1 < len(breakpoints) else math.inf
        if breakpoints[j] <= q < upper:
            candidates.append((cost(q, c), q, c))
        if j > 0:
            candidates.append((cost(breakpoints[j], c), float(breakpoints[j]), c))
    best_cost, best_q, best_c = min(candidates)
    return best_q, best_c, best_cost


def newsvendor_normal(
    holding_cost: float, stockout_cost: float, mean: float, sd: float, lead_time: int = 0
) -> tuple[float, float]:
    """Base-stock level S* = μ + zσ over lead time + 1 periods, z = Φ⁻¹(p / (p + h)).

    With ``lead_time`` L this is the periodic-review base-stock policy with backorders:
    the order placed now covers demand over L + 1 periods.
    """
    periods = lead_time + 1
    mu, sigma = mean * periods, sd * math.sqrt(periods)
    z = stats.norm.ppf(stockout_cost / (stockout_cost + holding_cost))
    level = mu + z * sigma
    return level, (holding_cost + stockout_cost) * sigma * float(stats.norm.pdf(z))


def base_stock_normal(
    holding_cost: float, stockout_cost: float, mean: float, sd: float, lead_time: int
) -> tuple[float, float]:
    """Periodic-review base-stock level with lead time ``lead_time`` (normal demand)."""
    return newsvendor_normal(holding_cost, stockout_cost, mean, sd, lead_time)


def newsvendor_cost_discrete(level: np.ndarray, h: float, p: float, pmf: np.ndarray) -> np.ndarray:
    """G(y) = E[h(y − D)⁺ + p(D − y)⁺] for integer levels y, D with the given pmf on 0..n−1."""
    k = np.arange(len(pmf))
    level = np.atleast_1d(level)
    over = np.clip(level[:, None] - k[None, :], 0, None) @ pmf
    under = np.clip(k[None, :] - level[:, None], 0, None) @ pmf
    return h * over + p * under


def newsvendor_poisson(holding_cost: float, stockout_cost: float, mean: float) -> tuple[int, float]:
    """Smallest S with F(S) ≥ p / (p + h) for Poisson demand, and its expected cost."""
    ratio = stockout_cost / (stockout_cost + holding_cost)
    level = int(stats.poisson.ppf(ratio, mean))
    pmf = _poisson_pmf(mean)
    return level, float(
        newsvendor_cost_discrete(np.array([level]), holding_cost, stockout_cost, pmf)[0]
    )


def ss_poisson_exact(
    holding_cost: float, stockout_cost: float, fixed_cost: float, mean: float
) -> tuple[int, int, float]:
    """Optimal periodic-review (s, S) for Poisson demand, Zheng & Federgruen (1991).

    Order up to S when the inventory position is at or below s. The cost of (s, S) is
    c(s, S) = [K + Σ_{j=0}^{S−s−1} m(j) G(S − j)] / M(S − s), with m the renewal function of
    per-period demand and M its running sum.
    """
    pmf = _poisson_pmf(mean)

    def g(y: int) -> float:
        return float(newsvendor_cost_discrete(np.array([y]), holding_cost, stockout_cost, pmf)[0])

    def c(s: int, big_s: int) -> float:
        span = big_s - s
        m = _renewal(pmf, span)
        levels = big_s - np.arange(span)
        costs = newsvendor_cost_discrete(levels, holding_cost, stockout_cost, pmf)
        return float((fixed_cost + m @ costs) / m.sum())

    y_star = int(stats.poisson.ppf(stockout_cost / (stockout_cost + holding_cost), mean))
    while g(y_star - 1) <= g(y_star) and y_star > 0:
        y_star -= 1
    s, big_s0 = y_star - 1, y_star
    while c(s, big_s0) > g(s):
        s -= 1
    c0 = c(s, big_s0)
    big_s = big_s0 + 1
    while g(big_s) <= c0:
        if c(s, big_s) < c0:
            big_s0 = big_s
            while c(s, big_s0) <= g(s + 1):
                s += 1
            c0 = c(s, big_s0)
        big_s += 1
    return s, big_s0, c0


def rq_cost_normal(
    reorder_point: float,
    order_quantity: float,
    holding_cost: float,
    stockout_cost: float,
    fixed_cost: float,
    demand_mean: float,
    demand_sd: float,
    lead_time: float,
) -> float:
    """Exact (r, Q) cost with normal lead-time demand, backorders, continuous review.

    g(r, Q) = [Kλ + ∫_r^{r+Q} G(y) dy] / Q with G(y) = h(y − μ) + (h + p) n(y), so the
    integral is h[(r+Q−μ)² − (r−μ)²]/2 + (h + p)[n²(r) − n²(r+Q)] (second-order loss n²).
    """
    mu = demand_mean * lead_time
    sigma = demand_sd * math.sqrt(lead_time)
    r, q = reorder_point, order_quantity
    integral = holding_cost * ((r + q - mu) ** 2 - (r - mu) ** 2) / 2.0 + (
        holding_cost + stockout_cost
    ) * (normal_second_loss(r, mu, sigma) - normal_second_loss(r + q, mu, sigma))
    return float((fixed_cost * demand_mean + integral) / q)


def rq_normal(
    holding_cost: float,
    stockout_cost: float,
    fixed_cost: float,
    demand_mean: float,
    demand_sd: float,
    lead_time: float,
    tol: float = 1e-9,
) -> tuple[float, float, float]:
    """Optimal (r, Q) by the first-order conditions n(r) = hQ / (h + p) and
    Q = √(2[Kλ + (h + p) n²(r)] / h), iterated from the EOQ (Snyder & Shen §5.2)."""
    mu = demand_mean * lead_time
    sigma = demand_sd * math.sqrt(lead_time)
    q, _ = eoq(fixed_cost, holding_cost, demand_mean)
    r = mu
    for _ in range(500):
        target = holding_cost * q / (holding_cost + stockout_cost)
        r_new = mu + sigma * _invert_loss(target / sigma)
        q_new = math.sqrt(
            2.0
            * (
                fixed_cost * demand_mean
                + (holding_cost + stockout_cost) * normal_second_loss(r_new, mu, sigma)
            )
            / holding_cost
        )
        done = abs(q_new - q) < tol and abs(r_new - r) < tol
        r, q = r_new, q_new
        if done:
            break
    cost = rq_cost_normal(
        r, q, holding_cost, stockout_cost, fixed_cost, demand_mean, demand_sd, lead_time
    )
    return float(r), float(q), cost


def rq_poisson_exact(
    holding_cost: float,
    stockout_cost: float,
    fixed_cost: float,
    demand_mean: float,
    lead_time: float,
) -> tuple[int, int, float]:
    """Optimal (r, Q) for Poisson demand, continuous review: positions r+1..r+Q are equally
    likely, so g(r, Q) = [Kλ + Σ_{y=r+1}^{r+Q} G(y)] / Q. For each Q the best r takes the Q
    consecutive levels of least G (G is convex); the search stops once the mean of the Q
    least G values alone exceeds the best cost (it only grows with Q)."""
    pmf = _poisson_pmf(demand_mean * lead_time)
    levels = np.arange(-1, len(pmf) + 1)
    g = newsvendor_cost_discrete(levels, holding_cost, stockout_cost, pmf)
    best = (math.inf, 0, 0)
    q = 1
    while q < len(levels):
        window = np.convolve(g, np.ones(q), mode="valid")
        start = int(np.argmin(window))
        cost = (fixed_cost * demand_mean + window[start]) / q
        if cost < best[0]:
            best = (cost, int(levels[start]) - 1, q)
        if window[start] / q >= best[0]:
            break
        q += 1
    cost, r, q = best
    return r, q, float(cost)


def _invert_loss(target: float) -> float:
    lo, hi = -10.0, 10.0
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if normal_loss(mid, 0.0, 1.0) > target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _poisson_pmf(mean: float) -> np.ndarray:
    size = int(mean + 20.0 * math.sqrt(max(mean, 1.0)) + 20)
    pmf = stats.poisson.pmf(np.arange(size), mean)
    pmf[-1] += max(0.0, 1.0 - pmf.sum())
    return pmf


def _renewal(pmf: np.ndarray, span: int) -> np.ndarray:
    """m(0..span−1): m(0) = 1/(1 − p₀), m(j) = Σ_{l=1}^{j} p_l m(j − l) / (1 − p₀)."""
    m = np.zeros(span)
    m[0] = 1.0 / (1.0 - pmf[0])
    for j in range(1, span):
        upto = min(j, len(pmf) - 1)
        m[j] = m[0] * float(pmf[1 : upto + 1] @ m[j - 1 :: -1][:upto])
    return m
