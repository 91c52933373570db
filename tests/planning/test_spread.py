"""Spreading a changed total down to its lines: exact in whole units, proportional."""

import numpy as np
import pytest

from planning.engine.spread import spread_total


def test_lines_sum_exactly_to_a_total_that_does_not_divide_evenly():
    lines = spread_total(np.array([10.0, 10.0, 10.0]), 100, whole_units=True)
    assert lines.sum() == 100
    assert sorted(lines) == [33, 33, 34]
    assert np.all(lines == np.floor(lines))


def test_spread_follows_the_basis_and_gives_leftover_units_to_the_largest_remainders():
    lines = spread_total(np.array([1.0, 2.0, 7.0]), 11, whole_units=True)
    # Shares 1.1, 2.2, 7.7: floors 1, 2, 7 and the one unit left goes to 7.7.
    assert list(lines) == [1, 2, 8]


def test_ties_go_to_the_earlier_line_so_the_result_is_deterministic():
    assert list(spread_total(np.ones(4), 2, whole_units=True)) == [1, 1, 0, 0]


def test_a_basis_of_nothing_is_spread_evenly():
    assert list(spread_total(np.zeros(3), 7, whole_units=True)) == [3, 2, 2]


def test_continuous_grain_keeps_proportions_and_the_exact_total():
    lines = spread_total(np.array([1.0, 3.0]), 10.5, whole_units=False)
    assert lines.sum() == pytest.approx(10.5, abs=1e-12)
    assert lines[1] / lines[0] == pytest.approx(3)


@pytest.mark.parametrize("seed", range(20))
def test_random_bases_always_sum_exactly_and_stay_within_one_unit_of_proportional(seed):
    rng = np.random.default_rng(seed)
    basis = rng.gamma(0.5, 20, rng.integers(1, 200))
    total = float(rng.integers(0, 50_000))
    lines = spread_total(basis, total, whole_units=True)
    assert lines.sum() == total
    assert np.all(np.abs(lines - basis / basis.sum() * total) < 1)


@pytest.mark.parametrize(
    ("basis", "total", "message"),
    [
        (np.array([]), 5, "no lines"),
        (np.array([1.0]), -1, "at least 0"),
        (np.array([1.0]), float("nan"), "finite"),
        (np.array([-1.0, 2.0]), 5, "not negative"),
    ],
)
def test_bad_input_is_refused_with_a_reason(basis, total, message):
    with pytest.raises(ValueError, match=message):
        spread_total(basis, total, whole_units=True)
