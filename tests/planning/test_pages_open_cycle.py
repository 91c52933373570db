"""``open_cycle``: a month's cycle with its statistical version, in one command."""

import io

import pytest
from django.core.management import CommandError, call_command

from planning.models import PlanningCycle, Stage, VersionKind


def _open(*args: str) -> str:
    out = io.StringIO()
    call_command("open_cycle", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_open_cycle_takes_the_statistical_version(forecast_world):
    said = _open("--month", "2026-12", "--weeks", "4")
    assert said.startswith("S&OP December 2026: v1 Statistical forecast with 16 store × SKU")
    assert "4 weeks ending Sun 06 Dec 2026 – Sun 27 Dec 2026" in said
    cycle = PlanningCycle.objects.get()
    assert cycle.stage == Stage.STATISTICAL_FORECAST
    assert list(cycle.versions.values_list("kind", flat=True)) == [
        VersionKind.STATISTICAL,
        VersionKind.ADJUSTED,
    ]
    with pytest.raises(CommandError, match="already exists"):
        _open("--month", "2026-12")


@pytest.mark.django_db
def test_open_cycle_says_what_is_wrong():
    with pytest.raises(CommandError, match="must look like 2026-12"):
        _open("--month", "December")
    with pytest.raises(CommandError, match="no weekly forecast"):
        _open("--month", "2026-12")
    assert not PlanningCycle.objects.exists()
