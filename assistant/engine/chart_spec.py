"""The chart specification a question may fill in, checked against a whitelist.

The prototype let the model write matplotlib code that the app executed. Here the model only
fills in this specification; anything outside the whitelist (an unknown field, measure,
dimension, filter, period or chart type) is refused with a message that names the field and
the allowed values, so the model (or the user editing the spec) can correct it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MEASURES = {
    "sales_units": "units",
    "sales_value": "currency",
    "forecast_units": "units",
}
TIME_DIMENSIONS = ("day", "week", "month")
MEMBER_DIMENSIONS = ("region", "category", "store", "sku")
DIMENSIONS = TIME_DIMENSIONS + MEMBER_DIMENSIONS
FILTER_KEYS = ("region", "category", "store", "sku")
PERIODS = (
    "last_4_weeks",
    "last_13_weeks",
    "last_52_weeks",
    "this_year",
    "last_year",
    "next_4_weeks",
)
CHART_TYPES = ("line", "bar", "stacked_bar")
FIELDS = (
    "measure",
    "dimensions",
    "filters",
    "period",
    "chart_type",
    "compare_last_year",
    "title",
)
MAX_FILTER_VALUES = 20
MAX_CODE_LENGTH = 64
MAX_TITLE_LENGTH = 120


class ChartSpecError(ValueError):
    """A chart specification outside the whitelist; ``field`` names what was refused."""

    def __init__(self, field_name: str, message: str) -> None:
        super().__init__(message)
        self.field = field_name


@dataclass(frozen=True)
class ChartSpec:
    """A validated chart: one measure over at most two dimensions (at most one of them time),
    narrowed by filters (codes), over a named period, optionally against last year."""

    measure: str
    dimensions: tuple[str, ...] = ("week",)
    filters: tuple[tuple[str, tuple[str, ...]], ...] = ()
    period: str = "last_13_weeks"
    chart_type: str = "line"
    compare_last_year: bool = False
    title: str = ""

    @property
    def unit(self) -> str:
        """``units`` or ``currency`` (the caller names the company's currency)."""
        return MEASURES[self.measure]

    @property
    def time_dimension(self) -> str | None:
        return next((d for d in self.dimensions if d in TIME_DIMENSIONS), None)

    @property
    def member_dimension(self) -> str | None:
        return next((d for d in self.dimensions if d in MEMBER_DIMENSIONS), None)

    def filter_codes(self, key: str) -> tuple[str, ...]:
        return dict(self.filters).get(key, ())

    def as_dict(self) -> dict[str, Any]:
        """The specification as plain JSON (what is shown to the user and stored)."""
        return {
            "measure": self.measure,
            "dimensions": list(self.dimensions),
            "filters": {key: list(codes) for key, codes in self.filters},
            "period": self.period,
            "chart_type": self.chart_type,
            "compare_last_year": self.compare_last_year,
            "title": self.title,
        }


def _allowed(values) -> str:
    return ", ".join(values)


def _one_of(name: str, value: object, allowed: tuple[str, ...] | list[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise ChartSpecError(
            name, f"{name} {value!r} is not allowed; allowed values: {_allowed(allowed)}."
        )
    return value


def _dimensions(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list | tuple) or not value:
        raise ChartSpecError(
            "dimensions",
            f"dimensions must be a list of one or two of: {_allowed(DIMENSIONS)}.",
        )
    dims = tuple(_one_of("dimensions", d, DIMENSIONS) for d in value)
    if len(dims) > 2 or len(set(dims)) != len(dims):
        raise ChartSpecError(
            "dimensions", "dimensions takes one or two different values (one of them time)."
        )
    if sum(d in TIME_DIMENSIONS for d in dims) > 1 or sum(d in MEMBER_DIMENSIONS for d in dims) > 1:
        raise ChartSpecError(
            "dimensions",
            f"dimensions takes at most one of {_allowed(TIME_DIMENSIONS)} and at most one of "
            f"{_allowed(MEMBER_DIMENSIONS)}.",
        )
    return dims


def _filters(value: object) -> tuple[tuple[str, tuple[str, ...]], ...]:
    if value in (None, {}):
        return ()
    if not isinstance(value, dict):
        raise ChartSpecError("filters", f"filters must map {_allowed(FILTER_KEYS)} to codes.")
    out = []
    for key in sorted(value):
        if key not in FILTER_KEYS:
            raise ChartSpecError(
                "filters",
                f"filter {key!r} is not allowed; allowed filters: {_allowed(FILTER_KEYS)}.",
            )
        codes = value[key]
        if isinstance(codes, str):
            codes = [codes]
        if (
            not isinstance(codes, list | tuple)
            or not codes
            or len(codes) > MAX_FILTER_VALUES
            or not all(isinstance(c, str) and 0 < len(c) <= MAX_CODE_LENGTH for c in codes)
        ):
            raise ChartSpecError(
                "filters",
                f"filter {key!r} takes 1 to {MAX_FILTER_VALUES} codes (text of at most "
                f"{MAX_CODE_LENGTH} characters).",
            )
        out.append((key, tuple(codes)))
    return tuple(out)


def validate_chart_spec(raw: dict) -> ChartSpec:
    """A ``ChartSpec`` from untrusted JSON (the model's or the user's), or ``ChartSpecError``."""
    if not isinstance(raw, dict):
        raise ChartSpecError("spec", "A chart specification is a JSON object.")
    unknown = sorted(set(raw) - set(FIELDS))
    if unknown:
        raise ChartSpecError(
            unknown[0],
            f"Field {unknown[0]!r} is not part of a chart specification; allowed fields: "
            f"{_allowed(FIELDS)}.",
        )
    if "measure" not in raw:
        raise ChartSpecError(
            "measure", f"measure is required; allowed values: {_allowed(MEASURES)}."
        )
    measure = _one_of("measure", raw["measure"], list(MEASURES))
    dimensions = _dimensions(raw.get("dimensions", ["week"]))
    period = _one_of("period", raw.get("period", "last_13_weeks"), PERIODS)
    chart_type = _one_of("chart_type", raw.get("chart_type", "line"), CHART_TYPES)
    compare = raw.get("compare_last_year", False)
    if not isinstance(compare, bool):
        raise ChartSpecError("compare_last_year", "compare_last_year is true or false.")
    if measure == "forecast_units" and period != "next_4_weeks":
        raise ChartSpecError(
            "period", "forecast_units covers the future: its period is next_4_weeks."
        )
    if measure != "forecast_units" and period == "next_4_weeks":
        raise ChartSpecError(
            "period", f"next_4_weeks is for forecast_units; {measure} covers the past."
        )
    if compare and measure == "forecast_units":
        raise ChartSpecError(
            "compare_last_year", "compare_last_year applies to sales measures only."
        )
    title = raw.get("title", "")
    if not isinstance(title, str) or len(title) > MAX_TITLE_LENGTH:
        raise ChartSpecError("title", f"title is text of at most {MAX_TITLE_LENGTH} characters.")
    return ChartSpec(
        measure=measure,
        dimensions=dimensions,
        filters=_filters(raw.get("filters")),
        period=period,
        chart_type=chart_type,
        compare_last_year=compare,
        title=title.strip(),
    )


CHART_SPEC_SCHEMA: dict[str, Any] = {
    "type": "object",
    "properties": {
        "measure": {"type": "string", "enum": list(MEASURES)},
        "dimensions": {
            "type": "array",
            "items": {"type": "string", "enum": list(DIMENSIONS)},
            "description": "One or two: at most one time grain and one breakdown.",
        },
        "filters": {
            "type": "object",
            "description": 'Codes to keep, e.g. {"region": ["NORTH"]}.',
            "properties": {
                key: {"type": "array", "items": {"type": "string"}} for key in FILTER_KEYS
            },
        },
        "period": {"type": "string", "enum": list(PERIODS)},
        "chart_type": {"type": "string", "enum": list(CHART_TYPES)},
        "compare_last_year": {"type": "boolean"},
        "title": {"type": "string"},
    },
    "required": ["measure"],
}
