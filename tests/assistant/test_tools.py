"""The read-only tools: figures from the pages' selectors, arguments checked, names refused."""

import datetime as dt

import pytest

from accounts.scoping import Scope
from assistant.tools import TOOLS, run_tool
from history.models import SalesFact
from pilots.models import Group, Kpi, Pilot, PilotKpi, PilotStatus, PilotStore
from tests.assistant.worlds import END, stock_world
from tests.factories import AlertFactory


@pytest.fixture
def world(scoped_world):
    return stock_world(scoped_world)


def test_sales_summary_adds_up_units_and_value_of_the_period(world):
    result = run_tool(scope=Scope.system(), name="sales_summary", arguments={})
    assert result.ok
    assert result.fact("units") == 28 * (10 + 7 + 4)
    assert result.fact("value") == 2 * 28 * (10 + 7 + 4)
    assert result.data["period"] == {
        "name": "last_4_weeks",
        "from": "2025-06-02",
        "to": "2025-06-29",
    }
    assert [s.url for s in result.sources] == ["/data/"]


def test_sales_summary_narrows_and_breaks_down_by_code_or_name(world):
    result = run_tool(
        scope=Scope.system(),
        name="sales_summary",
        arguments={"period": "last_7_days", "region": "south", "group_by": "sku"},
    )
    assert result.fact("units") == 7 * (7 + 4)
    assert [(r["code"], r["units"]) for r in result.data["rows"]] == [
        ("COLA", 49.0),
        ("CHIPS", 28.0),
    ]
    by_name = run_tool(
        scope=Scope.system(), name="sales_summary", arguments={"store": world["store_out"].name}
    )
    assert by_name.fact("units") == 28 * 11
    assert "/data/stores/" in by_name.sources[-1].url


def test_find_master_data_matches_part_of_a_name(world):
    result = run_tool(
        scope=Scope.system(), name="find_master_data", arguments={"kind": "sku", "query": "col"}
    )
    assert [m["code"] for m in result.data["matches"]] == ["COLA"]


def test_open_alerts_counts_the_inbox_by_kind(world):
    AlertFactory(store=world["store_in"], sku=world["sku_in"])
    AlertFactory(store=world["store_out"], sku=world["sku_out"], kind="demand_drop", severity=2)
    result = run_tool(scope=Scope.system(), name="open_alerts", arguments={})
    assert result.fact("open") == 2 and result.fact("high") == 1
    assert result.data["by_kind"] == {"Demand spike": 1, "Demand drop": 1}
    assert result.sources[0].url == "/alerts/"


def test_make_chart_draws_a_whitelisted_spec_and_refuses_others(world):
    result = run_tool(
        scope=Scope.system(),
        name="make_chart",
        arguments={
            "spec": {"measure": "sales_units", "dimensions": ["region"], "period": "last_4_weeks"}
        },
    )
    assert result.ok
    chart = result.data["chart"]
    assert [(s["name"], s["unit"], s["values"]) for s in chart["series"]] == [
        ("This period", "units", [280.0, 308.0])
    ]
    refused = run_tool(
        scope=Scope.system(),
        name="make_chart",
        arguments={"spec": {"measure": "sales_units", "code": "print(1)"}},
    )
    assert not refused.ok and "'code' is not part of a chart specification" in refused.error


@pytest.mark.parametrize(
    ("name", "arguments", "words"),
    [
        ("delete_all_sales", {}, "Unknown tool 'delete_all_sales' refused"),
        ("sales_summary", {"scope": "company-wide"}, "unknown argument 'scope'"),
        ("sales_summary", {"period": "all_time"}, "period 'all_time' is not allowed"),
        ("sales_summary", '{"period": ', "not valid JSON"),
        ("stockout_risk", {"within_days": 10_000}, "at most 90"),
        ("find_master_data", {"kind": "store"}, "'query' is required"),
        ("find_master_data", {"kind": "store", "query": "x" * 500}, "too long"),
    ],
)
def test_unknown_tools_and_arguments_outside_the_schema_are_refused(world, name, arguments, words):
    result = run_tool(scope=Scope.system(), name=name, arguments=arguments)
    assert not result.ok
    assert words in result.error


def test_every_tool_is_read_only_and_described_for_the_model():
    assert set(TOOLS) == {
        "find_master_data",
        "sales_summary",
        "forecast_outlook",
        "stockout_risk",
        "open_alerts",
        "planning_status",
        "pilot_scorecard",
        "make_chart",
    }
    for tool in TOOLS.values():
        described = tool.as_ollama()["function"]
        assert described["parameters"]["type"] == "object" and described["description"]
        assert "scope" not in described["parameters"].get("properties", {})


def test_a_tool_needs_a_scope_not_a_user(world):
    with pytest.raises(TypeError):
        run_tool(scope=world["scoped_planner"], name="sales_summary", arguments={})


def test_a_weekly_chart_against_last_year_lines_up_the_same_weeks(world):
    last_year = END - dt.timedelta(weeks=52)
    SalesFact.objects.bulk_create(
        SalesFact(
            store=world["store_in"],
            sku=world["sku_in"],
            date=last_year - dt.timedelta(days=offset),
            quantity=1.0,
            revenue=2.0,
        )
        for offset in range(28)
    )
    spec = {
        "measure": "sales_units",
        "dimensions": ["week"],
        "period": "last_4_weeks",
        "compare_last_year": True,
    }
    chart = run_tool(scope=Scope.system(), name="make_chart", arguments={"spec": spec}).data[
        "chart"
    ]
    assert chart["labels"][-1] == "w/e 29 Jun 2025" and len(chart["labels"]) == 4
    assert [(s["name"], s["values"], s["total"]) for s in chart["series"]] == [
        ("This period", [147.0] * 4, 588.0),  # 7 days x (10 + 7 + 4)
        ("Last year", [7.0] * 4, 28.0),
    ]


def test_pilot_scorecard_follows_the_pilot_pages_rule(world, executive, planner):
    """Executives read running pilots; planners are told pilots are not theirs to read."""
    pilot = Pilot.objects.create(
        name="Shelf-ready packs",
        start_date=dt.date(2025, 3, 1),
        end_date=dt.date(2025, 5, 31),
        status=PilotStatus.RUNNING,
    )
    PilotKpi.objects.create(pilot=pilot, kpi=Kpi.EXCESS_STOCK, threshold=0.0, primary=True)
    PilotStore.objects.create(
        pilot=pilot,
        store=world["store_in"],
        group=Group.EXPERIMENTAL,
        start_date=pilot.start_date,
        end_date=pilot.end_date,
    )

    read = run_tool(scope=Scope.for_user(executive), name="pilot_scorecard", arguments={})
    refused = run_tool(scope=Scope.for_user(planner), name="pilot_scorecard", arguments={})

    assert read.ok and read.fact("pilots") == 1
    assert [card["pilot"] for card in read.data["pilots"]] == ["Shelf-ready packs"]
    assert not refused.ok
    assert refused.error == "Pilots are read by admins and executives."
