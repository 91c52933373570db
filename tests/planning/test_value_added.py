"""Forecast value added by stage and by override group."""

import pandas as pd
import pytest

from planning.engine.value_added import value_added_by_stage, value_added_of_overrides


def test_a_stage_that_moves_towards_the_actuals_adds_value_and_one_that_moves_away_loses_it():
    lines = pd.DataFrame(
        {
            "actual": [100.0, 50.0],
            "statistical": [80.0, 50.0],
            "adjusted": [95.0, 50.0],
            "consensus": [110.0, 60.0],
        }
    )
    table = value_added_by_stage(lines).set_index("stage")
    assert table.loc["statistical", "wape"] == pytest.approx(20 / 150)
    assert table.loc["adjusted", "value_added_vs_statistical"] == pytest.approx(15 / 150)
    assert table.loc["consensus", "value_added_vs_previous"] == pytest.approx((5 - 20) / 150)
    assert table.loc["adjusted", "bias"] == pytest.approx(145 / 150 - 1)
    assert "approved" not in table.index


def test_without_demand_the_error_cannot_be_measured():
    lines = pd.DataFrame({"actual": [0.0], "statistical": [3.0], "adjusted": [0.0]})
    table = value_added_by_stage(lines).set_index("stage")
    assert table.loc["adjusted", "wape"] is None
    assert table.loc["adjusted", "value_added_vs_statistical"] is None


def test_overrides_are_judged_per_planner_on_the_lines_they_touched():
    touched = pd.DataFrame(
        {
            "planner": ["ann", "ann", "bob"],
            "statistical": [10.0, 10.0, 10.0],
            "adjusted": [20.0, 12.0, 5.0],
            "actual": [18.0, 12.0, 10.0],
        }
    )
    table = value_added_of_overrides(touched, ["planner"]).set_index("planner")
    assert table.loc["ann", "lines"] == 2
    assert table.loc["ann", "value_added"] == pytest.approx(10 / 30 - 2 / 30)
    assert table.loc["bob", "value_added"] == pytest.approx(0 - 5 / 10)
    assert table.loc["bob", "units_moved"] == 5


def test_missing_columns_are_named():
    with pytest.raises(ValueError, match="actual"):
        value_added_of_overrides(pd.DataFrame({"statistical": [1.0]}), ["planner"])
