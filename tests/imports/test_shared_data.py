"""Imports of the public data sets in ../shared/data (skipped when they are absent)."""

from pathlib import Path

import pytest
from django.db.models import Count, F

from history.models import CalendarEvent, Indicator, Promotion, SalesFact
from imports.services import import_files
from masterdata.models import Store

# ../shared/data beside the clone (or beside the folder of worktrees that holds it).
SHARED = next(
    (
        folder / "shared" / "data"
        for folder in Path(__file__).resolve().parents[3:5]
        if (folder / "shared" / "data").is_dir()
    ),
    Path(__file__).resolve().parents[3] / "shared" / "data",
)

pytestmark = [pytest.mark.shared_data, pytest.mark.django_db]


def shared(name: str) -> Path:
    path = SHARED / name
    if not path.is_dir():
        pytest.skip(f"shared data set {path} is absent (see ../shared/data/README.md)")
    return path


def series_count() -> int:
    return SalesFact.objects.values("store_id", "sku_id").distinct().count()


def test_ai_sop_import():
    report = import_files(fmt="ai-sop", paths=[shared("ai-sop")])
    assert report.is_valid, report.errors[:5]
    assert report.written["sales"] == 81_855
    assert SalesFact.objects.count() == 81_855 and series_count() == 45
    assert SalesFact.objects.filter(grain="D", price__isnull=False).exists()
    assert CalendarEvent.objects.exists()
    cashback = Promotion.objects.filter(mechanic="cashback")
    assert cashback.exists() and cashback.filter(end_date__gt=F("start_date")).exists()
    assert SalesFact.objects.filter(on_promotion=True).exists()


def test_walmart_import():
    """One import only: re-import idempotence is covered by the small-file tests and printed
    by ``python -m benchmarks import_walmart``; a second pass would double CI time."""
    data = shared("walmart")
    report = import_files(fmt="walmart", paths=[data])
    assert report.is_valid, report.errors[:5]
    assert report.written["sales"] == 421_570
    assert Store.objects.count() == 45 and series_count() == 3_331
    assert SalesFact.objects.filter(grain="W", quantity__isnull=True).count() == 421_570
    assert SalesFact.objects.filter(revenue__lt=0).count() == 1_285
    store = Store.objects.get(code="STORE-01")
    assert (store.store_format, store.floor_area_m2) == ("A", 151_315)
    markdowns = Promotion.objects.filter(mechanic__startswith="markdown", sku__isnull=True)
    assert markdowns.exists() and not markdowns.filter(value__isnull=True).exists()
    names = set(Indicator.objects.values_list("name", flat=True))
    assert names == {"temperature", "fuel_price", "cpi", "unemployment"}
    holidays = dict(CalendarEvent.objects.values_list("name").annotate(n=Count("id")))
    assert {"Super Bowl", "Labor Day", "Thanksgiving", "Christmas"} <= set(holidays)
