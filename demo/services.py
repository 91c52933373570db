"""Loading the generated demo company into the database, in bulk and idempotently.

Master data is upserted by code, then every fact frame is mapped from codes to ids with one
query per master table and upserted with ``history.bulk``. The large fact frames (tens of
millions of rows at M5 scale) are mapped and streamed one slice at a time, so the load never
holds a second copy of them. Loading the same seed twice changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

import numpy as np
import pandas as pd
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.db.models import Min

from accounts.models import Role
from demo.engine import DemoCompany
from history.bulk import UpsertTarget, upsert_frame, upsert_frames
from history.models import (
    AnomalyLabel,
    CalendarEvent,
    Grain,
    Indicator,
    InventorySnapshot,
    Promotion,
    SalesFact,
    SupplyOrder,
)
from history.signals import facts_changed
from masterdata.models import SKU, Category, Region, Store, Warehouse
from pilots.kpi_inputs import BASELINE_WEEKS
from pilots.models import Design, Pilot
from pilots.services import (
    pilot_assign,
    pilot_create,
    pilot_finish,
    pilot_kpis_compute,
    pilot_start,
)

ProgressCallback = Callable[[float, str], None]
FACT_SLICE_ROWS = 1_000_000

DEMO_USERS = (
    ("planner", Role.PLANNER, "planner-demo-2026"),
    ("admin", Role.ADMIN, "admin-demo-2026"),
    ("executive", Role.EXECUTIVE, "executive-demo-2026"),
)


def _ids(model, field: str = "code") -> dict[str, int]:
    return dict(model.objects.values_list(field, "id"))


def _map_codes(frame: pd.DataFrame, column: str, ids: dict[str, int], target: str) -> pd.DataFrame:
    frame[target] = frame[column].astype(str).map(ids).astype("Int64")
    return frame.drop(columns=[column])


def _dates(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column])
    return frame


def _nullable_codes(
    frame: pd.DataFrame, column: str, ids: dict[str, int], target: str
) -> pd.DataFrame:
    frame[target] = frame[column].map(lambda c: ids.get(str(c)) if pd.notna(c) else None)
    frame[target] = frame[target].astype("Int64")
    return frame.drop(columns=[column])


@transaction.atomic
def demo_company_load(
    *, company: DemoCompany, progress: ProgressCallback | None = None
) -> dict[str, int]:
    """Write ``company`` to the database; returns rows inserted or changed per table."""
    report = progress or (lambda percent, message: None)
    written: dict[str, int] = {}

    report(2, "Master data")
    written["regions"] = upsert_frame(
        UpsertTarget(Region, ["code"]), company.regions[["code", "name"]]
    )
    regions = _ids(Region)
    warehouses = _map_codes(
        company.warehouses[["code", "name", "region_code"]].copy(),
        "region_code",
        regions,
        "region_id",
    )
    written["warehouses"] = upsert_frame(UpsertTarget(Warehouse, ["code"]), warehouses)
    stores = company.stores.copy()
    stores = _map_codes(stores, "region_code", regions, "region_id")
    stores = _nullable_codes(stores, "warehouse_code", _ids(Warehouse), "warehouse_id")
    stores = _dates(stores, "opened_on")
    written["stores"] = upsert_frame(UpsertTarget(Store, ["code"]), stores)
    written["categories"] = _load_categories(company.categories)
    skus = _map_codes(company.skus.copy(), "category_code", _ids(Category), "category_id")
    skus = _dates(skus, "launched_on", "discontinued_on")
    written["skus"] = upsert_frame(UpsertTarget(SKU, ["code"]), skus)

    store_ids, sku_ids = _ids(Store), _ids(SKU)

    report(10, f"Sales history ({len(company.sales):,} rows)")
    written["sales"] = upsert_frames(
        UpsertTarget(SalesFact, ["store_id", "sku_id", "date"]),
        _fact_slices(company.sales, store_ids, sku_ids, grain=Grain.DAY.value),
        rows=len(company.sales),
    )

    report(60, f"Inventory snapshots ({len(company.inventory):,} rows)")
    written["inventory"] = upsert_frames(
        UpsertTarget(InventorySnapshot, ["store_id", "sku_id", "date"], "store_id IS NOT NULL"),
        _fact_slices(company.inventory, store_ids, sku_ids),
        rows=len(company.inventory),
    )

    report(80, "Supply orders, promotions, events and indicators")
    written["supply_orders"] = upsert_frames(
        UpsertTarget(SupplyOrder, ["order_ref"]),
        _fact_slices(company.supply_orders, store_ids, sku_ids),
        rows=len(company.supply_orders),
    )

    promotions = company.promotions.copy()
    promotions = _nullable_codes(promotions, "store_code", store_ids, "store_id")
    promotions = _nullable_codes(promotions, "sku_code", sku_ids, "sku_id")
    promotions = _dates(promotions, "start_date", "end_date")
    written["promotions"] = upsert_frame(UpsertTarget(Promotion, ["code"]), promotions)

    events = company.events.copy()
    events = _nullable_codes(events, "region_code", regions, "region_id")
    events = _dates(events, "date")
    written["events"] = upsert_frame(
        UpsertTarget(
            CalendarEvent, ["date", "name", "COALESCE(region_id, 0)", "COALESCE(store_id, 0)"]
        ),
        events,
    )

    indicators = company.indicators.copy()
    indicators = _nullable_codes(indicators, "region_code", regions, "region_id")
    indicators = _dates(indicators, "date")
    written["indicators"] = upsert_frame(
        UpsertTarget(
            Indicator, ["name", "date", "COALESCE(region_id, 0)", "COALESCE(store_id, 0)"]
        ),
        indicators,
    )

    report(95, "Anomaly ground truth")
    written["anomaly_labels"] = _replace_labels(company.anomaly_labels, store_ids, sku_ids)
    facts_changed.send(sender=SalesFact, written=written, store_ids=None)
    report(100, "Demo company loaded")
    return written


def _fact_slices(
    facts: pd.DataFrame, store_ids: dict[str, int], sku_ids: dict[str, int], **constants: str
) -> Iterator[pd.DataFrame]:
    """``facts`` in slices of ``FACT_SLICE_ROWS``, store and SKU codes replaced by ids."""
    for start in range(0, len(facts), FACT_SLICE_ROWS):
        piece = facts.iloc[start : start + FACT_SLICE_ROWS]
        out = piece.drop(columns=["store_code", "sku_code"])
        out["store_id"] = _code_ids(piece["store_code"], store_ids)
        out["sku_id"] = _code_ids(piece["sku_code"], sku_ids)
        for column, value in constants.items():
            out[column] = value
        yield out


def _code_ids(codes: pd.Series, ids: dict[str, int]) -> np.ndarray:
    """Ids for a column of codes, looked up once per distinct code (the generator's codes
    are categoricals over the master codes)."""
    if not isinstance(codes.dtype, pd.CategoricalDtype):
        codes = codes.astype("category")
    positions = codes.cat.codes.to_numpy()
    if (positions < 0).any():
        raise ValueError(f"{codes.name} has rows without a code")
    lookup = np.array([ids[str(code)] for code in codes.cat.categories], dtype=np.int64)
    return lookup[positions]


def _load_categories(categories: pd.DataFrame) -> int:
    """Categories form a tree: write them without parents, then link each to its parent."""
    written = upsert_frame(UpsertTarget(Category, ["code"]), categories[["code", "name"]])
    ids = _ids(Category)
    linked = categories[["code", "name", "parent_code"]].copy()
    linked = _nullable_codes(linked, "parent_code", ids, "parent_id")
    return written + upsert_frame(UpsertTarget(Category, ["code"]), linked)


def _replace_labels(
    labels: pd.DataFrame, store_ids: dict[str, int], sku_ids: dict[str, int]
) -> int:
    """Demo ground truth is regenerated whole: replace the demo's labels, keep users' own."""
    AnomalyLabel.objects.filter(source="demo").delete()
    rows = [
        AnomalyLabel(
            kind=row.kind,
            store_id=store_ids[str(row.store_code)],
            sku_id=sku_ids[str(row.sku_code)],
            start_date=pd.Timestamp(row.start_date).date(),
            end_date=pd.Timestamp(row.end_date).date(),
            magnitude=None if pd.isna(row.magnitude) else float(row.magnitude),
            note=str(row.note)[:200],
            source="demo",
        )
        for row in labels.itertuples(index=False)
    ]
    AnomalyLabel.objects.bulk_create(rows, batch_size=2000)
    return len(rows)


def demo_users_ensure() -> list[tuple[str, str, str]]:
    """Create the three demo log-ins if missing; returns (username, role, password)."""
    created = []
    for username, role, password in DEMO_USERS:
        group, _ = Group.objects.get_or_create(name=role)
        user, new = User.objects.get_or_create(username=username)
        if new:
            user.set_password(password)
            user.save()
        user.groups.add(group)
        if role == Role.ADMIN and not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        created.append((username, role, password))
    return created


DEMO_PILOT_NAME = "Replenishment pilot (demo history)"
DEMO_PILOT_SEED = 20260302
DEMO_PILOT_WEEKS = 13
# The pilot ends this long before the history does, as a pilot read a month after its end.
DEMO_PILOT_GAP_WEEKS = 4
DEMO_PILOT_MIN_STORES = 4


def demo_pilot_ensure(*, store_codes: list[str], history_end: date) -> Pilot | None:
    """A finished pilot over a past quarter of the demo history, so the pilot pages and the
    board pack show a real scorecard on a fresh install.

    It is designed the way an admin would (by the demo's admin: stratified by region, with
    a recorded seed), started, measured by the same KPI computation as any pilot, and
    finished. In the history both groups ran alike, so it is an A/A pilot: an honest
    scorecard finds no effect, and says so. Kept as it is when it exists already, so
    loading the demo twice changes nothing; None when the company is too small or its
    history too short for a pilot with its pre-period.
    """
    existing = Pilot.objects.filter(name=DEMO_PILOT_NAME).first()
    if existing is not None:
        return existing
    store_ids = list(Store.objects.filter(code__in=store_codes).values_list("pk", flat=True))
    end = history_end - timedelta(weeks=DEMO_PILOT_GAP_WEEKS)
    end -= timedelta(days=(end.weekday() + 1) % 7)  # back to a Sunday: whole weeks
    start = end - timedelta(weeks=DEMO_PILOT_WEEKS) + timedelta(days=1)
    pre_period_weeks = Pilot._meta.get_field("pre_period_weeks").default
    first_sale = SalesFact.objects.filter(store_id__in=store_ids).aggregate(first=Min("date"))
    if (
        len(store_ids) < DEMO_PILOT_MIN_STORES
        or first_sale["first"] is None
        or first_sale["first"] > start - timedelta(weeks=pre_period_weeks + BASELINE_WEEKS)
    ):
        return None
    admin = User.objects.get(username=_demo_admin_username())
    pilot = pilot_create(
        name=DEMO_PILOT_NAME,
        start_date=start,
        end_date=end,
        actor=admin,
        description=(
            f"A {DEMO_PILOT_WEEKS}-week pilot over the demo company's history, its "
            f"{len(store_ids)} stores split at random within each region. Both groups ran "
            "alike in this history, so no true effect exists: the scorecard shows what an "
            "honest analysis says when nothing changed."
        ),
    )
    pilot_assign(
        pilot=pilot,
        store_ids=store_ids,
        design=Design.STRATIFIED,
        strata=("region",),
        seed=DEMO_PILOT_SEED,
        actor=admin,
    )
    pilot_start(pilot=pilot, actor=admin)
    pilot_kpis_compute(pilot=pilot)
    return pilot_finish(pilot=pilot)


def _demo_admin_username() -> str:
    demo_users_ensure()
    return next(username for username, role, _ in DEMO_USERS if role == Role.ADMIN)
