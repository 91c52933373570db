"""Importing files and API batches: validate everything first, then write in one transaction.

An import is all-or-nothing by default: a single bad row and nothing is written. With
``skip_invalid`` the good rows are written and the bad ones reported. Writes are upserts by
natural key (``history.bulk.upsert_frame``), so importing the same data twice writes nothing
the second time, and the count reported is the rows inserted or changed.

A column absent from the input is not written: existing rows keep their value of it
(``imports.changes``). A scoped user may change only rows within their scope, both the row
they post and the row its key matches (``imports.ownership``). The audit entry keeps the
before and after of the rows an import changed in master data and in facts whose key is not
(store, SKU, date), so that what it overwrote can be restored.
"""

from __future__ import annotations

import contextvars
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.text import get_valid_filename

from accounts.scoping import Scope
from audit.services import audit_record
from history.bulk import UpsertTarget, upsert_frame
from history.models import (
    CalendarEvent,
    Indicator,
    InventorySnapshot,
    Promotion,
    SalesFact,
    StoreClosure,
    SupplyOrder,
)
from history.signals import facts_changed
from imports.batch import (
    UNASSIGNED_REGION,
    UNCATEGORISED,
    Batch,
    check_references,
    existing_codes,
)
from imports.changes import ChangeLog, current_rows, keep_absent
from imports.columns import check_columns, shown
from imports.formats import PARSERS
from imports.formats.sop import SPECS, batch_from_raw
from imports.formats.tables import expand_paths
from imports.gaps import READ_AS_MISSING, sales_gaps_record
from imports.grain import sales_grain_resolve
from imports.job_params import ImportParams
from imports.ownership import check_changed_rows_scope
from imports.report import ImportReport
from imports.week_end import week_end_detect
from jobs.models import JobRun
from jobs.services import JobRejected, job_start
from masterdata.models import SKU, Category, Region, Store, Warehouse

ProgressCallback = Callable[[float, str], None]

HINT_COMMAND = "use --create-missing to create it"
HINT_UPLOAD = "tick 'Create missing master data' to create it"
HINT_API = "create it first"
API_KINDS = ("sales", "inventory", "supply_orders", "closures")
API_MAX_ROWS = 50_000
API_SOURCE = "request"
IMPORT_KIND = "import"

# The command line receives the whole report (every bad row) here; the job row keeps a
# capped copy.
full_report_sink: contextvars.ContextVar[Callable[[ImportReport], None] | None] = (
    contextvars.ContextVar("import_full_report_sink", default=None)
)


class ImportRejected(JobRejected):
    """An all-or-nothing import had invalid rows, so nothing was written."""


def _quiet(percent: float, message: str) -> None:
    """Progress sink when the caller does not follow progress."""


def import_files(
    *,
    fmt: str,
    paths: list[Path],
    user=None,
    create_missing: bool = False,
    skip_invalid: bool = False,
    grain: str | None = None,
    gaps: str = READ_AS_MISSING,
    hint: str = HINT_COMMAND,
    job_id: int | None = None,
    progress: ProgressCallback = _quiet,
) -> ImportReport:
    """Read, validate and (when valid, or with ``skip_invalid``) write files of ``fmt``.

    ``gaps`` says how store-periods without any sales row are read: ``missing`` (the
    default) or ``zero`` (``imports.gaps``).
    """
    report = ImportReport()
    progress(2, f"Reading {fmt} files")
    batch = PARSERS[fmt](expand_paths(paths), grain=grain, report=report)
    progress(40, f"Read {report.rows_read:,} rows; checking master data")
    # Files are imported by admins or the system; a scoped user is held to their scope.
    scope = Scope.for_user(user) if user is not None else Scope.system()
    if not scope.is_scoped:
        scope = Scope.system()
    check_references(batch, report, create_missing=create_missing, hint=hint, scope=scope)
    check_changed_rows_scope(batch, report, scope=scope)
    _check_kept_receipts(batch, report)
    if not report.is_valid and not skip_invalid:
        _record_rejected(report, user=user, fmt=fmt, job_id=job_id)
        progress(100, f"{len(report.errors):,} problems found; nothing written")
        return report
    progress(50, "Writing")
    _write(batch.clean(), report, user=user, fmt=fmt, job_id=job_id, progress=progress, gaps=gaps)
    progress(100, f"{report.rows_written:,} rows written")
    return report


def import_rows(
    *,
    kind: str,
    rows: list[dict[str, Any]],
    user,
    scope: Scope,
    gaps: str = READ_AS_MISSING,
) -> ImportReport:
    """Validate and write one API batch of ``kind`` (one of ``API_KINDS``).

    Row numbers in the report are the 1-based positions in ``rows``. Stores and SKUs must
    exist and be within ``scope`` (the poster's), as must every existing row the batch would
    change; nothing is created and nothing is written unless every row is valid.
    """
    report = ImportReport(files=[API_SOURCE], rows_read=len(rows))
    raw = _text_frame(rows, report)
    if raw is None or not check_columns(SPECS[kind], raw, API_SOURCE, report):
        return report
    if kind in ("inventory", "supply_orders") and not {"store", "warehouse"} & set(raw.columns):
        report.file_error(API_SOURCE, "a 'store' or a 'warehouse' field is required", "store")
        return report
    batch = batch_from_raw({kind: [raw]}, grain=None, report=report)
    check_references(batch, report, create_missing=False, hint=HINT_API, scope=scope)
    check_changed_rows_scope(batch, report, scope=scope)
    _check_kept_receipts(batch, report)
    if report.is_valid:
        _write(
            batch.clean(),
            report,
            user=user,
            fmt=f"api:{kind}",
            job_id=None,
            progress=_quiet,
            gaps=gaps,
        )
    return report


def _record_rejected(report: ImportReport, *, user, fmt: str, job_id: int | None) -> None:
    """Who tried to import what, and why it was refused: nothing was written."""
    audit_record(
        user=user,
        action="import_rejected",
        obj_type="import",
        obj_id=job_id or "",
        obj_repr=f"{fmt} import",
        after={
            "format": fmt,
            "files": report.files,
            "rows_read": report.rows_read,
            "problems": len(report.errors),
            "rows_rejected": len(report.bad_rows()),
            "rows_written": 0,
        },
    )


def _check_kept_receipts(batch: Batch, report: ImportReport) -> None:
    """An order posted without ``received_on`` keeps its stored receipt date, which must not
    then fall before the order's new ``ordered_on``."""
    orders = batch.frames.get("supply_orders")
    if orders is None or orders.empty or "received_on" in orders.columns:
        return
    refs = set(orders["order_ref"])
    stored = dict(
        SupplyOrder.objects.filter(order_ref__in=refs, received_on__isnull=False).values_list(
            "order_ref", "received_on"
        )
    )
    if not stored:
        return
    received = pd.to_datetime(orders["order_ref"].map(stored))
    early = received.notna() & (received < orders["ordered_on"]) & ~orders["_bad"]
    reasons = [
        f"order '{shown(ref)}' was received on {day:%Y-%m-%d}, before this ordered_on; "
        "send received_on too"
        for ref, day in zip(orders.loc[early, "order_ref"], received[early], strict=True)
    ]
    batch.flag("supply_orders", early, "ordered_on", reasons, report)


def _text_frame(rows: list[dict[str, Any]], report: ImportReport) -> pd.DataFrame | None:
    """Posted rows as text cells, like a CSV file's, numbered from 1; None (with the
    problems reported) when a field is a list or an object, or two field names differ only
    by case."""
    nested = [
        (number, key)
        for number, row in enumerate(rows, start=1)
        for key, value in row.items()
        if isinstance(value, dict | list)
    ]
    for number, key in nested:
        report.errors.append(
            {
                "file": API_SOURCE,
                "row": number,
                "column": shown(key),
                "reason": f"{shown(key)} must be a text, a number or true/false",
            }
        )
    names: dict[str, str] = {}
    for key in {key for row in rows for key in row}:
        first = names.setdefault(key.strip().lower(), key)
        if first != key:
            report.file_error(
                API_SOURCE,
                f"fields '{shown(first)}' and '{shown(key)}' differ only by case; "
                "send each field once",
                shown(key),
            )
    if not report.is_valid:
        return None
    frame = pd.DataFrame.from_records(rows) if rows else pd.DataFrame()
    frame.columns = [str(c).strip().lower() for c in frame.columns]
    frame = (
        frame.astype(object)
        .where(frame.notna(), "")
        .map(str)
        .apply(lambda column: column.str.strip())
        if len(frame)
        else frame
    )
    frame.insert(0, "_file", API_SOURCE)
    frame["_row"] = range(1, len(frame) + 1)
    return frame


@transaction.atomic
def import_upload_start(
    *,
    user,
    fmt: str,
    files: list[UploadedFile],
    create_missing: bool,
    skip_invalid: bool,
    grain: str,
    gaps: str = READ_AS_MISSING,
) -> JobRun:
    """Save uploaded files under MEDIA_ROOT/imports/<time>-<random>/ and start their import.

    The files stay there after the import, as the record of what was loaded (the job's
    params list them; purging the job deletes them).
    """
    stamp = timezone.now().strftime("%Y%m%d-%H%M%S")
    folder = Path(settings.MEDIA_ROOT) / "imports" / f"{stamp}-{uuid.uuid4().hex[:8]}"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for upload in files:
        path = folder / (get_valid_filename(Path(upload.name).name) or "upload")
        with path.open("wb") as target:
            for chunk in upload.chunks():
                target.write(chunk)
        paths.append(str(path))
    params = ImportParams(
        format=fmt,
        paths=tuple(paths),
        files=tuple(upload.name for upload in files),
        create_missing=create_missing,
        skip_invalid=skip_invalid,
        grain=grain,
        gaps=gaps,
        hint=HINT_UPLOAD,
    )
    return job_start(kind=IMPORT_KIND, params=params, actor=user)


def import_job_work(
    job: JobRun, params: ImportParams, progress: ProgressCallback
) -> dict[str, Any]:
    """The work of an import job.

    The report is stored in ``job.result`` (errors capped); ``full_report_sink``, when set
    (the command line), receives the whole report, to print every bad row. A rejected
    all-or-nothing import fails the job (with the report kept) so that the job list shows
    it did not load.
    """
    report = import_files(
        fmt=params.format,
        paths=[Path(p) for p in params.paths],
        user=job.created_by,
        create_missing=params.create_missing,
        skip_invalid=params.skip_invalid,
        grain=params.grain or None,
        gaps=params.gaps,
        hint=params.hint or HINT_COMMAND,
        job_id=job.pk,
        progress=progress,
    )
    if (sink := full_report_sink.get()) is not None:
        sink(report)
    result = report.as_dict()
    if not report.is_valid and not params.skip_invalid:
        JobRun.objects.filter(pk=job.pk).update(result=result)
        raise ImportRejected(
            f"{result['errors_total']:,} problems found in the files; nothing was written"
        )
    return result


@transaction.atomic
def _write(
    batch: Batch,
    report: ImportReport,
    *,
    user,
    fmt: str,
    job_id: int | None,
    progress: ProgressCallback,
    gaps: str = READ_AS_MISSING,
) -> None:
    """Master data first (so facts can name it), then every fact table, then the audit entry.

    After the sales, the store-periods they leave without rows are recorded (or not) as
    ``gaps`` says, and counted in the report.
    """
    written = report.written
    frames, create = batch.frames, batch.create
    log = ChangeLog()
    if "sales" in frames:
        sales_grain_resolve(frames["sales"])
        week_end_detect(frames["sales"], report)
    written["regions"] = _write_regions(batch)
    written["categories"] = _write_categories(batch)
    regions = _ids(
        Region,
        _codes(frames, "stores", "region") | create.get("regions", set()) | {UNASSIGNED_REGION},
    )
    written["warehouses"] = _insert_new(
        Warehouse,
        _defaults_frame(create.get("warehouses", set()), region_id=regions.get(UNASSIGNED_REGION)),
    )
    written["stores"] = _write_stores(batch, regions, log)
    written["skus"] = _write_skus(batch, log)
    stores = _ids(Store, _all_codes(frames, "store") | _codes(frames, "stores", "code"))
    skus = _ids(SKU, _all_codes(frames, "sku") | _codes(frames, "skus", "code"))
    warehouses = _ids(Warehouse, _all_codes(frames, "warehouse"))
    regions |= _ids(Region, _all_codes(frames, "region"))
    maps = {"store": stores, "sku": skus, "warehouse": warehouses, "region": regions}
    steps = [
        ("sales", _write_sales),
        ("inventory", _write_inventory),
        ("supply_orders", _write_supply_orders),
        ("promotions", _write_promotions),
        ("events", _write_events),
        ("indicators", _write_indicators),
        ("closures", _write_closures),
    ]
    for done, (table, writer) in enumerate(steps):
        if table in frames and not frames[table].empty:
            progress(50 + 45 * done / len(steps), f"Writing {table} ({len(frames[table]):,} rows)")
            rows = _with_ids(frames[table], maps)
            written[table] = writer(rows, log)
            if table == "sales":
                found = sales_gaps_record(rows, read_as=gaps)
                report.gaps, report.notes = found.as_dict(), [*report.notes, *found.notes()]
    report.written = {table: n for table, n in written.items() if n}
    report.rows_written = sum(report.written.values())
    _audit_import(report, log, user=user, fmt=fmt, job_id=job_id)
    facts_changed.send(sender=SalesFact, written=report.written, store_ids=set(stores.values()))


def _audit_import(
    report: ImportReport, log: ChangeLog, *, user, fmt: str, job_id: int | None
) -> None:
    """The import's one audit entry: counts, and before/after of the rows it changed (at most
    ``IMPORT_AUDIT_MAX_ROWS`` per table; ``changed`` counts them all)."""
    audit_record(
        user=user,
        action="import",
        obj_type="import",
        obj_id=job_id or "",
        obj_repr=f"{fmt} import",
        before=log.before or None,
        after={
            "format": fmt,
            "files": report.files,
            "rows_read": report.rows_read,
            "rows_written": report.rows_written,
            "written": report.written,
            "rows_rejected": len(report.bad_rows()),
            "gaps": report.gaps,
            "changed": log.changed,
            "rows": log.after,
        },
    )


def _codes(frames: dict[str, pd.DataFrame], table: str, column: str) -> set[str]:
    frame = frames.get(table)
    if frame is None or column not in frame.columns:
        return set()
    return {c for c in frame[column].unique() if c}


def _all_codes(frames: dict[str, pd.DataFrame], column: str) -> set[str]:
    """Codes named in ``column`` of any fact table."""
    facts = (
        "sales",
        "inventory",
        "supply_orders",
        "promotions",
        "events",
        "indicators",
        "closures",
    )
    found = set()
    for table in facts:
        found |= _codes(frames, table, column)
    return found


def _ids(model: type[Model], codes: set[str]) -> dict[str, int]:
    """Code to id for ``codes`` (one query; all rows when the list would be very long)."""
    if not codes:
        return {}
    queryset = model.objects.all()
    if len(codes) <= 5_000:
        queryset = queryset.filter(code__in=codes)
    return dict(queryset.values_list("code", "id"))


def _defaults_frame(codes: set[str], **columns: Any) -> pd.DataFrame:
    """Master rows created for unknown codes: named after their code, default values."""
    ordered = sorted(codes)
    return pd.DataFrame({"code": ordered, "name": ordered, **columns})


def _insert_new(model: type[Model], frame: pd.DataFrame) -> int:
    """Insert rows whose code is new; existing rows keep what they have."""
    if frame.empty:
        return 0
    frame = frame[~frame["code"].isin(existing_codes(model, set(frame["code"])))]
    return upsert_frame(UpsertTarget(model, ["code"]), frame.drop_duplicates("code"))


def _upsert_master(
    model: type[Model],
    frame: pd.DataFrame,
    defaults: dict[str, Any],
    log: ChangeLog,
    table: str,
) -> int:
    """Upsert by code. Columns a file did not have are left alone on existing rows and take
    their default on new rows; empty cells of NOT NULL columns take the default."""
    if frame.empty:
        return 0
    columns = [c for c in frame.columns if c != "code"]
    stored = current_rows(model, frame, ["code"], columns)
    log.record(table, frame, stored, ["code"])
    existing = set(stored["code"])
    is_old = frame["code"].isin(existing)
    old, new = frame[is_old].copy(), frame[~is_old].copy()
    for column, default in defaults.items():
        if column in old.columns:
            old[column] = old[column].fillna(default)
        elif not old.empty:
            # The INSERT half of an upsert needs every NOT NULL column: keep the current one.
            current = dict(
                model.objects.filter(code__in=set(old["code"])).values_list("code", column)
            )
            old[column] = old["code"].map(current)
        new[column] = new[column].fillna(default) if column in new.columns else default
    target = UpsertTarget(model, ["code"])
    return upsert_frame(target, old) + upsert_frame(target, new)


def _write_regions(batch: Batch) -> int:
    frames, create = batch.frames, batch.create
    named = (
        frames["regions"][["code", "name"]]
        if "regions" in frames
        else pd.DataFrame(columns=["code", "name"])
    )
    codes = _codes(frames, "stores", "region") | create.get("regions", set())
    if create.get("stores") or create.get("warehouses"):
        codes.add(UNASSIGNED_REGION)
    unnamed = _defaults_frame(codes - set(named["code"]))
    unnamed.loc[unnamed["code"] == UNASSIGNED_REGION, "name"] = "Unassigned"
    return _insert_new(Region, pd.concat([named, unnamed], ignore_index=True))


def _write_categories(batch: Batch) -> int:
    """Categories named by SKUs are created (named after their code); a SKU file's
    parent_category links the category under its parent."""
    frames = batch.frames
    named = (
        frames["categories"][["code", "name"]]
        if "categories" in frames
        else pd.DataFrame(columns=["code", "name"])
    )
    codes = _codes(frames, "skus", "category") | _codes(frames, "skus", "parent_category")
    if batch.create.get("skus"):
        codes.add(UNCATEGORISED)
    unnamed = _defaults_frame(codes - set(named["code"]))
    unnamed.loc[unnamed["code"] == UNCATEGORISED, "name"] = "Uncategorised"
    written = _insert_new(Category, pd.concat([named, unnamed], ignore_index=True))
    skus = frames.get("skus")
    if skus is None or "parent_category" not in skus.columns:
        return written
    links = skus.loc[skus["parent_category"] != "", ["category", "parent_category"]]
    links = links.drop_duplicates("category", keep="last")
    if links.empty:
        return written
    rows = Category.objects.filter(code__in=set(links["category"]) | set(links["parent_category"]))
    ids = {code: (pk, name) for code, pk, name in rows.values_list("code", "id", "name")}
    linked = pd.DataFrame(
        {
            "code": links["category"],
            "name": links["category"].map(lambda c: ids[c][1]),
            "parent_id": links["parent_category"].map(lambda c: ids[c][0]).astype("Int64"),
        }
    )
    return written + upsert_frame(UpsertTarget(Category, ["code"]), linked)


def _write_stores(batch: Batch, regions: dict[str, int], log: ChangeLog) -> int:
    written = 0
    stores = batch.frames.get("stores")
    if stores is not None and not stores.empty:
        frame = stores.drop(columns=["_file", "_row"]).copy()
        frame["region_id"] = frame.pop("region").map(regions).astype("Int64")
        if "warehouse" in frame.columns:
            warehouses = _ids(Warehouse, _codes(batch.frames, "stores", "warehouse"))
            frame["warehouse_id"] = frame.pop("warehouse").map(warehouses).astype("Int64")
        written += _upsert_master(Store, frame, {"store_format": ""}, log, "stores")
    created = _defaults_frame(
        batch.create.get("stores", set()), region_id=regions.get(UNASSIGNED_REGION), store_format=""
    )
    return written + _insert_new(Store, created)


def _write_skus(batch: Batch, log: ChangeLog) -> int:
    written = 0
    defaults = {"lead_time_days": 7, "min_order_qty": 1, "case_pack": 1, "is_active": True}
    skus = batch.frames.get("skus")
    if skus is not None and not skus.empty:
        frame = skus.drop(columns=["_file", "_row", "parent_category"], errors="ignore").copy()
        categories = _ids(Category, set(frame["category"]))
        frame["category_id"] = frame.pop("category").map(categories).astype("Int64")
        written += _upsert_master(SKU, frame, defaults, log, "skus")
    created = batch.create.get("skus", set())
    if created:
        category = _ids(Category, {UNCATEGORISED})[UNCATEGORISED]
        written += _insert_new(SKU, _defaults_frame(created, category_id=category, **defaults))
    return written


def _with_ids(frame: pd.DataFrame, maps: dict[str, dict[str, int]]) -> pd.DataFrame:
    """Replace code columns (store, sku, warehouse, region) by id columns (store_id...)."""
    frame = frame.drop(columns=["_file", "_row"]).copy()
    for column, ids in maps.items():
        if column in frame.columns:
            # Looked up once per distinct code: mapping every cell of a text column costs
            # more than writing the rows.
            positions, codes = pd.factorize(frame.pop(column))
            lookup = pd.array([*(ids.get(code) for code in codes), None], dtype="Int64")
            frame[f"{column}_id"] = lookup[positions]
    return frame


def _write_facts(
    model: type[Model],
    frame: pd.DataFrame,
    *,
    key: list[str],
    values: list[str],
    defaults: dict[str, Any],
    log: ChangeLog | None = None,
    table: str = "",
    conflict_key: list[str] | None = None,
    conflict_where: str = "",
) -> int:
    """Upsert the ``key`` and ``values`` columns of ``frame`` into ``model``.

    A value column absent from ``frame`` is not written: existing rows keep what they hold,
    new rows take ``defaults`` (or NULL). With a ``log``, the stored rows are read first and
    the changed ones recorded for the audit entry.
    """
    for column in key:
        if column not in frame.columns:
            frame = frame.assign(**{column: pd.Series(pd.NA, index=frame.index, dtype="Int64")})
    present = [c for c in values if c in frame.columns]
    absent = [c for c in values if c not in frame.columns]
    rows = frame[[*key, *present]]
    stored = None
    if log is not None:
        stored = current_rows(model, rows, key, values)
        log.record(table, rows, stored, key)
    elif absent:
        stored = current_rows(model, rows, key, absent)
    if absent:
        rows = keep_absent(rows, stored, key, absent, defaults)
    for column in present:
        if column in defaults:
            rows[column] = rows[column].fillna(defaults[column])
    target = UpsertTarget(model, conflict_key or key, conflict_where)
    return upsert_frame(target, rows[[*key, *values]])


def _write_sales(frame: pd.DataFrame, log: ChangeLog) -> int:
    """Sales are keyed by store, SKU and date, so only counts go to the audit log."""
    for column in ("quantity", "revenue", "price"):
        if column in frame.columns:
            frame[column] = frame[column].astype(float)
    return _write_facts(
        SalesFact,
        frame,
        key=["store_id", "sku_id", "date"],
        values=["grain", "quantity", "revenue", "price", "on_promotion"],
        defaults={"on_promotion": False},
    )


def _write_inventory(frame: pd.DataFrame, log: ChangeLog) -> int:
    written = 0
    for location in ("store", "warehouse"):
        column = f"{location}_id"
        if column not in frame.columns:
            continue
        rows = frame[frame[column].notna()].drop(
            columns=[c for c in ("store_id", "warehouse_id") if c != column]
        )
        written += _write_facts(
            InventorySnapshot,
            rows,
            key=[column, "sku_id", "date"],
            values=["on_hand", "on_order"],
            defaults={"on_order": 0.0},
            conflict_where=f"{column} IS NOT NULL",
        )
    return written


def _write_supply_orders(frame: pd.DataFrame, log: ChangeLog) -> int:
    return _write_facts(
        SupplyOrder,
        frame,
        key=["order_ref"],
        values=[
            "store_id",
            "warehouse_id",
            "sku_id",
            "ordered_on",
            "promised_on",
            "received_on",
            "quantity_ordered",
            "quantity_received",
        ],
        defaults={},
        log=log,
        table="supply_orders",
    )


def _write_promotions(frame: pd.DataFrame, log: ChangeLog) -> int:
    return _write_facts(
        Promotion,
        frame,
        key=["code"],
        values=[
            "name",
            "store_id",
            "sku_id",
            "start_date",
            "end_date",
            "mechanic",
            "discount_pct",
            "value",
        ],
        defaults={"name": "", "mechanic": ""},
        log=log,
        table="promotions",
    )


def _write_events(frame: pd.DataFrame, log: ChangeLog) -> int:
    return _write_facts(
        CalendarEvent,
        frame,
        key=["date", "name", "region_id", "store_id"],
        values=["event_type"],
        defaults={"event_type": ""},
        log=log,
        table="events",
        conflict_key=["date", "name", "COALESCE(region_id, 0)", "COALESCE(store_id, 0)"],
    )


def _write_indicators(frame: pd.DataFrame, log: ChangeLog) -> int:
    return _write_facts(
        Indicator,
        frame,
        key=["name", "date", "region_id", "store_id"],
        values=["value"],
        defaults={},
        log=log,
        table="indicators",
        conflict_key=["name", "date", "COALESCE(region_id, 0)", "COALESCE(store_id, 0)"],
    )


def _write_closures(frame: pd.DataFrame, log: ChangeLog) -> int:
    return _write_facts(
        StoreClosure,
        frame,
        key=["store_id", "start_date"],
        values=["end_date", "reason"],
        defaults={"reason": ""},
        log=log,
        table="closures",
    )
