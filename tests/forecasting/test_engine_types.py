"""The forecasting core's value types: a granularity and a blend."""

from __future__ import annotations

import pandas as pd
import pytest

from forecasting.engine import DAILY, WEEKLY, Blend, granularity_of


def test_granularity_is_looked_up_by_its_stored_code() -> None:
    assert granularity_of("D") is DAILY and granularity_of("W") is WEEKLY
    assert (DAILY.freq, WEEKLY.freq, WEEKLY.ending_on(4).freq) == ("D", "W-SUN", "W-FRI")
    with pytest.raises(ValueError):
        granularity_of("M")
    with pytest.raises(ValueError):
        WEEKLY.ending_on(7)


def test_weeks_end_on_the_company_weekday() -> None:
    friday, saturday, sunday = pd.Timestamp("2024-03-01"), "2024-03-02", "2024-03-03"
    dates = pd.Series(pd.to_datetime([friday, saturday, sunday]))
    assert WEEKLY.period_end(dates).dt.strftime("%a").tolist() == ["Sun", "Sun", "Sun"]
    assert DAILY.period_end(dates).equals(dates)
    ending_friday = WEEKLY.ending_on(4)
    assert ending_friday.period_end(dates).dt.strftime("%d").tolist() == ["01", "08", "08"]
    # Daily actuals up to a Saturday complete the week that ended the Sunday before.
    assert WEEKLY.last_complete_period(pd.Timestamp(saturday)) == pd.Timestamp("2024-02-25")
    assert WEEKLY.last_complete_period(pd.Timestamp(sunday)) == pd.Timestamp(sunday)
    assert ending_friday.last_complete_period(pd.Timestamp(saturday)) == friday


def test_blend_names_and_stores_one_way() -> None:
    blend = Blend(("lightgbm", "ets"), (3, 1))
    assert blend.models == ("ets", "lightgbm") and blend.weights == (1, 3)
    assert blend.name == "combo:ets+lightgbm"
    assert Blend.from_json(blend.to_json()) == blend
    assert blend.shares() == [("ets", 25), ("lightgbm", 75)]
    assert Blend.from_name("ets") == Blend.single("ets") and Blend.single("ets").name == "ets"
    assert Blend.from_name("combo:ets+tsb") == Blend(("ets", "tsb"), (1, 1))
    with pytest.raises(ValueError):
        Blend(("ets", "tsb"), (1,))
    with pytest.raises(ValueError):
        Blend(("ets",), (0,))
