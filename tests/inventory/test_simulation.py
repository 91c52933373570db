"""Monte-Carlo simulation: the analytic service level of a policy and the simulated one agree
within sampling error; the tallies (excess, spoilage, cost) mean what they say."""

import math

import numpy as np
import pandas as pd
import pytest

from inventory.engine.policies import policies_compute
from inventory.engine.simulation import (
    CostRates,
    SimulatedPolicy,
    baseline_min_max,
    forward_need,
    policy_from_frame,
    simulate,
    world_build,
)

RATES = CostRates(holding_rate_per_year=0.25, order_cost=25.0, shortage_cost_share=1.0)


def series_frame(mean, *, lead=5.0, cost=2.0, shelf=np.nan, moq=1.0, pack=1.0, dispersion=1.0):
    mean = np.asarray(mean, dtype=float)
    return pd.DataFrame(
        {
            "demand_per_day": mean,
            "demand_sd_per_day": np.sqrt(mean * dispersion),
            "lead_time_days": lead,
            "lead_time_sd_days": 0.0,
            "unit_cost": cost,
            "unit_price": cost * 1.5,
            "moq": moq,
            "case_pack": pack,
            "shelf_life_days": shelf,
        }
    )


def flat_world(series: pd.DataFrame, days: int, leads: np.ndarray | None = None, cover=28):
    n = len(series)
    mean = np.repeat(series["demand_per_day"].to_numpy()[:, None], days, axis=1)
    sd = np.repeat(series["demand_sd_per_day"].to_numpy()[:, None], days, axis=1)
    if leads is None:
        leads = series["lead_time_days"].to_numpy()[:, None]
    samples = pd.DataFrame(
        {
            "series": np.repeat(np.arange(n), leads.shape[1]),
            "lead_time_days": leads.ravel(),
        }
    )
    return world_build(
        demand_mean=mean,
        demand_sd=sd,
        lead_time_samples=samples,
        series=series,
        excess_cover_days=cover,
    )


def assert_agrees(expected: np.ndarray, simulated: np.ndarray, cycles: np.ndarray, paths: int):
    """Per series within 4 standard errors (cycles of one path are nearly independent; the
    paths' count of cycles is what the error shrinks with) and pooled within 3."""
    se = np.sqrt(expected * (1 - expected) / cycles)
    assert np.all(np.abs(simulated - expected) <= 4 * se + 0.005), (expected, simulated)
    pooled = np.average(simulated, weights=cycles)
    target = np.average(expected, weights=cycles)
    pooled_se = math.sqrt(target * (1 - target) / cycles.sum())
    assert abs(pooled - target) <= 3 * pooled_se + 0.003


def test_base_stock_service_level_matches_the_simulation():
    """Weekly review, 5-day lead time, Poisson demand: a cycle stocks out exactly when the
    demand of the 12 days an order covers exceeds S, so F(S) is exact with backorders. The
    simulation loses unserved sales, which leaves a little more stock for the next cycle; at
    a 95 % target that is within the sampling error (at 90 % it is not: about 1.5 points)."""
    series = series_frame([1.0, 3.0, 6.0, 15.0], cost=3000.0)
    settings = dict(
        target_kind="csl",
        target=0.95,
        review_days=7,
        holding_rate_per_year=0.25,
        order_cost=25.0,
        shortage_cost_share=1.0,
    )
    policies = policies_compute(series, **settings)
    assert set(policies.policy_type) == {"base_stock"}
    results = simulate(
        {"p": policy_from_frame(policies)},
        flat_world(series, 210),
        RATES,
        paths=300,
        review_days=7,
        seed=3,
    )["p"]
    sim = results.per_series
    assert_agrees(policies.expected_csl.to_numpy(), sim["cycle_service_level"], sim["cycles"], 300)


def test_reorder_point_service_level_matches_the_simulation():
    """Daily review (s, S) with lumpy and Poisson demand and lead times drawn from receipts."""
    series = series_frame([0.3, 1.0, 4.0, 12.0], cost=20.0, dispersion=2.5)
    rng = np.random.default_rng(0)
    leads = rng.choice([4.0, 5.0, 6.0, 7.0], size=(4, 40), p=[0.2, 0.4, 0.3, 0.1])
    series["lead_time_days"] = leads.mean(axis=1)
    series["lead_time_sd_days"] = leads.std(axis=1, ddof=1)
    settings = dict(
        target_kind="csl",
        target=0.95,
        review_days=1,
        holding_rate_per_year=0.25,
        order_cost=25.0,
        shortage_cost_share=1.0,
    )
    policies = policies_compute(series, **settings)
    assert set(policies.policy_type) == {"sS"}
    results = simulate(
        {"p": policy_from_frame(policies)}, flat_world(series, 150, leads), RATES, paths=300, seed=5
    )["p"]
    sim = results.per_series
    assert_agrees(policies.expected_csl.to_numpy(), sim["cycle_service_level"], sim["cycles"], 300)
    assert results.summary()["fill_rate"]["mean"] == pytest.approx(
        np.average(policies.expected_fill_rate, weights=series.demand_per_day), abs=0.01
    )


def test_a_policy_without_safety_stock_misses_the_target():
    """The check can fail: halve the reorder points and the service level collapses."""
    series = series_frame([2.0, 6.0], cost=20.0)
    settings = dict(
        target_kind="csl",
        target=0.95,
        review_days=1,
        holding_rate_per_year=0.25,
        order_cost=25.0,
        shortage_cost_share=1.0,
    )
    policies = policies_compute(series, **settings)
    halved = policies.assign(
        reorder_point=policies.reorder_point // 2,
        order_up_to=policies.order_up_to - policies.reorder_point // 2,
    )
    result = simulate({"p": policy_from_frame(halved)}, flat_world(series, 120), RATES, paths=100)[
        "p"
    ]
    assert result.summary()["cycle_service_level"]["high"] < 0.8


def test_policies_share_the_random_paths():
    series = series_frame([1.0, 5.0])
    policy = baseline_min_max(np.array([1.0, 5.0]), np.array([5.0, 5.0]))
    results = simulate({"a": policy, "b": policy}, flat_world(series, 40), RATES, paths=20)
    for name, values in results["a"].per_path.items():
        np.testing.assert_array_equal(values, results["b"].per_path[name], err_msg=name)


def test_baseline_levels():
    policy = baseline_min_max(np.array([2.0, 0.1]), np.array([7.0, 3.0]))
    np.testing.assert_array_equal(policy.reorder_point, [14.0, 0.0])
    np.testing.assert_array_equal(policy.order_up_to, [42.0, 1.0])


def test_excess_counts_stock_beyond_the_cover_at_cost():
    """A policy holding about 100 days of demand of a 1-unit-a-day item: everything beyond
    the next 28 days' demand is excess, valued at cost 2."""
    series = series_frame([1.0], cost=2.0)
    big = SimulatedPolicy(
        kind=np.array(["sS"]),
        reorder_point=np.array([99.0]),
        order_up_to=np.array([100.0]),
        order_quantity=np.array([1.0]),
    )
    summary = simulate({"big": big}, flat_world(series, 10), RATES, paths=50)["big"].summary()
    assert summary["average_stock"]["mean"] > 90
    assert summary["excess_stock"]["mean"] == pytest.approx(
        2.0 * (summary["average_stock"]["mean"] - 28.0)
    )
    assert summary["total_cost"]["mean"] == pytest.approx(
        summary["holding_cost"]["mean"]
        + summary["ordering_cost"]["mean"]
        + summary["shortage_cost"]["mean"]
        + summary["spoilage_cost"]["mean"]
    )


def test_perishables_expire_first_in_first_out():
    """Stock of a 3-day shelf life, four times what 3 days sell: most of it expires."""
    series = series_frame([5.0], shelf=3.0, lead=1.0)
    hoard = SimulatedPolicy(
        kind=np.array(["sS"]),
        reorder_point=np.array([59.0]),
        order_up_to=np.array([60.0]),
        order_quantity=np.array([1.0]),
    )
    result = simulate({"h": hoard}, flat_world(series, 12), RATES, paths=40)["h"].summary()
    assert result["spoiled_units"]["mean"] > 30
    assert result["spoilage_cost"]["mean"] == pytest.approx(2.0 * result["spoiled_units"]["mean"])


def test_excess_need_stops_at_the_shelf_life():
    need = forward_need(np.full((2, 5), 2.0), np.array([28.0, 3.0]))
    np.testing.assert_allclose(need[:, 0], [56.0, 6.0])


def test_one_path_has_no_interval():
    series = series_frame([1.0])
    with pytest.raises(ValueError, match="two paths"):
        simulate(
            {"p": baseline_min_max(np.array([1.0]), np.array([5.0]))},
            flat_world(series, 5),
            RATES,
            paths=1,
        )
