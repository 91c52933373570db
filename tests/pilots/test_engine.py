"""The pilot statistics: designs re-draw themselves, p-values are exact where they can be
checked, an A/A pilot rejects at the nominal rate and a real effect at the predicted power."""

import itertools

import numpy as np
import pytest
from scipy import stats

from pilots.engine.assignment import (
    DesignError,
    assign_matched_pairs,
    assign_random,
    assign_stratified,
)
from pilots.engine.effects import (
    adjusted_effect,
    difference_in_differences,
    estimate,
    holm,
    permutation_p_value,
    sample_ratio_p_value,
)
from pilots.engine.power import (
    kpi_variability,
    minimum_detectable_effect,
    power_for,
    stores_needed,
)


def test_a_seed_reproduces_the_assignment_and_another_seed_changes_it():
    stores = np.arange(100, 120)
    first, again = assign_random(stores, seed=42), assign_random(stores, seed=42)
    assert np.array_equal(first.group, again.group)
    assert not np.array_equal(first.group, assign_random(stores, seed=43).group)
    assert first.group.sum() == 10


def test_stratified_groups_are_balanced_within_every_stratum_and_overall():
    stores = np.arange(15)
    strata = np.array(["N"] * 5 + ["S"] * 5 + ["E"] * 5)
    assignment = assign_stratified(stores, strata, seed=1)
    for label in "NSE":
        assert assignment.group[strata == label].sum() in (2, 3)
    assert abs(int(assignment.group.sum()) * 2 - 15) == 1
    redraws = assignment.redraw(np.random.default_rng(0), 200)
    for label in "NSE":
        members = strata == label
        assert np.all(redraws[:, members].sum(axis=1) == assignment.group[members].sum())


def test_matched_pairs_pair_the_most_alike_stores_and_flip_within_pairs():
    sales = np.array([100.0, 101.0, 500.0, 502.0, 900.0, 903.0, 5000.0])
    assignment = assign_matched_pairs(np.arange(7), sales[:, None], seed=3)
    assert len(assignment.store_ids) == 6 and 6 not in assignment.store_ids
    for block in np.unique(assignment.blocks):
        pair = assignment.store_ids[assignment.blocks == block]
        assert abs(sales[pair[0]] - sales[pair[1]]) < 5
        assert assignment.group[assignment.blocks == block].sum() == 1
    redraws = assignment.redraw(np.random.default_rng(0), 50)
    for block in np.unique(assignment.blocks):
        assert np.all(redraws[:, assignment.blocks == block].sum(axis=1) == 1)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: assign_random(np.array([1]), seed=0), "at least two"),
        (lambda: assign_random(np.array([1, 1, 2]), seed=0), "only once"),
        (lambda: assign_stratified(np.arange(4), np.array(["a"]), seed=0), "needs a stratum"),
        (
            lambda: assign_matched_pairs(np.arange(4), np.array([1, 2, np.nan, 4.0]), seed=0),
            "matching",
        ),
    ],
)
def test_designs_refuse_what_they_cannot_do(call, message):
    with pytest.raises(DesignError, match=message):
        call()


def test_the_permutation_p_value_matches_the_exact_enumeration_and_scipy():
    # Eight stores, the four highest experimental: of the C(8, 4) = 70 assignments only this
    # one and its mirror image are as extreme, so the exact two-sided p-value is 2/70.
    post = np.arange(1.0, 9.0)
    group = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=np.int8)
    assignment = assign_random(np.arange(8), seed=0)
    assignment = type(assignment)(assignment.store_ids, group, assignment.blocks, "random", 0)
    exact = np.mean(
        [
            abs(post[list(c)].mean() - np.delete(post, list(c)).mean()) >= 4 - 1e-12
            for c in itertools.combinations(range(8), 4)
        ]
    )
    assert exact == pytest.approx(2 / 70)
    reference = stats.permutation_test(
        (post[group == 1], post[group == 0]),
        lambda x, y: np.mean(x) - np.mean(y),
        permutation_type="independent",
        alternative="two-sided",
    ).pvalue
    assert reference == pytest.approx(2 / 70)
    ours = permutation_p_value(post, np.zeros(8), assignment, draws=40_000, seed=5)
    assert ours == pytest.approx(2 / 70, abs=0.003)


def test_the_adjusted_effect_uses_the_pre_period_and_matches_ols():
    rng = np.random.default_rng(7)
    pre = rng.normal(100, 20, 60)
    group = np.repeat([0, 1], 30)
    post = 5 + 0.9 * pre + 4 * group + rng.normal(0, 2, 60)
    effect, se = adjusted_effect(post, pre, group)
    design = np.column_stack([np.ones(60), group, pre])
    coefficients, residual_ss = np.linalg.lstsq(design, post, rcond=None)[:2]
    assert effect == pytest.approx(coefficients[1])
    classical = np.sqrt(residual_ss[0] / 57 * np.linalg.inv(design.T @ design)[1, 1])
    assert se == pytest.approx(classical, rel=0.25)
    assert difference_in_differences(post, pre, group) == pytest.approx(
        (post - pre)[30:].mean() - (post - pre)[:30].mean()
    )


def test_holm_adjusts_in_order_and_keeps_the_input_order():
    assert holm([0.01, 0.04, 0.03]) == pytest.approx([0.03, 0.06, 0.06])


def test_the_sample_ratio_check_flags_lost_stores():
    assert sample_ratio_p_value(50, 50) == pytest.approx(1.0)
    assert sample_ratio_p_value(80, 40) < 0.001


def _panel(rng, stores, weeks=16, rho_noise=0.15):
    """Stores with persistent levels and weekly noise: pre and post KPI per store."""
    level = rng.lognormal(4, 0.4, stores)
    weekly = level[:, None] * (1 + rng.normal(0, rho_noise, (stores, weeks)))
    return weekly


def test_an_a_a_pilot_rejects_at_the_nominal_rate():
    rng = np.random.default_rng(11)
    rejections, runs = 0, 400
    for run in range(runs):
        weekly = _panel(rng, 30)
        pre, post = weekly[:, :12].mean(axis=1), weekly[:, 12:].mean(axis=1)
        strata = np.digitize(pre, np.quantile(pre, [0.5]))
        assignment = assign_stratified(np.arange(30), strata, seed=run)
        result = estimate(post, pre, assignment, draws=400, seed=run)
        rejections += result.p_value < 0.05
    assert 0.025 <= rejections / runs <= 0.08


def test_a_true_effect_is_found_with_the_power_the_design_predicted():
    rng = np.random.default_rng(12)
    history = _panel(rng, 40, weeks=8)
    variability = kpi_variability(history, pilot_weeks=4)
    effect = minimum_detectable_effect(variability, 20, 20)
    predicted = power_for(variability, effect, 20, 20)
    assert predicted == pytest.approx(0.8, abs=1e-5)
    found, runs = 0, 300
    for run in range(runs):
        weekly = _panel(rng, 40, weeks=8)
        pre, post = weekly[:, :4].mean(axis=1), weekly[:, 4:].mean(axis=1)
        assignment = assign_random(np.arange(40), seed=run)
        post = post + effect * assignment.group
        found += estimate(post, pre, assignment, draws=300, seed=run).p_value < 0.05
    assert abs(found / runs - predicted) < 0.1


def test_the_stores_needed_detect_the_threshold_at_the_stated_power():
    rng = np.random.default_rng(3)
    variability = kpi_variability(_panel(rng, 50, weeks=26), pilot_weeks=13)
    effect = 0.1 * variability.mean
    n = stores_needed(variability, effect)
    assert power_for(variability, effect, n, n) >= 0.8
    assert power_for(variability, effect, n - 1, n - 1) < 0.8 + 1e-9
