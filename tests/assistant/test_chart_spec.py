"""Chart specifications: only the whitelist passes, and a refusal names field and choices."""

import pytest

from assistant.engine.chart_spec import ChartSpecError, validate_chart_spec


def test_a_valid_spec_round_trips_through_as_dict():
    spec = validate_chart_spec(
        {
            "measure": "sales_units",
            "dimensions": ["week", "region"],
            "filters": {"category": ["BEV"]},
            "period": "this_year",
            "chart_type": "line",
            "compare_last_year": True,
        }
    )
    assert spec.time_dimension == "week" and spec.member_dimension == "region"
    assert spec.filter_codes("category") == ("BEV",)
    assert validate_chart_spec(spec.as_dict()) == spec


def test_a_field_outside_the_whitelist_is_refused_naming_it_and_the_allowed_fields():
    with pytest.raises(ChartSpecError) as refused:
        validate_chart_spec({"measure": "sales_units", "python_code": "import os"})
    assert refused.value.field == "python_code"
    message = str(refused.value)
    assert "'python_code' is not part of a chart specification" in message
    assert "allowed fields: measure, dimensions, filters, period, chart_type" in message


@pytest.mark.parametrize(
    ("raw", "field", "words"),
    [
        ({"measure": "profit"}, "measure", "allowed values: sales_units, sales_value"),
        ({"measure": "sales_units", "dimensions": ["colour"]}, "dimensions", "allowed values"),
        ({"measure": "sales_units", "dimensions": ["week", "day"]}, "dimensions", "at most one"),
        ({"measure": "sales_units", "filters": {"supplier": ["X"]}}, "filters", "region, category"),
        ({"measure": "sales_units", "period": "forever"}, "period", "last_4_weeks"),
        ({"measure": "sales_units", "chart_type": "pie3d"}, "chart_type", "line, bar"),
        ({"measure": "forecast_units", "period": "this_year"}, "period", "next_4_weeks"),
        ({"measure": "sales_units", "compare_last_year": "yes"}, "compare_last_year", "true"),
        ({"dimensions": ["week"]}, "measure", "required"),
    ],
)
def test_values_outside_the_whitelist_are_refused_with_the_allowed_values(raw, field, words):
    with pytest.raises(ChartSpecError) as refused:
        validate_chart_spec(raw)
    assert refused.value.field == field
    assert words in str(refused.value)


def test_filters_take_bounded_codes_only():
    with pytest.raises(ChartSpecError, match="1 to 20 codes"):
        validate_chart_spec({"measure": "sales_units", "filters": {"store": [{"$ne": 1}]}})
    with pytest.raises(ChartSpecError, match="1 to 20 codes"):
        validate_chart_spec({"measure": "sales_units", "filters": {"store": ["S"] * 21}})
