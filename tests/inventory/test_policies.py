"""The policy engine: safety stock from the forecast's spread over the protection window, the
target stated as a cycle service level or a fill rate, lot sizing and its rounding."""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from inventory.engine.distributions import count_pmf, normal_loss, undershoot_moments
from inventory.engine.policies import PolicyInputError, policies_compute, policies_rolling

SETTINGS = dict(
    target_kind="csl",
    target=0.95,
    review_days=1,
    holding_rate_per_year=0.25,
    order_cost=25.0,
    shortage_cost_share=1.0,
)


def frame(**columns) -> pd.DataFrame:
    base = dict(
        demand_per_day=[200.0],
        demand_sd_per_day=[40.0],
        lead_time_days=[6.0],
        lead_time_sd_days=[1.5],
        unit_cost=[2.0],
        unit_price=[3.0],
        moq=[1.0],
        case_pack=[1.0],
        shelf_life_days=[np.nan],
    )
    base.update({k: v if isinstance(v, list) else [v] for k, v in columns.items()})
    return pd.DataFrame(base)


def test_base_stock_safety_stock_includes_lead_time_variability():
    """Weekly review with a lot below a week's demand: base stock over L + R with
    σ² = (L + R)·σd² + d²·σL², the textbook formula on a flat forecast."""
    series = frame(unit_cost=[200.0])
    policy = policies_compute(series, **{**SETTINGS, "review_days": 7}).iloc[0]
    window = 6 + 7
    sigma = math.sqrt(window * 40.0**2 + 200.0**2 * 1.5**2)
    expected = math.ceil(200.0 * window + stats.norm.ppf(0.95) * sigma)
    assert policy.policy_type == "base_stock"
    assert policy.distribution == "normal"
    assert policy.order_up_to == expected
    assert policy.demand_sd_lead_time == pytest.approx(sigma)
    assert policy.safety_stock == pytest.approx(expected - 200.0 * window)
    assert policy.expected_csl == pytest.approx(0.95, abs=0.002)
    assert policy.explanation["sd_from_lead_time"] == pytest.approx(300.0)


def test_without_lead_time_variability_safety_stock_is_smaller():
    steady = policies_compute(frame(lead_time_sd_days=0.0), **SETTINGS).iloc[0]
    shaky = policies_compute(frame(), **SETTINGS).iloc[0]
    assert steady.safety_stock < shaky.safety_stock


def test_safety_stock_follows_the_season_in_the_forecast():
    """Same average demand, but the next two weeks are the peak: the reorder point covers
    the peak, not the average."""
    series = frame(demand_per_day=100.0, demand_sd_per_day=20.0)
    flat = pd.DataFrame(np.full((1, 28), 100.0))
    peak = pd.DataFrame(np.r_[np.full(14, 150.0), np.full(14, 50.0)][None, :])
    sd = pd.DataFrame(np.full((1, 28), 20.0))
    at_flat = policies_compute(series, daily_mean=flat, daily_sd=sd, **SETTINGS).iloc[0]
    at_peak = policies_compute(series, daily_mean=peak, daily_sd=sd, **SETTINGS).iloc[0]
    assert at_peak.reorder_point > at_flat.reorder_point + 200
    assert at_peak.explanation["demand_over_window"] == pytest.approx(150.0 * 6)


def test_rolling_policies_follow_the_forecast_day_by_day():
    series = frame(demand_per_day=100.0, demand_sd_per_day=20.0, lead_time_sd_days=0.0)
    mean = pd.DataFrame(np.r_[np.full(10, 50.0), np.full(30, 150.0)][None, :])
    sd = pd.DataFrame(np.full((1, 40), 20.0))
    rolling = policies_rolling(
        series, daily_mean=mean, daily_sd=sd, days=20, every_days=1, **SETTINGS
    )
    points = rolling["reorder_point"][:, 0]
    assert rolling["reorder_point"].shape == (20, 1)
    assert points[0] < points[6] < points[12]
    assert points[12] == points[19]


def test_slow_movers_are_counts_fast_movers_normal():
    series = frame(
        demand_per_day=[0.2, 0.5, 200.0],
        demand_sd_per_day=[math.sqrt(0.2), 1.5, 40.0],
        lead_time_days=[5.0, 5.0, 5.0],
        lead_time_sd_days=[0.0, 0.0, 0.0],
        unit_cost=[2.0] * 3,
        unit_price=[3.0] * 3,
        moq=[1.0] * 3,
        case_pack=[1.0] * 3,
        shelf_life_days=[np.nan] * 3,
    )
    policies = policies_compute(series, **SETTINGS)
    assert list(policies.distribution) == ["poisson", "negative_binomial", "normal"]
    assert (policies.reorder_point == policies.reorder_point.round()).all()


def test_poisson_reorder_point_is_the_quantile_of_lead_time_demand_plus_undershoot():
    """With Poisson demand of 0.2 a day the position lands exactly on the reorder point
    almost always, so r is nearly the 95 % quantile of lead-time demand."""
    series = frame(demand_per_day=0.2, demand_sd_per_day=math.sqrt(0.2), lead_time_sd_days=0.0)
    policy = policies_compute(series, **SETTINGS).iloc[0]
    pmf = count_pmf(np.array([1.2]), np.array([1.2]), 64)[0]
    assert policy.reorder_point == int(np.argmax(np.cumsum(pmf) >= 0.95))
    assert policy.expected_csl >= 0.95


def test_undershoot_of_unit_demand_is_zero():
    mean, _ = undershoot_moments(np.array([0.01]), np.array([0.01]))
    assert mean[0] == pytest.approx(0.0, abs=0.01)
    lumpy_mean, _ = undershoot_moments(np.array([1.0]), np.array([10.0]))
    assert lumpy_mean[0] == pytest.approx((10.0 + 1.0 - 1.0) / 2.0)


def test_fill_rate_target_uses_the_loss_function():
    series = frame()
    fill = policies_compute(series, **{**SETTINGS, "target_kind": "fill_rate", "target": 0.99})
    csl = policies_compute(series, **{**SETTINGS, "target": 0.99})
    policy = fill.iloc[0]
    assert policy.target_kind == "fill_rate"
    assert policy.expected_fill_rate >= 0.99
    # Long cycles: a 99 % fill rate needs far less than a 99 % cycle service level.
    assert policy.reorder_point < csl.iloc[0].reorder_point
    # The smallest such point: one unit less falls short of the target.
    work = policy.explanation
    mean = work["demand_over_window"] + work["undershoot_mean"]
    short = normal_loss(policy.reorder_point - 1, mean, work["sd_total"])
    assert 1 - short / policy.order_quantity < 0.99


def test_lots_are_whole_case_packs_above_the_moq():
    series = frame(
        demand_per_day=3.0, demand_sd_per_day=2.0, moq=25.0, case_pack=12.0, unit_cost=50.0
    )
    policy = policies_compute(series, **SETTINGS).iloc[0]
    assert policy.order_quantity % 12 == 0
    assert policy.order_quantity >= 25
    assert policy.policy_type in ("sS", "rQ")


def test_supplier_lot_makes_an_r_q_policy():
    series = frame(demand_per_day=0.1, demand_sd_per_day=0.5, moq=200.0, case_pack=10.0)
    policy = policies_compute(series, **SETTINGS).iloc[0]
    assert policy.policy_type == "rQ"
    assert policy.order_quantity == 200
    assert policy.order_up_to == policy.reorder_point + 200


def test_eoq_drives_the_lot_without_caps():
    series = frame(demand_per_day=10.0, demand_sd_per_day=3.0, unit_cost=4.0)
    policy = policies_compute(series, **SETTINGS).iloc[0]
    eoq = math.sqrt(2 * 25.0 * 10.0 / (0.25 * 4.0 / 365.0))
    assert policy.explanation["eoq"] == pytest.approx(eoq, rel=1e-3)
    assert policy.order_quantity == math.ceil(eoq)
    assert policy.policy_type == "sS"


def test_quantity_discount_moves_the_lot_to_the_break():
    series = frame(demand_per_day=10.0, demand_sd_per_day=3.0, unit_cost=4.0)
    series["price_breaks"] = [[0, 2000]]
    series["break_unit_costs"] = [[4.0, 3.0]]
    policy = policies_compute(series, **SETTINGS).iloc[0]
    assert policy.order_quantity == 2000
    assert policy.explanation["eoq_unit_cost"] == 3.0


def test_shelf_life_and_cover_cap_the_order_up_to_level():
    long_life = frame(demand_per_day=10.0, demand_sd_per_day=3.0, unit_cost=4.0)
    short_life = frame(
        demand_per_day=10.0, demand_sd_per_day=3.0, unit_cost=4.0, shelf_life_days=5.0
    )
    free = policies_compute(long_life, **SETTINGS).iloc[0]
    fresh = policies_compute(short_life, **SETTINGS).iloc[0]
    capped = policies_compute(long_life, **SETTINGS, max_cover_days=14).iloc[0]
    assert fresh.order_quantity < free.order_quantity
    # On receipt the stock (S less the demand at risk) sells within the shelf life.
    on_receipt = fresh.order_up_to - fresh.explanation["demand_over_window"]
    assert on_receipt <= 10.0 * 5 + 1
    assert fresh.explanation["lot_capped_below_eoq"]
    assert capped.order_quantity <= 14 * 10.0
    assert fresh.reorder_point == free.reorder_point


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"target_kind": "service"}, "Target kind"),
        ({"target": 1.0}, "service target"),
        ({"review_days": 0}, "review"),
        ({"holding_rate_per_year": 0.0}, "holding rate"),
    ],
)
def test_bad_settings_are_refused(change, message):
    with pytest.raises(PolicyInputError, match=message):
        policies_compute(frame(), **{**SETTINGS, **change})


def test_missing_columns_are_named():
    with pytest.raises(PolicyInputError, match="lead_time_days"):
        policies_compute(frame().drop(columns=["lead_time_days"]), **SETTINGS)


def test_the_working_is_json_for_the_policy_row():
    """``InventoryPolicy.explanation`` is a JSONField: the working must serialise as is."""
    import json

    series = frame(
        demand_per_day=[0.3, 40.0],
        demand_sd_per_day=[1.0, 9.0],
        lead_time_days=[3.0, 8.0],
        lead_time_sd_days=[0.5, 1.0],
        unit_cost=[2.0, 2.0],
        unit_price=[3.0, 3.0],
        moq=[6.0, 6.0],
        case_pack=[6.0, 6.0],
        shelf_life_days=[7.0, np.nan],
    )
    policies = policies_compute(series, **SETTINGS, max_cover_days=28)
    for working in policies.explanation:
        assert json.loads(json.dumps(working))["target_kind"] == "csl"
    assert policies.explanation.iloc[0]["perishable_rule"]
    assert policies.explanation.iloc[1]["perishable_rule"] is None


def test_a_series_without_demand_or_shelf_life_gets_finite_policy_figures():
    """No shelf life caps nothing, even at zero demand (0 x inf used to make the lot NaN)."""
    series = frame(demand_per_day=0.0, demand_sd_per_day=0.0, unit_cost=4.0)
    with np.errstate(invalid="raise"):
        policy = policies_compute(series, **SETTINGS).iloc[0]
    assert math.isfinite(policy.order_quantity)
    assert math.isfinite(policy.order_up_to)
