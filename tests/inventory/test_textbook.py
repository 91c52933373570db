"""The textbook cases of Snyder & Shen, *Fundamentals of Supply Chain Theory*, reproduced by
the project's own engine to the stated precision and cross-checked against stockpyl."""

import warnings

import pytest

from inventory.engine import textbook

with warnings.catch_warnings():
    warnings.simplefilter("ignore", SyntaxWarning)
    from stockpyl import eoq as sp_eoq
    from stockpyl import newsvendor as sp_newsvendor
    from stockpyl import rq as sp_rq
    from stockpyl import ss as sp_ss


def test_eoq():
    q, cost = textbook.eoq(fixed_cost=8, holding_cost=0.225, demand_rate=1300)
    assert q == pytest.approx(304.0468, abs=5e-5)
    assert cost == pytest.approx(68.4105, abs=5e-5)
    assert (q, cost) == pytest.approx(sp_eoq.economic_order_quantity(8, 0.225, 1300), rel=1e-12)


def test_eoq_with_all_units_discounts():
    q, unit_cost, cost = textbook.eoq_all_units(200, 0.20, 1000, [0, 200, 500], [500, 475, 450])
    sp_q, sp_region, sp_cost = sp_eoq.economic_order_quantity_with_all_units_discounts(
        200, 0.20, 1000, [0, 200, 500], [500, 475, 450]
    )
    assert q == pytest.approx(sp_q)
    assert unit_cost == [500, 475, 450][sp_region]
    assert cost == pytest.approx(sp_cost)


def test_eoq_discount_inside_a_region():
    """A cheap break far away is not worth it: the first region's own EOQ wins."""
    q, unit_cost, cost = textbook.eoq_all_units(8, 0.2, 1300, [0, 5000], [1.0, 0.99])
    assert (q, cost) == pytest.approx(
        sp_eoq.economic_order_quantity_with_all_units_discounts(
            8, 0.2, 1300, [0, 5000], [1.0, 0.99]
        )[::2]
    )
    assert unit_cost == 1.0


def test_newsvendor_normal():
    level, cost = textbook.newsvendor_normal(0.18, 0.7, 50, 8)
    assert level == pytest.approx(56.6040, abs=5e-5)
    assert cost == pytest.approx(1.99761, abs=5e-6)
    assert (level, cost) == pytest.approx(sp_newsvendor.newsvendor_normal(0.18, 0.7, 50, 8))


def test_base_stock_with_lead_time():
    level, cost = textbook.base_stock_normal(0.18, 0.7, 50, 8, lead_time=4)
    assert level == pytest.approx(264.7669, abs=5e-5)
    assert cost == pytest.approx(4.46678, abs=5e-6)
    assert (level, cost) == pytest.approx(
        sp_newsvendor.newsvendor_normal(0.18, 0.7, 50, 8, lead_time=4)
    )


def test_newsvendor_poisson():
    level, cost = textbook.newsvendor_poisson(1, 4, 6)
    assert level == 8
    assert cost == pytest.approx(3.57011, abs=5e-6)
    assert (level, cost) == pytest.approx(sp_newsvendor.newsvendor_poisson(1, 4, 6))


def test_ss_exact_zheng_federgruen():
    s, big_s, cost = textbook.ss_poisson_exact(1, 4, 5, 6)
    assert (s, big_s) == (4, 10)
    assert cost == pytest.approx(8.03411, abs=5e-6)
    assert (s, big_s, cost) == pytest.approx(sp_ss.s_s_discrete_exact(1, 4, 5, True, 6))


def test_rq_normal():
    r, q, cost = textbook.rq_normal(0.225, 7.5, 8, 1300, 150, 1 / 12)
    assert r == pytest.approx(126.867, abs=5e-4)
    assert q == pytest.approx(328.449, abs=5e-4)
    assert cost == pytest.approx(78.0711, abs=5e-5)
    sp_r, sp_q = sp_rq.r_q_loss_function_approximation(0.225, 7.5, 8, 1300, 150, 1 / 12)
    assert (r, q) == pytest.approx((sp_r, sp_q), abs=1e-4)
    assert cost == pytest.approx(sp_rq.r_q_cost(r, q, 0.225, 7.5, 8, 1300, 150, 1 / 12), rel=1e-6)


def test_rq_poisson_exact():
    r, q, cost = textbook.rq_poisson_exact(20, 150, 100, 1.5, 2)
    assert (r, q) == (3, 5)
    assert cost == pytest.approx(107.9236, abs=5e-5)
    assert (r, q, cost) == pytest.approx(sp_rq.r_q_poisson_exact(20, 150, 100, 1.5, 2))


def test_rq_cost_is_the_minimum_nearby():
    """The first-order conditions give a minimum: nudging r or Q costs more."""
    r, q, cost = textbook.rq_normal(0.225, 7.5, 8, 1300, 150, 1 / 12)
    for dr, dq in ((5, 0), (-5, 0), (0, 10), (0, -10)):
        other = textbook.rq_cost_normal(r + dr, q + dq, 0.225, 7.5, 8, 1300, 150, 1 / 12)
        assert other > cost


def test_bad_breakpoints_are_refused():
    with pytest.raises(ValueError, match="Breakpoints"):
        textbook.eoq_all_units(8, 0.2, 1300, [0, 500, 200], [1.0, 0.9, 0.8])
