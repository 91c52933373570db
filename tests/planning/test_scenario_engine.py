"""Scenario changes: parsed strictly, applied to the right lines."""

import datetime as dt

import pandas as pd
import pytest

from planning.engine.scenario import (
    BudgetChange,
    DemandChange,
    ScenarioInvalid,
    changes_parse,
    lead_time_days,
    scenario_demand,
)

LINES = pd.DataFrame(
    {
        "store_id": [1, 1, 2, 2],
        "sku_id": [10, 11, 10, 11],
        "region_id": [100, 100, 200, 200],
        "category_id": [7, 8, 7, 8],
        "week": [
            dt.date(2026, 12, 6),
            dt.date(2026, 12, 6),
            dt.date(2026, 12, 13),
            dt.date(2026, 12, 13),
        ],
        "quantity": [10.0, 20.0, 30.0, 40.0],
    }
)


def test_a_category_uplift_raises_only_that_category():
    changes = changes_parse([{"type": "demand", "pct": 20, "category_ids": [7]}])
    assert isinstance(changes[0], DemandChange)
    assert list(scenario_demand(LINES, changes)["quantity"]) == [12.0, 20.0, 36.0, 40.0]


def test_changes_combine_and_respect_regions_and_weeks():
    changes = changes_parse(
        [
            {"type": "promotion", "pct": 50, "sku_ids": [11], "region_ids": [200]},
            {"type": "demand", "pct": -10, "first_week": "2026-12-13"},
        ]
    )
    assert list(scenario_demand(LINES, changes)["quantity"]) == pytest.approx([10, 20, 27, 54])


def test_lead_time_changes_never_go_below_a_day():
    changes = changes_parse([{"type": "lead_time", "days": -9, "category_ids": [8]}])
    days = lead_time_days(LINES, pd.Series([7.0, 7.0, 7.0, 14.0]), changes)
    assert list(days) == [7.0, 1.0, 7.0, 5.0]


def test_budget_and_capacity_parse():
    changes = changes_parse(
        [{"type": "budget", "per_week": 5000}, {"type": "capacity", "pct": -20}]
    )
    assert changes[0] == BudgetChange(per_week=5000.0)


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ([], "at least one change"),
        ([{"type": "weather"}], "unknown type 'weather'"),
        ([{"type": "demand", "pct": "lots"}], r"Change 1 \(demand\): pct must be a number"),
        ([{"type": "demand", "pct": 900}], "between -100 and 500"),
        ([{"type": "demand", "pct": 5, "category_ids": ["x"]}], "list of ids"),
        ([{"type": "demand", "pct": 5, "first_week": "13/12/2026"}], "YYYY-MM-DD"),
        (
            [{"type": "demand", "pct": 5, "first_week": "2026-12-13", "last_week": "2026-12-06"}],
            "after last_week",
        ),
        ([{"type": "budget", "per_week": float("inf")}], "must be a number"),
        (["demand"], "not a set of fields"),
    ],
)
def test_invalid_changes_are_refused_with_a_reason(raw, message):
    with pytest.raises(ScenarioInvalid, match=message):
        changes_parse(raw)
