"""How job timings, memory and parameters read on the jobs pages."""

import pytest

from jobs.templatetags.job_format import duration, inline_value, megabytes


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [(None, "—"), (0.42, "0.4 s"), (59.94, "59.9 s"), (245, "4 min 05 s"), (7380, "2 h 03 min")],
)
def test_duration(seconds, shown):
    assert duration(seconds) == shown


def test_megabytes():
    assert (megabytes(None), megabytes(812.4), megabytes(2051)) == ("—", "812 MB", "2.00 GB")


def test_inline_value():
    assert inline_value(["ets", "theta"]) == "ets, theta"
    assert inline_value({"weeks": 13}) == '{"weeks": 13}'
    assert inline_value(8) == "8"
